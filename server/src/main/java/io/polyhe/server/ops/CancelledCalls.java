package io.polyhe.server.ops;

import io.grpc.Context;
import io.grpc.ForwardingServerCallListener;
import io.grpc.ServerCall;
import java.util.function.Consumer;

/**
 * Calls that end without {@code ServerCall.close} — the client cancelled, or the deadline passed —
 * still get their status counted and logged: CANCELLED or DEADLINE_EXCEEDED.
 */
final class CancelledCalls {
  private CancelledCalls() {}

  /** {@code listener}, reporting the status of a call that is cancelled before it closes. */
  static <Q> ServerCall.Listener<Q> report(ServerCall.Listener<Q> listener, Consumer<String> onStatus) {
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onCancel() {
        var deadline = Context.current().getDeadline();
        onStatus.accept(deadline != null && deadline.isExpired() ? "DEADLINE_EXCEEDED" : "CANCELLED");
        super.onCancel();
      }
    };
  }
}
