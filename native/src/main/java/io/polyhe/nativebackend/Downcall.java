package io.polyhe.nativebackend;

/**
 * The one place that runs a foreign call and rethrows what it throws. {@code
 * MethodHandle.invokeExact} declares {@code Throwable}; a downcall itself throws only what the
 * linker or the argument checks of {@code java.lang.foreign} throw (unchecked), so those pass
 * through unchanged, errors stay errors, and anything checked (which a downcall handle cannot
 * actually produce) is wrapped in an {@link IllegalStateException} naming the call.
 *
 * <p>Usage keeps {@code invokeExact}'s exact call-site type, which a varargs helper would lose:
 * {@code int rc = Downcall.invoke("polyhe_add", () -> (int) ADD.invokeExact(a, b, out, n, q));}.
 * The lambda is inlined and scalar-replaced by the JIT on hot paths. Stateless and thread-safe.
 */
final class Downcall {
  private Downcall() {}

  /** A foreign call returning an {@code int} status (or value). */
  @FunctionalInterface
  interface IntCall {
    int call() throws Throwable;
  }

  /** A foreign call returning a {@code long} (or nothing, returning 0). */
  @FunctionalInterface
  interface LongCall {
    long call() throws Throwable;
  }

  /**
   * Runs {@code call} and returns its result.
   *
   * @param what the C function, for the message of a wrapped checked exception
   */
  static int invoke(String what, IntCall call) {
    try {
      return call.call();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(what + " failed: " + t, t);
    }
  }

  /** As {@link #invoke(String, IntCall)} for calls returning a {@code long}. */
  static long invokeLong(String what, LongCall call) {
    try {
      return call.call();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(what + " failed: " + t, t);
    }
  }
}
