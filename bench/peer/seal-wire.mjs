// seal-wire.mjs — Microsoft SEAL 4.1 (node-seal 7) as the other side of polyhe's SEAL-format tests.
//
// The Java tests of he-core (io.polyhe.he.io.seal) start this script, hand it SEAL bytes that
// polyhe wrote and ask it for SEAL bytes of its own, so that every object type is checked in
// both directions against SEAL itself. Not a benchmark: nothing is timed.
//
// Protocol: one JSON object per line on stdin, one JSON reply per line on stdout, in order;
// bytes travel as base64. Every reply has "ok"; a failed request replies {"ok":false,"error":...}
// and the script keeps serving. Diagnostics go to stderr. Commands (see README.md):
//   context  {params: b64} | {logN, logQ: [bits..., special]}  -> {params: {none, zstd}, parmsIds: {key, levels: [top..0]}}
//   keygen   {steps: [int], sk?: b64}                          -> {sk, pk, pkSeeded, rlk, rlkSeeded, gk, gkSeeded} (each {none, zstd})
//   encrypt  {values: [num], scale, level?, mode: "public"|"symmetric"|"seeded"} -> {ct: {none, zstd}}
//   decrypt  {ct: b64}                                          -> {values: [num], scale, level}
//   load     {type: "params"|"ct"|"pk"|"rlk"|"gk"|"sk", bytes: b64, use?: bool} -> {none: b64} (SEAL re-saves what it loaded)
//   eval     {op: "mul_relin_rescale"|"rotate"|"add", a: b64, b?: b64, steps?} -> {ct: {none, zstd}}
//   quit
// Must run on Node >= 24: ./node_modules/.bin/node seal-wire.mjs (see seal-peer.mjs).

import { describe as describeWith, serveJsonLines } from './json-lines.mjs';
import SEAL from 'node-seal';

console.log = console.error;
console.info = console.error;

const seal = await SEAL({
  print: (s) => process.stderr.write(`${s}\n`),
  printErr: (s) => process.stderr.write(`${s}\n`),
});

class WireError extends Error {}

let state = null;

function teardown() {
  if (state === null) return;
  for (const obj of state.owned.reverse()) if (obj && !obj.isDeleted()) obj.delete();
  state = null;
}

function need() {
  if (state === null) throw new WireError('no context: send {"cmd":"context",...} first');
  return state;
}

const b64 = (u8) => Buffer.from(u8).toString('base64');
const bytesOf = (s, name) => {
  if (typeof s !== 'string') throw new WireError(`${name} must be base64`);
  return new Uint8Array(Buffer.from(s, 'base64'));
};
/** An object saved in both compression modes. */
const both = (obj) => ({ none: b64(obj.saveToArray(seal.ComprModeType.none)), zstd: b64(obj.saveToArray(seal.ComprModeType.zstd)) });

function parmsIdBytes(pid) {
  const words = pid.values();
  const out = Buffer.alloc(32);
  for (let i = 0; i < 4; i++) out.writeBigUInt64LE(BigInt(words[i]), 8 * i);
  pid.delete();
  return out.toString('base64');
}

function context(req) {
  teardown();
  const owned = [];
  const own = (o) => (owned.push(o), o);
  state = { owned };
  const parms = own(new seal.EncryptionParameters(seal.SchemeType.ckks));
  if (req.params !== undefined) {
    parms.loadFromArray(bytesOf(req.params, 'params'));
  } else {
    parms.setPolyModulusDegree(2 ** req.logN);
    parms.setCoeffModulus(own(seal.CoeffModulus.Create(2 ** req.logN, Int32Array.from(req.logQ))));
  }
  // Small test rings are below SEAL's 128-bit table: the Java side opts in by name.
  const ctx = own(new seal.SEALContext(parms, true, seal.SecLevelType.none));
  if (!ctx.parametersSet()) throw new WireError(`SEAL rejects the parameters: ${ctx.parameterErrorMessage()}`);
  // node-seal hands back a handle even past the last level, so walk by prime count.
  const levels = [];
  let data = own(ctx.firstContextData());
  for (;;) {
    levels.push(parmsIdBytes(data.parmsId()));
    if (primeCount(data) === 1) break;
    data = own(data.nextContextData());
  }
  Object.assign(state, {
    parms, ctx,
    encoder: own(new seal.CKKSEncoder(ctx)),
    evaluator: own(new seal.Evaluator(ctx)),
    keys: {},
  });
  return { params: both(parms), parmsIds: { key: parmsIdBytes(ctx.keyParmsId()), levels } };
}

function primeCount(contextData) {
  const parms = contextData.parms();
  const moduli = parms.coeffModulus();
  const count = moduli.size();
  moduli.delete();
  parms.delete();
  return count;
}

function setKey(s, name, obj) {
  if (s.keys[name] && !s.keys[name].isDeleted()) s.keys[name].delete();
  s.keys[name] = obj;
}

function keygen(req) {
  const s = need();
  let keygen;
  if (req.sk !== undefined) {
    const sk = new seal.SecretKey();
    sk.loadFromArray(s.ctx, bytesOf(req.sk, 'sk'));
    keygen = new seal.KeyGenerator(s.ctx, sk);
    sk.delete();
  } else {
    keygen = new seal.KeyGenerator(s.ctx);
  }
  try {
    const steps = Int32Array.from(req.steps ?? [1]);
    const sk = keygen.secretKey();
    const pk = keygen.createPublicKey();
    const rlk = keygen.createRelinKeys();
    const gk = keygen.createGaloisKeysWithSteps(steps);
    const seeded = [keygen.createPublicKeySerializable(), keygen.createRelinKeysSerializable(), keygen.createGaloisKeysSerializableWithSteps(steps)];
    const out = {
      sk: both(sk), pk: both(pk), rlk: both(rlk), gk: both(gk),
      pkSeeded: both(seeded[0]), rlkSeeded: both(seeded[1]), gkSeeded: both(seeded[2]),
    };
    seeded.forEach((o) => o.delete());
    setKey(s, 'sk', sk);
    setKey(s, 'pk', pk);
    setKey(s, 'rlk', rlk);
    setKey(s, 'gk', gk);
    return out;
  } finally {
    keygen.delete();
  }
}

/** A plaintext of `values` at `scale`, switched down to the level with `level`+1 primes if given. */
function plain(s, values, scale, level) {
  const pt = new seal.Plaintext();
  s.encoder.encode(Float64Array.from(values), scale, pt);
  if (level !== undefined) {
    const chain = [s.ctx.firstContextData()];
    while (primeCount(chain[chain.length - 1]) > level + 1) chain.push(chain[chain.length - 1].nextContextData());
    const target = chain[chain.length - 1];
    if (primeCount(target) !== level + 1) throw new WireError(`no level ${level}`);
    const pid = target.parmsId();
    s.evaluator.plainModSwitchToInplace(pt, pid);
    pid.delete();
    chain.forEach((d) => d.delete());
  }
  return pt;
}

function encrypt(req) {
  const s = need();
  const pt = plain(s, req.values, req.scale, req.level);
  try {
    if (req.mode === 'public') {
      const enc = new seal.Encryptor(s.ctx, s.keys.pk);
      const ct = new seal.Ciphertext();
      enc.encrypt(pt, ct);
      const out = { ct: both(ct) };
      ct.delete();
      enc.delete();
      return out;
    }
    const enc = new seal.Encryptor(s.ctx, s.keys.pk, s.keys.sk);
    try {
      if (req.mode === 'seeded') {
        const ser = enc.encryptSymmetricSerializable(pt);
        const out = { ct: both(ser) };
        ser.delete();
        return out;
      }
      const ct = new seal.Ciphertext();
      enc.encryptSymmetric(pt, ct);
      const out = { ct: both(ct) };
      ct.delete();
      return out;
    } finally {
      enc.delete();
    }
  } finally {
    pt.delete();
  }
}

function loadCt(s, b) {
  const ct = new seal.Ciphertext();
  ct.loadFromArray(s.ctx, bytesOf(b, 'ciphertext'));
  return ct;
}

function decrypt(req) {
  const s = need();
  const ct = loadCt(s, req.ct);
  const dec = new seal.Decryptor(s.ctx, s.keys.sk);
  const pt = new seal.Plaintext();
  try {
    dec.decrypt(ct, pt);
    const data = s.ctx.getContextData(ct.parmsId());
    const level = data.chainIndex();
    data.delete();
    return { values: Array.from(s.encoder.decodeFloat64(pt)), scale: ct.scale, level };
  } finally {
    [ct, dec, pt].forEach((o) => o.delete());
  }
}

const LOADERS = {
  params: () => new seal.EncryptionParameters(seal.SchemeType.ckks),
  ct: () => new seal.Ciphertext(),
  pk: () => new seal.PublicKey(),
  rlk: () => new seal.RelinKeys(),
  gk: () => new seal.GaloisKeys(),
  sk: () => new seal.SecretKey(),
};

function load(req) {
  const s = need();
  const make = LOADERS[req.type];
  if (!make) throw new WireError(`unknown type ${JSON.stringify(req.type)}`);
  const obj = make();
  const bytes = bytesOf(req.bytes, 'bytes');
  if (req.type === 'params') obj.loadFromArray(bytes);
  else obj.loadFromArray(s.ctx, bytes);
  const out = { none: b64(obj.saveToArray(seal.ComprModeType.none)) };
  if (req.use && req.type !== 'params' && req.type !== 'ct') setKey(s, req.type, obj);
  else obj.delete();
  return out;
}

function evaluate(req) {
  const s = need();
  const a = loadCt(s, req.a);
  const objs = [a];
  try {
    const out = new seal.Ciphertext();
    objs.push(out);
    if (req.op === 'mul_relin_rescale') {
      const b = loadCt(s, req.b);
      objs.push(b);
      s.evaluator.multiply(a, b, out);
      s.evaluator.relinearizeInplace(out, s.keys.rlk);
      s.evaluator.rescaleToNextInplace(out);
    } else if (req.op === 'rotate') {
      s.evaluator.rotateVector(a, req.steps, s.keys.gk, out);
    } else if (req.op === 'add') {
      const b = loadCt(s, req.b);
      objs.push(b);
      s.evaluator.add(a, b, out);
    } else {
      throw new WireError(`unknown op ${JSON.stringify(req.op)}`);
    }
    return { ct: both(out) };
  } finally {
    objs.forEach((o) => o.delete());
  }
}

const COMMANDS = { context, keygen, encrypt, decrypt, load, eval: evaluate };

function handle(req) {
  if (req.cmd === 'quit') return null;
  const command = Object.hasOwn(COMMANDS, req.cmd) ? COMMANDS[req.cmd] : null;
  if (!command) return { ok: false, error: `unknown cmd ${JSON.stringify(req.cmd)}` };
  try {
    return { ok: true, ...command(req) };
  } catch (e) {
    if (e instanceof Error && !(e instanceof WireError)) console.error('seal-wire:', e.stack);
    return { ok: false, error: describeWith(e, seal) };
  }
}

await serveJsonLines(handle, teardown);
