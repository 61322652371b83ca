package io.polyhe.server.ops;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Counts every call by method and final status, with its duration, into {@link Metrics}; a call
 * whose {@value #ATTEMPT_HEADER} header says it is a client's second or later attempt is also
 * counted as a retry.
 */
public final class MetricsInterceptor implements ServerInterceptor {
  /** The header the client SDK's failover puts on its retries: the attempt number, 2 or more. */
  public static final String ATTEMPT_HEADER = "polyhe-attempt";

  private static final Metadata.Key<String> ATTEMPT = Metadata.Key.of(ATTEMPT_HEADER, Metadata.ASCII_STRING_MARSHALLER);
  private final Metrics metrics;

  public MetricsInterceptor(Metrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    long start = System.nanoTime();
    String method = call.getMethodDescriptor().getFullMethodName();
    String attempt = headers.get(ATTEMPT);
    if (attempt != null && !attempt.equals("1")) {
      metrics.recordRetry(method);
    }
    java.util.concurrent.atomic.AtomicBoolean counted = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.function.Consumer<String> record = code -> {
      if (counted.compareAndSet(false, true)) {
        metrics.recordCall(method, code, (System.nanoTime() - start) / 1e9);
      }
    };
    ServerCall.Listener<Q> listener = next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        record.accept(status.getCode().name());
        super.close(status, trailers);
      }
    }, headers);
    return CancelledCalls.report(listener, record);
  }
}
