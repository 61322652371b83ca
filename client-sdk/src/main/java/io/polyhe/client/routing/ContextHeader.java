package io.polyhe.client.routing;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;

/**
 * Copies a value of the gRPC {@link Context} current where a call starts into a header of that
 * call; calls started where the context has no value get no header. Stateless; thread-safe.
 */
final class ContextHeader implements ClientInterceptor {
  private final Context.Key<String> from;
  private final Metadata.Key<String> to;

  ContextHeader(Context.Key<String> from, Metadata.Key<String> to) {
    this.from = from;
    this.to = to;
  }

  @Override
  public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
    String value = from.get();
    ClientCall<Q, A> call = next.newCall(method, options);
    if (value == null) {
      return call;
    }
    return new ForwardingClientCall.SimpleForwardingClientCall<>(call) {
      @Override
      public void start(Listener<A> listener, Metadata headers) {
        headers.put(to, value);
        super.start(listener, headers);
      }
    };
  }
}
