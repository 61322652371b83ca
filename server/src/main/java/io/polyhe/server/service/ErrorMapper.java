package io.polyhe.server.service;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.polyhe.he.io.HeFormatException;
import io.polyhe.server.session.DamagedKeysException;
import io.polyhe.server.session.KeyStoreFullException;
import io.polyhe.server.session.KeyStoreUnavailableException;
import io.polyhe.server.session.QuotaExceededException;
import io.polyhe.server.session.SessionException;
import io.polyhe.server.session.SessionModelMismatchException;
import io.polyhe.server.session.SessionNotFoundException;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one place where exceptions become gRPC statuses (DESIGN.md §5):
 *
 * <ul>
 *   <li>{@link ServiceException}: its own code and message;
 *   <li>the session store's {@link SessionException}s, with their message: {@code NOT_FOUND}
 *       (no such session), {@code INVALID_ARGUMENT} (session of another model), {@code
 *       FAILED_PRECONDITION} (damaged stored keys), {@code RESOURCE_EXHAUSTED} (session quota, full
 *       key store), {@code UNAVAILABLE} (key store unreachable);
 *   <li>{@link HeFormatException} and other {@link IllegalArgumentException}s (malformed input,
 *       parameter or level mismatch, found by he-core's validation): {@code INVALID_ARGUMENT};
 *   <li>{@link CancellationException}: {@code CANCELLED};
 *   <li>{@link OutOfMemoryError}: {@code RESOURCE_EXHAUSTED};
 *   <li>anything else: {@code INTERNAL} with only a reference id; the exception is logged here.
 * </ul>
 *
 * Messages are cut to {@value #MAX_MESSAGE} characters; no status carries a cause or stack trace.
 * Stateless; thread-safe.
 */
public final class ErrorMapper {
  /** Longest message sent to a client. */
  public static final int MAX_MESSAGE = 300;

  private static final Logger LOG = Logger.getLogger(ErrorMapper.class.getName());

  private ErrorMapper() {}

  /** The status to send for {@code t}. */
  public static StatusException toStatus(Throwable t) {
    return toStatusOf(t).asException();
  }

  static Status toStatusOf(Throwable t) {
    if (t instanceof ServiceException s) {
      return Status.fromCode(s.code()).withDescription(cut(s.getMessage()));
    }
    if (t instanceof SessionException s) {
      return Status.fromCode(code(s)).withDescription(cut(s.getMessage()));
    }
    if (t instanceof StatusRuntimeException s) {
      return Status.fromCode(s.getStatus().getCode()).withDescription(cut(s.getStatus().getDescription()));
    }
    if (t instanceof StatusException s) {
      return Status.fromCode(s.getStatus().getCode()).withDescription(cut(s.getStatus().getDescription()));
    }
    if (t instanceof HeFormatException) {
      return Status.INVALID_ARGUMENT.withDescription(cut("malformed object: " + t.getMessage()));
    }
    if (t instanceof IllegalArgumentException) {
      return Status.INVALID_ARGUMENT.withDescription(cut(t.getMessage()));
    }
    if (t instanceof CancellationException) {
      return Status.CANCELLED.withDescription("cancelled");
    }
    if (t instanceof OutOfMemoryError) {
      LOG.log(Level.WARNING, "out of memory serving a request");
      return Status.RESOURCE_EXHAUSTED.withDescription("server out of memory");
    }
    String ref = UUID.randomUUID().toString();
    LOG.log(Level.SEVERE, "internal error, ref " + ref, t);
    return Status.INTERNAL.withDescription("internal error (ref " + ref + ")");
  }

  // Exhaustive over the sealed hierarchy: a new kind of session failure does not compile until it
  // has a status here.
  static Status.Code code(SessionException e) {
    return switch (e) {
      case SessionNotFoundException x -> Status.Code.NOT_FOUND;
      case SessionModelMismatchException x -> Status.Code.INVALID_ARGUMENT;
      case DamagedKeysException x -> Status.Code.FAILED_PRECONDITION;
      case QuotaExceededException x -> Status.Code.RESOURCE_EXHAUSTED;
      case KeyStoreFullException x -> Status.Code.RESOURCE_EXHAUSTED;
      case KeyStoreUnavailableException x -> Status.Code.UNAVAILABLE;
    };
  }

  private static String cut(String message) {
    if (message == null) {
      return "";
    }
    return message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE) + "...";
  }
}
