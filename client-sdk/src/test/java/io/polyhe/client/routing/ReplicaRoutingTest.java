package io.polyhe.client.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ForwardingServerCall;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
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
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.MetadataUtils;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ring-hash routing and failover over three real gRPC servers on loopback (each answers health
 * checks and names itself in a response header): calls of one session go to one replica, sessions
 * spread over replicas, and when a session's replica is gone its calls are retried on another.
 */
class ReplicaRoutingTest {
  static final Metadata.Key<String> REPLICA = Metadata.Key.of("x-replica", Metadata.ASCII_STRING_MARSHALLER);
  final List<Server> servers = new ArrayList<>();
  ManagedChannel channel;

  @AfterEach
  void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    for (Server s : servers) {
      s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  static ServerInterceptor naming(String name) {
    return new ServerInterceptor() {
      @Override
      public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
          ServerCallHandler<Q, A> next) {
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          @Override
          public void sendHeaders(Metadata h) {
            h.put(REPLICA, name);
            super.sendHeaders(h);
          }
        }, headers);
      }
    };
  }

  List<String> start(int n) throws Exception {
    List<String> addresses = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      HealthStatusManager health = new HealthStatusManager();
      Server s = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
          .addService(ServerInterceptors.intercept(health.getHealthService(), naming("r" + i))).build().start();
      servers.add(s);
      addresses.add("127.0.0.1:" + s.getPort());
    }
    return addresses;
  }

  /** Which replica answers a health check made for {@code session}. */
  String replicaOf(Failover failover, String session) {
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    failover.call(session, () -> HealthGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
        .withDeadlineAfter(10, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance()));
    return headers.get().get(REPLICA);
  }

  @Test
  void aSessionStaysOnOneReplicaSessionsSpreadAndADeadReplicasSessionsMoveOn() throws Exception {
    List<String> addresses = start(3);
    channel = ReplicaChannels.forAddresses(addresses, InsecureChannelCredentials.create()).build();
    Failover failover = new Failover(3, Duration.ofMillis(50));
    Set<String> used = new HashSet<>();
    String moved = null;
    String home = null;
    for (int i = 0; i < 30; i++) {
      String session = "session-" + i;
      String first = replicaOf(failover, session);
      for (int j = 0; j < 3; j++) {
        assertEquals(first, replicaOf(failover, session), "a session's calls go to one replica");
      }
      used.add(first);
      if (first.equals("r1") && moved == null) {
        moved = session;
        home = first;
      }
    }
    assertTrue(used.size() >= 2, "sessions spread over replicas: " + used);
    assertTrue(moved != null, "some session lives on r1");
    servers.get(1).shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    String now = replicaOf(failover, moved);
    assertNotEquals(home, now, "the dead replica's session is served elsewhere");
    assertEquals(now, replicaOf(failover, moved), "and stays there");
  }

  @Test
  void failoverRetriesOnlyUnavailableAndOnlyAsOftenAsAllowed() {
    Failover failover = new Failover(3, Duration.ZERO);
    AtomicInteger attempts = new AtomicInteger();
    assertEquals("ok", failover.call("s", () -> {
      if (attempts.incrementAndGet() < 3) {
        throw Status.UNAVAILABLE.asRuntimeException();
      }
      return "ok";
    }));
    assertEquals(2, failover.retries());
    attempts.set(0);
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> failover.call("s", () -> {
      attempts.incrementAndGet();
      throw Status.UNAVAILABLE.asRuntimeException();
    }));
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    assertEquals(3, attempts.get(), "bounded");
    attempts.set(0);
    assertThrows(StatusRuntimeException.class, () -> failover.call("s", () -> {
      attempts.incrementAndGet();
      throw Status.NOT_FOUND.asRuntimeException();
    }));
    assertEquals(1, attempts.get(), "an answer is not retried");
  }

  @Test
  void theAffinityKeyIsAHashNotTheSessionId() {
    String id = "0123456789abcdefghijklmnopqrstuv";
    String key = SessionAffinity.keyOf(id);
    assertEquals(32, key.length());
    assertTrue(key.matches("[0-9a-f]{32}"));
    assertEquals(key, SessionAffinity.keyOf(id));
    assertNotEquals(key, SessionAffinity.keyOf(id.replace('v', 'w')));
  }
}
