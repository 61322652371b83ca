package io.polyhe.server;

import io.polyhe.server.auth.ApiKeys;
import io.polyhe.server.model.RefreshMode;
import io.polyhe.server.model.WireFormat;
import io.polyhe.server.session.S3Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How a server runs. Build with {@link #builder()}; {@link Builder#build()} validates.
 *
 * @param host interface to bind ({@code 127.0.0.1} by default; {@code 0.0.0.0} for all)
 * @param port gRPC port (0: a free one)
 * @param models shipped model names or model directories
 * @param tlsCert PEM certificate chain (TLS when present, with {@code tlsKey})
 * @param tlsKey PEM PKCS#8 private key
 * @param clientCa PEM CA that client certificates must chain to (mTLS when present)
 * @param apiKeys bearer API keys (every call authenticated when present)
 * @param keyStore directory of the session key store (unused when {@code s3KeyStore} is present)
 * @param maxSessions sessions stored at most
 * @param cachedSessions sessions whose keys stay in memory
 * @param maxConcurrent forward passes running at once
 * @param maxQueued requests waiting beyond those
 * @param sessionTtl how long a session lives after upload
 * @param refreshTimeout how long a pass waits for a refresh answer
 * @param maxKeyBytesPerSession per-session key quota (serialised bytes); by default {@link
 *     #DEFAULT_KEY_BYTES_PER_SESSION}, or {@link #DEFAULT_KEY_BYTES_PER_SESSION_BOOTSTRAP} when
 *     bootstrapping
 * @param metricsPort Prometheus HTTP port on the same host (absent: none; 0: a free one)
 * @param threads compute threads of the backend (0: all cores)
 * @param maxMessageBytes largest inbound gRPC message (at least {@link #MIN_MESSAGE_BYTES}, so a
 *     protocol chunk of 1 MiB always fits)
 * @param maxChunksPerObject chunks one uploaded object (a key, an input ciphertext, a refresh
 *     answer) may arrive in; bounds the per-message overhead a client can make the server pay
 * @param maxDecodedBytes largest serialised object (key or ciphertext) the server will buffer and
 *     decode; checked against the declared size before anything is allocated
 * @param maxSessionsPerCaller sessions (stored or being uploaded) one caller may hold
 * @param maxPlacesPerCaller inference-queue places (running or waiting) one caller may hold
 * @param uploadIdleTimeout how long a key upload may go without a message before it is dropped
 * @param backend compute backend by name ({@code java}, {@code native}, ...; absent: the best available)
 * @param refresh how passes refresh ciphertexts (client-aided by default)
 * @param maxConnectionIdle a connection without calls for this long is closed (GOAWAY)
 * @param maxConnectionAge a connection this old is asked to close (GOAWAY); clients reconnect
 * @param maxConnectionAgeGrace how long calls still running on such a connection may finish
 * @param maxCallsPerConnection calls open at once on one connection (HTTP/2 concurrent streams);
 *     a client's further calls wait for a free one
 * @param keepAliveTime how long a connection may go without reads before the server pings it
 *     (finds peers that vanished without closing)
 * @param keepAliveTimeout how long the server waits for its ping's answer before closing
 * @param permitKeepAliveTime the shortest interval between a client's pings the server accepts; a
 *     client pinging more often (or at all without calls) is sent GOAWAY (ENHANCE_YOUR_CALM)
 * @param maxInferStreamsPerCaller Infer streams one caller may have open at once
 * @param maxUploadMemoryBytes memory that key uploads in progress may hold (parsed keys and
 *     buffers, in bytes); an upload that does not fit beside the others is refused; by default half
 *     the JVM's maximum heap
 * @param maxUploadTime how long one key upload may take from its first message to its last
 * @param healthPort a plaintext port serving only the gRPC health service, for probes that speak no
 *     TLS (Kubernetes); absent: none (health is served on the main port either way)
 * @param s3KeyStore an S3 bucket (and prefix) as the key store instead of the directory, shared by
 *     every replica pointed at it
 * @param otlpEndpoint where to export traces over OTLP/HTTP (the collector's base URL, e.g. {@code
 *     http://collector:4318}; {@code /v1/traces} is appended); absent: no tracing
 * @param format how every model's keys and ciphertexts travel, and the CKKS profile it is compiled
 *     for: polyhe's own (default) or Microsoft SEAL's ({@code --format seal}, client-aided refresh only)
 * @param rotationKeys Galois keys for at most this many rotation steps per model, the others
 *     composed from them ({@code --rotation-keys}; absent: the default policy of {@code
 *     EncryptedTransformer}, 21 where that keeps a model's keys under 100 MB, else every step): more
 *     keys, a larger upload and faster passes
 *
 * <p>Every limit, its {@code serve} flag and default are listed in docs/decisions.md ("Limits").
 */
public record ServerConfig(String host, int port, List<String> models, Optional<Path> tlsCert, Optional<Path> tlsKey,
    Optional<Path> clientCa, Optional<ApiKeys> apiKeys, Path keyStore, int maxSessions, int cachedSessions,
    int maxConcurrent, int maxQueued, Duration sessionTtl, Duration refreshTimeout, long maxKeyBytesPerSession,
    Optional<Integer> metricsPort, int threads, int maxMessageBytes, int maxChunksPerObject, long maxDecodedBytes,
    int maxSessionsPerCaller, int maxPlacesPerCaller, Duration uploadIdleTimeout, Optional<String> backend,
    RefreshMode refresh, Duration maxConnectionIdle, Duration maxConnectionAge, Duration maxConnectionAgeGrace,
    int maxCallsPerConnection, Duration keepAliveTime, Duration keepAliveTimeout, Duration permitKeepAliveTime,
    int maxInferStreamsPerCaller, long maxUploadMemoryBytes, Duration maxUploadTime, Optional<Integer> healthPort,
    Optional<S3Settings> s3KeyStore, Optional<java.net.URI> otlpEndpoint, WireFormat format,
    Optional<Integer> rotationKeys) {

  /** Smallest {@code maxMessageBytes}: a 1 MiB chunk plus room for the message around it. */
  public static final int MIN_MESSAGE_BYTES = io.polyhe.proto.Chunks.MAX_BYTES + 4096;

  /** Default key quota per session with client-aided refresh (tiny needs 219 MB). */
  public static final long DEFAULT_KEY_BYTES_PER_SESSION = 2L << 30;

  /**
   * Default key quota per session when bootstrapping: the 128-bit N = 2^16 keys of {@code tiny}
   * (70 seeded switching keys of 65 MB) take 4.55 GB, over the client-aided default.
   */
  public static final long DEFAULT_KEY_BYTES_PER_SESSION_BOOTSTRAP = 8L << 30;

  /** Default {@link #maxConnectionIdle}. */
  public static final Duration DEFAULT_MAX_CONNECTION_IDLE = Duration.ofMinutes(5);
  /** Default {@link #maxConnectionAge}. */
  public static final Duration DEFAULT_MAX_CONNECTION_AGE = Duration.ofHours(1);
  /** Default {@link #maxConnectionAgeGrace}: room for a queued pass and a bootstrapping upload. */
  public static final Duration DEFAULT_MAX_CONNECTION_AGE_GRACE = Duration.ofMinutes(15);
  /** Default {@link #maxCallsPerConnection} (HTTP/2's recommended minimum for a peer to allow). */
  public static final int DEFAULT_MAX_CALLS_PER_CONNECTION = 100;
  /** Default {@link #keepAliveTime}. */
  public static final Duration DEFAULT_KEEPALIVE_TIME = Duration.ofMinutes(2);
  /** Default {@link #keepAliveTimeout}. */
  public static final Duration DEFAULT_KEEPALIVE_TIMEOUT = Duration.ofSeconds(20);
  /** Default {@link #permitKeepAliveTime}. */
  public static final Duration DEFAULT_PERMIT_KEEPALIVE_TIME = Duration.ofMinutes(1);
  /** Default {@link #maxInferStreamsPerCaller}: twice the default queue places per caller. */
  public static final int DEFAULT_MAX_INFER_STREAMS_PER_CALLER = 4;
  /** Default {@link #maxUploadTime}: 4.55 GB of bootstrapping keys need 7.6 MB/s, tiny's 219 MB 0.4 MB/s. */
  public static final Duration DEFAULT_MAX_UPLOAD_TIME = Duration.ofMinutes(10);

  /** Default {@link #maxUploadMemoryBytes}: half the JVM's maximum heap. */
  public static long defaultUploadMemoryBytes() {
    return Runtime.getRuntime().maxMemory() / 2;
  }

  public ServerConfig {
    models = List.copyOf(models);
    java.util.Objects.requireNonNull(refresh, "refresh");
    java.util.Objects.requireNonNull(format, "format");
    if (rotationKeys.isPresent() && rotationKeys.get() < 1) {
      throw new IllegalArgumentException("--rotation-keys must be at least 1, got " + rotationKeys.get());
    }
    if (format != WireFormat.POLYHE && refresh != RefreshMode.CLIENT) {
      throw new IllegalArgumentException("--format " + format.name() + " serves client-aided refresh only:"
          + " drop --refresh " + refresh.manifestName());
    }
    if (tlsCert.isPresent() != tlsKey.isPresent()) {
      throw new IllegalArgumentException("TLS needs both a certificate and a key");
    }
    if (clientCa.isPresent() && tlsCert.isEmpty()) {
      throw new IllegalArgumentException("mTLS (a client CA) needs TLS (a certificate and key)");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    if (maxSessions < 1 || cachedSessions < 1 || maxConcurrent < 1 || maxQueued < 0 || maxKeyBytesPerSession < 1) {
      throw new IllegalArgumentException("limits must be positive (queue may be 0)");
    }
    if (maxChunksPerObject < 1 || maxDecodedBytes < 1 || maxSessionsPerCaller < 1 || maxPlacesPerCaller < 1) {
      throw new IllegalArgumentException("limits must be positive");
    }
    if (maxMessageBytes < MIN_MESSAGE_BYTES) {
      throw new IllegalArgumentException("max message bytes must be at least " + MIN_MESSAGE_BYTES
          + " (a 1 MiB chunk and its message), got " + maxMessageBytes);
    }
    if (maxCallsPerConnection < 1 || maxInferStreamsPerCaller < 1 || maxUploadMemoryBytes < 1) {
      throw new IllegalArgumentException("limits must be positive");
    }
    for (Duration d : List.of(sessionTtl, refreshTimeout, uploadIdleTimeout, maxConnectionIdle, maxConnectionAge,
        maxConnectionAgeGrace, keepAliveTime, keepAliveTimeout, permitKeepAliveTime, maxUploadTime)) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("durations must be positive");
      }
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A mutable builder with the defaults of {@code polyhe serve}. Not thread-safe. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port = 50051;
    private List<String> models = List.of("tiny");
    private Path tlsCert;
    private Path tlsKey;
    private Path clientCa;
    private ApiKeys apiKeys;
    private Path keyStore;
    private int maxSessions = 16;
    private int cachedSessions = 2;
    private int maxConcurrent = 1;
    private int maxQueued = 4;
    private Duration sessionTtl = Duration.ofHours(24);
    private Duration refreshTimeout = Duration.ofSeconds(60);
    private Long maxKeyBytesPerSession;
    private Integer metricsPort;
    private int threads;
    private int maxMessageBytes = 4 << 20;
    private int maxChunksPerObject = 4096;
    private long maxDecodedBytes = 1L << 30;
    private int maxSessionsPerCaller = 4;
    private int maxPlacesPerCaller = 2;
    private Duration uploadIdleTimeout = Duration.ofSeconds(60);
    private String backend;
    private RefreshMode refresh = RefreshMode.CLIENT;
    private WireFormat format = WireFormat.POLYHE;
    private Integer rotationKeys;
    private Duration maxConnectionIdle = DEFAULT_MAX_CONNECTION_IDLE;
    private Duration maxConnectionAge = DEFAULT_MAX_CONNECTION_AGE;
    private Duration maxConnectionAgeGrace = DEFAULT_MAX_CONNECTION_AGE_GRACE;
    private int maxCallsPerConnection = DEFAULT_MAX_CALLS_PER_CONNECTION;
    private Duration keepAliveTime = DEFAULT_KEEPALIVE_TIME;
    private Duration keepAliveTimeout = DEFAULT_KEEPALIVE_TIMEOUT;
    private Duration permitKeepAliveTime = DEFAULT_PERMIT_KEEPALIVE_TIME;
    private int maxInferStreamsPerCaller = DEFAULT_MAX_INFER_STREAMS_PER_CALLER;
    private Long maxUploadMemoryBytes;
    private Duration maxUploadTime = DEFAULT_MAX_UPLOAD_TIME;
    private S3Settings s3KeyStore;
    private Integer healthPort;
    private java.net.URI otlpEndpoint;

    public Builder host(String v) {
      host = v;
      return this;
    }

    public Builder port(int v) {
      port = v;
      return this;
    }

    public Builder models(List<String> v) {
      models = v;
      return this;
    }

    public Builder tls(Path cert, Path key) {
      tlsCert = cert;
      tlsKey = key;
      return this;
    }

    public Builder clientCa(Path v) {
      clientCa = v;
      return this;
    }

    public Builder apiKeys(ApiKeys v) {
      apiKeys = v;
      return this;
    }

    public Builder keyStore(Path v) {
      keyStore = v;
      return this;
    }

    public Builder maxSessions(int v) {
      maxSessions = v;
      return this;
    }

    public Builder cachedSessions(int v) {
      cachedSessions = v;
      return this;
    }

    public Builder maxConcurrent(int v) {
      maxConcurrent = v;
      return this;
    }

    public Builder maxQueued(int v) {
      maxQueued = v;
      return this;
    }

    public Builder sessionTtl(Duration v) {
      sessionTtl = v;
      return this;
    }

    public Builder refreshTimeout(Duration v) {
      refreshTimeout = v;
      return this;
    }

    /** Per-session key quota; unset, the refresh mode's default. */
    public Builder maxKeyBytesPerSession(long v) {
      maxKeyBytesPerSession = v;
      return this;
    }

    public Builder metricsPort(Integer v) {
      metricsPort = v;
      return this;
    }

    public Builder threads(int v) {
      threads = v;
      return this;
    }

    public Builder maxMessageBytes(int v) {
      maxMessageBytes = v;
      return this;
    }

    public Builder maxChunksPerObject(int v) {
      maxChunksPerObject = v;
      return this;
    }

    public Builder maxDecodedBytes(long v) {
      maxDecodedBytes = v;
      return this;
    }

    public Builder maxSessionsPerCaller(int v) {
      maxSessionsPerCaller = v;
      return this;
    }

    public Builder maxPlacesPerCaller(int v) {
      maxPlacesPerCaller = v;
      return this;
    }

    public Builder uploadIdleTimeout(Duration v) {
      uploadIdleTimeout = v;
      return this;
    }

    public Builder backend(String v) {
      backend = v;
      return this;
    }

    /**
     * How passes refresh ciphertexts; {@link RefreshMode#INSECURE_TEST_BOOTSTRAP} serves INSECURE
     * parameters (tests only).
     */
    public Builder refresh(RefreshMode v) {
      refresh = v;
      return this;
    }

    public Builder maxConnectionIdle(Duration v) {
      maxConnectionIdle = v;
      return this;
    }

    public Builder maxConnectionAge(Duration v) {
      maxConnectionAge = v;
      return this;
    }

    public Builder maxConnectionAgeGrace(Duration v) {
      maxConnectionAgeGrace = v;
      return this;
    }

    public Builder maxCallsPerConnection(int v) {
      maxCallsPerConnection = v;
      return this;
    }

    public Builder keepAliveTime(Duration v) {
      keepAliveTime = v;
      return this;
    }

    public Builder keepAliveTimeout(Duration v) {
      keepAliveTimeout = v;
      return this;
    }

    public Builder permitKeepAliveTime(Duration v) {
      permitKeepAliveTime = v;
      return this;
    }

    public Builder maxInferStreamsPerCaller(int v) {
      maxInferStreamsPerCaller = v;
      return this;
    }

    /** Memory for uploads in progress; unset, {@link ServerConfig#defaultUploadMemoryBytes()}. */
    public Builder maxUploadMemoryBytes(long v) {
      maxUploadMemoryBytes = v;
      return this;
    }

    public Builder maxUploadTime(Duration v) {
      maxUploadTime = v;
      return this;
    }

    /** A plaintext health-only port (null: none; 0: a free one). */
    public Builder healthPort(Integer v) {
      healthPort = v;
      return this;
    }

    /** How keys and ciphertexts travel ({@link WireFormat#POLYHE} unless set). */
    public Builder format(WireFormat v) {
      format = v;
      return this;
    }

    /** Galois keys for at most this many rotation steps per model (null: the default policy). */
    public Builder rotationKeys(Integer v) {
      rotationKeys = v;
      return this;
    }

    /** The key store in S3 instead of the directory (null: the directory). */
    public Builder s3KeyStore(S3Settings v) {
      s3KeyStore = v;
      return this;
    }

    /** Export traces over OTLP/HTTP to this collector base URL (null: no tracing). */
    public Builder otlpEndpoint(java.net.URI v) {
      otlpEndpoint = v;
      return this;
    }

    /** @throws IllegalArgumentException if the settings contradict each other or the key store is unset */
    public ServerConfig build() {
      if (keyStore == null) {
        throw new IllegalArgumentException("a key-store directory is required");
      }
      return new ServerConfig(host, port, models, Optional.ofNullable(tlsCert), Optional.ofNullable(tlsKey),
          Optional.ofNullable(clientCa), Optional.ofNullable(apiKeys), keyStore, maxSessions, cachedSessions,
          maxConcurrent, maxQueued, sessionTtl, refreshTimeout, maxKeyBytesPerSession != null ? maxKeyBytesPerSession
              : refresh != null && refresh.bootstraps() ? DEFAULT_KEY_BYTES_PER_SESSION_BOOTSTRAP
              : DEFAULT_KEY_BYTES_PER_SESSION,
          Optional.ofNullable(metricsPort), threads, maxMessageBytes, maxChunksPerObject, maxDecodedBytes,
          maxSessionsPerCaller, maxPlacesPerCaller, uploadIdleTimeout, Optional.ofNullable(backend), refresh,
          maxConnectionIdle, maxConnectionAge, maxConnectionAgeGrace, maxCallsPerConnection, keepAliveTime,
          keepAliveTimeout, permitKeepAliveTime, maxInferStreamsPerCaller,
          maxUploadMemoryBytes != null ? maxUploadMemoryBytes : defaultUploadMemoryBytes(), maxUploadTime,
          Optional.ofNullable(healthPort), Optional.ofNullable(s3KeyStore), Optional.ofNullable(otlpEndpoint), format,
          Optional.ofNullable(rotationKeys));
    }
  }
}
