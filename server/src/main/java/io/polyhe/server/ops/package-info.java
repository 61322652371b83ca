/** Observability: Prometheus metrics (and their HTTP endpoint, on Jetty) and the access log, one interceptor each. */
package io.polyhe.server.ops;
