package io.polyhe.he.backend;

/**
 * Limbs {@code [first, first + count)} of a {@link DeviceBuffer}: the operand of every {@link
 * ResidentDevice} operation (limb {@code i} of a span is limb {@code first + i} of its buffer).
 * Immutable; a view, it owns nothing.
 *
 * @throws IllegalArgumentException if the range is not inside the buffer
 */
public record LimbSpan(DeviceBuffer buffer, int first, int count) {
  public LimbSpan {
    if (first < 0 || count < 0 || first + count > buffer.limbs()) {
      throw new IllegalArgumentException(
          "limbs [" + first + ", " + (first + count) + ") outside a buffer of " + buffer.limbs());
    }
  }

  /** The sub-span of limbs {@code [from, from + length)} of this span. */
  public LimbSpan sub(int from, int length) {
    if (from < 0 || length < 0 || from + length > count) {
      throw new IllegalArgumentException("limbs [" + from + ", " + (from + length) + ") outside a span of " + count);
    }
    return new LimbSpan(buffer, first + from, length);
  }
}
