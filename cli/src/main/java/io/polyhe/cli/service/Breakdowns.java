package io.polyhe.cli.service;

import io.polyhe.models.profile.Component;
import io.polyhe.models.profile.LatencyBreakdown;
import io.polyhe.models.profile.LatencyRecorder;
import io.polyhe.models.profile.Primitive;
import io.polyhe.proto.v1.PrimitiveTime;
import io.polyhe.proto.v1.RefreshTime;
import io.polyhe.proto.v1.Span;
import java.util.List;
import java.util.Locale;

/**
 * The server's {@code LatencyBreakdown} messages of several passes merged back into poly-models'
 * {@link LatencyBreakdown} (spans laid end to end), for its table, JSON, Chrome trace and HTML
 * exports; and the refresh split summed. Stateless.
 */
final class Breakdowns {
  private Breakdowns() {}

  static LatencyBreakdown merge(List<io.polyhe.proto.v1.LatencyBreakdown> passes) {
    LatencyRecorder r = new LatencyRecorder();
    long offset = 0;
    for (var b : passes) {
      long end = 0;
      for (Span s : b.getSpansList()) {
        r.record(s.getLayer(), component(s.getComponent()), offset + s.getStartNanos(), s.getNanos());
        end = Math.max(end, s.getStartNanos() + s.getNanos());
      }
      for (PrimitiveTime p : b.getPrimitivesList()) {
        r.addPrimitive(Primitive.valueOf(p.getPrimitive().toUpperCase(Locale.ROOT)), p.getCalls(),
            Math.round(p.getSeconds() * 1e9));
      }
      offset += end;
    }
    return r.breakdown();
  }

  static RefreshTime refresh(List<io.polyhe.proto.v1.LatencyBreakdown> passes) {
    RefreshTime.Builder t = RefreshTime.newBuilder();
    for (var b : passes) {
      RefreshTime x = b.getRefresh();
      t.setRefreshes(t.getRefreshes() + x.getRefreshes())
          .setServerWaitSeconds(t.getServerWaitSeconds() + x.getServerWaitSeconds())
          .setClientSeconds(t.getClientSeconds() + x.getClientSeconds())
          .setBytesToClient(t.getBytesToClient() + x.getBytesToClient())
          .setBytesFromClient(t.getBytesFromClient() + x.getBytesFromClient());
    }
    return t.build();
  }

  /** One line on where client-aided refresh time went. */
  static String refreshLine(RefreshTime t) {
    return refreshLine(t, 0);
  }

  /**
   * One line on where refresh time went: with {@code bootstrapSeconds} > 0 (the {@code bootstrap}
   * component of the breakdown) the refreshes were bootstraps on the server, without round trips.
   */
  static String refreshLine(RefreshTime t, double bootstrapSeconds) {
    if (bootstrapSeconds > 0) {
      return String.format("refresh: %d bootstraps on the server, %.3f s; no client round trips", t.getRefreshes(),
          bootstrapSeconds);
    }
    return String.format("refresh: %d client-aided refreshes; server waited %.3f s, of which the client computed "
        + "%.3f s and %.3f s went to the network and (de)serialisation; %d B to the client, %d B back",
        t.getRefreshes(), t.getServerWaitSeconds(), t.getClientSeconds(),
        Math.max(0, t.getServerWaitSeconds() - t.getClientSeconds()), t.getBytesToClient(), t.getBytesFromClient());
  }

  private static Component component(String label) {
    for (Component c : Component.values()) {
      if (c.label().equals(label)) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown component '" + label + "' in the server's breakdown");
  }
}
