package io.polyhe.cli.service;

import io.grpc.ManagedChannel;
import io.polyhe.client.PolyheClient;
import io.polyhe.server.PolyheServer;
import io.polyhe.server.ServerConfig;
import io.polyhe.server.auth.ApiKeys;
import io.polyhe.server.tls.SelfSignedCertificate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A real server in this process on a free loopback port, as a deployment would run it: TLS with a
 * fresh self-signed certificate, a random API key per named caller, a temporary key store. For the
 * commands that drive the product end to end ({@code demo}, {@code soak}). {@link #close()} stops it
 * and deletes its directory. API keys live only in memory and are never printed.
 */
final class LoopbackServer implements AutoCloseable {
  private final Path dir;
  private final Path cert;
  private final Map<String, String> keys;
  final PolyheServer server;

  private LoopbackServer(Path dir, Path cert, Map<String, String> keys, PolyheServer server) {
    this.dir = dir;
    this.cert = cert;
    this.keys = keys;
    this.server = server;
  }

  /** Starts a server for {@code callers}; {@code tweak} adjusts its configuration. */
  static LoopbackServer start(String prefix, List<String> callers, Consumer<ServerConfig.Builder> tweak)
      throws IOException {
    Path dir = Files.createTempDirectory(prefix);
    try {
      Path cert = dir.resolve("cert.pem");
      Path key = dir.resolve("key.pem");
      SelfSignedCertificate.generate(cert, key, List.of("localhost", "127.0.0.1"), Duration.ofDays(1));
      SecureRandom random = new SecureRandom();
      Map<String, String> keys = new LinkedHashMap<>();
      for (String caller : callers) {
        byte[] b = new byte[24];
        random.nextBytes(b);
        keys.put(caller, Base64.getUrlEncoder().withoutPadding().encodeToString(b));
      }
      ServerConfig.Builder b = ServerConfig.builder().port(0).tls(cert, key).apiKeys(ApiKeys.of(keys))
          .keyStore(dir.resolve("key-store"));
      tweak.accept(b);
      return new LoopbackServer(dir, cert, keys, new PolyheServer(b.build()).start());
    } catch (IOException | RuntimeException e) {
      deleteTree(dir);
      throw e;
    }
  }

  int port() {
    return server.port();
  }

  /** The server's self-signed certificate (PEM), for clients outside this process. */
  Path certificate() {
    return cert;
  }

  /** The API key of {@code caller}, for clients outside this process. */
  String apiKey(String caller) {
    return keys.get(caller);
  }

  Path keyStore() {
    return dir.resolve("key-store");
  }

  /** A new TLS channel to the server (the caller shuts it down). */
  ManagedChannel channel() throws IOException {
    return Channels.open("localhost:" + server.port(), cert, null, null, false);
  }

  /** A client of {@code caller} on {@code channel}. */
  PolyheClient client(io.grpc.Channel channel, String caller, Consumer<PolyheClient.Builder> tweak) {
    PolyheClient.Builder b = PolyheClient.builder(channel).apiKey(keys.get(caller));
    tweak.accept(b);
    return b.build();
  }

  /** Bytes under the key store now, temporary upload directories included. */
  long keyStoreBytesOnDisk() throws IOException {
    try (Stream<Path> walk = Files.walk(keyStore())) {
      return walk.filter(Files::isRegularFile).mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException e) {
          return 0; // deleted while walking
        }
      }).sum();
    } catch (java.io.UncheckedIOException e) {
      return -1;
    }
  }

  @Override
  public void close() throws InterruptedException, IOException {
    try {
      server.stop(Duration.ofSeconds(2));
    } finally {
      deleteTree(dir);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
