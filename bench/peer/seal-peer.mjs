// seal-peer.mjs — Microsoft SEAL 4.1 (node-seal 7, WebAssembly) as a long-lived benchmark peer.
//
// The Java bench (io.polyhe.cli.bench.peer.SealPeer) starts this script once and then alternates
// polyhe and SEAL measurements op by op, so both see the same machine state (thermal, load,
// caches) instead of two separate runs minutes apart.
//
// Protocol: one JSON object per line on stdin, one JSON reply per line on stdout, requests
// handled strictly in order. stdout carries nothing but replies; every diagnostic goes to
// stderr. See README.md for the commands.
//
// Must run on Node >= 24 (node-seal 7's WebAssembly uses the newer exception-handling
// proposal; Node 20 fails with "CompileError ... noexternref"); package.json pins the npm
// package `node`, so use ./node_modules/.bin/node.

import { readFileSync } from 'node:fs';
import { describe as describeWith, serveJsonLines } from './json-lines.mjs';
import SEAL from 'node-seal';

// Anything that prints through console.log (our code, a dependency, emscripten's default
// `print`) would corrupt the reply stream, so route it to stderr before SEAL loads.
console.log = console.error;
console.info = console.error;

// node-seal's "exports" hide its package.json from require(), so read the installed file.
const NODE_SEAL_VERSION = JSON.parse(
  readFileSync(new URL('./node_modules/node-seal/package.json', import.meta.url), 'utf8'),
).version;
// node-seal exposes no runtime version call; 7.0.0 is documented as "aligned with Microsoft
// SEAL 4.1.2" and package.json pins node-seal exactly, so the pin is the source of truth.
const SEAL_VERSION = NODE_SEAL_VERSION === '7.0.0' ? '4.1.2' : `unknown (node-seal ${NODE_SEAL_VERSION})`;

const seal = await SEAL({
  print: (s) => process.stderr.write(`${s}\n`),
  printErr: (s) => process.stderr.write(`${s}\n`),
});

const MAX_ITERATIONS = 100000;

/** Ops of polyhe's bench that SEAL's JS API has no counterpart for. */
const UNSUPPORTED = {
  ntt: 'node-seal exposes no single-limb NTT',
  rotate_hoisted_16: 'SEAL has no hoisted rotations',
};

/** An error whose message is the whole story (no stack needed in the reply). */
class PeerError extends Error {}

/** The current SEAL context and keys; null until a successful setup. */
let state = null;

/** Deletes every SEAL object held by `state` (WebAssembly memory is not garbage collected). */
function teardown() {
  if (state === null) return;
  for (const obj of state.owned.reverse()) {
    if (obj && !obj.isDeleted()) obj.delete();
  }
  state = null;
}

function requireState() {
  if (state === null) throw new PeerError('no context: send {"cmd":"setup",...} first');
  return state;
}

function intIn(value, name, lo, hi) {
  if (!Number.isInteger(value) || value < lo || value > hi) {
    throw new PeerError(`${name} must be an integer in [${lo}, ${hi}], got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Builds the context and keys. logQ is the whole chain, SEAL-style: every prime but the last is
 * a ciphertext prime, the last is SEAL's one special (key-switching) prime. Optional ctPrimes
 * (default: all of SEAL's ciphertext primes) is how many ciphertext primes the inputs of every
 * op carry: fresh inputs are mod-switched down to that level outside the timed region, so a
 * caller whose own chain has k ciphertext primes plus several special primes can compare at the
 * same limb count (SEAL would otherwise count all but one of those special primes as an extra
 * ciphertext level).
 */
function setup(req) {
  teardown();
  const logN = intIn(req.logN, 'logN', 10, 17);
  if (!Array.isArray(req.logQ) || req.logQ.length < 2) {
    throw new PeerError('logQ must be an array of at least 2 prime bit sizes (the last is the special prime)');
  }
  req.logQ.forEach((b, i) => intIn(b, `logQ[${i}]`, 2, 60));
  const logScale = intIn(req.logScale, 'logScale', 1, 60);
  const topCtPrimes = req.logQ.length - 1;
  const ctPrimes = req.ctPrimes === undefined ? topCtPrimes : intIn(req.ctPrimes, 'ctPrimes', 1, topCtPrimes);
  const n = 2 ** logN;
  // Refuse up front what cannot fit, rather than spending minutes building a context whose key
  // generation then stalls at the 4 GiB ceiling (observed at logN 16 with 35 primes).
  const keyBytes = keySwitchingKeyBytes(n, req.logQ.length);
  checkFits(WASM_BASE_BYTES + contextBytesEstimate(n, req.logQ.length) + KEYGEN_FACTOR * keyBytes, logN, req.logQ);

  const owned = [];
  const own = (obj) => (owned.push(obj), obj);
  state = { owned };
  try {
    const parms = own(new seal.EncryptionParameters(seal.SchemeType.ckks));
    parms.setPolyModulusDegree(n);
    parms.setCoeffModulus(own(seal.CoeffModulus.Create(n, Int32Array.from(req.logQ))));

    // tc128 unless SEAL's own table refuses this exact chain (e.g. logN 16 is not in SEAL's
    // table at all); then "none", reported so the caller can say so next to the figures.
    let securityLevel = 'tc128';
    let context = new seal.SEALContext(parms, true, seal.SecLevelType.tc128);
    if (!context.parametersSet()) {
      context.delete();
      securityLevel = 'none';
      context = new seal.SEALContext(parms, true, seal.SecLevelType.none);
    }
    own(context);
    if (!context.parametersSet()) {
      throw new PeerError(`SEAL rejects the parameters even at SecurityLevel.none: logN ${logN}, logQ ${JSON.stringify(req.logQ)}`);
    }

    // The level the ops run at: walk the chain down to the context data with ctPrimes primes.
    let data = own(context.firstContextData());
    while (primeCount(data) > ctPrimes) {
      data = own(data.nextContextData());
    }
    const workParms = own(data.parmsId());

    const encoder = own(new seal.CKKSEncoder(context));
    const keygen = own(new seal.KeyGenerator(context));
    const secretKey = own(keygen.secretKey());
    const publicKey = own(keygen.createPublicKey());
    const relinKeys = own(keygen.createRelinKeys());
    const galoisKeys = own(keygen.createGaloisKeysWithSteps(Int32Array.from([1])));
    Object.assign(state, {
      logN, logScale, ctPrimes, topCtPrimes, securityLevel,
      scale: 2 ** logScale,
      slots: encoder.slotCount(),
      context, workParms, encoder, keygen, secretKey, publicKey, relinKeys, galoisKeys,
      encryptor: own(new seal.Encryptor(context, publicKey, secretKey)),
      decryptor: own(new seal.Decryptor(context, secretKey)),
      evaluator: own(new seal.Evaluator(context)),
    });
  } catch (e) {
    teardown();
    throw e;
  }
  return {
    slots: state.slots,
    securityLevel: state.securityLevel,
    seal: SEAL_VERSION,
    nodeSeal: NODE_SEAL_VERSION,
    node: process.version,
    ctPrimes,
    topCtPrimes,
  };
}

// ---- memory budget ---------------------------------------------------------------------------
// node-seal is 32-bit WebAssembly: its heap stops one page short of 4 GiB. Measured on node-seal
// 7.0.0: the module starts at ~17 MB; a context with expanded chain keeps NTT and RNS tables for
// every level, ~72 bytes per coefficient per prime per level (logN 15, 20 primes: 516 MB); and
// keys plus the transient memory of generating them and of the ops settle at ~4.5 key sizes
// (relin + Galois + one keygen_galois_1 + SEAL's pooled temporaries), hence 5 for margin.
// (logN 16 with 20 primes: estimate 2.8 GiB, measured 2.87 GB resident.) The heap never
// shrinks, so its current size says nothing about what a new setup needs: estimate only.

const WASM_MAX_BYTES = 4 * 2 ** 30 - 65536;
const WASM_BASE_BYTES = 17 * 2 ** 20;
const CONTEXT_BYTES_PER_COEFF = 72;
const KEYGEN_FACTOR = 5;

/** A key-switching key in SEAL: one digit per ciphertext prime, each 2 polys over all primes. */
function keySwitchingKeyBytes(n, primes) {
  return (primes - 1) * 2 * primes * n * 8;
}

/** Levels have primes, primes-1, ..., 1 primes (key level first). */
function contextBytesEstimate(n, primes) {
  return CONTEXT_BYTES_PER_COEFF * n * ((primes * (primes + 1)) / 2);
}

function checkFits(bytes, logN, logQ) {
  if (bytes > WASM_MAX_BYTES) {
    const gib = (bytes / 2 ** 30).toFixed(1);
    throw new PeerError(
      `SEAL in 32-bit WebAssembly cannot hold logN ${logN} with ${logQ.length} primes: context and keys need about ${gib} GiB, the limit is 4 GiB (use fewer primes)`,
    );
  }
}

// ---- inputs (always prepared outside the timed region) ------------------------------------

function randomValues(s) {
  const v = new Float64Array(s.slots);
  for (let i = 0; i < v.length; i++) v[i] = Math.random() * 2 - 1;
  return v;
}

/** A fresh plaintext of random values at the working level. */
function plain(s, values = randomValues(s)) {
  const pt = new seal.Plaintext();
  // node-seal's encode has no parms_id argument: it encodes at the top level, so switch down.
  s.encoder.encode(values, s.scale, pt);
  if (s.ctPrimes !== s.topCtPrimes) s.evaluator.plainModSwitchToInplace(pt, s.workParms);
  return pt;
}

/** A fresh public-key ciphertext of random values at the working level. */
function cipher(s, values = randomValues(s)) {
  const pt = plain(s, values);
  const ct = new seal.Ciphertext();
  s.encryptor.encrypt(pt, ct); // encrypts at the plaintext's level
  pt.delete();
  return ct;
}

/** A fresh 3-part ciphertext: the product of two fresh ciphertexts, not relinearised. */
function product(s) {
  const a = cipher(s);
  const b = cipher(s);
  const out = new seal.Ciphertext();
  s.evaluator.multiply(a, b, out);
  a.delete();
  b.delete();
  return out;
}

function deleteAll(objs) {
  for (const o of objs) if (o && !o.isDeleted()) o.delete();
}

// ---- ops ------------------------------------------------------------------------------------
// Each op returns { inputs: [...objects], timed: () => result|undefined }. Only `timed` runs
// between the two clock reads; inputs and anything timed() returns are deleted afterwards.

const OPS = {
  encode: (s) => {
    const values = randomValues(s);
    const pt = new seal.Plaintext();
    return { inputs: [pt], timed: () => s.encoder.encode(values, s.scale, pt) };
  },
  decode: (s) => {
    const pt = plain(s);
    return { inputs: [pt], timed: () => s.encoder.decodeFloat64(pt) };
  },
  encrypt_pk: (s) => {
    const pt = plain(s);
    const ct = new seal.Ciphertext();
    return { inputs: [pt, ct], timed: () => s.encryptor.encrypt(pt, ct) };
  },
  // The seeded form: SEAL keeps the seed of the uniform half so that saving writes 32 bytes
  // instead of that polynomial. Only the encryption is timed, not the save.
  encrypt_sk_seeded: (s) => {
    const pt = plain(s);
    return { inputs: [pt], timed: () => s.encryptor.encryptSymmetricSerializable(pt) };
  },
  decrypt: (s) => {
    const ct = cipher(s);
    const pt = new seal.Plaintext();
    return { inputs: [ct, pt], timed: () => s.decryptor.decrypt(ct, pt) };
  },
  add: (s) => {
    const a = cipher(s), b = cipher(s), out = new seal.Ciphertext();
    return { inputs: [a, b, out], timed: () => s.evaluator.add(a, b, out) };
  },
  mul_plain: (s) => {
    const a = cipher(s), pt = plain(s), out = new seal.Ciphertext();
    return { inputs: [a, pt, out], timed: () => s.evaluator.multiplyPlain(a, pt, out) };
  },
  mul: (s) => {
    const a = cipher(s), b = cipher(s), out = new seal.Ciphertext();
    return { inputs: [a, b, out], timed: () => s.evaluator.multiply(a, b, out) };
  },
  rescale: (s) => {
    needLevels(s, 'rescale');
    const p = product(s), out = new seal.Ciphertext();
    return { inputs: [p, out], timed: () => s.evaluator.rescaleToNext(p, out) };
  },
  relinearize: (s) => {
    const p = product(s), out = new seal.Ciphertext();
    return { inputs: [p, out], timed: () => s.evaluator.relinearize(p, s.relinKeys, out) };
  },
  mul_relin: (s) => {
    const a = cipher(s), b = cipher(s), out = new seal.Ciphertext();
    return {
      inputs: [a, b, out],
      timed: () => {
        s.evaluator.multiply(a, b, out);
        s.evaluator.relinearizeInplace(out, s.relinKeys);
      },
    };
  },
  rotate: (s) => {
    const a = cipher(s), out = new seal.Ciphertext();
    return { inputs: [a, out], timed: () => s.evaluator.rotateVector(a, 1, s.galoisKeys, out) };
  },
  // node-seal 7 names SEAL's create_galois_keys(steps) createGaloisKeysWithSteps.
  keygen_galois_1: (s) => ({
    inputs: [],
    timed: () => s.keygen.createGaloisKeysWithSteps(Int32Array.from([1])),
  }),
};

/** Number of primes at a level (frees the handles embind hands out for the getters). */
function primeCount(contextData) {
  const parms = contextData.parms();
  const moduli = parms.coeffModulus();
  const count = moduli.size();
  moduli.delete();
  parms.delete();
  return count;
}

function needLevels(s, what) {
  if (s.ctPrimes < 2) throw new PeerError(`${what} needs at least 2 ciphertext primes (ctPrimes is ${s.ctPrimes})`);
}

function run(req) {
  const s = requireState();
  const op = req.op;
  if (typeof op !== 'string') throw new PeerError('op must be a string');
  const iterations = intIn(req.iterations, 'iterations', 1, MAX_ITERATIONS);
  // Optional untimed runs first: V8 compiles WebAssembly with a baseline tier and swaps in
  // optimised code once a function is hot, so the first runs of an op are slower.
  const warmup = req.warmup === undefined ? 0 : intIn(req.warmup, 'warmup', 0, MAX_ITERATIONS);
  const make = Object.hasOwn(OPS, op) ? OPS[op] : null;
  if (make === null) {
    return { unsupported: (Object.hasOwn(UNSUPPORTED, op) && UNSUPPORTED[op]) || `node-seal peer has no op "${op}"` };
  }
  const us = [];
  for (let i = 0; i < warmup + iterations; i++) {
    const { inputs, timed } = make(s);
    let result;
    try {
      const t0 = process.hrtime.bigint();
      result = timed();
      const t1 = process.hrtime.bigint();
      if (i >= warmup) us.push(Number(t1 - t0) / 1000);
    } finally {
      deleteAll(inputs);
      // Embind objects returned by the op (keys, serializables) are ours to free; plain JS
      // results (decode's Float64Array) are left to the GC.
      if (result && typeof result.delete === 'function') result.delete();
    }
  }
  return { op, us };
}

/** One multiply-relinearise-rescale round trip; error bits against double arithmetic. */
function precision() {
  const s = requireState();
  needLevels(s, 'precision');
  const x = randomValues(s), y = randomValues(s);
  const objs = [];
  try {
    const a = cipher(s, x), b = cipher(s, y);
    const prod = new seal.Ciphertext(), pt = new seal.Plaintext();
    objs.push(a, b, prod, pt);
    s.evaluator.multiply(a, b, prod);
    s.evaluator.relinearizeInplace(prod, s.relinKeys);
    s.evaluator.rescaleToNextInplace(prod);
    s.decryptor.decrypt(prod, pt);
    const z = s.encoder.decodeFloat64(pt);
    let max = 0, sum = 0;
    for (let i = 0; i < s.slots; i++) {
      const err = Math.abs(z[i] - x[i] * y[i]);
      max = Math.max(max, err);
      sum += err;
    }
    return {
      bits_max: -Math.log2(max),
      bits_mean: -Math.log2(sum / s.slots),
      slots: s.slots,
      ctPrimes: s.ctPrimes,
    };
  } finally {
    deleteAll(objs);
  }
}

/** Serialised sizes with compression off (the bytes SEAL would send). */
function sizes() {
  const s = requireState();
  const objs = [];
  try {
    const ct = cipher(s);
    objs.push(ct);
    const pt = plain(s);
    objs.push(pt);
    const seeded = s.encryptor.encryptSymmetricSerializable(pt);
    objs.push(seeded);
    return {
      ciphertext: ct.saveToArray(seal.ComprModeType.none).length,
      ciphertext_seeded: seeded.saveToArray(seal.ComprModeType.none).length,
      ctPrimes: s.ctPrimes,
    };
  } finally {
    deleteAll(objs);
  }
}

/** One parsed request object: its reply, or null to stop. */
function handle(req) {
  try {
    switch (req.cmd) {
      case 'setup':
        return { ok: true, ...setup(req) };
      case 'run': {
        const r = run(req);
        if (r.unsupported) return { ok: false, error: 'unsupported', detail: r.unsupported };
        return { ok: true, ...r };
      }
      case 'precision':
        return { ok: true, ...precision() };
      case 'sizes':
        return { ok: true, ...sizes() };
      case 'quit':
        return null;
      default:
        return { ok: false, error: `unknown cmd ${JSON.stringify(req.cmd)}` };
    }
  } catch (e) {
    // A JS Error other than ours is a bug here: keep its stack. SEAL's own exceptions (bad
    // parameters, scale out of bounds) are fully described by the reply.
    if (e instanceof Error && !(e instanceof PeerError)) console.error('seal-peer:', e.stack);
    return { ok: false, error: describeWith(e, seal) };
  }
}

await serveJsonLines(handle, teardown);
