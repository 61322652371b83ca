/**
 * Observability: Prometheus metrics on Micrometer (and their HTTP endpoint, on Jetty), OpenTelemetry
 * tracing (a server span per call continuing the client's W3C trace context, the spans of a forward
 * pass under it, OTLP export when configured) and the access log, one interceptor each.
 */
package io.polyhe.server.ops;
