package io.polyhe.server.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.polyhe.client.routing.Failover;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The scrape text of {@link Metrics} line by line (exact text): today's metric names, the latency
 * histogram's cumulative buckets, the counters read at scrape time, and the retry counter fed by the
 * SDK's attempt header through {@link MetricsInterceptor}.
 */
class MetricsTest {
  static final String LIST = "polyhe.v1.ModelService/ListModels";

  static List<String> lines(Metrics m) {
    return m.scrape().lines().toList();
  }

  @Test
  void callsAreCountedAndTheirLatencyIsAHistogramWithCumulativeBuckets() {
    Metrics m = new Metrics();
    m.recordCall(LIST, "OK", 0.004);
    m.recordCall(LIST, "OK", 0.2);
    m.recordCall(LIST, "UNAVAILABLE", 30.0);
    List<String> out = lines(m);
    assertTrue(out.contains("# TYPE polyhe_requests_total counter"), String.join("\n", out));
    assertTrue(out.contains("polyhe_requests_total{code=\"OK\",method=\"" + LIST + "\"} 2.0"), String.join("\n", out));
    assertTrue(out.contains("polyhe_requests_total{code=\"UNAVAILABLE\",method=\"" + LIST + "\"} 1.0"));
    assertTrue(out.contains("# TYPE polyhe_request_seconds histogram"), String.join("\n", out));
    String b = "polyhe_request_seconds_bucket{method=\"" + LIST + "\",le=\"";
    assertTrue(out.contains(b + "0.005\"} 1"), String.join("\n", out));
    assertTrue(out.contains(b + "0.1\"} 1"));
    assertTrue(out.contains(b + "0.25\"} 2"));
    assertTrue(out.contains(b + "25.0\"} 2"));
    assertTrue(out.contains(b + "60.0\"} 3"));
    assertTrue(out.contains(b + "600.0\"} 3"));
    assertTrue(out.contains(b + "+Inf\"} 3"));
    assertTrue(out.contains("polyhe_request_seconds_count{method=\"" + LIST + "\"} 3"));
    String sum = out.stream().filter(l -> l.startsWith("polyhe_request_seconds_sum{")).findFirst().orElseThrow();
    assertEquals(30.204, Double.parseDouble(sum.substring(sum.lastIndexOf(' ') + 1)), 1e-6);
    assertEquals(Metrics.LATENCY_BUCKETS.length + 1, out.stream().filter(l -> l.startsWith(b)).count(),
        "one line per bucket and +Inf");
    assertEquals(2, m.requests(LIST, "OK"));
    assertEquals(0, m.requests(LIST, "NOT_FOUND"));
  }

  @Test
  void gaugesAndCountersAreReadWhenScraped() {
    Metrics m = new Metrics();
    AtomicLong depth = new AtomicLong(3);
    AtomicLong loads = new AtomicLong();
    m.gauge("polyhe_inference_queue_depth", "Inference requests admitted and waiting.", depth::get);
    m.counter("polyhe_key_store_loads", "Key files read.", "store", "s3", loads::get);
    depth.set(5);
    loads.addAndGet(2);
    List<String> out = lines(m);
    assertTrue(out.contains("# HELP polyhe_inference_queue_depth Inference requests admitted and waiting."),
        String.join("\n", out));
    assertTrue(out.contains("# TYPE polyhe_inference_queue_depth gauge"));
    assertTrue(out.contains("polyhe_inference_queue_depth 5.0"), String.join("\n", out));
    assertTrue(out.contains("# TYPE polyhe_key_store_loads_total counter"));
    assertTrue(out.contains("polyhe_key_store_loads_total{store=\"s3\"} 2.0"), String.join("\n", out));
    assertEquals(5, m.gaugeValue("polyhe_inference_queue_depth"));
    assertThrows(IllegalArgumentException.class, () -> m.gaugeValue("polyhe_no_such_gauge"));
  }

  @Test
  void aCallRetriedByTheSdksFailoverIsCountedAsARetry() throws Exception {
    Metrics m = new Metrics();
    AtomicInteger calls = new AtomicInteger(1);
    // The first attempt fails as a dying replica's would; the failover sends the call again.
    ServerInterceptor failFirst = new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
          ServerCallHandler<Q, R> next) {
        if (calls.getAndIncrement() == 0) {
          call.close(Status.UNAVAILABLE.withDescription("replica going away"), new Metadata());
          return new ServerCall.Listener<>() {};
        }
        return next.startCall(call, headers);
      }
    };
    String name = InProcessServerBuilder.generateName();
    Server server = InProcessServerBuilder.forName(name).directExecutor().addService(ServerInterceptors.intercept(
        new HealthStatusManager().getHealthService(), failFirst, new MetricsInterceptor(m))).build().start();
    ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor()
        .intercept(Failover.interceptor()).build();
    try {
      String check = "grpc.health.v1.Health/Check";
      HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance());
      assertFalse(m.scrape().contains("polyhe_request_retries_total"), "a first attempt is no retry");
      calls.set(0);
      Failover failover = new Failover(3, Duration.ZERO);
      failover.call(null, () -> HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance()));
      assertEquals(1, failover.retries());
      assertEquals(1, m.requests(check, "UNAVAILABLE"));
      assertEquals(2, m.requests(check, "OK"));
      assertTrue(lines(m).contains("polyhe_request_retries_total{method=\"" + check + "\"} 1.0"), m.scrape());
      // Without the failover's interceptor there is no header, and an unretried failure counts no retry.
      calls.set(0);
      ManagedChannel plain = InProcessChannelBuilder.forName(name).directExecutor().build();
      assertThrows(StatusRuntimeException.class,
          () -> HealthGrpc.newBlockingStub(plain).check(HealthCheckRequest.getDefaultInstance()));
      plain.shutdownNow();
      assertTrue(lines(m).contains("polyhe_request_retries_total{method=\"" + check + "\"} 1.0"), m.scrape());
    } finally {
      channel.shutdownNow();
      server.shutdownNow();
    }
  }
}
