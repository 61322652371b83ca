package io.polyhe.client.routing;

import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.Metadata;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.Callable;

/**
 * The affinity key of a session in call metadata ({@link #HEADER}), which gRPC's ring-hash policy
 * hashes to pick a replica, so every call of a session goes to the replica whose cache holds its
 * keys while that replica lives. The key is a SHA-256 of the session id, not the id itself: an id is
 * a bearer of access to the session's keys, and headers are what proxies and access logs record.
 *
 * <p>Calls made inside {@link #call} (on that thread, where gRPC starts them) carry the header;
 * others (listing models, uploading keys: no session yet) carry none and go to any replica.
 * Stateless apart from the gRPC context; thread-safe.
 */
public final class SessionAffinity {
  /** The header ring hash is keyed on. */
  public static final String HEADER = "polyhe-session-affinity";

  static final Metadata.Key<String> KEY = Metadata.Key.of(HEADER, Metadata.ASCII_STRING_MARSHALLER);
  private static final Context.Key<String> CURRENT = Context.key("polyhe-session-affinity");

  private SessionAffinity() {}

  /** The affinity key of {@code sessionId}: 32 hex digits of its SHA-256. */
  public static String keyOf(String sessionId) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(sessionId.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  /** Runs {@code body} with the calls it starts routed by {@code sessionId}'s affinity key. */
  public static <T> T call(String sessionId, Callable<T> body) throws Exception {
    return Context.current().withValue(CURRENT, keyOf(sessionId)).call(body);
  }

  /** The interceptor that adds the header to calls started inside {@link #call}. */
  public static ClientInterceptor interceptor() {
    return new ContextHeader(CURRENT, KEY);
  }
}
