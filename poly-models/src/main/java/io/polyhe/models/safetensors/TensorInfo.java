package io.polyhe.models.safetensors;

import java.util.Arrays;
import java.util.List;

/**
 * One header entry: the tensor's dtype, shape and its byte range {@code [begin, end)} in the data
 * buffer.
 *
 * <p>Invariants (checked by the constructor): every dimension is non-negative, {@code 0 <= begin
 * <= end}, and {@code end - begin} equals the element count times the dtype size, without
 * overflow.
 *
 * @param name the tensor's name
 * @param dtype element type
 * @param shape dimensions, outermost first (row-major)
 * @param begin first byte in the data buffer
 * @param end one past the last byte in the data buffer
 */
public record TensorInfo(String name, DType dtype, List<Long> shape, long begin, long end) {

  /** @throws IllegalArgumentException if the invariants above do not hold */
  public TensorInfo {
    shape = List.copyOf(shape);
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException(
          "tensor '" + name + "': data_offsets [" + begin + ", " + end + "] are not an interval");
    }
    long count = 1;
    for (long dim : shape) {
      if (dim < 0) {
        throw new IllegalArgumentException("tensor '" + name + "': negative dimension in " + shape);
      }
      try {
        count = Math.multiplyExact(count, dim);
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException("tensor '" + name + "': shape " + shape + " overflows");
      }
    }
    long bytes;
    try {
      bytes = Math.multiplyExact(count, dtype.bytes());
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("tensor '" + name + "': shape " + shape + " overflows");
    }
    if (end - begin != bytes) {
      throw new IllegalArgumentException(
          "tensor '" + name + "': " + dtype + " " + shape + " needs " + bytes
              + " bytes but data_offsets [" + begin + ", " + end + "] hold " + (end - begin));
    }
  }

  /** Number of elements. */
  public long elementCount() {
    return (end - begin) / dtype.bytes();
  }

  /** The shape as an {@code int[]}, for comparisons with expected shapes. */
  public long[] shapeArray() {
    return shape.stream().mapToLong(Long::longValue).toArray();
  }

  /** Whether the shape equals {@code expected}. */
  public boolean hasShape(long... expected) {
    return Arrays.equals(shapeArray(), expected);
  }
}
