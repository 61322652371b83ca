// The client's half of encrypted inference on Microsoft SEAL 4.1 (node-seal 7, WebAssembly): the
// SEAL context from the manifest's own EncryptionParameters bytes, the secret key (which never
// leaves this object), the evaluation keys the server asks for, the seeded encryption of the
// packed input, the answer to a refresh request (decrypt, clamp, re-encrypt at the requested level
// and scale) and the decryption of the logits. Every ciphertext from the server is loaded by SEAL's
// own validating reader against this context first.
//
// Mirrors the Java SDK's ClientCipher and Keyring (client-sdk); the slot order is SEAL's
// CKKSEncoder's, which the server's SEAL profile uses too, so the row-major packing below lands
// where the server's model reads it.
import SEAL from 'node-seal';

// Largest magnitude a refreshed slot keeps (the Java SDK's Reencryptor.VALUE_BOUND): larger values
// are clamped, NaN becomes 0, so whether an answer succeeds cannot depend on secret values.
export const VALUE_BOUND = 2 ** 12;

let sealModule;

/** node-seal's module, loaded once (its diagnostics go to stderr so stdout stays one JSON line). */
export async function loadSeal() {
  sealModule ??= await SEAL({
    print: (s) => process.stderr.write(`${s}\n`),
    printErr: (s) => process.stderr.write(`${s}\n`),
  });
  return sealModule;
}

/** Galois element 3^k mod 2N → the rotation step SEAL's key generator takes for it (2N-1: step 0). */
export function stepOfGaloisElement(element, n) {
  const m = 2 * n;
  if (element === m - 1) return 0;
  let g = 1;
  for (let k = 0; k < n / 2; k++) {
    if (g === element) {
      if (k === 0) throw new Error('Galois element 1 is the identity: no key needed');
      return k;
    }
    g = (g * 3) % m;
  }
  throw new Error(`Galois element ${element} is not a power of 3 mod ${m} (SEAL rotations make only those)`);
}

export class SealCipher {
  /**
   * @param manifest the model's manifest (proto-loader object, keepCase)
   * @param compression 'none' or 'zstd': how ciphertexts sent up are compressed
   * @param keyCompression the same for keys (zstd saves about a third of the upload, and costs the
   *     client about 2 s per key at N = 2^14)
   */
  constructor(seal, manifest, compression = 'zstd', keyCompression = 'zstd') {
    this.seal = seal;
    this.manifest = manifest;
    const mode = (name) => {
      if (name !== 'none' && name !== 'zstd') throw new Error(`compression ${name}: none or zstd`);
      return seal.ComprModeType[name];
    };
    this.compr = mode(compression);
    this.keyCompr = mode(keyCompression);
    const bytes = manifest.parameters.seal_parameters;
    if (!bytes || bytes.length === 0) throw new Error('the manifest carries no SEAL parameters');
    this.parms = new seal.EncryptionParameters(seal.SchemeType.ckks);
    this.parms.loadFromArray(Uint8Array.from(bytes));
    if (this.parms.scheme().value !== seal.SchemeType.ckks.value) throw new Error('SEAL parameters are not CKKS');
    // SEAL checks 128-bit security against its own table (HomomorphicEncryption.org standard).
    this.context = new seal.SEALContext(this.parms, true, seal.SecLevelType.tc128);
    if (!this.context.parametersSet()) throw new Error('SEAL refuses the manifest\'s parameters');
    this.n = this.parms.polyModulusDegree();
    this.topLevel = this.context.firstContextData().chainIndex();
    const p = manifest.parameters;
    if (this.n !== 2 ** p.log_n || this.n / 2 !== p.slots || this.topLevel !== p.max_level) {
      throw new Error(`SEAL parameters (N ${this.n}, top level ${this.topLevel}) disagree with the manifest's`
        + ` (log_n ${p.log_n}, max_level ${p.max_level})`);
    }
    // The primes of each level, for the scale check of refresh requests.
    const primes = this.parms.coeffModulus();
    this.logQ = [];
    for (let i = 0; i < primes.size(); i++) this.logQ.push(Math.log2(Number(primes.get(i).value())));
    primes.delete();
    this.encoder = new seal.CKKSEncoder(this.context);
    this.evaluator = new seal.Evaluator(this.context);
    this.keygen = new seal.KeyGenerator(this.context);
    const sk = this.keygen.secretKey();
    this.publicKey = this.keygen.createPublicKey(); // only to build the Encryptor; never sent
    this.encryptor = new seal.Encryptor(this.context, this.publicKey, sk);
    this.decryptor = new seal.Decryptor(this.context, sk);
    sk.delete();
  }

  /** SEAL's parms_id of data level `level` (level + 1 ciphertext primes). */
  parmsIdAt(level) {
    if (!Number.isInteger(level) || level < 0 || level > this.topLevel) {
      throw new Error(`level ${level} outside [0, ${this.topLevel}]`);
    }
    let cd = this.context.firstContextData();
    while (cd.chainIndex() > level) cd = cd.nextContextData();
    return cd.parmsId();
  }

  /** The seeded, serialised relinearisation key. */
  relinKey() {
    const s = this.keygen.createRelinKeysSerializable();
    try {
      return Buffer.from(s.saveToArray(this.keyCompr));
    } finally {
      s.delete();
    }
  }

  /** The seeded, serialised GaloisKeys object holding the key of `element` alone. */
  galoisKey(element) {
    const s = this.keygen.createGaloisKeysSerializableWithSteps(Int32Array.from([stepOfGaloisElement(element, this.n)]));
    try {
      return Buffer.from(s.saveToArray(this.keyCompr));
    } finally {
      s.delete();
    }
  }

  /** Seeded symmetric encryption of `values` (Float64Array of slots) at `level` and `scale`. */
  encrypt(values, level, scale) {
    const plain = new this.seal.Plaintext();
    try {
      this.encoder.encode(values, scale, plain);
      if (level !== this.topLevel) {
        const id = this.parmsIdAt(level);
        this.evaluator.plainModSwitchToInplace(plain, id);
        id.delete();
      }
      const s = this.encryptor.encryptSymmetricSerializable(plain);
      try {
        return Buffer.from(s.saveToArray(this.compr));
      } finally {
        s.delete();
      }
    } finally {
      plain.delete();
    }
  }

  /** Slots (real parts) of a serialised SEAL ciphertext, loaded and validated against the context. */
  decrypt(bytes) {
    const ct = new this.seal.Ciphertext();
    const plain = new this.seal.Plaintext();
    try {
      ct.loadFromArray(this.context, Uint8Array.from(bytes));
      this.decryptor.decrypt(ct, plain);
      return { slots: this.encoder.decodeFloat64(plain), size: ct.size() };
    } finally {
      plain.delete();
      ct.delete();
    }
  }

  /**
   * The answer to a refresh request: judged on public data first (the level, and a scale that leaves
   * room for VALUE_BOUND below Q_level, as the Java SDK's Reencryptor does), then the request's
   * slots decrypted, clamped and re-encrypted, seeded, at `level` and `scale`.
   */
  refresh(bytes, level, scale) {
    if (!Number.isInteger(level) || level < 0 || level > this.topLevel || !(scale > 1) || !Number.isFinite(scale)) {
      throw new Error(`refresh request for level ${level} and scale ${scale} is outside the parameters`);
    }
    const logQ = this.logQ.slice(0, level + 1).reduce((a, b) => a + b, 0);
    if (Math.log2(scale) + Math.log2(VALUE_BOUND) + 2 >= logQ) {
      throw new Error(`refresh request for scale 2^${Math.log2(scale)} leaves no room for values up to ${VALUE_BOUND}`);
    }
    const { slots, size } = this.decrypt(bytes);
    if (size !== 2) throw new Error(`refresh request is a ${size}-part ciphertext; expected 2`);
    const clamped = Float64Array.from(slots, (x) => (Number.isNaN(x) ? 0 : Math.max(-VALUE_BOUND, Math.min(VALUE_BOUND, x))));
    return this.encrypt(clamped, level, scale);
  }

  /** Most bytes a ciphertext from the server may declare: 3 parts at the top level, uncompressed, plus headers. */
  maxCiphertextBytes() {
    return 3 * (this.topLevel + 1) * this.n * 8 + 4096;
  }

  /** Frees every SEAL object this cipher holds (WebAssembly memory is not garbage collected). */
  close() {
    for (const o of [this.decryptor, this.encryptor, this.publicKey, this.keygen, this.evaluator, this.encoder,
      this.context, this.parms]) {
      if (o && !o.isDeleted()) o.delete();
    }
  }
}
