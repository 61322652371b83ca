package io.polyhe.models.safetensors;

import java.util.Arrays;

/**
 * The element types of the safetensors format, with their sizes in bytes.
 *
 * <p>Only the floating-point types can be read as weights ({@link #isFloatingPoint()}); the
 * others are recognised so that an integer tensor is reported as "wrong dtype", not as garbage.
 */
public enum DType {
  F64(8),
  F32(4),
  F16(2),
  BF16(2),
  I64(8),
  I32(4),
  I16(2),
  I8(1),
  U8(1),
  BOOL(1);

  private final int bytes;

  DType(int bytes) {
    this.bytes = bytes;
  }

  /** Size of one element in bytes. */
  public int bytes() {
    return bytes;
  }

  /** Whether elements of this type convert to {@code double} without loss of meaning. */
  public boolean isFloatingPoint() {
    return this == F64 || this == F32 || this == F16 || this == BF16;
  }

  /**
   * The type named {@code name} exactly as the format spells it.
   *
   * @throws IllegalArgumentException for an unknown name
   */
  public static DType parse(String name) {
    for (DType t : values()) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "unknown dtype '" + name + "' (known: " + Arrays.toString(values()) + ")");
  }
}
