package io.polyhe.client.routing;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannelBuilder;
import io.grpc.NameResolverRegistry;
import java.util.List;
import java.util.Map;

/**
 * Channels to several polyhe replicas, balanced by gRPC's ring-hash policy ({@code
 * ring_hash_experimental}, from grpc-xds, gRFC A42/A76) keyed on {@link SessionAffinity#HEADER}:
 * the calls of one session go to one replica, and when it fails, to the next replica on the ring;
 * calls without the header go to a random replica. When replicas come and go, only the sessions of
 * the changed ring segments move (they are loaded from the shared key store on first use).
 *
 * <p>Targets: a list of {@code host:port} addresses ({@link #forAddresses}), or any gRPC target
 * whose resolver yields several addresses ({@link #forTarget}), such as {@code
 * dns:///polyhe.NAMESPACE.svc.cluster.local:50051} for a Kubernetes headless Service (the DNS
 * resolver re-resolves when a connection fails, so new pods join the ring).
 *
 * <p>grpc-java reads the ring-hash header setting only when the flag {@code
 * GRPC_EXPERIMENTAL_RING_HASH_SET_REQUEST_HASH_KEY} is true; this class sets it as a system property
 * unless the environment or a property already decides it. Stateless; thread-safe.
 */
public final class ReplicaChannels {
  static final String FLAG = "GRPC_EXPERIMENTAL_RING_HASH_SET_REQUEST_HASH_KEY";

  static {
    if (System.getenv(FLAG) == null && System.getProperty(FLAG) == null) {
      System.setProperty(FLAG, "true");
    }
    NameResolverRegistry.getDefaultRegistry().register(new StaticAddressResolverProvider());
  }

  private ReplicaChannels() {}

  /** The service config: ring hash on the affinity header. */
  public static Map<String, ?> serviceConfig() {
    return Map.of("loadBalancingConfig", List.of(Map.of("ring_hash_experimental",
        Map.of("requestHashHeader", SessionAffinity.HEADER))));
  }

  /**
   * A channel builder over {@code addresses} ({@code host:port}, at least one), with ring hash and
   * the affinity and attempt interceptors. TLS certificates are checked against the first address's host unless
   * {@code overrideAuthority} says otherwise.
   *
   * @throws IllegalArgumentException if {@code addresses} is empty or an address lacks a port
   */
  public static ManagedChannelBuilder<?> forAddresses(List<String> addresses, ChannelCredentials credentials) {
    return forTarget(StaticAddressResolverProvider.target(addresses), credentials);
  }

  /** A channel builder for any gRPC {@code target}, with ring hash and the affinity and attempt interceptors. */
  public static ManagedChannelBuilder<?> forTarget(String target, ChannelCredentials credentials) {
    return Grpc.newChannelBuilder(target, credentials).defaultServiceConfig(serviceConfig())
        .intercept(SessionAffinity.interceptor(), Failover.interceptor());
  }
}
