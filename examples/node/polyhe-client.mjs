// Calls a polyhe server from Node.js: lists models, fetches a manifest, and sends a malformed Infer
// (an input chunk before InferStart), which the server must refuse with INVALID_ARGUMENT.
// The .proto files are loaded at run time from ../../proto/src/main/proto (no code generation).
//
//   node polyhe-client.mjs HOST:PORT CA.pem API_KEY [MODEL] [PROMPT]
//
// With PROMPT, also tokenises it as the model's manifest says (prompt_ids): "task-chars", or a
// character-level tokenizer.json (BPE without merges, no normalizer or pre-tokenizer, Fuse decoder:
// added tokens matched whole, longest first, then one token per character), the subset the Java
// SDK runs too; any other tokenizer is refused.
// Prints one JSON line; exits 0 when every expectation held, 1 otherwise.
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [target, caFile, apiKey, model = 'tiny', prompt] = process.argv.slice(2);
if (!target || !caFile || !apiKey) {
  console.error('usage: node polyhe-client.mjs HOST:PORT CA.pem API_KEY [MODEL]');
  process.exit(2);
}
const protoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'proto', 'src', 'main', 'proto');
const definition = protoLoader.loadSync(
  ['polyhe/v1/model_service.proto', 'polyhe/v1/inference_service.proto'],
  { includeDirs: [protoRoot], keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
const v1 = grpc.loadPackageDefinition(definition).polyhe.v1;

// TLS with the server's CA, and the bearer API key on every call.
const auth = grpc.credentials.createFromMetadataGenerator((_params, callback) => {
  const md = new grpc.Metadata();
  md.add('authorization', `Bearer ${apiKey}`);
  callback(null, md);
});
const creds = grpc.credentials.combineChannelCredentials(grpc.credentials.createSsl(readFileSync(caFile)), auth);
const deadline = () => new Date(Date.now() + 30_000);

const models = new v1.ModelService(target, creds);
const inference = new v1.InferenceService(target, creds);

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
  return ids;
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
  out.malformed_infer = await malformedInfer();
  out.ok = out.models.includes(model) && out.log_n > 0 && out.galois_keys > 0
    && out.model_hash_bytes === 32 && out.malformed_infer.code === 'INVALID_ARGUMENT'
    && ['REFRESH_MODE_CLIENT', 'REFRESH_MODE_BOOTSTRAP'].includes(out.refresh);
} catch (err) {
  out.error = `${grpc.status[err.code] ?? ''} ${err.details ?? err.message}`;
  out.ok = false;
}
console.log(JSON.stringify(out));
models.close();
inference.close();
process.exit(out.ok ? 0 : 1);
