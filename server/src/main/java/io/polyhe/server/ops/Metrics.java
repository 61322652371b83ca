package io.polyhe.server.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The server's meters, on Micrometer's Prometheus registry: calls by method and status code
 * ({@code polyhe_requests_total}), their latency as a histogram ({@code polyhe_request_seconds}, so
 * Prometheus computes p50 and p99 with {@code histogram_quantile}), calls that are a client's retry
 * ({@code polyhe_request_retries_total}), and gauges and counters read when scraped. No label ever
 * holds a caller, a session or a payload. Thread-safe.
 */
public final class Metrics {
  /**
   * Bucket bounds of the latency histogram, seconds: small calls take milliseconds, a key upload
   * seconds, a pass of a shipped model seconds to minutes.
   */
  static final Duration[] LATENCY_BUCKETS = {ms(5), ms(25), ms(100), ms(250), ms(500), ms(1000), ms(2500),
      ms(5000), ms(10_000), ms(25_000), ms(60_000), ms(120_000), ms(300_000), ms(600_000)};

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  private static Duration ms(long millis) {
    return Duration.ofMillis(millis);
  }

  /** Counts one finished call of {@code method} with status {@code code} that took {@code seconds}. */
  public void recordCall(String method, String code, double seconds) {
    Counter.builder("polyhe_requests").description("gRPC calls by method and status code.")
        .tags("method", method, "code", code).register(registry).increment();
    Timer.builder("polyhe_request").description("gRPC call latency.").tag("method", method)
        .serviceLevelObjectives(LATENCY_BUCKETS).register(registry)
        .record((long) (seconds * 1e9), TimeUnit.NANOSECONDS);
  }

  /** Counts one call of {@code method} that the client sent as a retry of a failed attempt. */
  public void recordRetry(String method) {
    Counter.builder("polyhe_request_retries")
        .description("gRPC calls that a client sent again after an attempt failed (on this or another replica).")
        .tag("method", method).register(registry).increment();
  }

  /** Registers a gauge read at scrape time. */
  public void gauge(String name, String help, LongSupplier value) {
    Gauge.builder(name, value, LongSupplier::getAsLong).description(help)
        // Strong: the supplier is referenced by nothing else, and a weakly held one reads NaN after a GC.
        .strongReference(true).register(registry);
  }

  /**
   * Registers a counter read at scrape time from {@code value} (which only grows), with one label;
   * published as {@code name_total}.
   */
  public void counter(String name, String help, String label, String labelValue, LongSupplier value) {
    FunctionCounter.builder(name, value, LongSupplier::getAsLong).description(help).tag(label, labelValue)
        .register(registry);
  }

  /** Calls of {@code method} that ended with {@code code} so far. */
  public long requests(String method, String code) {
    Counter c = registry.find("polyhe_requests").tags("method", method, "code", code).counter();
    return c == null ? 0 : (long) c.count();
  }

  /** The current value of gauge {@code name}. */
  public long gaugeValue(String name) {
    Gauge g = registry.find(name).gauge();
    if (g == null) {
      throw new IllegalArgumentException("no gauge " + name);
    }
    return (long) g.value();
  }

  /** Everything, in the Prometheus text format (version 0.0.4). */
  public String scrape() {
    return registry.scrape();
  }
}
