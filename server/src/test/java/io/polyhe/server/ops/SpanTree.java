package io.polyhe.server.ops;

import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A text rendering of exported spans as trees (one per root), children in start order, with each
 * span's kind, duration and offset from its root's start. Runs of siblings of one name (a layer's
 * many {@code plain-matmul} spans) are folded into one line with their count and total time, so a
 * pass fits on a screen. For tests and the docs.
 */
public final class SpanTree {
  private SpanTree() {}

  public static String render(List<SpanData> spans) {
    Map<String, List<SpanData>> children = spans.stream().collect(Collectors.groupingBy(SpanData::getParentSpanId));
    java.util.Set<String> ids = spans.stream().map(SpanData::getSpanId).collect(Collectors.toSet());
    StringBuilder out = new StringBuilder();
    for (SpanData root : sorted(spans.stream().filter(s -> !ids.contains(s.getParentSpanId())).toList())) {
      out.append("trace ").append(root.getTraceId())
          .append(root.getParentSpanContext().isValid() ? " (parent " + root.getParentSpanId() + ", not exported here)" : "")
          .append('\n');
      write(out, root, children, root.getStartEpochNanos(), "");
    }
    return out.toString();
  }

  private static List<SpanData> sorted(List<SpanData> spans) {
    List<SpanData> s = new ArrayList<>(spans);
    s.sort(Comparator.comparingLong(SpanData::getStartEpochNanos));
    return s;
  }

  private static void write(StringBuilder out, SpanData span, Map<String, List<SpanData>> children, long t0,
      String indent) {
    out.append(indent).append(span.getName()).append(" [").append(span.getKind().name().toLowerCase(Locale.ROOT))
        .append("] ").append(ms(span.getEndEpochNanos() - span.getStartEpochNanos())).append(" at +")
        .append(ms(span.getStartEpochNanos() - t0)).append('\n');
    List<SpanData> kids = sorted(children.getOrDefault(span.getSpanId(), List.of()));
    for (int i = 0; i < kids.size(); ) {
      int j = i;
      long total = 0;
      while (j < kids.size() && kids.get(j).getName().equals(kids.get(i).getName())
          && children.getOrDefault(kids.get(j).getSpanId(), List.of()).isEmpty()) {
        total += kids.get(j).getEndEpochNanos() - kids.get(j).getStartEpochNanos();
        j++;
      }
      if (j - i > 1) {
        out.append(indent).append("  ").append(kids.get(i).getName()).append(" [")
            .append(kids.get(i).getKind().name().toLowerCase(Locale.ROOT)).append("] x").append(j - i).append(", ")
            .append(ms(total)).append(" in all, from +").append(ms(kids.get(i).getStartEpochNanos() - t0)).append('\n');
        i = j;
      } else {
        write(out, kids.get(i), children, t0, indent + "  ");
        i++;
      }
    }
  }

  private static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
  }
}
