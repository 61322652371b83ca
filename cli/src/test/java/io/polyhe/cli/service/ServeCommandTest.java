package io.polyhe.cli.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.polyhe.server.ServerConfig;
import io.polyhe.server.model.RefreshMode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every limit has a {@code serve} flag whose default is the configuration's default (docs/decisions.md, "Limits"). */
class ServeCommandTest {

  static ServerConfig parse(String... args) throws Exception {
    ServeCommand c = new ServeCommand();
    new CommandLine(c).parseArgs(args);
    return c.config();
  }

  @Test
  void flagDefaultsAreTheConfigurationDefaults() throws Exception {
    ServerConfig flags = parse("--key-store", "/tmp/x");
    ServerConfig config = ServerConfig.builder().keyStore(Path.of("/tmp/x")).build();
    assertEquals(config.maxMessageBytes(), flags.maxMessageBytes());
    assertEquals(4 << 20, flags.maxMessageBytes());
    assertEquals(config.maxChunksPerObject(), flags.maxChunksPerObject());
    assertEquals(4096, flags.maxChunksPerObject());
    assertEquals(config.maxDecodedBytes(), flags.maxDecodedBytes());
    assertEquals(1L << 30, flags.maxDecodedBytes());
    assertEquals(config.maxKeyBytesPerSession(), flags.maxKeyBytesPerSession());
    assertEquals(2L << 30, flags.maxKeyBytesPerSession());
    assertEquals(config.maxSessions(), flags.maxSessions());
    assertEquals(16, flags.maxSessions());
    assertEquals(config.maxSessionsPerCaller(), flags.maxSessionsPerCaller());
    assertEquals(4, flags.maxSessionsPerCaller());
    assertEquals(config.maxConcurrent(), flags.maxConcurrent());
    assertEquals(config.maxQueued(), flags.maxQueued());
    assertEquals(4, flags.maxQueued());
    assertEquals(config.maxPlacesPerCaller(), flags.maxPlacesPerCaller());
    assertEquals(2, flags.maxPlacesPerCaller());
    assertEquals(config.uploadIdleTimeout(), flags.uploadIdleTimeout());
    assertEquals(Duration.ofSeconds(60), flags.uploadIdleTimeout());
    assertEquals(config.refreshTimeout(), flags.refreshTimeout());
    assertEquals(config.sessionTtl(), flags.sessionTtl());
    assertEquals(config.cachedSessions(), flags.cachedSessions());
  }

  @Test
  void everyLimitFlagReachesTheConfigurationAndNonsenseIsRefused() throws Exception {
    ServerConfig c = parse("--key-store", "/tmp/x", "--max-message-bytes", "2000000", "--max-chunks-per-object", "7",
        "--max-decoded-bytes", "123456789", "--max-key-bytes-per-session", "999", "--max-sessions", "3",
        "--max-sessions-per-caller", "2", "--queue", "0", "--max-places-per-caller", "1",
        "--upload-idle-timeout-seconds", "5");
    assertEquals(2_000_000, c.maxMessageBytes());
    assertEquals(7, c.maxChunksPerObject());
    assertEquals(123456789L, c.maxDecodedBytes());
    assertEquals(999, c.maxKeyBytesPerSession());
    assertEquals(3, c.maxSessions());
    assertEquals(2, c.maxSessionsPerCaller());
    assertEquals(0, c.maxQueued());
    assertEquals(1, c.maxPlacesPerCaller());
    assertEquals(Duration.ofSeconds(5), c.uploadIdleTimeout());
    // A message limit below one protocol chunk would refuse every well-behaved client.
    assertThrows(IllegalArgumentException.class, () -> parse("--key-store", "/tmp/x", "--max-message-bytes", "65536"));
    assertThrows(IllegalArgumentException.class, () -> parse("--key-store", "/tmp/x", "--max-chunks-per-object", "0"));
    assertThrows(IllegalArgumentException.class,
        () -> parse("--key-store", "/tmp/x", "--upload-idle-timeout-seconds", "0"));
  }

  @Test
  void connectionStreamAndUploadLimitFlagsHaveTheConfigurationDefaultsAndReachIt() throws Exception {
    ServerConfig flags = parse("--key-store", "/tmp/x");
    ServerConfig config = ServerConfig.builder().keyStore(Path.of("/tmp/x")).build();
    assertEquals(config.maxConnectionIdle(), flags.maxConnectionIdle());
    assertEquals(config.maxConnectionAge(), flags.maxConnectionAge());
    assertEquals(config.maxConnectionAgeGrace(), flags.maxConnectionAgeGrace());
    assertEquals(config.maxCallsPerConnection(), flags.maxCallsPerConnection());
    assertEquals(config.keepAliveTime(), flags.keepAliveTime());
    assertEquals(config.keepAliveTimeout(), flags.keepAliveTimeout());
    assertEquals(config.permitKeepAliveTime(), flags.permitKeepAliveTime());
    assertEquals(config.maxInferStreamsPerCaller(), flags.maxInferStreamsPerCaller());
    assertEquals(config.maxUploadMemoryBytes(), flags.maxUploadMemoryBytes());
    assertEquals(ServerConfig.defaultUploadMemoryBytes(), flags.maxUploadMemoryBytes());
    assertEquals(config.maxUploadTime(), flags.maxUploadTime());
    ServerConfig c = parse("--key-store", "/tmp/x", "--max-connection-idle-seconds", "7", "--max-connection-age-seconds",
        "8", "--max-connection-age-grace-seconds", "9", "--max-calls-per-connection", "10", "--keepalive-seconds", "11",
        "--keepalive-timeout-seconds", "12", "--permit-keepalive-seconds", "13", "--max-infer-streams-per-caller", "3",
        "--max-upload-memory-bytes", "123456", "--upload-timeout-seconds", "14");
    assertEquals(Duration.ofSeconds(7), c.maxConnectionIdle());
    assertEquals(Duration.ofSeconds(8), c.maxConnectionAge());
    assertEquals(Duration.ofSeconds(9), c.maxConnectionAgeGrace());
    assertEquals(10, c.maxCallsPerConnection());
    assertEquals(Duration.ofSeconds(11), c.keepAliveTime());
    assertEquals(Duration.ofSeconds(12), c.keepAliveTimeout());
    assertEquals(Duration.ofSeconds(13), c.permitKeepAliveTime());
    assertEquals(3, c.maxInferStreamsPerCaller());
    assertEquals(123456, c.maxUploadMemoryBytes());
    assertEquals(Duration.ofSeconds(14), c.maxUploadTime());
    assertThrows(IllegalArgumentException.class, () -> parse("--key-store", "/tmp/x", "--max-calls-per-connection", "0"));
    assertThrows(IllegalArgumentException.class, () -> parse("--key-store", "/tmp/x", "--upload-timeout-seconds", "0"));
  }

  /**
   * {@code --rotation-keys} reaches the configuration and the served model: more keys than the
   * default's 21 for tiny, every step direct; refused below 1.
   */
  @Test
  void rotationKeysReachTheServedModel() throws Exception {
    assertEquals(java.util.Optional.empty(), parse("--key-store", "/tmp/x").rotationKeys());
    ServerConfig c = parse("--key-store", "/tmp/x", "--rotation-keys", "64");
    assertEquals(java.util.Optional.of(64), c.rotationKeys());
    assertThrows(IllegalArgumentException.class, () -> parse("--key-store", "/tmp/x", "--rotation-keys", "0"));
    var backend = new io.polyhe.he.backend.JavaBackend(1);
    var fast = io.polyhe.server.model.ModelRegistry.load(java.util.List.of("tiny"), backend, RefreshMode.CLIENT,
        io.polyhe.server.model.WireFormat.POLYHE, c.rotationKeys()).all().iterator().next();
    var small = io.polyhe.server.model.ModelRegistry.load(java.util.List.of("tiny"), backend, RefreshMode.CLIENT)
        .all().iterator().next();
    int many = fast.manifest().getGaloisElementsCount();
    int few = small.manifest().getGaloisElementsCount();
    assertEquals(io.polyhe.models.encrypted.EncryptedTransformer.MAX_ROTATION_KEYS, few);
    org.junit.jupiter.api.Assertions.assertTrue(many > few, many + " Galois keys with --rotation-keys 64, " + few
        + " by default");
  }

  @Test
  void refreshFlagsChooseTheModeAndItsKeyQuota() throws Exception {
    assertEquals(RefreshMode.CLIENT, parse("--key-store", "/tmp/x").refresh());
    ServerConfig boot = parse("--key-store", "/tmp/x", "--refresh", "bootstrap");
    assertEquals(RefreshMode.BOOTSTRAP, boot.refresh());
    assertEquals(ServerConfig.DEFAULT_KEY_BYTES_PER_SESSION_BOOTSTRAP, boot.maxKeyBytesPerSession());
    assertEquals(123, parse("--key-store", "/tmp/x", "--refresh", "bootstrap", "--max-key-bytes-per-session", "123")
        .maxKeyBytesPerSession());
    assertEquals(RefreshMode.INSECURE_TEST_BOOTSTRAP,
        parse("--key-store", "/tmp/x", "--refresh", "bootstrap", "--insecure-test-bootstrap").refresh());
    // The insecure parameters only with bootstrapping asked for by name, and no mode but the two.
    assertThrows(IllegalArgumentException.class, () -> parse("--key-store", "/tmp/x", "--insecure-test-bootstrap"));
    assertThrows(IllegalArgumentException.class, () -> parse("--key-store", "/tmp/x", "--refresh", "bootstrapping"));
  }

  @Test
  void tracingIsExportedToTheFlagsEndpointElseTheStandardVariablesElseNowhere() throws Exception {
    assertEquals(java.util.Optional.of(java.net.URI.create("http://collector:4318")),
        parse("--key-store", "/tmp/x", "--otlp-endpoint", "http://collector:4318").otlpEndpoint());
    assertEquals(java.net.URI.create("http://env:4318"), ServeCommand.otlpEndpoint(null, "http://env:4318"));
    assertEquals(java.net.URI.create("https://flag:4318"), ServeCommand.otlpEndpoint("https://flag:4318", "http://env:4318"));
    assertEquals(null, ServeCommand.otlpEndpoint(null, null));
    assertEquals(null, ServeCommand.otlpEndpoint(null, " "));
    assertThrows(IllegalArgumentException.class, () -> ServeCommand.otlpEndpoint("collector:4318", null));
    assertThrows(IllegalArgumentException.class, () -> ServeCommand.otlpEndpoint("ftp://collector", null));
  }
}
