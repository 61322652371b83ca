package io.polyhe.client;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.SecurityLevel;
import io.grpc.Status;
import java.util.concurrent.Executor;

/**
 * Sends {@code authorization: Bearer <key>} with every call, and only over a channel with privacy
 * and integrity (TLS): an API key is never sent in the clear. {@link #toString()} hides the key.
 */
final class BearerToken extends CallCredentials {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private final String key;

  BearerToken(String key) {
    if (key.isBlank() || key.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
      throw new IllegalArgumentException("an API key is non-empty printable ASCII without spaces");
    }
    this.key = key;
  }

  @Override
  public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
    if (info.getSecurityLevel() != SecurityLevel.PRIVACY_AND_INTEGRITY) {
      applier.fail(Status.UNAUTHENTICATED.withDescription(
          "refusing to send an API key over a channel without TLS"));
      return;
    }
    Metadata m = new Metadata();
    m.put(AUTHORIZATION, "Bearer " + key);
    applier.apply(m);
  }

  @Override
  public String toString() {
    return "BearerToken(***)";
  }
}
