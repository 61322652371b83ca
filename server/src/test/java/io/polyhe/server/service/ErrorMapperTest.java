package io.polyhe.server.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.polyhe.he.io.HeFormatException;
import io.polyhe.server.session.DamagedKeysException;
import io.polyhe.server.session.KeyStoreFullException;
import io.polyhe.server.session.KeyStoreUnavailableException;
import io.polyhe.server.session.QuotaExceededException;
import io.polyhe.server.session.SessionModelMismatchException;
import io.polyhe.server.session.SessionNotFoundException;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

class ErrorMapperTest {
  @Test
  void eachKindOfFailureGetsItsStatus() {
    assertEquals(Status.Code.NOT_FOUND, ErrorMapper.toStatusOf(ServiceException.notFound("x")).getCode());
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, ErrorMapper.toStatusOf(ServiceException.exhausted("x")).getCode());
    assertEquals(Status.Code.INVALID_ARGUMENT, ErrorMapper.toStatusOf(new HeFormatException("bad magic")).getCode());
    assertEquals(Status.Code.INVALID_ARGUMENT, ErrorMapper.toStatusOf(new IllegalArgumentException("level")).getCode());
    assertEquals(Status.Code.CANCELLED, ErrorMapper.toStatusOf(new CancellationException("gone")).getCode());
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, ErrorMapper.toStatusOf(new OutOfMemoryError("heap")).getCode());
  }

  @Test
  void sessionFailuresGetTheirStatusAndMessage() {
    assertEquals(Status.Code.NOT_FOUND, ErrorMapper.toStatusOf(new SessionNotFoundException("no such session")).getCode());
    assertEquals(Status.Code.INVALID_ARGUMENT, ErrorMapper.toStatusOf(new SessionModelMismatchException("m")).getCode());
    assertEquals(Status.Code.FAILED_PRECONDITION, ErrorMapper.toStatusOf(new DamagedKeysException("d")).getCode());
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, ErrorMapper.toStatusOf(new QuotaExceededException("q")).getCode());
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, ErrorMapper.toStatusOf(new KeyStoreFullException("f")).getCode());
    assertEquals(Status.Code.UNAVAILABLE, ErrorMapper.toStatusOf(new KeyStoreUnavailableException("u")).getCode());
    Status s = ErrorMapper.toStatusOf(new SessionNotFoundException("session expired; upload the keys again"));
    assertEquals("session expired; upload the keys again", s.getDescription());
    assertNull(s.getCause());
  }

  @Test
  void internalErrorsCarryOnlyAReference() {
    Status s = ErrorMapper.toStatusOf(new IllegalStateException("secret detail at /var/lib/keys 0xdeadbeef",
        new RuntimeException("cause")));
    assertEquals(Status.Code.INTERNAL, s.getCode());
    assertFalse(s.getDescription().contains("secret"), s.getDescription());
    assertFalse(s.getDescription().contains("deadbeef"), s.getDescription());
    assertTrue(s.getDescription().startsWith("internal error (ref "), s.getDescription());
    assertNull(s.getCause(), "no cause travels");
  }

  @Test
  void longMessagesAreCut() {
    Status s = ErrorMapper.toStatusOf(new IllegalArgumentException("x".repeat(5000)));
    assertTrue(s.getDescription().length() <= ErrorMapper.MAX_MESSAGE + 3, "" + s.getDescription().length());
  }
}
