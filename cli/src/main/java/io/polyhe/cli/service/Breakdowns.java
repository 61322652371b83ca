package io.polyhe.cli.service;

import io.polyhe.client.LatencyBreakdown.PrimitiveTime;
import io.polyhe.client.LatencyBreakdown.RefreshTime;
import io.polyhe.client.LatencyBreakdown.Span;
import io.polyhe.models.profile.Component;
import io.polyhe.models.profile.LatencyBreakdown;
import io.polyhe.models.profile.LatencyRecorder;
import io.polyhe.models.profile.Primitive;
import java.util.List;
import java.util.Locale;

/**
 * The SDK's breakdowns ({@link io.polyhe.client.LatencyBreakdown}) of several passes merged back
 * into poly-models' {@link LatencyBreakdown} (spans laid end to end), for its table, JSON, Chrome
 * trace and HTML exports; and the refresh split summed. Stateless.
 */
final class Breakdowns {
  private Breakdowns() {}

  /** @throws IllegalArgumentException for a component or primitive this client does not know */
  static LatencyBreakdown merge(List<io.polyhe.client.LatencyBreakdown> passes) {
    LatencyRecorder r = new LatencyRecorder();
    long offset = 0;
    for (var b : passes) {
      long end = 0;
      for (Span s : b.spans()) {
        r.record(s.layer(), component(s.component()), offset + s.startNanos(), s.nanos());
        end = Math.max(end, s.startNanos() + s.nanos());
      }
      for (PrimitiveTime p : b.primitives()) {
        r.addPrimitive(primitive(p.primitive()), p.calls(), Math.round(p.seconds() * 1e9));
      }
      offset += end;
    }
    return r.breakdown();
  }

  static RefreshTime refresh(List<io.polyhe.client.LatencyBreakdown> passes) {
    return passes.stream().map(io.polyhe.client.LatencyBreakdown::refresh).reduce(RefreshTime.NONE, RefreshTime::plus);
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
      return String.format("refresh: %d bootstraps on the server, %.3f s; no client round trips", t.refreshes(),
          bootstrapSeconds);
    }
    return String.format("refresh: %d client-aided refreshes; server waited %.3f s, of which the client computed "
        + "%.3f s and %.3f s went to the network and (de)serialisation; %d B to the client, %d B back",
        t.refreshes(), t.serverWaitSeconds(), t.clientSeconds(),
        Math.max(0, t.serverWaitSeconds() - t.clientSeconds()), t.bytesToClient(), t.bytesFromClient());
  }

  private static Component component(String label) {
    for (Component c : Component.values()) {
      if (c.label().equals(label)) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown component '" + label + "' in the server's breakdown");
  }

  private static Primitive primitive(String name) {
    try {
      return Primitive.valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown primitive '" + name + "' in the server's breakdown");
    }
  }
}
