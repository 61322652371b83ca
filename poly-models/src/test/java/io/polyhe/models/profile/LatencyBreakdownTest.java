package io.polyhe.models.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

class LatencyBreakdownTest {

  @Test
  void sumsByComponentAndLayerAndExportsEveryFormat() {
    LatencyRecorder recorder = new LatencyRecorder();
    recorder.record("layer 0", Component.PLAIN_MATMUL, 0, 2_000_000_000L);
    recorder.record("layer 0", Component.POWER_SOFTMAX, 2_000_000_000L, 1_000_000_000L);
    recorder.record("layer 1", Component.PLAIN_MATMUL, 3_000_000_000L, 500_000_000L);
    try (var span = recorder.span("layer 1", Component.NORM)) {
      assertTrue(span != null);
    }
    LatencyBreakdown b = recorder.breakdown();
    assertEquals(2.5, b.secondsByComponent().get(Component.PLAIN_MATMUL), 1e-12);
    assertEquals(1.0, b.secondsByComponent().get(Component.POWER_SOFTMAX), 1e-12);
    assertEquals(0.0, b.secondsByComponent().get(Component.REFRESH), 0);
    assertEquals(2, b.secondsByLayer().size());
    assertTrue(b.totalSeconds() >= 3.5);
    assertTrue(b.toTable().contains("plain-matmul"));
    var json = JsonParser.parseString(b.toJson()).getAsJsonObject();
    assertEquals(2.5, json.getAsJsonObject("components").get("plain-matmul").getAsDouble(), 1e-12);
    var trace = JsonParser.parseString(b.toChromeTrace()).getAsJsonObject();
    assertEquals(4, trace.getAsJsonArray("traceEvents").size());
    assertEquals("X", trace.getAsJsonArray("traceEvents").get(0).getAsJsonObject().get("ph").getAsString());
    String html = b.toHtml();
    assertTrue(html.startsWith("<!DOCTYPE html>") && html.contains("layer 1") && html.contains("power-softmax"));
    assertThrows(IllegalArgumentException.class, () -> recorder.record("x", Component.NORM, 0, -1));
  }

  @Test
  void primitivesAreTotalledAndExported() {
    LatencyRecorder recorder = new LatencyRecorder();
    recorder.addPrimitive(Primitive.KEY_SWITCH, 3, 300_000_000L);
    recorder.addPrimitive(Primitive.KEY_SWITCH, 1, 100_000_000L);
    recorder.addPrimitive(Primitive.ENCODE, 0, 5_000_000L);
    LatencyBreakdown b = recorder.breakdown();
    assertEquals(0.4, b.secondsByPrimitive().get(Primitive.KEY_SWITCH), 1e-12);
    assertEquals(4L, b.countsByPrimitive().get(Primitive.KEY_SWITCH));
    assertEquals(0L, b.countsByPrimitive().get(Primitive.ENCODE), "cache hits take time but are no encodings");
    assertEquals(0.0, b.secondsByPrimitive().get(Primitive.NTT), 0);
    var prims = JsonParser.parseString(b.toJson()).getAsJsonObject().getAsJsonObject("primitives");
    assertEquals(4, prims.getAsJsonObject("key_switch").get("calls").getAsLong());
    assertEquals(0.4, prims.getAsJsonObject("key_switch").get("seconds").getAsDouble(), 1e-12);
    assertTrue(b.toTable().contains("key-switch"));
    assertThrows(IllegalArgumentException.class, () -> recorder.addPrimitive(Primitive.ADD, -1, 0));
  }

  /** A nested span (or a nested-recorded one) is taken out of the span around it: no double count. */
  @Test
  void nestedSpansAreTakenOutOfTheirParent() throws InterruptedException {
    LatencyRecorder recorder = new LatencyRecorder();
    long start = System.nanoTime();
    try (var outer = recorder.span("layer 0", Component.REFRESH)) {
      Thread.sleep(20);
      try (var inner = recorder.span("bootstrap / EvalMod", Component.BOOTSTRAP)) {
        Thread.sleep(30);
      }
      recorder.recordNested("bootstrap / CoeffsToSlots", Component.BOOTSTRAP, 40_000_000L);
    }
    double wall = (System.nanoTime() - start) / 1e9;
    LatencyBreakdown b = recorder.breakdown();
    double boot = b.secondsByComponent().get(Component.BOOTSTRAP);
    double refresh = b.secondsByComponent().get(Component.REFRESH);
    assertTrue(boot >= 0.07 - 1e-9, "bootstrap " + boot);
    assertTrue(refresh >= 0.0 && refresh < wall - 0.05, "refresh " + refresh + " of " + wall);
    assertTrue(b.totalSeconds() <= wall + 0.04 + 1e-6, b.totalSeconds() + " vs " + wall);
    assertEquals(3, b.spans().size());
  }
}
