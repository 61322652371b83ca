package io.polyhe.cli.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.client.LatencyBreakdown;
import io.polyhe.client.LatencyBreakdown.PrimitiveTime;
import io.polyhe.client.LatencyBreakdown.RefreshTime;
import io.polyhe.client.LatencyBreakdown.Span;
import io.polyhe.models.profile.Component;
import io.polyhe.models.profile.Primitive;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BreakdownsTest {
  static LatencyBreakdown pass(double wait, double client) {
    return breakdown(List.of(new Span("layer 0", "norm", 0, 2_000_000_000L, "w"),
        new Span("layer 0", "refresh", 2_000_000_000L, 500_000_000L, "w")),
        List.of(new PrimitiveTime("key_switch", 1.5, 10)), new RefreshTime(3, wait, client, 100, 200));
  }

  static LatencyBreakdown breakdown(List<Span> spans, List<PrimitiveTime> primitives, RefreshTime refresh) {
    return new LatencyBreakdown(0, Map.of(), Map.of(), primitives, refresh, spans);
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
    assertEquals(6, r.refreshes());
    assertEquals(0.5, r.clientSeconds(), 1e-12);
    assertEquals(1.0, r.serverWaitSeconds(), 1e-12);
    assertEquals(200, r.bytesToClient());
    assertEquals(400, r.bytesFromClient());
    assertTrue(Breakdowns.refreshLine(r).contains("6 client-aided refreshes"), Breakdowns.refreshLine(r));
    String boot = Breakdowns.refreshLine(new RefreshTime(10, 0, 0, 0, 0), 60.5);
    assertTrue(boot.contains("10 bootstraps on the server, 60.500 s"), boot);
  }

  @Test
  void unknownComponentsAreRefused() {
    var bad = breakdown(List.of(new Span("x", "teleport", 0, 1, "w")), List.of(), RefreshTime.NONE);
    assertThrows(IllegalArgumentException.class, () -> Breakdowns.merge(List.of(bad)));
    var badPrimitive = breakdown(List.of(), List.of(new PrimitiveTime("warp", 1, 1)), RefreshTime.NONE);
    var e = assertThrows(IllegalArgumentException.class, () -> Breakdowns.merge(List.of(badPrimitive)));
    assertTrue(e.getMessage().contains("warp"), e.getMessage());
  }
}
