package io.polyhe.client.routing;

import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.polyhe.client.PolyheClient;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounded retries of polyhe calls that failed with {@code UNAVAILABLE}: the replica died or
 * restarted mid-call, could not be reached, or its key store was out of reach. With a channel from
 * {@link ReplicaChannels} the retry goes to the next live replica on the ring (the dead one's
 * connection has failed), which loads the session's keys from the shared store.
 *
 * <p>Why a retry is safe:
 *
 * <ul>
 *   <li><b>Infer</b>: a pass keeps no server state beyond the session's (immutable) keys; the
 *       client encrypts its input afresh and the answer is a function of keys and input, so a
 *       pass cut off anywhere, even after the server finished it, can simply run again.
 *   <li><b>Upload</b>: a failed upload publishes no session (the store publishes a session only
 *       whole, and removes partial uploads), so a retry starts a new one. Only if the answer was
 *       lost after the commit does a session exist that the client never learns of; it expires
 *       with its TTL.
 *   <li><b>Delete</b>: deleting is idempotent; {@link #delete} takes a {@code NOT_FOUND} after a
 *       failed attempt as the earlier attempt's success.
 * </ul>
 *
 * Other statuses are answers, not failures of a replica, and are thrown at once. Calls started by a
 * retry carry their attempt number in the {@value #ATTEMPT_HEADER} header ({@link #interceptor()},
 * on channels from {@link ReplicaChannels}), so servers can count the retries they see. Thread-safe.
 */
public final class Failover {
  /** The header that numbers a retried call's attempt (2, 3, ...); first attempts carry none. */
  public static final String ATTEMPT_HEADER = "polyhe-attempt";

  private static final Metadata.Key<String> ATTEMPT_KEY = Metadata.Key.of(ATTEMPT_HEADER, Metadata.ASCII_STRING_MARSHALLER);
  private static final Context.Key<String> ATTEMPT = Context.key("polyhe-attempt");
  private final int maxAttempts;
  private final Duration backoff;
  private final AtomicLong retries = new AtomicLong();

  /**
   * @param maxAttempts attempts per call in all, at least 1 (a replica count is a good bound)
   * @param backoff pause before the first retry, doubled before each further one
   * @throws IllegalArgumentException if {@code maxAttempts < 1} or {@code backoff} is negative
   */
  public Failover(int maxAttempts, Duration backoff) {
    if (maxAttempts < 1 || backoff.isNegative()) {
      throw new IllegalArgumentException("at least one attempt and a non-negative backoff");
    }
    this.maxAttempts = maxAttempts;
    this.backoff = backoff;
  }

  /** Retries made so far by this policy, over all calls. */
  public long retries() {
    return retries.get();
  }

  /**
   * Runs {@code body}, routed by {@code sessionId}'s affinity (none if null), again after an
   * {@code UNAVAILABLE} until it succeeds or {@code maxAttempts} attempts failed.
   *
   * @throws StatusRuntimeException the last failure, or any other status at once
   */
  public <T> T call(String sessionId, Callable<T> body) {
    long pause = backoff.toMillis();
    for (int attempt = 1; ; attempt++) {
      try {
        Callable<T> routed = sessionId == null ? body : () -> SessionAffinity.call(sessionId, body);
        return attempt == 1 ? routed.call()
            : Context.current().withValue(ATTEMPT, Integer.toString(attempt)).call(routed);
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || attempt >= maxAttempts) {
          throw e;
        }
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      retries.incrementAndGet();
      try {
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw Status.CANCELLED.withDescription("interrupted between retries").asRuntimeException();
      }
      pause *= 2;
    }
  }

  /** Deletes {@code sessionId} with retries; a {@code NOT_FOUND} after a failed attempt is success. */
  public void delete(PolyheClient client, String sessionId) {
    boolean[] failedBefore = {false};
    call(sessionId, () -> {
      try {
        client.deleteSession(sessionId);
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() == Status.Code.NOT_FOUND && failedBefore[0]) {
          return null;
        }
        failedBefore[0] |= e.getStatus().getCode() == Status.Code.UNAVAILABLE;
        throw e;
      }
      return null;
    });
  }

  /** The interceptor that adds {@value #ATTEMPT_HEADER} to calls started by a retry inside {@link #call}. */
  public static ClientInterceptor interceptor() {
    return new ContextHeader(ATTEMPT, ATTEMPT_KEY);
  }
}
