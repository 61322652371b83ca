package io.polyhe.server.ops;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.polyhe.server.auth.Caller;
import java.util.logging.Logger;

/**
 * One log line per finished call: method, caller name, status code and duration. Never payloads,
 * keys, session ids or status descriptions (which may name client input).
 */
public final class AccessLogInterceptor implements ServerInterceptor {
  private static final Logger LOG = Logger.getLogger("io.polyhe.server.access");

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    long start = System.nanoTime();
    String method = call.getMethodDescriptor().getFullMethodName();
    String caller = Caller.current().id();
    java.util.concurrent.atomic.AtomicBoolean logged = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.function.Consumer<String> log = code -> {
      if (logged.compareAndSet(false, true)) {
        LOG.info(() -> String.format("%s caller=%s status=%s %.3fs", method, caller, code,
            (System.nanoTime() - start) / 1e9));
      }
    };
    ServerCall.Listener<Q> listener = next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        log.accept(status.getCode().name());
        super.close(status, trailers);
      }
    }, headers);
    return CancelledCalls.report(listener, log);
  }
}
