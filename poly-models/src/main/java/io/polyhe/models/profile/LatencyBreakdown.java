package io.polyhe.models.profile;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the time of a forward pass went: the recorded spans, with totals by component and by layer
 * × component, and four exports. Immutable.
 */
public final class LatencyBreakdown {
  /** One recorded span; times in nanoseconds from the recorder's start. */
  public record Span(String layer, Component component, long startNanos, long nanos, String thread) {}

  private final List<Span> spans;
  private final long[] primitiveNanos;
  private final long[] primitiveCounts;

  LatencyBreakdown(List<Span> spans, long[] primitiveNanos, long[] primitiveCounts) {
    this.spans = spans;
    this.primitiveNanos = primitiveNanos;
    this.primitiveCounts = primitiveCounts;
  }

  /** Seconds per component label ({@link Component#label()}), every component, in enum order. */
  public Map<String, Double> secondsByComponentLabel() {
    return labelled(secondsByComponent());
  }

  /** Seconds per primitive name in lower case (the JSON keys), every primitive, in enum order. */
  public Map<String, Double> secondsByPrimitiveName() {
    Map<String, Double> out = new LinkedHashMap<>();
    secondsByPrimitive().forEach((p, s) -> out.put(p.name().toLowerCase(java.util.Locale.ROOT), s));
    return out;
  }

  /** Writes {@code breakdown.json}, {@code trace.json} (Perfetto) and {@code breakdown.html} into {@code dir}. */
  public void writeProfile(java.nio.file.Path dir) throws java.io.IOException {
    java.nio.file.Files.createDirectories(dir);
    java.nio.file.Files.writeString(dir.resolve("breakdown.json"), toJson());
    java.nio.file.Files.writeString(dir.resolve("trace.json"), toChromeTrace());
    java.nio.file.Files.writeString(dir.resolve("breakdown.html"), toHtml());
  }

  /** Seconds per primitive, every primitive present, in enum order. */
  public Map<Primitive, Double> secondsByPrimitive() {
    Map<Primitive, Double> out = new EnumMap<>(Primitive.class);
    for (Primitive p : Primitive.values()) {
      out.put(p, primitiveNanos[p.ordinal()] / 1e9);
    }
    return out;
  }

  /** Calls per primitive, every primitive present, in enum order. */
  public Map<Primitive, Long> countsByPrimitive() {
    Map<Primitive, Long> out = new EnumMap<>(Primitive.class);
    for (Primitive p : Primitive.values()) {
      out.put(p, primitiveCounts[p.ordinal()]);
    }
    return out;
  }

  public List<Span> spans() {
    return spans;
  }

  /** Seconds per component, every component present (zero if unused), in enum order. */
  public Map<Component, Double> secondsByComponent() {
    Map<Component, Double> out = new EnumMap<>(Component.class);
    for (Component c : Component.values()) {
      out.put(c, 0.0);
    }
    for (Span s : spans) {
      out.merge(s.component(), s.nanos() / 1e9, Double::sum);
    }
    return out;
  }

  /** Seconds per layer and component, layers in first-seen order. */
  public Map<String, Map<Component, Double>> secondsByLayer() {
    Map<String, Map<Component, Double>> out = new LinkedHashMap<>();
    for (Span s : spans) {
      out.computeIfAbsent(s.layer(), k -> new EnumMap<>(Component.class))
          .merge(s.component(), s.nanos() / 1e9, Double::sum);
    }
    return out;
  }

  /** Total recorded seconds. */
  public double totalSeconds() {
    return spans.stream().mapToLong(Span::nanos).sum() / 1e9;
  }

  /** A printable table: seconds and share per component. */
  public String toTable() {
    StringBuilder sb = new StringBuilder(String.format("%-14s %10s %7s%n", "component", "seconds", "share"));
    double total = totalSeconds();
    for (var e : secondsByComponent().entrySet()) {
      sb.append(String.format("%-14s %10.3f %6.1f%%%n", e.getKey().label(), e.getValue(),
          total == 0 ? 0 : 100 * e.getValue() / total));
    }
    sb.append(String.format("%-14s %10.3f %6.1f%%%n", "total", total, total == 0 ? 0 : 100.0));
    if (Arrays.stream(primitiveCounts).anyMatch(c -> c > 0)) {
      sb.append(String.format("%n%-24s %10s %8s %7s%n", "primitive", "seconds", "calls", "share"));
      for (Primitive p : Primitive.values()) {
        double sec = primitiveNanos[p.ordinal()] / 1e9;
        sb.append(String.format("%-24s %10.3f %8d %6.1f%%%n", p.label(), sec, primitiveCounts[p.ordinal()],
            total == 0 ? 0 : 100 * sec / total));
      }
    }
    return sb.toString();
  }

  /**
   * {@code {"total_seconds", "components": {label: s}, "layers": {layer: {label: s}}, "primitives":
   * {name: {"seconds", "calls"}}}}.
   */
  public String toJson() {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("total_seconds", totalSeconds());
    root.put("components", labelled(secondsByComponent()));
    Map<String, Object> layers = new LinkedHashMap<>();
    secondsByLayer().forEach((layer, m) -> layers.put(layer, labelled(m)));
    root.put("layers", layers);
    Map<String, Object> prims = new LinkedHashMap<>();
    Map<String, Double> seconds = secondsByPrimitiveName();
    Map<Primitive, Long> calls = countsByPrimitive();
    for (Primitive p : Primitive.values()) {
      String name = p.name().toLowerCase(java.util.Locale.ROOT);
      prims.put(name, Map.of("seconds", seconds.get(name), "calls", calls.get(p)));
    }
    root.put("primitives", prims);
    return gson().toJson(root);
  }

  private static Map<String, Double> labelled(Map<Component, Double> m) {
    Map<String, Double> out = new LinkedHashMap<>();
    m.forEach((c, v) -> out.put(c.label(), v));
    return out;
  }

  /** Chrome trace-event JSON ("X" complete events, microseconds): opens in Perfetto. */
  public String toChromeTrace() {
    List<Map<String, Object>> events = new ArrayList<>();
    for (Span s : spans) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("name", s.component().label());
      e.put("cat", s.layer());
      e.put("ph", "X");
      e.put("ts", s.startNanos() / 1e3);
      e.put("dur", s.nanos() / 1e3);
      e.put("pid", 1);
      e.put("tid", s.thread());
      events.add(e);
    }
    return gson().toJson(Map.of("traceEvents", events, "displayTimeUnit", "ms"));
  }

  /** A self-contained HTML page with a stacked bar per layer (components as segments). */
  public String toHtml() {
    StringBuilder sb = new StringBuilder();
    sb.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>polyhe latency breakdown</title>")
        .append("<style>body{font-family:sans-serif;margin:2em}.row{display:flex;align-items:center;margin:4px 0}")
        .append(".name{width:10em}.bar{display:flex;height:20px}.seg{height:20px}")
        .append(".legend span{display:inline-block;margin-right:1em}.sw{width:12px;height:12px;display:inline-block;margin-right:4px}</style>")
        .append("</head><body><h1>Latency breakdown</h1>");
    String[] colours = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f"};
    sb.append("<p class=\"legend\">");
    for (Component c : Component.values()) {
      sb.append("<span><span class=\"sw\" style=\"background:").append(colours[c.ordinal()]).append("\"></span>")
          .append(c.label()).append("</span>");
    }
    sb.append("</p>");
    double max = secondsByLayer().values().stream()
        .mapToDouble(m -> m.values().stream().mapToDouble(Double::doubleValue).sum()).max().orElse(0);
    for (var layer : secondsByLayer().entrySet()) {
      double sum = layer.getValue().values().stream().mapToDouble(Double::doubleValue).sum();
      sb.append("<div class=\"row\"><div class=\"name\">").append(escape(layer.getKey())).append("</div><div class=\"bar\">");
      for (var seg : layer.getValue().entrySet()) {
        double px = max == 0 ? 0 : 600 * seg.getValue() / max;
        sb.append(String.format("<div class=\"seg\" title=\"%s: %.3f s\" style=\"width:%.1fpx;background:%s\"></div>",
            seg.getKey().label(), seg.getValue(), px, colours[seg.getKey().ordinal()]));
      }
      sb.append(String.format("</div>&nbsp;%.3f s</div>", sum));
    }
    sb.append("<pre>").append(escape(toTable())).append("</pre></body></html>");
    return sb.toString();
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static Gson gson() {
    return new GsonBuilder().disableHtmlEscaping().create();
  }
}
