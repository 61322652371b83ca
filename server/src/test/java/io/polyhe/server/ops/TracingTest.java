package io.polyhe.server.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Tracing is off without an endpoint (nothing recorded), and with one, spans leave over OTLP/HTTP:
 * a loopback HTTP server stands in for the collector and receives the protobuf export at {@code
 * /v1/traces}, with the span's name in it.
 */
class TracingTest {
  @Test
  void withoutAnEndpointNothingIsRecorded() {
    try (Tracing off = Tracing.of(Optional.empty())) {
      assertFalse(off.enabled());
      var span = off.openTelemetry().getTracer("t").spanBuilder("nothing").startSpan();
      assertFalse(span.isRecording());
      span.end();
    }
  }

  record Export(String path, String contentType, byte[] body) {}

  @Test
  void withAnEndpointSpansAreExportedOverOtlpHttp() throws Exception {
    LinkedBlockingQueue<Export> received = new LinkedBlockingQueue<>();
    HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    collector.createContext("/", exchange -> {
      received.add(new Export(exchange.getRequestURI().getPath(),
          exchange.getRequestHeaders().getFirst("Content-Type"), exchange.getRequestBody().readAllBytes()));
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    collector.start();
    try (Tracing on = Tracing.of(Optional.of(URI.create("http://127.0.0.1:" + collector.getAddress().getPort() + "/")))) {
      assertTrue(on.enabled());
      on.openTelemetry().getTracer("t").spanBuilder("polyhe-export-check").startSpan().end();
      on.flush();
      Export e = received.poll(20, TimeUnit.SECONDS);
      assertTrue(e != null, "nothing reached the collector");
      assertEquals("/v1/traces", e.path());
      assertEquals("application/x-protobuf", e.contentType());
      assertTrue(new String(e.body(), StandardCharsets.ISO_8859_1).contains("polyhe-export-check"));
      assertTrue(new String(e.body(), StandardCharsets.ISO_8859_1).contains(Tracing.SERVICE_NAME));
    } finally {
      collector.stop(0);
    }
  }
}
