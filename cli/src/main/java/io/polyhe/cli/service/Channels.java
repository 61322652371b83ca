package io.polyhe.cli.service;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.nio.file.Path;

/** Client channels of the commands: TLS by default, plaintext only when asked for by name. */
final class Channels {
  private Channels() {}

  /**
   * A channel to {@code target} ({@code host:port}): TLS trusting {@code ca} (or the system's CAs
   * when null), with a client certificate when {@code clientCert} and {@code clientKey} are given
   * (mTLS); plaintext only if {@code plaintext}.
   */
  static ManagedChannel open(String target, Path ca, Path clientCert, Path clientKey, boolean plaintext)
      throws IOException {
    if (!target.matches("[^:/\\s]+:\\d{1,5}")) {
      throw new IllegalArgumentException("target must be HOST:PORT, got '" + target + "'");
    }
    ChannelCredentials creds;
    if (plaintext) {
      if (ca != null || clientCert != null) {
        throw new IllegalArgumentException("--plaintext contradicts --tls-ca / --tls-client-cert");
      }
      creds = InsecureChannelCredentials.create();
    } else {
      TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
      if (ca != null) {
        tls.trustManager(ca.toFile());
      }
      if (clientCert != null) {
        if (clientKey == null) {
          throw new IllegalArgumentException("--tls-client-cert needs --tls-client-key");
        }
        tls.keyManager(clientCert.toFile(), clientKey.toFile());
      }
      creds = tls.build();
    }
    return Grpc.newChannelBuilder(target, creds).build();
  }
}
