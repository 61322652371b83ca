/** Observability: Prometheus metrics (and their HTTP endpoint) and the access log, one interceptor each. */
package io.polyhe.server.ops;
