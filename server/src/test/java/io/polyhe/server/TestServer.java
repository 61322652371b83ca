package io.polyhe.server;

import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.polyhe.client.PolyheClient;
import io.polyhe.server.auth.ApiKeys;
import io.polyhe.server.ops.Tracing;
import io.polyhe.server.tls.SelfSignedCertificate;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A server with two callers' API keys, and channels to it. For tests. {@link #start} runs it on a
 * free loopback port with TLS (a fresh self-signed certificate), as deployed; {@link #inProcess} on
 * grpc-java's in-process transport, for tests where a real port adds nothing (the same services,
 * interceptors and limits; the transport counts as private and integral, so API keys are sent).
 */
final class TestServer implements AutoCloseable {
  static final String ALICE_KEY = "alice-key-0123456789abcdef";
  static final String BOB_KEY = "bob-key-0123456789abcdef";

  final Path dir;
  final Path cert;
  final Path keyStore;
  final PolyheServer server;
  /** The in-process server's name; null for a real port. */
  private final String inProcessName;

  private TestServer(Path dir, PolyheServer server, String inProcessName) {
    this.dir = dir;
    this.cert = dir.resolve("cert.pem");
    this.keyStore = dir.resolve("keys");
    this.server = server;
    this.inProcessName = inProcessName;
  }

  /** Certificate and key in {@code dir}, store under {@code dir/keys}; {@code tweak} adjusts the config. */
  static TestServer start(Path dir, Consumer<ServerConfig.Builder> tweak) throws IOException {
    return start(dir, tweak, Tracing.off());
  }

  /** As {@link #start(Path, Consumer)}, tracing through {@code tracing}. */
  static TestServer start(Path dir, Consumer<ServerConfig.Builder> tweak, Tracing tracing) throws IOException {
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    if (!cert.toFile().exists()) {
      SelfSignedCertificate.generate(cert, key, List.of("localhost", "127.0.0.1"), Duration.ofDays(1));
    }
    ServerConfig.Builder b = ServerConfig.builder().port(0).tls(cert, key).keyStore(dir.resolve("keys"))
        .apiKeys(ApiKeys.of(Map.of("alice", ALICE_KEY, "bob", BOB_KEY))).metricsPort(0);
    tweak.accept(b);
    return new TestServer(dir, new PolyheServer(b.build()).tracing(tracing).start(), null);
  }

  /** As {@link #start} on the in-process transport: no port, no TLS, no metrics port. */
  static TestServer inProcess(Path dir, Consumer<ServerConfig.Builder> tweak) throws IOException {
    return inProcess(dir, tweak, Tracing.off());
  }

  /** As {@link #inProcess(Path, Consumer)}, tracing through {@code tracing}. */
  static TestServer inProcess(Path dir, Consumer<ServerConfig.Builder> tweak, Tracing tracing) throws IOException {
    ServerConfig.Builder b = ServerConfig.builder().keyStore(dir.resolve("keys"))
        .apiKeys(ApiKeys.of(Map.of("alice", ALICE_KEY, "bob", BOB_KEY)));
    tweak.accept(b);
    String name = InProcessServerBuilder.generateName();
    return new TestServer(dir, new PolyheServer(b.build(), InProcessServerBuilder.forName(name)).tracing(tracing).start(),
        name);
  }

  ManagedChannel channel() throws IOException {
    if (inProcessName != null) {
      return InProcessChannelBuilder.forName(inProcessName).build();
    }
    return Grpc.newChannelBuilderForAddress("localhost", server.port(),
        TlsChannelCredentials.newBuilder().trustManager(cert.toFile()).build()).build();
  }

  static PolyheClient client(ManagedChannel channel, String apiKey) {
    PolyheClient.Builder b = PolyheClient.builder(channel).inferTimeout(Duration.ofMinutes(3));
    if (apiKey != null) {
      b.apiKey(apiKey);
    }
    return b.build();
  }

  @Override
  public void close() throws InterruptedException {
    server.stop(Duration.ofSeconds(2));
  }
}
