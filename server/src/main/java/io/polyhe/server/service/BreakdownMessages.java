package io.polyhe.server.service;

import io.polyhe.models.profile.LatencyBreakdown;
import io.polyhe.models.profile.Primitive;
import io.polyhe.proto.v1.ComponentTime;
import io.polyhe.proto.v1.LayerTime;
import io.polyhe.proto.v1.PrimitiveTime;
import io.polyhe.proto.v1.RefreshTime;
import io.polyhe.proto.v1.Span;
import java.util.Locale;

/** A {@link LatencyBreakdown} as its {@code polyhe.v1.LatencyBreakdown} message. Stateless. */
final class BreakdownMessages {
  private BreakdownMessages() {}

  static io.polyhe.proto.v1.LatencyBreakdown of(LatencyBreakdown b, RefreshTime refresh) {
    var m = io.polyhe.proto.v1.LatencyBreakdown.newBuilder().setTotalSeconds(b.totalSeconds()).setRefresh(refresh);
    b.secondsByComponent().forEach((c, s) -> m.addComponents(
        ComponentTime.newBuilder().setComponent(c.label()).setSeconds(s)));
    b.secondsByLayer().forEach((layer, cs) -> {
      LayerTime.Builder l = LayerTime.newBuilder().setLayer(layer);
      cs.forEach((c, s) -> l.addComponents(ComponentTime.newBuilder().setComponent(c.label()).setSeconds(s)));
      m.addLayers(l);
    });
    var seconds = b.secondsByPrimitive();
    var calls = b.countsByPrimitive();
    for (Primitive p : Primitive.values()) {
      m.addPrimitives(PrimitiveTime.newBuilder().setPrimitive(p.name().toLowerCase(Locale.ROOT))
          .setSeconds(seconds.get(p)).setCalls(calls.get(p)));
    }
    for (LatencyBreakdown.Span s : b.spans()) {
      m.addSpans(Span.newBuilder().setLayer(s.layer()).setComponent(s.component().label())
          .setStartNanos(s.startNanos()).setNanos(s.nanos()).setThread(s.thread()));
    }
    return m.build();
  }
}
