package io.polyhe.server.ops;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.function.LongSupplier;

/**
 * The server's metrics in the Prometheus text format (version 0.0.4): requests by method and status
 * code, their latency (sum and count, seconds), and gauges (queue depth, running inferences,
 * sessions, key-store bytes) read when scraped. No label ever holds a caller, a session or a
 * payload. Thread-safe.
 */
public final class Metrics {
  private final ConcurrentHashMap<String, AtomicLong> requests = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, DoubleAdder> latencySum = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, AtomicLong> latencyCount = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, LongSupplier> gauges = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, String> gaugeHelp = new ConcurrentHashMap<>();

  /** Counts one finished call of {@code method} with status {@code code} that took {@code seconds}. */
  public void recordCall(String method, String code, double seconds) {
    requests.computeIfAbsent(label("method", method) + "," + label("code", code), k -> new AtomicLong())
        .incrementAndGet();
    String m = label("method", method);
    latencySum.computeIfAbsent(m, k -> new DoubleAdder()).add(seconds);
    latencyCount.computeIfAbsent(m, k -> new AtomicLong()).incrementAndGet();
  }

  /** Registers a gauge read at scrape time. */
  public void gauge(String name, String help, LongSupplier value) {
    gauges.put(name, value);
    gaugeHelp.put(name, help);
  }

  /** Calls of {@code method} that ended with {@code code} so far. */
  public long requests(String method, String code) {
    AtomicLong c = requests.get(label("method", method) + "," + label("code", code));
    return c == null ? 0 : c.get();
  }

  /** The current value of gauge {@code name}. */
  public long gaugeValue(String name) {
    LongSupplier g = gauges.get(name);
    if (g == null) {
      throw new IllegalArgumentException("no gauge " + name);
    }
    return g.getAsLong();
  }

  /** Everything, in the Prometheus text format. */
  public String scrape() {
    StringBuilder sb = new StringBuilder();
    sb.append("# HELP polyhe_requests_total gRPC calls by method and status code.\n");
    sb.append("# TYPE polyhe_requests_total counter\n");
    new TreeMap<>(requests).forEach((k, v) -> sb.append("polyhe_requests_total{").append(k).append("} ")
        .append(v.get()).append('\n'));
    sb.append("# HELP polyhe_request_seconds gRPC call latency.\n");
    sb.append("# TYPE polyhe_request_seconds summary\n");
    for (Map.Entry<String, DoubleAdder> e : new TreeMap<>(latencySum).entrySet()) {
      sb.append("polyhe_request_seconds_sum{").append(e.getKey()).append("} ").append(e.getValue().sum()).append('\n');
      sb.append("polyhe_request_seconds_count{").append(e.getKey()).append("} ")
          .append(latencyCount.get(e.getKey()).get()).append('\n');
    }
    for (String name : new TreeMap<>(gauges).keySet()) {
      sb.append("# HELP ").append(name).append(' ').append(gaugeHelp.get(name)).append('\n');
      sb.append("# TYPE ").append(name).append(" gauge\n");
      sb.append(name).append(' ').append(gauges.get(name).getAsLong()).append('\n');
    }
    return sb.toString();
  }

  private static String label(String name, String value) {
    return name + "=\"" + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
  }
}
