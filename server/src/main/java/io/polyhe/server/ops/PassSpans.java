package io.polyhe.server.ops;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.polyhe.models.profile.LatencyBreakdown;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The spans of one forward pass's latency breakdown as OpenTelemetry spans under the call's span:
 * one span per layer (in the order the pass reached them, from its first component's start to its
 * last one's end) and, under it, one span per recorded component span. The breakdown is recorded
 * as it is for every pass (the client gets it either way) and turned into spans after the pass,
 * with the recorded times, so tracing adds nothing to the pass itself and nothing at all when off.
 *
 * <p>A component span lasts its own time: the breakdown takes time spent in spans nested inside
 * it (a bootstrap's sub-steps inside a refresh) out of the outer one, and those nested spans are
 * spans of their own.
 */
public final class PassSpans {
  /** The component's label ({@code plain-matmul}, {@code refresh}, ...) on a component span. */
  public static final AttributeKey<String> COMPONENT = AttributeKey.stringKey("polyhe.component");
  /** The layer's label ({@code layer 0}, {@code head}, ...) on layer and component spans. */
  public static final AttributeKey<String> LAYER = AttributeKey.stringKey("polyhe.layer");

  private PassSpans() {}

  /**
   * Adds the spans of {@code breakdown} under {@code call}; no effect if {@code call} is null or
   * not recording.
   *
   * @param originEpochNanos wall-clock time (ns since the epoch) of the breakdown's time zero
   */
  public static void record(CallTracing.CallSpan call, long originEpochNanos, LatencyBreakdown breakdown) {
    if (call == null || !call.recording()) {
      return;
    }
    Map<String, List<LatencyBreakdown.Span>> byLayer = new LinkedHashMap<>();
    for (LatencyBreakdown.Span s : breakdown.spans().stream()
        .sorted(java.util.Comparator.comparingLong(LatencyBreakdown.Span::startNanos)).toList()) {
      byLayer.computeIfAbsent(s.layer(), k -> new ArrayList<>()).add(s);
    }
    byLayer.forEach((layer, spans) -> {
      long start = spans.stream().mapToLong(LatencyBreakdown.Span::startNanos).min().orElseThrow();
      long end = spans.stream().mapToLong(s -> s.startNanos() + s.nanos()).max().orElseThrow();
      Span layerSpan = call.tracer().spanBuilder(layer).setParent(call.context()).setAttribute(LAYER, layer)
          .setStartTimestamp(originEpochNanos + start, TimeUnit.NANOSECONDS).startSpan();
      io.opentelemetry.context.Context inLayer = call.context().with(layerSpan);
      for (LatencyBreakdown.Span s : spans) {
        String component = s.component().label();
        call.tracer().spanBuilder(component).setParent(inLayer).setAttribute(LAYER, layer)
            .setAttribute(COMPONENT, component)
            .setStartTimestamp(originEpochNanos + s.startNanos(), TimeUnit.NANOSECONDS).startSpan()
            .end(originEpochNanos + s.startNanos() + s.nanos(), TimeUnit.NANOSECONDS);
      }
      layerSpan.end(originEpochNanos + end, TimeUnit.NANOSECONDS);
    });
  }
}
