package io.polyhe.server.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.polyhe.server.auth.Caller;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The queue bound and the per-caller bound: every place up to the limit is given, one more is refused. */
class InferenceQueueTest {
  static final Caller ALICE = new Caller("alice");
  static final Caller BOB = new Caller("bob");

  @Test
  void queueLengthHoldsExactlyAtTheLimitAndRefusesOnePast() throws Exception {
    try (InferenceQueue q = new InferenceQueue(1, 3)) {
      List<InferenceQueue.Ticket> held = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        held.add(q.admit(new Caller("c" + i)));
      }
      assertEquals(4, q.admitted(), "1 running + 3 waiting places, all given");
      ServiceException e = assertThrows(ServiceException.class, () -> q.admit(new Caller("c4")));
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.code());
      assertTrue(e.getMessage().contains("queue full"), e.getMessage());
      held.get(0).close();
      held.get(0).close(); // idempotent
      q.admit(new Caller("c4"));
      assertEquals(4, q.admitted());
    }
  }

  @Test
  void oneCallerHoldsAtMostItsShareOfPlaces() throws Exception {
    try (InferenceQueue q = new InferenceQueue(1, 8, 2)) {
      InferenceQueue.Ticket first = q.admit(ALICE);
      q.admit(ALICE);
      ServiceException e = assertThrows(ServiceException.class, () -> q.admit(ALICE));
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.code());
      assertTrue(e.getMessage().contains("per-caller"), e.getMessage());
      q.admit(BOB);
      assertEquals(3, q.admitted(), "the refusal took no place");
      first.close();
      q.admit(ALICE);
    }
  }
}
