package io.polyhe.he.io.seal;

import io.polyhe.he.io.HeFormatException;

/**
 * SEAL's 16-byte serialization header, in front of every SEAL object and of every object nested
 * inside one: u16 magic {@code 0xA15E}, u8 header size 16, u8 major and u8 minor version, u8
 * compression mode, u16 reserved (0), u64 size of the whole object in bytes, header included (for
 * a compressed object: header plus compressed bytes). Little-endian.
 *
 * @param versionMajor SEAL's major version (4 is read; 4.1 is written, which SEAL 4.1 requires)
 * @param versionMinor SEAL's minor version
 * @param mode how the bytes after the header are compressed
 * @param size bytes of the whole object, header included (unsigned)
 */
record SealHeader(int versionMajor, int versionMinor, ComprMode mode, long size) {
  static final int BYTES = 16;
  static final int MAGIC = 0xA15E;
  /** What polyhe writes: SEAL 4.1 loads only headers of its own major.minor (or 3.4 and later). */
  static final int WRITE_MAJOR = 4;
  static final int WRITE_MINOR = 1;

  static SealHeader of(ComprMode mode, long size) {
    return new SealHeader(WRITE_MAJOR, WRITE_MINOR, mode, size);
  }

  void writeTo(SealWriter out) {
    out.u16(MAGIC);
    out.u8(BYTES);
    out.u8(versionMajor);
    out.u8(versionMinor);
    out.u8(mode.code());
    out.u16(0);
    out.u64(size);
  }

  /**
   * Reads and checks a header: magic, header size, a SEAL 4.x version, a supported compression
   * mode, zero reserved bytes, and a size of at least the header that fits in what remains.
   *
   * @param what the object, for messages ("Ciphertext", "Ciphertext.data", ...)
   */
  static SealHeader read(SealReader in, String what) {
    int start = in.position();
    long available = in.remaining();
    int magic = in.u16(what + " header magic");
    if (magic != MAGIC) {
      throw new HeFormatException(what + ": not a SEAL object (header magic 0x"
          + Integer.toHexString(magic) + ", expected 0xa15e)");
    }
    int headerSize = in.u8(what + " header size");
    if (headerSize != BYTES) {
      throw new HeFormatException(what + ": SEAL header size " + headerSize + ", expected 16");
    }
    int major = in.u8(what + " header version");
    int minor = in.u8(what + " header version");
    if (major != 4) {
      throw new HeFormatException(what + ": SEAL version " + major + "." + minor
          + " is not supported; polyhe reads SEAL 4.x objects");
    }
    int modeCode = in.u8(what + " header compression mode");
    ComprMode mode;
    try {
      mode = ComprMode.ofCode(modeCode);
    } catch (HeFormatException e) {
      throw new HeFormatException(what + ": " + e.getMessage());
    }
    int reserved = in.u16(what + " header reserved");
    if (reserved != 0) {
      throw new HeFormatException(what + ": SEAL header reserved field is " + reserved + ", expected 0");
    }
    long size = in.u64(what + " header size field");
    if (size < BYTES || Long.compareUnsigned(size, available) > 0) {
      throw new HeFormatException(what + ": SEAL header says " + Long.toUnsignedString(size)
          + " bytes, but " + available + " are there (offset " + start + ")");
    }
    return new SealHeader(major, minor, mode, size);
  }

  /** Throws unless this nested object is uncompressed (SEAL compresses only the outermost). */
  SealHeader requireUncompressed(String what) {
    if (mode != ComprMode.NONE) {
      throw new HeFormatException(what + ": a nested SEAL object must not be compressed, got " + mode);
    }
    return this;
  }
}
