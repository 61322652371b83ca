package io.polyhe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ConnectivityState;
import io.grpc.Context;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The transport's connection limits ({@link ConnectionLimits}, issue 23 item 5), each at the limit
 * and one past it, on a real loopback port with the health service (whose Watch is a call that stays
 * open): calls per connection, connection idle time and age, the server's keep-alive pings, and the
 * client ping policy. No model is loaded. On main (gRPC's defaults) calls per connection were
 * unbounded, idle connections and old ones stayed open for ever and the server pinged only after
 * two hours, so the tests past those limits fail there. Waits are generous liveness bounds.
 */
class ConnectionLimitsTest {

  record Running(Server server, ManagedChannel channel) implements AutoCloseable {
    @Override
    public void close() throws InterruptedException {
      channel.shutdownNow();
      server.shutdownNow();
      server.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  static Running start(Consumer<ServerConfig.Builder> limits) throws Exception {
    ServerConfig.Builder b = ServerConfig.builder().keyStore(Path.of("unused"));
    limits.accept(b);
    Server s = ConnectionLimits.apply(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0),
        InsecureServerCredentials.create()), b.build()).addService(new HealthStatusManager().getHealthService())
        .build().start();
    return new Running(s, Grpc.newChannelBuilderForAddress("127.0.0.1", s.getPort(),
        InsecureChannelCredentials.create()).build());
  }

  /** A health Watch: an open call; its first answer says the server has it. */
  static final class Watch implements StreamObserver<HealthCheckResponse> {
    final BlockingQueue<HealthCheckResponse> answers = new LinkedBlockingQueue<>();
    final CompletableFuture<Status> status = new CompletableFuture<>();
    final Context.CancellableContext context = Context.current().withCancellation();

    Watch(ManagedChannel channel) {
      context.run(() -> HealthGrpc.newStub(channel).watch(HealthCheckRequest.getDefaultInstance(), this));
    }

    @Override
    public void onNext(HealthCheckResponse r) {
      answers.add(r);
    }

    @Override
    public void onError(Throwable t) {
      status.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      status.complete(Status.OK);
    }
  }

  @Test
  void callsUpToTheLimitRunOnOneConnectionAndOneMoreWaitsForAFreeOne() throws Exception {
    try (Running r = start(b -> b.maxCallsPerConnection(3))) {
      List<Watch> open = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Watch w = new Watch(r.channel());
        assertTrue(w.answers.poll(15, TimeUnit.SECONDS) != null, "call " + (i + 1) + " of 3 runs");
        open.add(w);
      }
      Watch past = new Watch(r.channel());
      assertNull(past.answers.poll(1, TimeUnit.SECONDS), "a 4th call on the connection is not served");
      open.forEach(w -> w.context.cancel(null));
      // Other connections are not affected.
      ManagedChannel other = Grpc.newChannelBuilderForAddress("127.0.0.1", r.server().getPort(),
          InsecureChannelCredentials.create()).build();
      try {
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, HealthGrpc.newBlockingStub(other)
            .withDeadlineAfter(15, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance()).getStatus());
      } finally {
        other.shutdownNow();
      }
      past.context.cancel(null);
    }
  }

  @Test
  void aConnectionWithACallOutlivesTheIdleTimeAndOneWithoutIsClosed() throws Exception {
    try (Running r = start(b -> b.maxConnectionIdle(Duration.ofMillis(300)))) {
      Watch w = new Watch(r.channel());
      assertTrue(w.answers.poll(15, TimeUnit.SECONDS) != null);
      Thread.sleep(1500);
      assertEquals(ConnectivityState.READY, r.channel().getState(false), "a call keeps its connection");
      assertTrue(!w.status.isDone(), "and the call runs on");
      w.context.cancel(null);
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (r.channel().getState(false) == ConnectivityState.READY && System.nanoTime() < end) {
        Thread.sleep(50);
      }
      assertNotEquals(ConnectivityState.READY, r.channel().getState(false), "the idle connection was closed");
    }
  }

  @Test
  void aConnectionPastItsAgeEndsItsCallsAfterTheGraceAndTheClientReconnects() throws Exception {
    try (Running r = start(b -> b.maxConnectionAge(Duration.ofMillis(500)).maxConnectionAgeGrace(Duration.ofMillis(500)))) {
      Watch w = new Watch(r.channel());
      assertTrue(w.answers.poll(15, TimeUnit.SECONDS) != null);
      Status s = w.status.get(15, TimeUnit.SECONDS);
      assertEquals(Status.Code.UNAVAILABLE, s.getCode(), s.toString());
      HealthCheckResponse again = HealthGrpc.newBlockingStub(r.channel()).withDeadlineAfter(15, TimeUnit.SECONDS)
          .check(HealthCheckRequest.getDefaultInstance());
      assertEquals(HealthCheckResponse.ServingStatus.SERVING, again.getStatus(), "a new connection serves");
    }
  }

  @Test
  void aPeerThatAnswersTheServersPingsStaysConnectedAndOneThatDoesNotIsClosed() throws Exception {
    try (Running r = start(b -> b.keepAliveTime(Duration.ofMillis(200)).keepAliveTimeout(Duration.ofMillis(500)))) {
      try (RawHttp2 live = RawHttp2.plain(r.server().getPort())) {
        assertEquals(-2, live.awaitGoAway(2500, true), "answering pings keeps the connection");
      }
      try (RawHttp2 dead = RawHttp2.plain(r.server().getPort())) {
        assertNotEquals(-2, dead.awaitGoAway(15_000, false), "a peer that does not answer is dropped");
      }
    }
  }

  @Test
  void twoEarlyClientPingsAreToleratedAndTheThirdClosesTheConnection() throws Exception {
    try (Running r = start(b -> {})) {
      try (RawHttp2 h2 = RawHttp2.plain(r.server().getPort())) {
        h2.ping(1);
        h2.ping(2);
        assertEquals(-2, h2.awaitGoAway(1000, true), "two pings within the permitted interval are tolerated");
        h2.ping(3);
        assertEquals(RawHttp2.ENHANCE_YOUR_CALM, h2.awaitGoAway(15_000, true), "the third is one too many");
      }
    }
  }
}
