package io.polyhe.cli.service;

import io.polyhe.models.ShippedModels;
import io.polyhe.server.PolyheServer;
import io.polyhe.server.ServerConfig;
import io.polyhe.server.auth.ApiKeys;
import io.polyhe.server.model.RefreshMode;
import io.polyhe.server.model.WireFormat;
import io.polyhe.server.session.S3Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code polyhe serve}: runs the gRPC server until interrupted (Ctrl-C stops it gracefully). */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Serve encrypted inference over gRPC (model, key and inference services, health, metrics).")
public final class ServeCommand implements Callable<Integer> {

  @Option(names = "--model", defaultValue = ShippedModels.DEFAULT, split = ",",
      description = "Shipped model names or model directories (default: ${DEFAULT-VALUE}).")
  List<String> models;

  @Option(names = "--host", defaultValue = "127.0.0.1",
      description = "Interface to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 for all).")
  String host;

  @Option(names = "--port", defaultValue = "50051", description = "gRPC port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--tls-cert", description = "PEM certificate chain (TLS; see polyhe certs gen).")
  Path tlsCert;

  @Option(names = "--tls-key", description = "PEM PKCS#8 private key of --tls-cert.")
  Path tlsKey;

  @Option(names = "--tls-client-ca", description = "PEM CA that client certificates must chain to (mTLS).")
  Path clientCa;

  @Option(names = "--api-keys", description = "File of caller:key lines; every call then needs a bearer key.")
  Path apiKeys;

  @Option(names = "--key-store", description = "Where uploaded evaluation keys live: a directory, or s3://BUCKET[/PREFIX]"
      + " shared by every replica (default: ~/.polyhe/key-store). S3 credentials come from the AWS SDK's default"
      + " chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, ~/.aws/credentials, AWS_SHARED_CREDENTIALS_FILE, roles)"
      + " or --s3-credentials-file, never from a flag.")
  String keyStore;

  @Option(names = "--health-port", description = "Also serve the gRPC health service, alone and in plaintext, on this"
      + " port (for Kubernetes gRPC probes, which speak no TLS).")
  Integer healthPort;

  @Option(names = "--s3-endpoint", description = "An S3-compatible server (MinIO, Ceph RGW, S3Proxy) instead of AWS,"
      + " e.g. http://minio:9000; path-style addressing.")
  java.net.URI s3Endpoint;

  @Option(names = "--s3-region", description = "S3 signing region (default: the SDK's region chain; us-east-1 with"
      + " --s3-endpoint).")
  String s3Region;

  @Option(names = "--s3-credentials-file", description = "An AWS credentials file (profile default or $AWS_PROFILE).")
  Path s3CredentialsFile;

  @Option(names = "--max-sessions", defaultValue = "16", description = "Sessions stored at most (default: ${DEFAULT-VALUE}).")
  int maxSessions;

  @Option(names = "--cached-sessions", defaultValue = "2",
      description = "Sessions whose keys stay in memory, ~1.2 GB each for tiny (default: ${DEFAULT-VALUE}).")
  int cachedSessions;

  @Option(names = "--max-concurrent", defaultValue = "1",
      description = "Forward passes at once (default: ${DEFAULT-VALUE}).")
  int maxConcurrent;

  @Option(names = "--queue", defaultValue = "4",
      description = "Requests waiting beyond those; more get RESOURCE_EXHAUSTED (default: ${DEFAULT-VALUE}).")
  int queue;

  @Option(names = "--session-ttl-hours", defaultValue = "24", description = "Session lifetime (default: ${DEFAULT-VALUE}).")
  long ttlHours;

  @Option(names = "--refresh-timeout-seconds", defaultValue = "60",
      description = "How long a pass waits for a client's refresh answer (default: ${DEFAULT-VALUE}).")
  long refreshTimeout;

  @Option(names = "--max-key-bytes-per-session",
      description = "Serialised evaluation-key bytes one session may hold (default: 2147483648; 8589934592 with"
          + " --refresh bootstrap, whose 128-bit keys for tiny take 4.55 GB).")
  Long maxKeyBytesPerSession;

  @Option(names = "--refresh", defaultValue = "client",
      description = "How passes refresh ciphertexts: client (client-aided: the client decrypts and re-encrypts on"
          + " request) or bootstrap (non-interactive bootstrapping on the server, 128-bit N = 2^16 parameters;"
          + " clients upload the bootstrap keys too); default: ${DEFAULT-VALUE}.")
  String refresh;

  @Option(names = "--format", defaultValue = "polyhe",
      description = "How keys and ciphertexts travel: polyhe (polyhe's binary format and CKKS profile) or seal"
          + " (Microsoft SEAL 4.x serialisation under SEAL's CKKS profile: any SEAL program, e.g. examples/node on"
          + " node-seal, is a client; client-aided refresh only); default: ${DEFAULT-VALUE}.")
  String format;

  @Option(names = "--rotation-keys", description = "Galois keys for at most this many rotation steps; passes"
      + " compose the others from them (default: 21 where that keeps a model's evaluation keys under 100 MB, as"
      + " tiny's and fortune's, else every step: more keys, a larger upload and faster passes).")
  Integer rotationKeys;

  @Option(names = "--insecure-test-bootstrap",
      description = "With --refresh bootstrap: INSECURE N = 2^14 test parameters instead of the 128-bit ones;"
          + " data sent to the server is NOT protected. For tests and demonstrations only.")
  boolean insecureTestBootstrap;

  @Option(names = "--max-sessions-per-caller", defaultValue = "4",
      description = "Sessions (stored or uploading) one caller may hold (default: ${DEFAULT-VALUE}).")
  int maxSessionsPerCaller;

  @Option(names = "--max-places-per-caller", defaultValue = "2",
      description = "Inference-queue places (running or waiting) one caller may hold (default: ${DEFAULT-VALUE}).")
  int maxPlacesPerCaller;

  @Option(names = "--max-message-bytes", defaultValue = "4194304",
      description = "Largest inbound gRPC message, at least 1 MiB + 4 KiB (default: ${DEFAULT-VALUE}).")
  int maxMessageBytes;

  @Option(names = "--max-chunks-per-object", defaultValue = "4096",
      description = "Chunks one key, input or refresh answer may arrive in (default: ${DEFAULT-VALUE}).")
  int maxChunksPerObject;

  @Option(names = "--max-decoded-bytes", defaultValue = "1073741824",
      description = "Largest serialised key or ciphertext buffered and decoded (default: ${DEFAULT-VALUE}).")
  long maxDecodedBytes;

  @Option(names = "--upload-idle-timeout-seconds", defaultValue = "60",
      description = "A key upload silent this long is dropped (default: ${DEFAULT-VALUE}).")
  long uploadIdleTimeout;

  @Option(names = "--upload-timeout-seconds", defaultValue = "600",
      description = "A key upload must complete within this time from its start (default: ${DEFAULT-VALUE}).")
  long uploadTimeout;

  @Option(names = "--max-upload-memory-bytes",
      description = "Memory key uploads in progress may hold together; one that does not fit is refused"
          + " (default: half the maximum heap).")
  Long maxUploadMemoryBytes;

  @Option(names = "--max-infer-streams-per-caller", defaultValue = "4",
      description = "Infer streams one caller may have open at once (default: ${DEFAULT-VALUE}).")
  int maxInferStreamsPerCaller;

  @Option(names = "--max-calls-per-connection", defaultValue = "100",
      description = "Calls open at once on one connection; more wait for a free one (default: ${DEFAULT-VALUE}).")
  int maxCallsPerConnection;

  @Option(names = "--max-connection-idle-seconds", defaultValue = "300",
      description = "A connection without calls this long is closed (default: ${DEFAULT-VALUE}).")
  long maxConnectionIdle;

  @Option(names = "--max-connection-age-seconds", defaultValue = "3600",
      description = "A connection this old is asked to close; clients reconnect (default: ${DEFAULT-VALUE}).")
  long maxConnectionAge;

  @Option(names = "--max-connection-age-grace-seconds", defaultValue = "900",
      description = "How long calls on such a connection may still run (default: ${DEFAULT-VALUE}).")
  long maxConnectionAgeGrace;

  @Option(names = "--keepalive-seconds", defaultValue = "120",
      description = "The server pings a connection silent this long (default: ${DEFAULT-VALUE}).")
  long keepAlive;

  @Option(names = "--keepalive-timeout-seconds", defaultValue = "20",
      description = "A ping unanswered this long closes the connection (default: ${DEFAULT-VALUE}).")
  long keepAliveTimeout;

  @Option(names = "--permit-keepalive-seconds", defaultValue = "60",
      description = "Shortest interval between a client's pings; more often, or pings without calls, get the"
          + " connection closed (default: ${DEFAULT-VALUE}).")
  long permitKeepAlive;

  @Option(names = "--metrics-port", description = "Serve Prometheus metrics at http://HOST:PORT/metrics.")
  Integer metricsPort;

  @Option(names = "--otlp-endpoint", description = "Export traces over OTLP/HTTP to this collector base URL, e.g."
      + " http://collector:4318 (default: $OTEL_EXPORTER_OTLP_ENDPOINT if set; otherwise no tracing).")
  String otlpEndpoint;

  @Option(names = "--threads", defaultValue = "0", description = "Compute threads (default: all cores).")
  int threads;

  @Option(names = "--backend", description = "Compute backend: java, native, ... (default: best available).")
  String backend;

  @Override
  public Integer call() throws Exception {
    ServerConfig config = config();
    if (apiKeys == null && clientCa == null && !isLoopback(host)) {
      // Without API keys or client certificates every caller is 'anonymous' and shares sessions.
      throw new IllegalArgumentException("refusing to serve on " + host + " without --api-keys or --tls-client-ca:"
          + " any client could use any session; bind to 127.0.0.1 or configure authentication");
    }
    if (config.refresh().insecure()) {
      System.err.println("polyhe serve: WARNING: INSECURE --insecure-test-bootstrap: N = 2^14 parameters far below"
          + " 128-bit security; data sent to this server is NOT protected. For tests only.");
    }
    if (config.tlsCert().isEmpty()) {
      System.err.println("polyhe serve: WARNING: no --tls-cert: ciphertexts and keys travel unencrypted"
          + (config.apiKeys().isPresent() ? " and clients will refuse to send API keys" : ""));
    }
    PolyheServer server = new PolyheServer(config).start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.stop(Duration.ofSeconds(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "polyhe-shutdown"));
    System.out.printf("polyhe serve: %s on %s:%d, format %s, refresh %s%s%s%n", String.join(",", models), host,
        server.port(), config.format().name(), config.refresh().manifestName(), config.refresh().insecure() ? " (INSECURE test parameters)" : "",
        server.metricsPort() > 0 ? ", metrics on http://" + host + ":" + server.metricsPort() + "/metrics" : "");
    server.blockUntilShutdown();
    return 0;
  }

  /** The OTLP endpoint of the flag, else of the standard variable; null if neither is set. */
  static java.net.URI otlpEndpoint(String flag, String env) {
    String v = flag != null ? flag : env != null && !env.isBlank() ? env.strip() : null;
    if (v == null) {
      return null;
    }
    java.net.URI u = java.net.URI.create(v);
    if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
      throw new IllegalArgumentException("--otlp-endpoint must be an http(s) URL such as http://collector:4318, got "
          + v);
    }
    return u;
  }

  /** The configuration the flags describe (validated). */
  ServerConfig config() throws java.io.IOException {
    ServerConfig.Builder b = ServerConfig.builder().host(host).port(port).models(models)
        .keyStore(keyStore != null && !S3Settings.isS3(keyStore) ? Path.of(keyStore)
            : Path.of(System.getProperty("user.home"), ".polyhe", "key-store"))
        .maxSessions(maxSessions).cachedSessions(cachedSessions).maxConcurrent(maxConcurrent).maxQueued(queue)
        .sessionTtl(Duration.ofHours(ttlHours)).refreshTimeout(Duration.ofSeconds(refreshTimeout))
        .metricsPort(metricsPort).threads(threads).refresh(RefreshMode.of(refresh, insecureTestBootstrap))
        .format(WireFormat.of(format)).rotationKeys(rotationKeys)
        .maxSessionsPerCaller(maxSessionsPerCaller).maxPlacesPerCaller(maxPlacesPerCaller)
        .maxMessageBytes(maxMessageBytes).maxChunksPerObject(maxChunksPerObject).maxDecodedBytes(maxDecodedBytes)
        .uploadIdleTimeout(Duration.ofSeconds(uploadIdleTimeout)).backend(backend)
        .maxUploadTime(Duration.ofSeconds(uploadTimeout)).maxInferStreamsPerCaller(maxInferStreamsPerCaller)
        .maxCallsPerConnection(maxCallsPerConnection).maxConnectionIdle(Duration.ofSeconds(maxConnectionIdle))
        .maxConnectionAge(Duration.ofSeconds(maxConnectionAge))
        .maxConnectionAgeGrace(Duration.ofSeconds(maxConnectionAgeGrace)).keepAliveTime(Duration.ofSeconds(keepAlive))
        .keepAliveTimeout(Duration.ofSeconds(keepAliveTimeout)).permitKeepAliveTime(Duration.ofSeconds(permitKeepAlive))
        .healthPort(healthPort).otlpEndpoint(otlpEndpoint(otlpEndpoint, System.getenv("OTEL_EXPORTER_OTLP_ENDPOINT")));
    if (maxUploadMemoryBytes != null) {
      b.maxUploadMemoryBytes(maxUploadMemoryBytes);
    }
    if (keyStore != null && S3Settings.isS3(keyStore)) {
      b.s3KeyStore(S3Settings.parse(keyStore, java.util.Optional.ofNullable(s3Endpoint),
          java.util.Optional.ofNullable(s3Region), java.util.Optional.ofNullable(s3CredentialsFile)));
    } else if (s3Endpoint != null || s3Region != null || s3CredentialsFile != null) {
      throw new IllegalArgumentException("--s3-endpoint, --s3-region and --s3-credentials-file need --key-store s3://...");
    }
    if (maxKeyBytesPerSession != null) {
      b.maxKeyBytesPerSession(maxKeyBytesPerSession);
    }
    if (tlsCert != null || tlsKey != null) {
      b.tls(tlsCert, tlsKey);
    }
    if (clientCa != null) {
      b.clientCa(clientCa);
    }
    if (apiKeys != null) {
      b.apiKeys(ApiKeys.read(apiKeys));
    }
    return b.build();
  }

  private static boolean isLoopback(String host) {
    try {
      return java.net.InetAddress.getByName(host).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }
}
