package io.polyhe.cli.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.models.profile.Component;
import io.polyhe.models.profile.Primitive;
import io.polyhe.proto.v1.LatencyBreakdown;
import io.polyhe.proto.v1.PrimitiveTime;
import io.polyhe.proto.v1.RefreshTime;
import io.polyhe.proto.v1.Span;
import java.util.List;
import org.junit.jupiter.api.Test;

class BreakdownsTest {
  static LatencyBreakdown pass(double wait, double client) {
    return LatencyBreakdown.newBuilder()
        .addSpans(Span.newBuilder().setLayer("layer 0").setComponent("norm").setStartNanos(0).setNanos(2_000_000_000L))
        .addSpans(Span.newBuilder().setLayer("layer 0").setComponent("refresh").setStartNanos(2_000_000_000L)
            .setNanos(500_000_000L))
        .addPrimitives(PrimitiveTime.newBuilder().setPrimitive("key_switch").setSeconds(1.5).setCalls(10))
        .setRefresh(RefreshTime.newBuilder().setRefreshes(3).setServerWaitSeconds(wait).setClientSeconds(client)
            .setBytesToClient(100).setBytesFromClient(200))
        .build();
  }

  @Test
  void passesMergeEndToEnd() {
    var merged = Breakdowns.merge(List.of(pass(0.5, 0.2), pass(0.5, 0.3)));
    assertEquals(5.0, merged.totalSeconds(), 1e-9);
    assertEquals(4.0, merged.secondsByComponent().get(Component.NORM), 1e-9);
    assertEquals(1.0, merged.secondsByComponent().get(Component.REFRESH), 1e-9);
    assertEquals(3.0, merged.secondsByPrimitive().get(Primitive.KEY_SWITCH), 1e-9);
    assertEquals(20L, merged.countsByPrimitive().get(Primitive.KEY_SWITCH));
    assertEquals(2_500_000_000L, merged.spans().get(2).startNanos(), "the second pass starts after the first");
    RefreshTime r = Breakdowns.refresh(List.of(pass(0.5, 0.2), pass(0.5, 0.3)));
    assertEquals(6, r.getRefreshes());
    assertEquals(0.5, r.getClientSeconds(), 1e-12);
    assertTrue(Breakdowns.refreshLine(r).contains("6 client-aided refreshes"), Breakdowns.refreshLine(r));
    String boot = Breakdowns.refreshLine(RefreshTime.newBuilder().setRefreshes(10).build(), 60.5);
    assertTrue(boot.contains("10 bootstraps on the server, 60.500 s"), boot);
  }

  @Test
  void unknownComponentsAreRefused() {
    var bad = LatencyBreakdown.newBuilder().addSpans(Span.newBuilder().setLayer("x").setComponent("teleport")).build();
    assertThrows(IllegalArgumentException.class, () -> Breakdowns.merge(List.of(bad)));
  }
}
