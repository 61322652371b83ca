package io.polyhe.fuzz;

import java.lang.management.ManagementFactory;

/**
 * The contract every fuzz target checks on one input: the reader either returns a valid object or
 * throws one of its documented validation exceptions (anything else propagates, and Jazzer reports
 * it as a finding with the input), and it allocates at most {@code perInputByte × input length +
 * constant} bytes on this thread. The allocation bound is what catches a length field that makes a
 * reader allocate more than the input can back. Hangs are libFuzzer's {@code -timeout}.
 *
 * <p>Allocation is measured with {@link com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes()}
 * around the decode, so it counts the reader's garbage too (temporary copies, strings of
 * exception messages): the bounds are stated per target with the reason for their constants.
 */
public final class Contract {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  static {
    if (!THREADS.isThreadAllocatedMemorySupported() || !THREADS.isThreadAllocatedMemoryEnabled()) {
      throw new IllegalStateException("this JVM cannot measure per-thread allocation");
    }
  }

  /** A decode under test; may throw anything (that is what is being checked). */
  @FunctionalInterface
  public interface Decode {
    Object run() throws Exception;
  }

  /**
   * An allocation bound: {@code perInputByte × length + constant} bytes.
   *
   * @param perInputByte bytes allocated per input byte at most (e.g. unpacking bit-packed limbs into
   *     {@code long}s, JSON trees)
   * @param constant fixed allowance (context-sized objects, messages, JIT-independent slack)
   */
  public record Bound(long perInputByte, long constant) {
    public long of(long length) {
      return perInputByte * length + constant;
    }
  }

  /** How one decode ended. */
  public enum Outcome { VALID, REJECTED }

  private Contract() {}

  /**
   * Runs {@code decode} on an input of {@code length} bytes and checks the contract.
   *
   * @param documented the validation exceptions the reader documents
   * @return whether the input decoded or was rejected with a documented exception
   * @throws AllocationBoundExceeded if the decode allocated more than {@code bound}
   * @throws Exception whatever undocumented exception the decode threw (a finding)
   */
  @SafeVarargs
  public static Outcome check(
      long length, Bound bound, Decode decode, Class<? extends Throwable>... documented)
      throws Exception {
    long before = THREADS.getCurrentThreadAllocatedBytes();
    Outcome outcome = run(decode, documented);
    long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
    if (allocated > bound.of(length)) {
      // The first run of a path also pays for class loading and initialisation (lambda forms,
      // exception classes, message formatting) on this thread: measure a second, warm run.
      before = THREADS.getCurrentThreadAllocatedBytes();
      run(decode, documented);
      allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
      if (allocated > bound.of(length)) {
        throw new AllocationBoundExceeded(allocated, length, bound, outcome);
      }
    }
    return outcome;
  }

  private static Outcome run(Decode decode, Class<? extends Throwable>[] documented)
      throws Exception {
    try {
      Object result = decode.run();
      if (result == null) {
        throw new AssertionError("a reader returned null instead of an object or an exception");
      }
      return Outcome.VALID;
    } catch (Exception e) {
      if (!isDocumented(e, documented)) {
        throw e;
      }
      return Outcome.REJECTED;
    }
  }

  private static boolean isDocumented(Throwable e, Class<? extends Throwable>[] documented) {
    for (Class<? extends Throwable> c : documented) {
      if (c.isInstance(e)) {
        return true;
      }
    }
    return false;
  }

  /** A decode allocated more than its bound allows for the input's length. */
  public static final class AllocationBoundExceeded extends AssertionError {
    private static final long serialVersionUID = 1L;

    AllocationBoundExceeded(long allocated, long length, Bound bound, Outcome outcome) {
      super("decoding " + length + " bytes (" + outcome + ") allocated " + allocated
          + " bytes, over the bound " + bound.perInputByte() + " × " + length + " + "
          + bound.constant() + " = " + bound.of(length));
    }
  }
}
