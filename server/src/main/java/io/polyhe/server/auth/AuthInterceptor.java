package io.polyhe.server.auth;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.polyhe.server.logging.RateLimitedLog;
import java.util.Optional;

/**
 * Bearer API-key authentication: every call must carry {@code authorization: Bearer <key>} with a
 * known key, or it is closed with {@code UNAUTHENTICATED} before any service code runs. The
 * caller's name goes into the call's {@link Context} ({@link Caller#CONTEXT_KEY}). The health
 * service is exempt (load balancers probe it without keys). Rejections are logged at WARNING, at
 * most {@value #REJECTIONS_LOGGED_PER_MINUTE} a minute with a count of those suppressed, since any
 * client can cause them at will. Thread-safe.
 */
public final class AuthInterceptor implements ServerInterceptor {
  /** The metadata key of the bearer token. */
  public static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private static final String PREFIX = "Bearer ";
  private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(AuthInterceptor.class.getName());
  /** Rejection warnings logged per minute; the rest are counted. */
  public static final int REJECTIONS_LOGGED_PER_MINUTE = 10;

  private final ApiKeys keys;
  private final RateLimitedLog rejections = new RateLimitedLog(LOG, java.util.logging.Level.WARNING,
      REJECTIONS_LOGGED_PER_MINUTE, java.time.Duration.ofMinutes(1));

  public AuthInterceptor(ApiKeys keys) {
    this.keys = keys;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    if (call.getMethodDescriptor().getServiceName() != null
        && call.getMethodDescriptor().getServiceName().equals("grpc.health.v1.Health")) {
      return next.startCall(call, headers);
    }
    String value = headers.get(AUTHORIZATION);
    Optional<Caller> caller = Optional.empty();
    if (value != null && value.startsWith(PREFIX)) {
      caller = keys.authenticate(value.substring(PREFIX.length()));
    }
    if (caller.isEmpty()) {
      rejections.log(() -> "rejected " + call.getMethodDescriptor().getFullMethodName() + ": "
          + (value == null ? "no bearer API key" : "unknown API key"));
      call.close(Status.UNAUTHENTICATED.withDescription(
          value == null ? "missing bearer API key" : "unknown API key"), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    Context ctx = Context.current().withValue(Caller.CONTEXT_KEY, caller.get());
    return Contexts.interceptCall(ctx, call, headers, next);
  }
}
