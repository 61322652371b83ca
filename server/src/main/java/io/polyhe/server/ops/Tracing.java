package io.polyhe.server.ops;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The server's OpenTelemetry: with an OTLP endpoint, an SDK that batches spans to it over
 * OTLP/HTTP (protobuf, the JDK's HTTP client); without one, {@link OpenTelemetry#noop()}, whose
 * spans record nothing and cost a few object allocations per call. Either way the W3C trace-context
 * propagator reads the clients' {@code traceparent}.
 */
public final class Tracing implements AutoCloseable {
  /** The OTel resource's {@code service.name}. */
  public static final String SERVICE_NAME = "polyhe";

  private final OpenTelemetry openTelemetry;
  private final SdkTracerProvider provider;

  private Tracing(OpenTelemetry openTelemetry, SdkTracerProvider provider) {
    this.openTelemetry = openTelemetry;
    this.provider = provider;
  }

  /** Tracing off: nothing is recorded or exported. */
  public static Tracing off() {
    return new Tracing(OpenTelemetry.propagating(ContextPropagators.create(W3CTraceContextPropagator.getInstance())),
        null);
  }

  /** Exports to {@code endpoint} (a collector's OTLP/HTTP base URL) if present, else {@link #off()}. */
  public static Tracing of(Optional<URI> endpoint) {
    if (endpoint.isEmpty()) {
      return off();
    }
    String base = endpoint.get().toString().replaceAll("/+$", "");
    return exporting(OtlpHttpSpanExporter.builder().setEndpoint(base + "/v1/traces").build());
  }

  /** Exports through {@code exporter} in batches (tests pass an in-memory one). */
  public static Tracing exporting(SpanExporter exporter) {
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(
            Attributes.of(AttributeKey.stringKey("service.name"), SERVICE_NAME))))
        .addSpanProcessor(BatchSpanProcessor.builder(exporter).build()).build();
    return new Tracing(OpenTelemetrySdk.builder().setTracerProvider(provider)
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build(), provider);
  }

  public OpenTelemetry openTelemetry() {
    return openTelemetry;
  }

  /** Whether spans are recorded and exported. */
  public boolean enabled() {
    return provider != null;
  }

  /** Exports the spans ended so far (waits up to 10 s). */
  public void flush() {
    if (provider != null) {
      provider.forceFlush().join(10, TimeUnit.SECONDS);
    }
  }

  /** Exports what is left and stops the exporter. */
  @Override
  public void close() {
    if (provider != null) {
      provider.shutdown().join(10, TimeUnit.SECONDS);
    }
  }
}
