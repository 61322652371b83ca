package io.polyhe.server.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.server.auth.Caller;
import org.junit.jupiter.api.Test;

/** Places and room, without a store: exact limits, and every place given back exactly once. */
class SessionQuotaTest {
  static final Caller ALICE = new Caller("alice");
  static final Caller BOB = new Caller("bob");
  static final long ROOM = Long.MAX_VALUE / 2;

  @Test
  void placesHoldExactlyAtTheLimitsAndRefuseOnePast() {
    SessionQuota q = new SessionQuota(3, 2);
    q.reserve(ALICE, 0, ROOM).keep();
    q.reserve(ALICE, 0, ROOM);
    QuotaExceededException mine = assertThrows(QuotaExceededException.class, () -> q.reserve(ALICE, 0, ROOM));
    assertEquals("this caller holds 2 sessions, the per-caller limit of 2; delete one first", mine.getMessage());
    q.reserve(BOB, 0, ROOM);
    QuotaExceededException all = assertThrows(QuotaExceededException.class, () -> q.reserve(new Caller("carol"), 0,
        ROOM));
    assertEquals("the server holds its maximum of 3 sessions; delete one or try later", all.getMessage());
    assertEquals(3, q.held());
  }

  @Test
  void aReservationCountsOnceHoweverItEnds() {
    SessionQuota q = new SessionQuota(1, 1);
    SessionQuota.Reservation r = q.reserve(ALICE, 5, ROOM);
    assertEquals(5, q.promisedBytes());
    r.close();
    r.close();
    r.keep(); // after close: nothing
    assertEquals(0, q.held());
    assertEquals(0, q.promisedBytes());
    SessionQuota.Reservation kept = q.reserve(ALICE, 5, ROOM);
    kept.keep();
    kept.close(); // after keep: the stored session keeps its place
    assertEquals(1, q.held());
    assertEquals(0, q.promisedBytes(), "a committed upload promises nothing more");
    assertThrows(QuotaExceededException.class, () -> q.reserve(BOB, 0, ROOM));
    q.release(ALICE);
    q.reserve(BOB, 0, ROOM);
  }

  @Test
  void sessionsFoundAtStartHoldPlacesEvenPastTheLimits() {
    SessionQuota q = new SessionQuota(1, 1);
    q.adopt(ALICE);
    q.adopt(ALICE);
    assertThrows(QuotaExceededException.class, () -> q.reserve(BOB, 0, ROOM));
    q.release(ALICE);
    assertThrows(QuotaExceededException.class, () -> q.reserve(BOB, 0, ROOM), "still one held, of one");
    q.release(ALICE);
    q.reserve(BOB, 0, ROOM);
  }

  @Test
  void roomIsPromisedToEveryUploadInProgressPlusTheMargin() {
    SessionQuota q = new SessionQuota(4, 4);
    long free = SessionQuota.MARGIN_BYTES + (10L << 20);
    SessionQuota.Reservation first = q.reserve(ALICE, 6L << 20, free);
    KeyStoreFullException e = assertThrows(KeyStoreFullException.class, () -> q.reserve(BOB, 5L << 20, free));
    assertEquals("the key store's disk has 74 MiB free, 6 MiB of it promised to uploads in progress; keys of 5 MiB"
        + " need 69 MiB more", e.getMessage());
    assertEquals(1, q.held(), "a refusal takes no place");
    q.reserve(BOB, 4L << 20, free); // exactly the room left
    first.close();
    q.reserve(ALICE, 6L << 20, free);
  }

  @Test
  void boundsBelowOneAreRefused() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new SessionQuota(0, 1)).getMessage()
        .contains("at least 1"));
    assertThrows(IllegalArgumentException.class, () -> new SessionQuota(1, 0));
  }
}
