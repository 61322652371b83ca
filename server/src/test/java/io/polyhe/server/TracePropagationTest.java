package io.polyhe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.polyhe.client.PolyheClient;
import io.polyhe.server.ops.Tracing;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trace context travels from the SDK to the server in gRPC metadata (W3C {@code traceparent}): the
 * server's span of a call continues the trace of the application span current where the SDK call
 * was made, as its child, even with the SDK's default no-op OpenTelemetry (the SDK needs only the
 * API). Spans are checked as exported, through OpenTelemetry's in-memory exporter. No pass runs
 * (ServiceEndToEndTest checks a pass's spans), so this takes seconds.
 */
class TracePropagationTest {
  @TempDir static Path dir;
  static final InMemorySpanExporter serverSpans = InMemorySpanExporter.create();
  static final InMemorySpanExporter appSpans = InMemorySpanExporter.create();
  static Tracing tracing;
  static TestServer server;
  static ManagedChannel channel;
  static OpenTelemetrySdk app;

  @BeforeAll
  static void start() throws Exception {
    tracing = Tracing.exporting(serverSpans);
    server = TestServer.inProcess(dir, b -> {}, tracing);
    channel = server.channel();
    app = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
        .addSpanProcessor(SimpleSpanProcessor.create(appSpans)).build()).build();
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow();
    server.close();
    app.close();
  }

  @BeforeEach
  void clear() {
    tracing.flush();
    serverSpans.reset();
    appSpans.reset();
  }

  static SpanData onlyServerSpan(String name) {
    tracing.flush();
    List<SpanData> spans = serverSpans.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).toList();
    assertEquals(1, spans.size(), serverSpans.getFinishedSpanItems().toString());
    return spans.get(0);
  }

  @Test
  void theServersSpanIsAChildOfTheApplicationsSpanEvenThroughTheNoopDefault() {
    PolyheClient client = TestServer.client(channel, TestServer.ALICE_KEY); // no OpenTelemetry given
    Span span = app.getTracer("app").spanBuilder("app work").startSpan();
    try (Scope ignored = span.makeCurrent()) {
      client.listModels();
    } finally {
      span.end();
    }
    SpanData appSpan = appSpans.getFinishedSpanItems().get(0);
    SpanData serverSpan = onlyServerSpan("polyhe.v1.ModelService/ListModels");
    assertEquals(SpanKind.SERVER, serverSpan.getKind());
    assertEquals(appSpan.getTraceId(), serverSpan.getTraceId(), "one trace");
    assertEquals(appSpan.getSpanId(), serverSpan.getParentSpanId(), "the server span is the app span's child");
    assertTrue(serverSpan.getParentSpanContext().isRemote());
    assertEquals("grpc", serverSpan.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey("rpc.system")));
    assertEquals(0L, serverSpan.getAttributes().get(io.opentelemetry.api.common.AttributeKey.longKey("rpc.grpc.status_code")));
  }

  @Test
  void withoutATraceContextTheServerStartsATraceAndFailedCallsAreErrors() {
    PolyheClient mallory = TestServer.client(channel, "mallory-key-0123456789abcdef");
    var e = org.junit.jupiter.api.Assertions.assertThrows(io.grpc.StatusRuntimeException.class, mallory::listModels);
    assertEquals(io.grpc.Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
    SpanData serverSpan = onlyServerSpan("polyhe.v1.ModelService/ListModels");
    assertFalse(serverSpan.getParentSpanContext().isValid(), "a root span: the client sent no trace context");
    assertEquals(StatusCode.ERROR, serverSpan.getStatus().getStatusCode());
    assertEquals("UNAUTHENTICATED", serverSpan.getStatus().getDescription());
    String all = serverSpans.getFinishedSpanItems().toString();
    assertFalse(all.contains("mallory-key"), "no API key in spans");
  }
}
