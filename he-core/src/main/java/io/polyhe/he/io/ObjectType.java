package io.polyhe.he.io;

import java.util.Optional;

/**
 * The kind of object a serialised blob holds: byte 6 of the header. Codes are stable forever; new
 * object types get new codes without a format-version change (readers that do not know a code
 * refuse it). 0 is never used.
 */
public enum ObjectType {
  /** {@link io.polyhe.he.ckks.CkksParameters}; header flags must be 0. */
  PARAMETERS(1, Header.FLAG_SEAL_PROFILE, 0),
  /** {@link io.polyhe.he.rlwe.Plaintext}; header flags must be 0. */
  PLAINTEXT(2, 0, 0),
  /** {@link io.polyhe.he.rlwe.Ciphertext}; {@link Header#FLAG_SEEDED} optional. */
  CIPHERTEXT(3, Header.FLAG_SEEDED, 0),
  /** {@link io.polyhe.he.rlwe.PublicKey}; always seeded ({@link Header#FLAG_SEEDED} required). */
  PUBLIC_KEY(4, Header.FLAG_SEEDED, Header.FLAG_SEEDED),
  /** {@link io.polyhe.he.rlwe.SecretKey}, ternary; header flags must be 0. */
  SECRET_KEY(5, 0, 0),
  /** {@link io.polyhe.he.rlwe.RelinearizationKey}: dnum {@code b_j} over Q·P plus one seed. */
  RELINEARIZATION_KEY(6, Header.FLAG_SEEDED, Header.FLAG_SEEDED),
  /** {@link io.polyhe.he.rlwe.GaloisKey}: as type 6, the Galois element in the body tag. */
  GALOIS_KEY(7, Header.FLAG_SEEDED, Header.FLAG_SEEDED);

  private final int code;
  private final int allowedFlags;
  private final int requiredFlags;

  ObjectType(int code, int allowedFlags, int requiredFlags) {
    this.code = code;
    this.allowedFlags = allowedFlags;
    this.requiredFlags = requiredFlags;
  }

  /** The stable one-byte code written in the header. */
  public int code() {
    return code;
  }

  /** Flag bits this type may carry; any other bit set is a format error. */
  public int allowedFlags() {
    return allowedFlags;
  }

  /** Flag bits this type must carry. */
  public int requiredFlags() {
    return requiredFlags;
  }

  /** The type with {@code code}, or empty if this reader does not know it. */
  public static Optional<ObjectType> fromCode(int code) {
    for (ObjectType t : values()) {
      if (t.code == code) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
