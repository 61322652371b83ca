// A polyhe client in Node.js. Without --generate it lists models, fetches a manifest, and sends a
// malformed Infer (an input chunk before InferStart), which the server must refuse with
// INVALID_ARGUMENT. With --generate it is a complete encrypted-inference client on Microsoft SEAL
// (node-seal 7, seal-cipher.mjs) for a model served in the SEAL profile (`polyhe serve --format
// seal`): manifest → SEAL context from the manifest's EncryptionParameters bytes → keys (the secret
// key stays here) → upload of the relinearisation and Galois keys → encryption of the prompt →
// answers to the server's refresh requests → decryption of the logits → text, by greedy
// generation as the Java SDK's ClientSession.generate does.
// The .proto files are loaded at run time from ../../proto/src/main/proto (no code generation).
//
//   node polyhe-client.mjs HOST:PORT CA.pem API_KEY [MODEL] [PROMPT] [--generate TOKENS]
//                          [--compression none|zstd] [--key-compression none|zstd]
// (compression of the ciphertexts and of the keys sent up; SEAL's own modes, zstd by default)
//
// With PROMPT, also tokenises it as the model's manifest says (prompt_ids): "task-chars", or a
// character-level tokenizer.json (BPE without merges, no normalizer or pre-tokenizer, Fuse decoder:
// added tokens matched whole, longest first, then one token per character; no post-processor or a
// TemplateProcessing one, whose special tokens go around the text as Hugging Face adds them by
// default: fortune's puts <|endoftext|> first), the subset the Java SDK runs too; any other
// tokenizer is refused.
// Prints one JSON line; exits 0 when every expectation held, 1 otherwise. --generate needs node-seal,
// hence the Node 24 that package.json pins: run it with ./node_modules/.bin/node.
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const positional = [];
const flags = { generate: 0, compression: 'zstd', keyCompression: 'zstd' };
for (const args = process.argv.slice(2); args.length;) {
  const a = args.shift();
  if (a === '--generate') flags.generate = Number(args.shift());
  else if (a === '--compression') flags.compression = args.shift();
  else if (a === '--key-compression') flags.keyCompression = args.shift();
  else positional.push(a);
}
const [target, caFile, apiKey, model = 'tiny', prompt] = positional;
if (!target || !caFile || !apiKey || !Number.isInteger(flags.generate) || flags.generate < 0
  || (flags.generate > 0 && prompt === undefined) || !['none', 'zstd'].includes(flags.compression)
  || !['none', 'zstd'].includes(flags.keyCompression)) {
  console.error('usage: node polyhe-client.mjs HOST:PORT CA.pem API_KEY [MODEL] [PROMPT] [--generate TOKENS]'
    + ' [--compression none|zstd] [--key-compression none|zstd]');
  process.exit(2);
}
const protoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'proto', 'src', 'main', 'proto');
const definition = protoLoader.loadSync(
  ['polyhe/v1/model_service.proto', 'polyhe/v1/inference_service.proto', 'polyhe/v1/key_service.proto'],
  { includeDirs: [protoRoot], keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
const v1 = grpc.loadPackageDefinition(definition).polyhe.v1;

// TLS with the server's CA, and the bearer API key on every call.
const auth = grpc.credentials.createFromMetadataGenerator((_params, callback) => {
  const md = new grpc.Metadata();
  md.add('authorization', `Bearer ${apiKey}`);
  callback(null, md);
});
const creds = grpc.credentials.combineChannelCredentials(grpc.credentials.createSsl(readFileSync(caFile)), auth);
const deadline = (seconds = 30) => new Date(Date.now() + seconds * 1000);
// Large keys and ciphertexts: gRPC's default 4 MiB receive limit holds (chunks are at most 1 MiB).
const models = new v1.ModelService(target, creds);
const inference = new v1.InferenceService(target, creds);
const keys = new v1.KeyService(target, creds);

const unary = (client, method, request) => new Promise((resolve, reject) =>
  client[method](request, { deadline: deadline() }, (err, res) => (err ? reject(err) : resolve(res))));

function malformedInfer() {
  return new Promise((resolve) => {
    const call = inference.Infer({ deadline: deadline() });
    call.on('data', () => {});
    call.on('error', (err) => resolve({ code: grpc.status[err.code], details: err.details }));
    call.on('end', () => resolve({ code: 'OK' }));
    call.write({ input: { total_bytes: 16, data: Buffer.alloc(16) } });
    call.end();
  });
}

// Token ids of `text` under the manifest's tokenizer; throws for what the subset does not cover.
function tokenize(tok, text) {
  let vocab = tok.vocab;
  let added = [];
  let before = [];
  let after = [];
  if (tok.kind === 'tokenizer.json') {
    const def = JSON.parse(tok.definition);
    const m = def.model;
    if (def.normalizer || def.pre_tokenizer || def.decoder?.type !== 'Fuse' || m.type !== 'BPE'
      || m.merges.length || m.unk_token || m.byte_fallback || m.ignore_merges || m.dropout
      || m.continuing_subword_prefix || m.end_of_word_suffix
      || (def.added_tokens ?? []).some((a) => a.lstrip || a.rstrip || a.single_word || a.normalized)) {
      throw new Error('tokenizer.json outside the character-level subset');
    }
    added = (def.added_tokens ?? []).map((a) => a.id).sort((x, y) => vocab[y].length - vocab[x].length);
    const pp = def.post_processor;
    if (pp) {
      if (pp.type !== 'TemplateProcessing') throw new Error(`post-processor ${pp.type} outside the subset`);
      let side = before;
      for (const piece of pp.single) {
        if (piece.Sequence) { if (side === after) throw new Error('a template with two sequences'); side = after; continue; }
        const entry = pp.special_tokens?.[piece.SpecialToken?.id];
        if (!entry?.ids) throw new Error(`template piece ${JSON.stringify(piece)} outside the subset`);
        side.push(...entry.ids);
      }
      if (side !== after) throw new Error('a template without a sequence');
    }
  } else if (tok.kind !== 'task-chars') {
    throw new Error(`tokenizer kind ${tok.kind} has no text form`);
  }
  const chars = new Map();
  vocab.forEach((s, id) => { if (!added.includes(id) && [...s].length === 1 && !chars.has(s)) chars.set(s, id); });
  const ids = [];
  for (let i = 0; i < text.length;) {
    const a = added.find((id) => text.startsWith(vocab[id], i));
    if (a !== undefined) { ids.push(a); i += vocab[a].length; continue; }
    const c = String.fromCodePoint(text.codePointAt(i));
    if (!chars.has(c)) throw new Error(`character '${c}' is not in the vocabulary`);
    ids.push(chars.get(c));
    i += c.length;
  }
  return [...before, ...ids, ...after];
}

// ---- Encrypted inference (--generate), in the SEAL profile ----

const CHUNK = 1 << 20; // the protocol's largest chunk (io.polyhe.proto.Chunks.MAX_BYTES)

/** Writes `message` to a client stream, waiting for the stream to drain when its buffer is full. */
function write(call, message) {
  return call.write(message) ? Promise.resolve() : new Promise((resolve) => call.once('drain', resolve));
}

/** Consecutive slices of at most CHUNK bytes. */
function* slices(bytes) {
  for (let off = 0; off < bytes.length; off += CHUNK) yield bytes.subarray(off, Math.min(bytes.length, off + CHUNK));
}

/** Ciphertext chunks: the first carries the total size (io.polyhe.proto.Chunks.ciphertext). */
function* ciphertextChunks(bytes) {
  let first = true;
  for (const data of slices(bytes)) {
    yield { total_bytes: first ? bytes.length : 0, data };
    first = false;
  }
}

/**
 * Makes the relinearisation key and one Galois key per element of the manifest, then uploads them
 * (header first, declaring each key's SEAL size; then each key's chunks, in order). Returns the
 * session and the bytes uploaded.
 */
async function uploadKeys(cipher, manifest) {
  const made = [{ kind: 'KEY_KIND_RELINEARIZATION', galois_element: 0, bytes: cipher.relinKey() }];
  for (const g of manifest.galois_elements) made.push({ kind: 'KEY_KIND_GALOIS', galois_element: g, bytes: cipher.galoisKey(g) });
  const header = {
    model: manifest.info.name,
    parameters_hash: manifest.parameters.parameters_hash,
    keys: made.map((k) => ({ kind: k.kind, galois_element: k.galois_element, size_bytes: k.bytes.length })),
  };
  const session = await new Promise((resolve, reject) => {
    const call = keys.UploadEvaluationKeys({ deadline: deadline(600) }, (err, res) => (err ? reject(err) : resolve(res)));
    (async () => {
      await write(call, { header });
      for (const k of made) for (const data of slices(k.bytes)) await write(call, { chunk: { data } });
      call.end();
    })().catch(reject);
  });
  return { session, bytes: made.reduce((a, k) => a + k.bytes.length, 0) };
}

/** A bounded buffer for one chunked object from the server (its size declared by the first chunk). */
class Incoming {
  constructor(what, total, max) {
    const n = Number(total);
    if (!(n >= 1 && n <= max)) throw new Error(`${what} declares ${total} bytes (at most ${max})`);
    this.what = what;
    this.parts = [];
    this.filled = 0;
    this.total = n;
  }

  add(data) {
    if (this.filled + data.length > this.total) throw new Error(`${this.what} exceeds its declared ${this.total} bytes`);
    this.parts.push(data);
    this.filled += data.length;
    return this.filled === this.total;
  }

  bytes() {
    return Buffer.concat(this.parts);
  }
}

/** The slot vector of `ids`: row t is token ids[t]'s row plus position t's (none for a rotary model). */
function pack(manifest, ids) {
  const { width, row_stride: stride, slots } = manifest.slot_layout;
  const tok = manifest.input_embedding.token_rows;
  const pos = manifest.input_embedding.position_rows;
  const v = new Float64Array(slots);
  ids.forEach((id, t) => {
    if (!(id >= 0 && id < manifest.vocab_size)) throw new Error(`token id ${id} outside [0, ${manifest.vocab_size})`);
    for (let j = 0; j < width; j++) v[t * stride + j] = tok[id * width + j] + (pos.length ? pos[t * width + j] : 0);
  });
  return v;
}

/**
 * One encrypted forward pass over `ids`: sends the start and the input's chunks, answers every
 * refresh request on the same stream, collects the logits and the result, and decrypts the logits
 * of the last row. Resolves to { next, server_seconds, refreshes, bytes_up, bytes_down }.
 */
function inferPass(cipher, manifest, sessionId, ids) {
  return new Promise((resolve, reject) => {
    const call = inference.Infer({ deadline: deadline(600) });
    const max = cipher.maxCiphertextBytes();
    let logits = null;
    let refresh = null;
    let result = null;
    let failed = false;
    let bytesUp = 0;
    let bytesDown = 0;
    let answers = Promise.resolve();
    const fail = (err) => {
      if (failed) return;
      failed = true;
      call.cancel();
      reject(err);
    };
    call.on('data', (r) => {
      if (failed) return;
      try {
        if (r.refresh_request) {
          if (manifest.refresh === 'REFRESH_MODE_BOOTSTRAP') throw new Error('refresh request from a bootstrapping server');
          const q = r.refresh_request;
          if (refresh === null) {
            refresh = { id: q.refresh_id, level: q.target_level, scale: q.target_scale,
              buf: new Incoming('refresh request', q.chunk.total_bytes, max) };
          } else if (q.refresh_id !== refresh.id) {
            throw new Error(`refresh request ${q.refresh_id} interleaved with ${refresh.id}`);
          }
          if (refresh.buf.add(q.chunk.data)) {
            const { id, level, scale, buf } = refresh;
            refresh = null;
            const request = buf.bytes();
            bytesDown += request.length;
            const t0 = process.hrtime.bigint();
            const answer = cipher.refresh(request, level, scale);
            const clientSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
            bytesUp += answer.length;
            answers = answers.then(async () => {
              for (const chunk of ciphertextChunks(answer)) {
                await write(call, { refresh_answer: { refresh_id: id, chunk, client_seconds: clientSeconds } });
              }
            }).catch(fail);
          }
        } else if (r.logits) {
          logits ??= new Incoming('logits', r.logits.total_bytes, max);
          logits.add(r.logits.data);
        } else if (r.result) {
          result = r.result;
        }
      } catch (err) {
        fail(err);
      }
    });
    call.on('error', (err) => fail(err));
    call.on('end', () => {
      if (failed) return;
      try {
        if (!logits || logits.filled !== logits.total || !result) throw new Error('the server ended the call without complete logits and result');
        const bytes = logits.bytes();
        bytesDown += bytes.length;
        const { slots } = cipher.decrypt(bytes);
        const stride = manifest.logits_row_stride;
        const row = slots.subarray((ids.length - 1) * stride, (ids.length - 1) * stride + manifest.vocab_size);
        let next = 0;
        for (let i = 1; i < row.length; i++) if (row[i] > row[next]) next = i;
        resolve({ next, server_seconds: result.breakdown.total_seconds, refreshes: result.refreshes,
          bytes_up: bytesUp, bytes_down: bytesDown, breakdown: result.breakdown });
      } catch (err) {
        fail(err);
      }
    });
    (async () => {
      const input = cipher.encrypt(pack(manifest, ids), manifest.input_level, manifest.input_scale);
      bytesUp += input.length;
      await write(call, { start: { session_id: sessionId, model: manifest.info.name, tokens: ids.length } });
      for (const chunk of ciphertextChunks(input)) await write(call, { input: chunk });
    })().catch(fail);
  });
}

/** Greedy generation as ClientSession.generate: one pass per new token, up to eos, `count` or the context. */
async function generate(cipher, manifest, sessionId, promptIds, count) {
  const vocab = manifest.tokenizer.vocab;
  let sequence = [...promptIds];
  if (sequence.length === 0 || sequence.length > manifest.max_tokens) {
    throw new Error(`prompt of ${sequence.length} tokens; need 1..${manifest.max_tokens}`);
  }
  const generated = [];
  const passes = [];
  while (generated.length < count) {
    const pass = await inferPass(cipher, manifest, sessionId, sequence);
    passes.push(pass);
    generated.push(pass.next);
    if (pass.next === manifest.tokenizer.eos || sequence.length === manifest.max_tokens) break;
    sequence = [...sequence, pass.next];
  }
  return { text: generated.map((t) => vocab[t]).join(''), ids: generated, passes };
}

/** The server's breakdowns of every pass, summed: total, per component, per primitive, refresh waits. */
function mergeBreakdowns(list) {
  const sum = (pairs, key) => {
    const out = {};
    for (const p of pairs) out[p[key]] = (out[p[key]] ?? 0) + p.seconds;
    return out;
  };
  return {
    total_seconds: list.reduce((a, b) => a + b.total_seconds, 0),
    components: sum(list.flatMap((b) => b.components), 'component'),
    primitives: sum(list.flatMap((b) => b.primitives), 'primitive'),
    refresh_server_wait_seconds: list.reduce((a, b) => a + (b.refresh?.server_wait_seconds ?? 0), 0),
    refresh_client_seconds: list.reduce((a, b) => a + (b.refresh?.client_seconds ?? 0), 0),
  };
}

async function encryptedGeneration(manifest, ids) {
  if (manifest.ciphertext_format !== 'CIPHERTEXT_FORMAT_SEAL') {
    throw new Error(`model '${manifest.info.name}' is served in ${manifest.ciphertext_format}; this client speaks`
      + ' SEAL (serve it with --format seal)');
  }
  const start = process.hrtime.bigint();
  // Loaded only here: node-seal needs Node 24, the manifest-only mode runs on older Node too.
  const { loadSeal, SealCipher } = await import('./seal-cipher.mjs');
  const cipher = new SealCipher(await loadSeal(), manifest, flags.compression, flags.keyCompression);
  try {
    const keyStart = process.hrtime.bigint();
    const { session, bytes } = await uploadKeys(cipher, manifest);
    const keySeconds = Number(process.hrtime.bigint() - keyStart) / 1e9;
    try {
      const genStart = process.hrtime.bigint();
      const g = await generate(cipher, manifest, session.session_id, ids, flags.generate);
      return {
        breakdown: mergeBreakdowns(g.passes.map((p) => p.breakdown)),
        answer: g.text,
        answer_ids: g.ids,
        passes: g.passes.length,
        refreshes: g.passes.reduce((a, p) => a + p.refreshes, 0),
        key_bytes: bytes,
        key_seconds: keySeconds,
        bytes_up: bytes + g.passes.reduce((a, p) => a + p.bytes_up, 0),
        bytes_down: g.passes.reduce((a, p) => a + p.bytes_down, 0),
        server_seconds: g.passes.reduce((a, p) => a + p.server_seconds, 0),
        generation_seconds: Number(process.hrtime.bigint() - genStart) / 1e9,
        seconds: Number(process.hrtime.bigint() - start) / 1e9,
        compression: flags.compression,
        key_compression: flags.keyCompression,
      };
    } finally {
      await unary(keys, 'DeleteSession', { session_id: session.session_id }).catch(() => {});
    }
  } finally {
    cipher.close();
  }
}

const out = {};
try {
  const list = await unary(models, 'ListModels', {});
  out.models = list.models.map((m) => m.name);
  const manifest = await unary(models, 'GetModelManifest', { model });
  out.model_hash_bytes = manifest.info.model_hash.length;
  out.log_n = manifest.parameters.log_n;
  out.max_level = manifest.parameters.max_level;
  out.galois_keys = manifest.galois_elements.length;
  out.slot_layout = JSON.parse(manifest.slot_layout.json);
  out.tokenizer = manifest.tokenizer.kind;
  out.vocab_size = manifest.vocab_size;
  if (manifest.tokenizer.kind === 'task-chars') out.vocab = manifest.tokenizer.vocab.join('');
  // A rotary model ships no position table.
  out.position_rows = manifest.input_embedding.position_rows.length;
  if (prompt !== undefined) out.prompt_ids = tokenize(manifest.tokenizer, prompt);
  // How the server refreshes: REFRESH_MODE_CLIENT means this client would answer refresh requests.
  out.refresh = manifest.refresh;
  out.format = manifest.ciphertext_format;
  out.malformed_infer = await malformedInfer();
  out.ok = out.models.includes(model) && out.log_n > 0 && out.galois_keys > 0
    && out.model_hash_bytes === 32 && out.malformed_infer.code === 'INVALID_ARGUMENT'
    && ['REFRESH_MODE_CLIENT', 'REFRESH_MODE_BOOTSTRAP'].includes(out.refresh);
  if (flags.generate > 0) {
    out.generation = await encryptedGeneration(manifest, out.prompt_ids);
    out.ok = out.ok && out.generation.passes > 0;
  }
} catch (err) {
  out.error = `${grpc.status[err.code] ?? ''} ${err.details ?? err.message}`;
  out.ok = false;
}
console.log(JSON.stringify(out));
models.close();
inference.close();
keys.close();
process.exit(out.ok ? 0 : 1);
