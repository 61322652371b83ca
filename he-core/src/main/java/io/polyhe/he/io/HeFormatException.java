package io.polyhe.he.io;

/**
 * Thrown when bytes are not a valid encoding of the expected HE object: bad magic, unsupported
 * version, unexpected object type or flags, a parameter hash that does not match the context, a
 * body length that disagrees with the header, truncated input, trailing bytes, an out-of-range
 * field or coefficient, nonzero padding.
 *
 * <p>Reading stops at the first violation, and the message says what and where (field, limb,
 * coefficient index). Messages never contain secret-key material. It is an {@link
 * IllegalArgumentException}, so callers that map malformed input to {@code INVALID_ARGUMENT} need
 * no special case.
 */
public final class HeFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public HeFormatException(String message) {
    super(message);
  }

  public HeFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
