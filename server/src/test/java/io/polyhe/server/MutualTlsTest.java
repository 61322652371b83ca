package io.polyhe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.polyhe.server.tls.SelfSignedCertificate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With a client CA configured, only clients presenting a certificate from it get through. */
class MutualTlsTest {
  @TempDir Path dir;

  @Test
  void clientsWithoutACertificateFromTheClientCaAreRefused() throws Exception {
    Path clientCert = dir.resolve("client-cert.pem");
    Path clientKey = dir.resolve("client-key.pem");
    SelfSignedCertificate.generate(clientCert, clientKey, List.of("polyhe-client"), Duration.ofDays(1));
    Path strangerCert = dir.resolve("stranger-cert.pem");
    Path strangerKey = dir.resolve("stranger-key.pem");
    SelfSignedCertificate.generate(strangerCert, strangerKey, List.of("stranger"), Duration.ofDays(1));
    try (TestServer server = TestServer.start(dir, b -> b.clientCa(clientCert))) {
      ManagedChannel withCert = channel(server, clientCert, clientKey);
      ManagedChannel stranger = channel(server, strangerCert, strangerKey);
      ManagedChannel none = server.channel();
      try {
        assertEquals(1, TestServer.client(withCert, TestServer.ALICE_KEY).listModels().size());
        for (ManagedChannel refused : List.of(stranger, none)) {
          var e = assertThrows(StatusRuntimeException.class,
              () -> TestServer.client(refused, TestServer.ALICE_KEY).listModels());
          assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
        }
      } finally {
        withCert.shutdownNow();
        stranger.shutdownNow();
        none.shutdownNow();
      }
    }
  }

  static ManagedChannel channel(TestServer server, Path cert, Path key) throws Exception {
    return Grpc.newChannelBuilderForAddress("localhost", server.server.port(), TlsChannelCredentials.newBuilder()
        .trustManager(server.cert.toFile()).keyManager(cert.toFile(), key.toFile()).build()).build();
  }
}
