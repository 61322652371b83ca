package io.polyhe.he.rlwe;

/** Anything that belongs to one parameter set: plaintexts, ciphertexts and keys. */
public sealed interface HeObject permits Plaintext, Ciphertext, SecretKey, PublicKey, SwitchingKey, RelinearizationKey,
        GaloisKey {
  /** The parameters this object was made under. */
  RlweParameters parameters();
}
