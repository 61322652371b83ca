package io.polyhe.server;

import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.polyhe.he.backend.ComputeBackend;
import io.polyhe.he.backend.ComputeBackends;
import io.polyhe.models.encrypted.NttTimingBackend;
import io.polyhe.server.auth.AuthInterceptor;
import io.polyhe.server.logging.TransportLogging;
import io.polyhe.server.model.ModelRegistry;
import io.polyhe.server.model.ServedModel;
import io.polyhe.server.ops.AccessLogInterceptor;
import io.polyhe.server.ops.CallTracing;
import io.polyhe.server.ops.Metrics;
import io.polyhe.server.ops.MetricsHttpServer;
import io.polyhe.server.ops.MetricsInterceptor;
import io.polyhe.server.ops.Tracing;
import io.polyhe.server.service.InferenceQueue;
import io.polyhe.server.service.InferenceServiceImpl;
import io.polyhe.server.service.KeyServiceImpl;
import io.polyhe.server.service.ModelServiceImpl;
import io.polyhe.server.session.DiskKeyStore;
import io.polyhe.server.service.InferStreamCap;
import io.polyhe.server.service.RequestParsing;
import io.polyhe.server.service.UploadBudget;
import io.polyhe.server.session.S3KeyStore;
import io.polyhe.server.session.SessionStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The polyhe gRPC server: model, key and inference services, health, metrics, auth and TLS, with
 * the lifecycle of grpc-java's examples ({@link #start()}, {@link #stop(Duration)}, {@link
 * #blockUntilShutdown()}). It holds public evaluation keys only; it never sees a secret key.
 *
 * <p>Interceptors, outermost first: tracing and metrics (so rejected calls are traced and counted too), auth (which logs
 * its own rejections), access log. Inbound messages are limited to {@link
 * ServerConfig#maxMessageBytes()} (4 MiB by default; the protocol's chunks are at most 1 MiB).
 * Expired sessions are swept periodically, so their keys leave memory and disk on time.
 *
 * <p>The transport is Netty on {@link ServerConfig#host()}:{@link ServerConfig#port()} with the
 * configured TLS, unless a {@link ServerBuilder} is given ({@link #PolyheServer(ServerConfig,
 * ServerBuilder)}): tests pass grpc-java's {@code InProcessServerBuilder} where a real port adds
 * nothing. Services, interceptors, limits and the metrics port are the same either way.
 */
public final class PolyheServer {
  private static final Logger LOG = Logger.getLogger(PolyheServer.class.getName());

  /** Largest inbound gRPC message by default. */
  public static final int MAX_MESSAGE_BYTES = 4 << 20;

  private final ServerConfig config;
  private final ServerBuilder<?> transport;
  private final Metrics metrics = new Metrics();
  private ModelRegistry models;
  private SessionStore store;
  private InferenceQueue queue;
  private InferenceServiceImpl inference;
  private KeyServiceImpl keys;
  private java.util.concurrent.ScheduledExecutorService sweeper;
  private HealthStatusManager health;
  private Server server;
  private Server healthServer;
  private MetricsHttpServer metricsHttp;
  private Tracing tracing;

  /** A server on Netty at the configured host, port and TLS. */
  public PolyheServer(ServerConfig config) {
    this.config = config;
    this.transport = null;
  }

  /**
   * A server on {@code transport} (e.g. {@code InProcessServerBuilder.forName(name)}), which then
   * decides the address and security; the configuration's host, port and TLS files are not used.
   * {@link #start()} adds the services and limits to it and builds it; use it for nothing else.
   */
  public PolyheServer(ServerConfig config, ServerBuilder<?> transport) {
    this.config = config;
    this.transport = java.util.Objects.requireNonNull(transport, "transport");
  }

  /**
   * Traces calls through {@code t} instead of what the configuration says ({@link
   * ServerConfig#otlpEndpoint()}); tests pass one with an in-memory exporter. Call before {@link
   * #start()}; {@link #stop} closes it.
   */
  public synchronized PolyheServer tracing(Tracing t) {
    if (server != null) {
      throw new IllegalStateException("already started");
    }
    this.tracing = java.util.Objects.requireNonNull(t, "tracing");
    return this;
  }

  /**
   * Loads and plans the models, opens the key store and starts listening.
   *
   * @throws IOException if the port, key store or TLS files cannot be used
   */
  public synchronized PolyheServer start() throws IOException {
    if (server != null) {
      throw new IllegalStateException("already started");
    }
    TransportLogging.quietByDefault();
    int threads = config.threads() == 0 ? ComputeBackends.defaultThreads() : config.threads();
    ComputeBackend backend = new NttTimingBackend(config.backend().isPresent()
        ? ComputeBackends.create(config.backend().get(), threads) : ComputeBackends.best(threads));
    if (config.refresh().insecure()) {
      LOG.warning("INSECURE: --insecure-test-bootstrap: every model is served with N = 2^14 bootstrapping"
          + " parameters far below 128-bit security; data sent to this server is NOT protected. For tests only.");
    }
    models = ModelRegistry.load(config.models(), backend, config.refresh(), config.format(), config.rotationKeys());
    for (ServedModel m : models.all()) {
      if (m.keyBytesPerSession() > config.maxKeyBytesPerSession()) {
        // Every upload for this model will be refused: say so now, with the flag that fixes it.
        LOG.warning("model " + m.name() + " (refresh " + config.refresh().manifestName() + ") needs "
            + m.keyBytesPerSession() + " bytes of keys per session, over the quota of "
            + config.maxKeyBytesPerSession() + ": every key upload for it will be refused; raise"
            + " --max-key-bytes-per-session to at least " + m.keyBytesPerSession());
      }
    }
    store = new SessionStore(config.s3KeyStore().isPresent() ? S3KeyStore.open(config.s3KeyStore().get())
        : new DiskKeyStore(config.keyStore()), models, config.maxSessions(),
        config.maxSessionsPerCaller(), config.sessionTtl(), config.cachedSessions());
    queue = new InferenceQueue(config.maxConcurrent(), config.maxQueued(), config.maxPlacesPerCaller());
    inference = new InferenceServiceImpl(models, store, queue, config.refreshTimeout(), config.maxChunksPerObject(),
        config.maxDecodedBytes());
    UploadBudget uploadMemory = new UploadBudget(config.maxUploadMemoryBytes());
    keys = new KeyServiceImpl(models, store, config.maxKeyBytesPerSession(), config.maxChunksPerObject(),
        config.maxDecodedBytes(), config.uploadIdleTimeout(), uploadMemory, config.maxUploadTime());
    long sweep = Math.clamp(config.sessionTtl().toMillis() / 4, 100, 60_000);
    sweeper = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().name("polyhe-session-sweeper").daemon(true).factory());
    sweeper.scheduleWithFixedDelay(() -> {
      try {
        // Other replicas sharing the key store add and delete sessions: learn of them, then expire.
        store.synchronize();
        store.purgeExpired();
      } catch (RuntimeException e) {
        LOG.warning("sweeping expired sessions failed: " + e);
      }
    }, sweep, sweep, TimeUnit.MILLISECONDS);
    health = new HealthStatusManager();

    metrics.gauge("polyhe_inference_queue_depth", "Inference requests admitted and waiting.", queue::waiting);
    metrics.gauge("polyhe_inferences_running", "Forward passes running now.", queue::running);
    metrics.gauge("polyhe_infer_calls_active", "Infer streams open now.", inference::activeCalls);
    metrics.gauge("polyhe_sessions", "Sessions stored.", store::sessions);
    metrics.gauge("polyhe_upload_memory_reserved_bytes", "Memory reserved by key uploads in progress.",
        uploadMemory::reservedBytes);
    metrics.gauge("polyhe_sessions_cached", "Sessions whose keys are in memory.", store::cachedSessions);
    metrics.gauge("polyhe_key_store_bytes", "Bytes of evaluation keys stored (on disk or in S3).",
        store::storedBytes);
    String storeKind = config.s3KeyStore().isPresent() ? "s3" : "disk";
    metrics.counter("polyhe_key_store_loads", "Key files read from the key store and verified (cache misses).",
        "store", storeKind, store::keyLoads);
    metrics.counter("polyhe_key_store_load_bytes", "Bytes of the key files read from the key store.",
        "store", storeKind, store::keyLoadBytes);
    metrics.gauge("polyhe_sessions_lost", "Sessions found damaged or truncated (at start or on load).",
        store::lostSessions);
    metrics.gauge("polyhe_sessions_expired", "Sessions removed because they expired.", store::expiredSessions);

    if (tracing == null) {
      tracing = Tracing.of(config.otlpEndpoint());
    }
    CallTracing callTracing = new CallTracing(tracing.openTelemetry());
    var auth = config.apiKeys().map(AuthInterceptor::new);
    // Bound to the configured interface (loopback by default), not to every interface.
    ServerBuilder<?> builder = transport != null ? transport
        : ConnectionLimits.apply(NettyServerBuilder.forAddress(
            new InetSocketAddress(config.host(), config.port()), credentials()), config);
    builder.maxInboundMessageSize(config.maxMessageBytes());
    for (var service : new io.grpc.BindableService[] {new ModelServiceImpl(models),
        keys, inference}) {
      // intercept(x, a, b) runs b first: tracing and metrics outermost (rejected calls count too), then auth,
      // then the access log (which needs the caller auth established).
      // Requests parsed inside the call (RequestParsing), so the interceptors see malformed ones closed.
      var def = RequestParsing.strict(service.bindService());
      if (service == inference) {
        def = ServerInterceptors.intercept(def, new InferStreamCap(config.maxInferStreamsPerCaller()));
      }
      def = ServerInterceptors.intercept(def, new AccessLogInterceptor());
      if (auth.isPresent()) {
        def = ServerInterceptors.intercept(def, auth.get());
      }
      // Tracing outermost of all: rejected calls get their span too.
      builder.addService(ServerInterceptors.intercept(def, new MetricsInterceptor(metrics), callTracing));
    }
    builder.addService(RequestParsing.strict(health.getHealthService().bindService()));
    server = builder.build().start();
    health.setStatus("polyhe.v1.InferenceService", ServingStatus.SERVING);
    health.setStatus("", ServingStatus.SERVING);
    if (config.healthPort().isPresent()) {
      // Plaintext and health only: Kubernetes' gRPC probes speak no TLS, and health tells nothing secret.
      healthServer = NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.healthPort().get()),
          InsecureServerCredentials.create()).addService(health.getHealthService()).build().start();
    }
    if (config.metricsPort().isPresent()) {
      metricsHttp = new MetricsHttpServer(new InetSocketAddress(config.host(), config.metricsPort().get()),
          metrics::scrape, MetricsHttpServer.DEFAULT_IDLE_TIMEOUT);
    }
    LOG.info(() -> "polyhe server listening " + (transport != null ? "on the given transport"
        : "on " + config.host() + ":" + port() + (config.tlsCert().isPresent()
        ? " (TLS" + (config.clientCa().isPresent() ? ", mTLS" : "") + ")" : " (plaintext)"))
        + (config.apiKeys().isPresent() ? ", API keys required" : ", no API keys") + ", refresh "
        + config.refresh().manifestName() + (config.refresh().insecure() ? " (INSECURE test parameters)" : ""));
    return this;
  }

  private ServerCredentials credentials() throws IOException {
    if (config.tlsCert().isEmpty()) {
      return InsecureServerCredentials.create();
    }
    TlsServerCredentials.Builder tls = TlsServerCredentials.newBuilder()
        .keyManager(config.tlsCert().get().toFile(), config.tlsKey().get().toFile());
    if (config.clientCa().isPresent()) {
      tls.trustManager(config.clientCa().get().toFile()).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
    }
    return tls.build();
  }

  /** The bound gRPC port; -1 on a transport without ports (in-process). */
  public int port() {
    return server.getPort();
  }

  /** The bound plaintext health port, or -1 without one. */
  public int healthPort() {
    return healthServer == null ? -1 : healthServer.getPort();
  }

  /** The bound metrics port, or -1 without metrics. */
  public int metricsPort() {
    return metricsHttp == null ? -1 : metricsHttp.port();
  }

  /** The server's meters (tests read gauges and the scrape text here). */
  public Metrics metrics() {
    return metrics;
  }

  public ModelRegistry models() {
    return models;
  }

  /** Forward passes running now. */
  public int runningInferences() {
    return queue.running();
  }

  /** The session store (tests and the soak command read its figures). */
  public SessionStore sessions() {
    return store;
  }

  /** Infer streams open now. */
  public long activeInferCalls() {
    return inference.activeCalls();
  }

  /**
   * Stops accepting calls, lets running ones finish for up to {@code grace}, then cancels the rest
   * (their forward passes stop at their next operation).
   */
  public synchronized void stop(Duration grace) throws InterruptedException {
    if (server == null) {
      return;
    }
    health.enterTerminalState();
    server.shutdown();
    if (!server.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
      server.shutdownNow();
      server.awaitTermination(5, TimeUnit.SECONDS);
    }
    queue.close();
    inference.close();
    keys.close();
    sweeper.shutdownNow();
    // A purge in flight finishes before the store's client closes under it.
    sweeper.awaitTermination(5, TimeUnit.SECONDS);
    store.closeStore();
    if (healthServer != null) {
      healthServer.shutdownNow();
    }
    if (metricsHttp != null) {
      metricsHttp.close();
    }
    tracing.close();
  }

  /** Blocks until the server has terminated. */
  public void blockUntilShutdown() throws InterruptedException {
    server.awaitTermination();
  }
}
