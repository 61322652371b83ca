package io.polyhe.he.io;

import java.io.IOException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The fixed 48-byte header in front of every serialised object (layout in {@link
 * io.polyhe.he.io the package documentation}): magic {@code "PLHE"}, format version, object type,
 * flags, the 32-byte parameter hash and the body length.
 *
 * <p>Invariants (checked by the constructor): version in {@code [0, 65535]}, flags in {@code [0,
 * 255]} and within {@link ObjectType#allowedFlags()} of the type and containing its {@link
 * ObjectType#requiredFlags()}, a 32-byte hash. {@code bodyLength} is an unsigned 64-bit value;
 * whether it agrees with the body is checked by the reader of the body. Immutable.
 *
 * @param version format version ({@link HeFormat#VERSION})
 * @param type what the body holds
 * @param flags flag bits, see {@link #FLAG_SEEDED}
 * @param parameterHash {@link io.polyhe.he.rlwe.RlweParameters#hash()} of the parameters the object
 *     belongs to (a copy is kept and returned)
 * @param bodyLength number of bytes after the header, unsigned
 */
public record Header(int version, ObjectType type, int flags, byte[] parameterHash, long bodyLength) {
  /** Size of the header in bytes. */
  public static final int BYTES = 48;

  /** Length of the parameter hash (SHA-256). */
  public static final int HASH_BYTES = 32;

  /** Flag bit 0: uniform polynomials are stored as 32-byte seeds and re-expanded on reading. */
  public static final int FLAG_SEEDED = 0x01;

  /**
   * Flag bit 1, parameters only: the parameters follow {@link io.polyhe.he.rlwe.Profile#SEAL} (slot
   * generator 3, one special prime, one prime per digit); absent means polyhe's own profile.
   */
  public static final int FLAG_SEAL_PROFILE = 0x02;

  private static final byte[] MAGIC = {'P', 'L', 'H', 'E'};

  public Header {
    Objects.requireNonNull(type, "type");
    if (version < 0 || version > 0xffff) {
      throw new IllegalArgumentException("version must fit in 16 bits, got " + version);
    }
    if (flags < 0 || flags > 0xff) {
      throw new IllegalArgumentException("flags must fit in 8 bits, got " + flags);
    }
    if ((flags & ~type.allowedFlags()) != 0 || (flags & type.requiredFlags()) != type.requiredFlags()) {
      throw new IllegalArgumentException(flagsProblem(type, flags));
    }
    if (parameterHash.length != HASH_BYTES) {
      throw new IllegalArgumentException(
          "parameter hash must be " + HASH_BYTES + " bytes, got " + parameterHash.length);
    }
    parameterHash = parameterHash.clone();
  }

  /** The parameter hash (a copy). */
  @Override
  public byte[] parameterHash() {
    return parameterHash.clone();
  }

  /** True if {@link #FLAG_SEEDED} is set. */
  public boolean seeded() {
    return (flags & FLAG_SEEDED) != 0;
  }

  /** Total serialised size, header included (unsigned arithmetic is the caller's concern). */
  public long totalLength() {
    return BYTES + bodyLength;
  }

  /** Hex of the first 8 bytes of the parameter hash, for messages (as {@code shortHash()}). */
  public String shortHash() {
    return HexFormat.of().formatHex(parameterHash, 0, 8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Header h && h.version == version && h.type == type && h.flags == flags
        && Arrays.equals(h.parameterHash, parameterHash) && h.bodyLength == bodyLength;
  }

  @Override
  public int hashCode() {
    return Objects.hash(version, type, flags, Arrays.hashCode(parameterHash), bodyLength);
  }

  @Override
  public String toString() {
    return "Header(v" + version + ", " + type + ", flags=0x" + Integer.toHexString(flags)
        + ", params=" + shortHash() + ", body=" + Long.toUnsignedString(bodyLength) + " bytes)";
  }

  private static String flagsProblem(ObjectType type, int flags) {
    int unknown = flags & ~type.allowedFlags();
    if (unknown != 0) {
      return "flags 0x" + Integer.toHexString(flags) + " not allowed for " + type
          + " (allowed mask 0x" + Integer.toHexString(type.allowedFlags()) + ")";
    }
    return type + " requires flags 0x" + Integer.toHexString(type.requiredFlags())
        + ", got 0x" + Integer.toHexString(flags);
  }

  void writeTo(Output out) throws IOException {
    out.bytes(MAGIC);
    out.u16(version);
    out.u8(type.code());
    out.u8(flags);
    out.bytes(parameterHash);
    out.u64(bodyLength);
  }

  /**
   * Reads and checks a header field by field, failing on the first violation.
   *
   * @param expected the type the caller wants, or null to accept any known type
   * @param expectedHash the hash the object must carry, or null to check it later
   * @param expectedFor how to name the expected parameters in a mismatch message
   */
  static Header read(Input in, ObjectType expected, byte[] expectedHash, String expectedFor)
      throws IOException {
    for (int i = 0; i < MAGIC.length; i++) {
      if (in.u8() != MAGIC[i]) {
        throw new HeFormatException("bad magic: not a polyhe object (expected \"PLHE\")");
      }
    }
    int version = in.u16();
    if (version != HeFormat.VERSION) {
      throw new HeFormatException(
          "unsupported format version " + version + " (this reader supports " + HeFormat.VERSION + ")");
    }
    int code = in.u8();
    ObjectType type =
        ObjectType.fromCode(code)
            .orElseThrow(() -> new HeFormatException("unknown object type code " + code));
    if (expected != null && type != expected) {
      throw new HeFormatException("expected a " + expected + " object, found " + type);
    }
    int flags = in.u8();
    if ((flags & ~type.allowedFlags()) != 0
        || (flags & type.requiredFlags()) != type.requiredFlags()) {
      throw new HeFormatException(flagsProblem(type, flags));
    }
    byte[] hash = in.bytes(HASH_BYTES);
    if (expectedHash != null && !MessageDigest.isEqual(hash, expectedHash)) {
      throw new HeFormatException(
          "parameter hash mismatch: object belongs to parameters "
              + HexFormat.of().formatHex(hash, 0, 8) + ", not to " + expectedFor);
    }
    long bodyLength = in.u64();
    return new Header(version, type, flags, hash, bodyLength);
  }

  /**
   * Throws unless the declared body length equals {@code expected}, the length implied by the
   * header and the fixed part of the body. Called before anything large is allocated.
   */
  void checkBodyLength(long expected, String what) {
    if (bodyLength != expected) {
      throw new HeFormatException(
          "body length " + Long.toUnsignedString(bodyLength) + " does not match the " + expected
              + " bytes implied by the header (" + what + ")");
    }
  }
}
