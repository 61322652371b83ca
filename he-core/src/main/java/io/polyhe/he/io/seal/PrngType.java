package io.polyhe.he.io.seal;

/**
 * SEAL's expansions of a 64-byte seed into a uniform byte stream (the {@code prng_type} byte of a
 * seeded object): {@link #BLAKE2XB} (1, SEAL's default) and {@link #SHAKE256} (2).
 */
public enum PrngType {
  BLAKE2XB(1),
  SHAKE256(2);

  private final int code;

  PrngType(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }
}
