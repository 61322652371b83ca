package io.polyhe.server.ops;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A server span per gRPC call, named by the full method name ({@code polyhe.v1.InferenceService/Infer}),
 * continuing the trace whose W3C {@code traceparent} the call's metadata carries (a new trace if none).
 * It ends when the call closes or is cancelled, with the gRPC status. Code serving the call finds
 * the span through {@link #of} (in the call's gRPC {@link Context}), to hang its own spans
 * under it. Only the method, the status and the peer's trace ids are recorded: never a caller, a
 * session or a payload.
 */
public final class CallTracing implements ServerInterceptor {
  /** The span of the call being served, and the tracer to add its children with. */
  public record CallSpan(Tracer tracer, io.opentelemetry.context.Context context) {
    /** Whether child spans would be recorded (false when tracing is off). */
    public boolean recording() {
      return Span.fromContext(context).isRecording();
    }
  }

  private static final Context.Key<CallSpan> CURRENT = Context.key("polyhe-call-span");
  static final AttributeKey<String> RPC_SYSTEM = AttributeKey.stringKey("rpc.system");
  static final AttributeKey<String> RPC_SERVICE = AttributeKey.stringKey("rpc.service");
  static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");
  static final AttributeKey<Long> RPC_STATUS = AttributeKey.longKey("rpc.grpc.status_code");

  private static final TextMapGetter<Metadata> HEADERS = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Metadata carrier) {
      return carrier.keys();
    }

    @Override
    public String get(Metadata carrier, String key) {
      if (carrier == null || key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
        return null;
      }
      return carrier.get(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
    }
  };

  private final OpenTelemetry openTelemetry;
  private final Tracer tracer;

  public CallTracing(OpenTelemetry openTelemetry) {
    this.openTelemetry = openTelemetry;
    this.tracer = openTelemetry.getTracer("io.polyhe.server");
  }

  /** The span of the call whose gRPC context is {@code context}, or null outside a traced call. */
  public static CallSpan of(Context context) {
    return CURRENT.get(context);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    io.opentelemetry.context.Context parent = openTelemetry.getPropagators().getTextMapPropagator()
        .extract(io.opentelemetry.context.Context.root(), headers, HEADERS);
    var method = call.getMethodDescriptor();
    Span span = tracer.spanBuilder(method.getFullMethodName()).setParent(parent).setSpanKind(SpanKind.SERVER)
        .setAttribute(RPC_SYSTEM, "grpc").setAttribute(RPC_SERVICE, String.valueOf(method.getServiceName()))
        .setAttribute(RPC_METHOD, String.valueOf(method.getBareMethodName())).startSpan();
    AtomicBoolean ended = new AtomicBoolean();
    java.util.function.Consumer<Status.Code> end = code -> {
      if (ended.compareAndSet(false, true)) {
        span.setAttribute(RPC_STATUS, code.value());
        if (code != Status.Code.OK) {
          span.setStatus(StatusCode.ERROR, code.name());
        }
        span.end();
      }
    };
    Context context = Context.current().withValue(CURRENT, new CallSpan(tracer, parent.with(span)));
    ServerCall.Listener<Q> listener = Contexts.interceptCall(context,
        new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            end.accept(status.getCode());
            super.close(status, trailers);
          }
        }, headers, next);
    return CancelledCalls.report(listener, code -> end.accept(Status.Code.valueOf(code)));
  }
}
