/**
 * What the server writes to its log, and how much: a rate limit for lines that outside callers can
 * trigger at will ({@link io.polyhe.server.logging.RateLimitedLog}) and the default levels of the
 * transport libraries' loggers ({@link io.polyhe.server.logging.TransportLogging}). Depends on
 * nothing else of the server.
 */
package io.polyhe.server.logging;
