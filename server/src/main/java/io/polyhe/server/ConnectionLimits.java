package io.polyhe.server;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.util.concurrent.TimeUnit;

/**
 * The transport's connection limits of a {@link ServerConfig}, set on the Netty server builder:
 * connection idle time and age (with a grace for running calls), concurrent calls per connection,
 * and the keep-alive policy (the server's own pings, and how often a client may ping; a client
 * pinging more often, or at all while it has no calls, gets GOAWAY ENHANCE_YOUR_CALM). gRPC's
 * defaults leave idle connections open for ever, allow unbounded calls per connection and ping
 * only every two hours. Stateless.
 */
final class ConnectionLimits {
  private ConnectionLimits() {}

  /** Sets {@code config}'s connection limits on {@code builder}; returns it. */
  static NettyServerBuilder apply(NettyServerBuilder builder, ServerConfig config) {
    return builder
        .maxConnectionIdle(config.maxConnectionIdle().toNanos(), TimeUnit.NANOSECONDS)
        .maxConnectionAge(config.maxConnectionAge().toNanos(), TimeUnit.NANOSECONDS)
        .maxConnectionAgeGrace(config.maxConnectionAgeGrace().toNanos(), TimeUnit.NANOSECONDS)
        .maxConcurrentCallsPerConnection(config.maxCallsPerConnection())
        .keepAliveTime(config.keepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
        .keepAliveTimeout(config.keepAliveTimeout().toNanos(), TimeUnit.NANOSECONDS)
        .permitKeepAliveTime(config.permitKeepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
        .permitKeepAliveWithoutCalls(false);
  }
}
