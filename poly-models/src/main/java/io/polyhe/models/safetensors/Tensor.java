package io.polyhe.models.safetensors;

import java.util.Arrays;

/**
 * A dense tensor of doubles in row-major order.
 *
 * <p>Immutable: the constructor and {@link #data()} copy. {@code data.length} always equals the
 * product of {@code shape}.
 *
 * @param shape dimensions, outermost first
 * @param data elements, row-major
 */
public record Tensor(long[] shape, double[] data) {

  /** @throws IllegalArgumentException if the data length does not match the shape */
  public Tensor {
    shape = shape.clone();
    data = data.clone();
    long count = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
      }
      count = Math.multiplyExact(count, d);
    }
    if (count != data.length) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " holds " + count + " elements, got " + data.length);
    }
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  @Override
  public double[] data() {
    return data.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "Tensor" + Arrays.toString(shape);
  }
}
