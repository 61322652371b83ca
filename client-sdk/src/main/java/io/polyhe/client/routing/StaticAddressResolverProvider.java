package io.polyhe.client.routing;

import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.Status;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Resolves {@code polyhe-replicas:///host1:port1,host2:port2} to those addresses, one endpoint
 * each, in the order given (grpc-java has no built-in scheme for a fixed list of addresses). Hosts
 * are resolved once, when the channel starts. Stateless; thread-safe.
 */
final class StaticAddressResolverProvider extends NameResolverProvider {
  static final String SCHEME = "polyhe-replicas";

  /** The target naming {@code addresses}. */
  static String target(List<String> addresses) {
    if (addresses.isEmpty()) {
      throw new IllegalArgumentException("at least one replica address is needed");
    }
    for (String a : addresses) {
      parse(a);
    }
    return SCHEME + ":///" + String.join(",", addresses);
  }

  private static InetSocketAddress parse(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostPort.length() - 1) {
      throw new IllegalArgumentException("a replica address is host:port, got '" + hostPort + "'");
    }
    String host = hostPort.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new InetSocketAddress(host, Integer.parseInt(hostPort.substring(colon + 1)));
  }

  @Override
  public NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
    if (!SCHEME.equals(targetUri.getScheme())) {
      return null;
    }
    String[] addresses = targetUri.getPath().substring(1).split(",");
    String authority = addresses[0].substring(0, addresses[0].lastIndexOf(':'));
    return new NameResolver() {
      @Override
      public String getServiceAuthority() {
        return authority;
      }

      @Override
      public void start(Listener2 listener) {
        List<EquivalentAddressGroup> groups = new ArrayList<>();
        try {
          for (String a : addresses) {
            groups.add(new EquivalentAddressGroup(parse(a)));
          }
        } catch (IllegalArgumentException e) {
          listener.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()));
          return;
        }
        listener.onResult(ResolutionResult.newBuilder().setAddresses(groups).build());
      }

      @Override
      public void shutdown() {}
    };
  }

  @Override
  public String getDefaultScheme() {
    return SCHEME;
  }

  @Override
  protected boolean isAvailable() {
    return true;
  }

  @Override
  protected int priority() {
    return 5;
  }

  @Override
  public Collection<Class<? extends SocketAddress>> getProducedSocketAddressTypes() {
    return List.of(InetSocketAddress.class);
  }
}
