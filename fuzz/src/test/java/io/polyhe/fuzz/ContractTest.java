package io.polyhe.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.polyhe.fuzz.Contract.Bound;
import io.polyhe.fuzz.Contract.Outcome;
import org.junit.jupiter.api.Test;

/** The harness itself: what passes, what is a finding. */
class ContractTest {
  private static final Bound BOUND = new Bound(16, 64 * 1024);

  @Test
  void aValidObjectOrADocumentedExceptionPasses() throws Exception {
    assertEquals(Outcome.VALID, Contract.check(10, BOUND, () -> "ok", IllegalArgumentException.class));
    assertEquals(Outcome.REJECTED, Contract.check(10, BOUND, () -> {
      throw new IllegalArgumentException("bad");
    }, IllegalArgumentException.class));
  }

  @Test
  void anUndocumentedExceptionOrNullIsAFinding() {
    assertThrows(ArrayIndexOutOfBoundsException.class, () -> Contract.check(10, BOUND, () -> {
      throw new ArrayIndexOutOfBoundsException(3);
    }, IllegalArgumentException.class));
    assertThrows(AssertionError.class, () -> Contract.check(10, BOUND, () -> null));
  }

  @Test
  void allocatingWhatTheInputCannotBackIsAFinding() {
    // A reader that trusts a 4-byte length field of 1 MiB.
    assertThrows(Contract.AllocationBoundExceeded.class,
        () -> Contract.check(4, BOUND, () -> new byte[1 << 20]));
  }
}
