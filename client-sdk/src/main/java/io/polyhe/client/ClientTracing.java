package io.polyhe.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.function.Supplier;

/**
 * The client's side of tracing, on the OpenTelemetry API only (no SDK): every call carries the
 * current trace context as a W3C {@code traceparent} header, and each forward pass is a client span
 * ({@link #infer}) that the server's span continues. With the default {@link OpenTelemetry#noop()}
 * the client records no spans of its own, but still passes on the trace context of an application
 * that traces with its own SDK. Thread-safe.
 */
final class ClientTracing {
  static final String INFER_SPAN = "polyhe.v1.InferenceService/Infer";
  private static final AttributeKey<String> RPC_SYSTEM = AttributeKey.stringKey("rpc.system");
  private static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");
  private static final AttributeKey<Long> TOKENS = AttributeKey.longKey("polyhe.tokens");

  private static final TextMapSetter<Metadata> HEADERS = (carrier, key, value) ->
      carrier.put(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER), value);

  private final Tracer tracer;

  ClientTracing(OpenTelemetry openTelemetry) {
    this.tracer = openTelemetry.getTracer("io.polyhe.client");
  }

  /** Runs one Infer inside a client span (current while the call starts, so its header carries it). */
  <T> T infer(int tokens, Supplier<T> call) {
    Span span = tracer.spanBuilder(INFER_SPAN).setSpanKind(SpanKind.CLIENT).setAttribute(RPC_SYSTEM, "grpc")
        .setAttribute(RPC_METHOD, "Infer").setAttribute(TOKENS, (long) tokens).startSpan();
    try (Scope ignored = span.makeCurrent()) {
      return call.get();
    } catch (StatusRuntimeException e) {
      span.setStatus(StatusCode.ERROR, e.getStatus().getCode().name());
      throw e;
    } finally {
      span.end();
    }
  }

  /** The interceptor that puts the current trace context into each call's metadata. */
  static ClientInterceptor interceptor() {
    return new ClientInterceptor() {
      @Override
      public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
        Context context = Context.current();
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
          @Override
          public void start(Listener<A> listener, Metadata headers) {
            W3CTraceContextPropagator.getInstance().inject(context, headers, HEADERS);
            super.start(listener, headers);
          }
        };
      }
    };
  }
}
