package io.polyhe.server.service;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.polyhe.server.auth.Caller;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Caps the calls one caller has open at once on the service it intercepts (the Infer streams): one
 * past the cap is closed at once with RESOURCE_EXHAUSTED. A stream counts from its start until it
 * ends in any way (completed, failed, cancelled, deadline), so a client that opens streams and
 * sends nothing cannot hold more than its share. Goes inside the auth interceptor (it reads {@link
 * Caller#current()}). Thread-safe.
 */
public final class InferStreamCap implements ServerInterceptor {
  private final int max;
  private final Map<Caller, Integer> open = new HashMap<>();

  /** @param max streams one caller may have open at once, at least 1 */
  public InferStreamCap(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("the cap must be at least 1");
    }
    this.max = max;
  }

  /** Streams {@code caller} has open now. */
  public synchronized int open(Caller caller) {
    return open.getOrDefault(caller, 0);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    Caller caller = Caller.current();
    synchronized (this) {
      int n = open.getOrDefault(caller, 0);
      if (n >= max) {
        call.close(Status.RESOURCE_EXHAUSTED.withDescription("this caller has " + n + " Infer streams open, the"
            + " per-caller limit of " + max + " (the server's --max-infer-streams-per-caller); finish or cancel"
            + " one first"), new Metadata());
        return new ServerCall.Listener<>() {};
      }
      open.put(caller, n + 1);
    }
    AtomicBoolean released = new AtomicBoolean();
    Runnable release = () -> {
      if (released.compareAndSet(false, true)) {
        synchronized (this) {
          open.computeIfPresent(caller, (c, k) -> k <= 1 ? null : k - 1);
        }
      }
    };
    ServerCall.Listener<Q> listener;
    try {
      listener = next.startCall(call, headers);
    } catch (RuntimeException e) {
      release.run();
      throw e;
    }
    // Every call ends with exactly one of these.
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onComplete() {
        release.run();
        super.onComplete();
      }

      @Override
      public void onCancel() {
        release.run();
        super.onCancel();
      }
    };
  }
}
