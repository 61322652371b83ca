package io.polyhe.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.polyhe.client.ClientModel;
import io.polyhe.client.ClientSession;
import io.polyhe.client.Generation;
import io.polyhe.client.InferenceResult;
import io.polyhe.client.Keyring;
import io.polyhe.client.PolyheClient;
import io.polyhe.client.ProgressListener;
import io.polyhe.client.SessionInfo;
import io.polyhe.he.ckks.CkksEncoder;
import io.polyhe.he.io.HeFormat;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.rlwe.KeyGenerator;
import io.polyhe.he.rlwe.SymmetricEncryptor;
import io.polyhe.models.ShippedModels;
import io.polyhe.models.forward.GreedyGenerator;
import io.polyhe.models.forward.Mode;
import io.polyhe.models.forward.Transformer;
import io.polyhe.models.tokenizer.TaskTokenizer;
import io.polyhe.proto.v1.InferResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client and server over a real loopback port with TLS and API keys (the SDK's checks that need no
 * port run in-process, in ClientSdkInProcessTest). One server and one keyring
 * serve every test (keys take seconds to make and a pass tens of seconds): the keys are uploaded to
 * a first server, which is then stopped; every test runs against a second server started on the
 * same key store, so each use of the session also checks that a restart keeps it. Every log record
 * of the run is captured; the last test scans the logs, the metrics and error messages for secrets.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServiceEndToEndTest {
  static final String PROMPT = "^S31=";
  static final Duration REFRESH_TIMEOUT = Duration.ofSeconds(6);

  @TempDir static Path dir;
  static TestServer server;
  static ManagedChannel channel;
  static PolyheClient alice;
  static ClientModel model;
  static Keyring keyring;
  static String sessionId;
  static Transformer transformer;
  static TaskTokenizer tokenizer;
  static LogCapture logs;
  static final io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter serverSpans =
      io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter.create();
  static io.polyhe.server.ops.Tracing tracing;

  @BeforeAll
  static void start() throws Exception {
    logs = LogCapture.install();
    transformer = ShippedModels.load("tiny");
    tokenizer = new TaskTokenizer(transformer.config().tokenizer());
    try (TestServer first = TestServer.start(dir, b -> {})) {
      ManagedChannel c = first.channel();
      PolyheClient client = TestServer.client(c, TestServer.ALICE_KEY);
      model = client.model("tiny");
      keyring = Keyring.generate(model);
      sessionId = client.openSession(keyring).id();
      c.shutdownNow();
    }
    tracing = io.polyhe.server.ops.Tracing.exporting(serverSpans);
    server = TestServer.start(dir, b -> b.maxConcurrent(2).maxQueued(0).refreshTimeout(REFRESH_TIMEOUT), tracing);
    channel = server.channel();
    alice = TestServer.client(channel, TestServer.ALICE_KEY);
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow();
    server.close();
    logs.close();
  }

  /** Every test leaves the server idle: no pass running, no stream open, queue empty. */
  @AfterEach
  void serverIsIdleAgain() throws Exception {
    long end = System.nanoTime() + 15_000_000_000L;
    while ((server.server.runningInferences() > 0 || server.server.activeInferCalls() > 0) && System.nanoTime() < end) {
      Thread.sleep(50);
    }
    assertEquals(0, server.server.runningInferences(), "a forward pass is still running");
    assertEquals(0, server.server.activeInferCalls(), "an Infer stream is still open");
    assertEquals(0, server.server.metrics().gaugeValue("polyhe_inference_queue_depth"));
  }

  static int[] promptTokens() {
    return tokenizer.encode(PROMPT);
  }

  static int polyPlainNext(int[] tokens) {
    return GreedyGenerator.generate(transformer, Mode.POLY_PLAIN, tokens, 1, tokenizer.eos())[0];
  }

  // ------------------------------------------------------------------ end to end

  /** Also checks the pass's trace (one pass serves both checks: passes are the suite's costliest part). */
  @Test
  void encryptedAnswerEqualsPolyPlainAfterServerRestart() throws Exception {
    int[] reference = GreedyGenerator.generate(transformer, Mode.POLY_PLAIN, promptTokens(), 1, tokenizer.eos());
    AtomicInteger progress = new AtomicInteger();
    var clientSpans = io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter.create();
    Generation g;
    List<io.opentelemetry.sdk.trace.data.SpanData> clientTrace;
    try (var sdk = io.opentelemetry.sdk.OpenTelemetrySdk.builder().setTracerProvider(
        io.opentelemetry.sdk.trace.SdkTracerProvider.builder().addSpanProcessor(
            io.opentelemetry.sdk.trace.export.SimpleSpanProcessor.create(clientSpans)).build()).build()) {
      PolyheClient traced = PolyheClient.builder(channel).apiKey(TestServer.ALICE_KEY)
          .inferTimeout(Duration.ofMinutes(3)).openTelemetry(sdk).build();
      g = ClientSession.resume(traced, keyring, sessionId)
          .generate(PROMPT, 1, (stage, done, total) -> progress.incrementAndGet());
      clientTrace = clientSpans.getFinishedSpanItems(); // before close, which empties the exporter
    }
    aPassIsOneTraceFromTheClientSpanThroughTheServerSpanToItsLayersAndComponents(clientTrace, g.passes().get(0));
    assertArrayEquals(reference, g.tokens(), "encrypted " + g.text() + " vs poly-plain " + tokenizer.decode(reference));
    InferenceResult pass = g.passes().get(0);
    assertEquals(transformer.config().vocabSize(), pass.logits()[0].length);
    assertTrue(pass.refreshes() > 0, "client-aided refreshes happened");
    assertEquals(pass.refreshes(), pass.breakdown().refresh().refreshes());
    assertTrue(pass.breakdown().refresh().serverWaitSeconds() >= pass.breakdown().refresh().clientSeconds());
    assertTrue(pass.breakdown().totalSeconds() > 0);
    assertTrue(pass.breakdown().layers().size() > 0 && pass.breakdown().primitives().size() > 0);
    assertTrue(pass.breakdown().componentSeconds("refresh") > 0, "the refresh component: " + pass.breakdown()
        .components());
    assertTrue(progress.get() > pass.refreshes(), "progress reported per refresh");
    System.out.printf("e2e: %s -> %s in %.1f s, %d refreshes, up %d B, down %d B%n", PROMPT, g.text(), g.seconds(),
        g.refreshes(), g.bytesUp(), g.bytesDown());
  }

  @Test
  void eightClientsAgainstTwoSlotsEachCompleteCorrectlyOrAreRefused() throws Exception {
    int expected = polyPlainNext(promptTokens());
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<ManagedChannel> channels = new ArrayList<>();
    List<Future<Object>> results = new ArrayList<>();
    try {
      for (int i = 0; i < 8; i++) {
        ManagedChannel c = server.channel();
        channels.add(c);
        PolyheClient client = TestServer.client(c, TestServer.ALICE_KEY);
        results.add(pool.submit(() -> {
          try {
            return ClientSession.resume(client, keyring, sessionId).infer(promptTokens(), ProgressListener.NONE);
          } catch (StatusRuntimeException e) {
            return e.getStatus();
          }
        }));
      }
      int ok = 0;
      int refused = 0;
      double slowest = 0;
      for (Future<Object> f : results) {
        Object r = f.get();
        if (r instanceof InferenceResult res) {
          assertEquals(expected, res.nextToken(), "a completed request is correct");
          ok++;
          slowest = Math.max(slowest, res.seconds());
        } else {
          assertEquals(Status.Code.RESOURCE_EXHAUSTED, ((Status) r).getCode(), "refused with " + r);
          refused++;
        }
      }
      assertEquals(8, ok + refused);
      assertTrue(ok >= 1 && ok <= 8);
      System.out.printf("load: 8 clients, max-concurrent 2, queue 0: %d completed correctly (slowest %.1f s), "
          + "%d RESOURCE_EXHAUSTED%n", ok, slowest, refused);
    } finally {
      pool.shutdownNow();
      channels.forEach(ManagedChannel::shutdownNow);
    }
  }

  // ------------------------------------------------------------------ auth and sessions

  @Test
  void unknownOrAnotherCallersSessionIsNotFound() throws Exception {
    RawInfer unknown = RawInfer.open(channel, TestServer.ALICE_KEY, Duration.ofSeconds(20))
        .start("A".repeat(32), "tiny", 5);
    assertEquals(Status.Code.NOT_FOUND, unknown.awaitStatus(20).getCode());
    RawInfer malformed = RawInfer.open(channel, TestServer.ALICE_KEY, Duration.ofSeconds(20))
        .start("../../etc/passwd", "tiny", 5);
    assertEquals(Status.Code.NOT_FOUND, malformed.awaitStatus(20).getCode());
    RawInfer bobs = RawInfer.open(channel, TestServer.BOB_KEY, Duration.ofSeconds(20)).start(sessionId, "tiny", 5);
    Status s = bobs.awaitStatus(20);
    assertEquals(Status.Code.NOT_FOUND, s.getCode());
    PolyheClient bob = TestServer.client(channel, TestServer.BOB_KEY);
    var e = assertThrows(StatusRuntimeException.class, () -> bob.deleteSession(sessionId));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    // Alice's session is untouched: it is still stored.
    assertTrue(server.server.metrics().gaugeValue("polyhe_sessions") >= 1);
  }

  // ------------------------------------------------------------------ malformed input

  /** A valid input ciphertext of the model's parameters (under a test key the server cannot tell apart). */
  static byte[] validInput(int level) {
    var ctx = model.context();
    var sk = new KeyGenerator(ctx.rlwe(), SeedSource.secure()).generateSecretKey();
    var enc = new SymmetricEncryptor(ctx.rlwe(), sk, SeedSource.secure());
    return HeFormat.write(enc.encrypt(new CkksEncoder(ctx).encode(model.pack(promptTokens()), level,
        model.manifest().getInputScale())));
  }

  Status sendInput(byte[] ct) throws Exception {
    RawInfer r = RawInfer.open(channel, TestServer.ALICE_KEY, Duration.ofSeconds(30))
        .start(sessionId, "tiny", promptTokens().length).input(ct);
    return r.awaitStatus(30);
  }

  @Test
  void garbageInputIsInvalid() throws Exception {
    byte[] garbage = new byte[validInput(model.parameters().maxLevel()).length];
    ThreadLocalRandom.current().nextBytes(garbage);
    Status s = sendInput(garbage);
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), s.toString());
    assertTrue(s.getDescription().length() <= 310, "short, sanitised message");
  }

  @Test
  void truncatedInputIsInvalid() throws Exception {
    byte[] ct = validInput(model.parameters().maxLevel());
    RawInfer r = RawInfer.open(channel, TestServer.ALICE_KEY, Duration.ofSeconds(30))
        .start(sessionId, "tiny", promptTokens().length).chunk(ct.length, Arrays.copyOf(ct, 1000));
    r.halfClose();
    Status s = r.awaitStatus(30);
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), s.toString());
    assertTrue(s.getDescription().contains("before the input"), s.getDescription());
  }

  @Test
  void inputAtAnotherLevelIsInvalid() throws Exception {
    Status s = sendInput(validInput(model.parameters().maxLevel() - 1));
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), s.toString());
  }

  @Test
  void inputOfOtherParametersIsInvalid() throws Exception {
    byte[] ct = validInput(model.parameters().maxLevel());
    byte[] hash = model.parameters().rlwe().hash();
    int at = indexOf(ct, Arrays.copyOf(hash, 8));
    assertTrue(at >= 0 && at < 48, "the header carries the parameter hash");
    ct[at] ^= 1;
    Status s = sendInput(ct);
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), s.toString());
  }

  @Test
  void coefficientsOutOfRangeAreInvalid() throws Exception {
    byte[] ct = validInput(model.parameters().maxLevel());
    Arrays.fill(ct, 48, ct.length - 32, (byte) 0xff);
    Status s = sendInput(ct);
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), s.toString());
  }

  @Test
  void oversizedChunksAreRefused() throws Exception {
    byte[] ct = validInput(model.parameters().maxLevel());
    RawInfer over = RawInfer.open(channel, TestServer.ALICE_KEY, Duration.ofSeconds(30))
        .start(sessionId, "tiny", promptTokens().length).chunk(ct.length, new byte[(1 << 20) + 1]);
    assertEquals(Status.Code.INVALID_ARGUMENT, over.awaitStatus(30).getCode());
    RawInfer huge = RawInfer.open(channel, TestServer.ALICE_KEY, Duration.ofSeconds(30))
        .start(sessionId, "tiny", promptTokens().length).chunk(ct.length, new byte[5 << 20]);
    // Over gRPC's 4 MiB message limit: the transport refuses it with RESOURCE_EXHAUSTED, which the
    // client may see as such or as the stream reset that carries it (CANCELLED).
    Status hugeStatus = huge.awaitStatus(30);
    assertTrue(hugeStatus.getCode() == Status.Code.RESOURCE_EXHAUSTED || hugeStatus.getCode() == Status.Code.CANCELLED,
        hugeStatus.toString());
    assertEquals(1, alice.listModels().size(), "the server serves on");
    RawInfer lies = RawInfer.open(channel, TestServer.ALICE_KEY, Duration.ofSeconds(30))
        .start(sessionId, "tiny", promptTokens().length).chunk(1L << 40, new byte[10]);
    // Over the decoded-object limit: refused from the declared size, before any allocation.
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, lies.awaitStatus(30).getCode());
    RawInfer wrongSize = RawInfer.open(channel, TestServer.ALICE_KEY, Duration.ofSeconds(30))
        .start(sessionId, "tiny", promptTokens().length).chunk(ct.length + 1, new byte[10]);
    assertEquals(Status.Code.INVALID_ARGUMENT, wrongSize.awaitStatus(30).getCode());
  }

  // ------------------------------------------------------------------ deadlines and cancellation

  @Test
  void clientDisconnectMidInferenceStopsServerWork() throws Exception {
    RawInfer r = RawInfer.open(channel, TestServer.ALICE_KEY, Duration.ofSeconds(60))
        .start(sessionId, "tiny", promptTokens().length).input(validInput(model.parameters().maxLevel()));
    assertNotNull(r.awaitKind(InferResponse.KindCase.REFRESH_REQUEST, 60), "the pass reached a refresh");
    InferResponse progress = r.awaitKind(InferResponse.KindCase.PROGRESS, 30);
    assertNotNull(progress);
    assertTrue(progress.getProgress().getStage().contains("layer"), "names the segment: " + progress);
    assertEquals(1, server.server.runningInferences());
    r.cancel();
    // serverIsIdleAgain() checks that the pass stopped and gave its place back.
  }

  @Test
  void expiredDeadlineStopsTheCall() throws Exception {
    var shortDeadline = PolyheClient.builder(channel).apiKey(TestServer.ALICE_KEY)
        .inferTimeout(Duration.ofMillis(1500)).build();
    var e = assertThrows(StatusRuntimeException.class,
        () -> ClientSession.resume(shortDeadline, keyring, sessionId).infer(promptTokens(), ProgressListener.NONE));
    assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
  }

  @Test
  void refreshThatNeverComesBackTimesOut() throws Exception {
    RawInfer r = RawInfer.open(channel, TestServer.ALICE_KEY, Duration.ofSeconds(90))
        .start(sessionId, "tiny", promptTokens().length).input(validInput(model.parameters().maxLevel()));
    assertNotNull(r.awaitKind(InferResponse.KindCase.REFRESH_REQUEST, 60));
    long t0 = System.nanoTime();
    Status s = r.awaitStatus(60);
    double waited = (System.nanoTime() - t0) / 1e9;
    assertEquals(Status.Code.DEADLINE_EXCEEDED, s.getCode(), s.toString());
    assertTrue(s.getDescription().contains("refresh"), s.getDescription());
    assertTrue(waited < REFRESH_TIMEOUT.toSeconds() + 5, "timed out after " + waited + " s");
  }

  @Test
  void inputThatNeverArrivesTimesOutAndFreesItsPlace() throws Exception {
    RawInfer r = RawInfer.open(channel, TestServer.ALICE_KEY, Duration.ofSeconds(60))
        .start(sessionId, "tiny", promptTokens().length);
    Status s = r.awaitStatus(30);
    assertEquals(Status.Code.DEADLINE_EXCEEDED, s.getCode(), s.toString());
    assertTrue(s.getDescription().contains("did not arrive"), s.getDescription());
  }

  @Test
  void aSecondCallerCanNeitherListUseNorDeleteTheFirstCallersSession() throws Exception {
    List<SessionInfo> mine = alice.listSessions();
    assertTrue(mine.stream().anyMatch(s -> s.id().equals(sessionId)), "alice lists her session");
    for (var s : mine) {
      assertEquals("tiny", s.model());
      assertTrue(s.expiresAt().isAfter(java.time.Instant.now()));
      assertTrue(s.storedBytes() > 0);
    }
    PolyheClient bob = TestServer.client(channel, TestServer.BOB_KEY);
    assertTrue(bob.listSessions().stream().noneMatch(s -> mine.stream()
        .anyMatch(m -> m.id().equals(s.id()))), "bob lists none of alice's sessions");
    Status use = RawInfer.open(channel, TestServer.BOB_KEY, Duration.ofSeconds(20)).start(sessionId, "tiny", 5)
        .awaitStatus(20);
    assertEquals(Status.Code.NOT_FOUND, use.getCode());
    var delete = assertThrows(StatusRuntimeException.class, () -> bob.deleteSession(sessionId));
    assertEquals(Status.Code.NOT_FOUND, delete.getStatus().getCode());
    assertEquals(mine.size(), alice.listSessions().size(), "alice's sessions untouched");
  }

  @Test
  void inputThatStallsMidStreamTimesOutAndFreesItsPlace() throws Exception {
    byte[] ct = validInput(model.parameters().maxLevel());
    RawInfer r = RawInfer.open(channel, TestServer.ALICE_KEY, Duration.ofSeconds(60))
        .start(sessionId, "tiny", promptTokens().length).chunk(ct.length, Arrays.copyOf(ct, ct.length / 2));
    Status s = r.awaitStatus(30);
    assertEquals(Status.Code.DEADLINE_EXCEEDED, s.getCode(), s.toString());
    // serverIsIdleAgain() checks that the stream and its queue place are gone.
  }

  // ------------------------------------------------------------------ observability

  @Test
  void metricsEndpointServesPrometheusText() throws Exception {
    String list = "polyhe.v1.ModelService/ListModels";
    long before = server.server.metrics().requests(list, "OK");
    alice.listModels();
    alice.listModels();
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + server.server.metricsPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    List<String> lines = r.body().lines().toList();
    // Today's names, exact lines; the latency is a histogram, so Prometheus computes p50 and p99.
    assertTrue(lines.contains("polyhe_requests_total{code=\"OK\",method=\"" + list + "\"} " + (before + 2) + ".0"),
        r.body());
    assertTrue(lines.contains("# TYPE polyhe_request_seconds histogram"), r.body());
    assertTrue(lines.contains("polyhe_request_seconds_bucket{method=\"" + list + "\",le=\"+Inf\"} " + (before + 2)),
        r.body());
    assertTrue(lines.contains("polyhe_request_seconds_count{method=\"" + list + "\"} " + (before + 2)), r.body());
    for (String gauge : List.of("polyhe_key_store_bytes", "polyhe_inference_queue_depth", "polyhe_inferences_running",
        "polyhe_infer_calls_active", "polyhe_sessions", "polyhe_sessions_cached", "polyhe_sessions_lost",
        "polyhe_sessions_expired", "polyhe_upload_memory_reserved_bytes")) {
      assertTrue(lines.contains("# TYPE " + gauge + " gauge"), gauge);
    }
    assertTrue(lines.contains("# TYPE polyhe_key_store_loads_total counter"), r.body());
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("polyhe_key_store_load_bytes_total{store=\"disk\"} ")));
    // tiny's relinearisation key and 21 Galois keys: about 98 MB.
    assertTrue(server.server.metrics().gaugeValue("polyhe_key_store_bytes") > 90_000_000L);
    assertTrue(!r.body().contains(sessionId), "no session ids in metrics");
  }

  // ------------------------------------------------------------------ tracing

  /**
   * The pass of {@code result} is one trace: the client's span, the server's span as its child, the
   * layers under that, the components under them, as the breakdown recorded them; writes the tree
   * to {@code target/trace-tree.txt}.
   */
  static void aPassIsOneTraceFromTheClientSpanThroughTheServerSpanToItsLayersAndComponents(
      List<io.opentelemetry.sdk.trace.data.SpanData> client, InferenceResult result) throws Exception {
    tracing.flush();
    assertEquals(1, client.size(), client.toString());
    var clientSpan = client.get(0);
    assertEquals(io.opentelemetry.api.trace.SpanKind.CLIENT, clientSpan.getKind());
    List<io.opentelemetry.sdk.trace.data.SpanData> trace = serverSpans.getFinishedSpanItems().stream()
        .filter(s -> s.getTraceId().equals(clientSpan.getTraceId())).toList();
    var serverSpan = trace.stream().filter(s -> s.getName().equals("polyhe.v1.InferenceService/Infer"))
        .findFirst().orElseThrow(() -> new AssertionError("no server span in the client's trace: " + trace));
    assertEquals(io.opentelemetry.api.trace.SpanKind.SERVER, serverSpan.getKind());
    assertEquals(clientSpan.getSpanId(), serverSpan.getParentSpanId(), "the server span is the client span's child");
    var layers = trace.stream().filter(s -> s.getParentSpanId().equals(serverSpan.getSpanId())).toList();
    var components = trace.stream().filter(s -> layers.stream().anyMatch(
        l -> l.getSpanId().equals(s.getParentSpanId()))).toList();
    assertEquals(1 + layers.size() + components.size(), trace.size(), "server span, layers, components: nothing else");
    // The layers and components are the breakdown's, one span per recorded span.
    var recorded = result.breakdown();
    assertEquals(new java.util.TreeSet<>(recorded.spans().stream().map(s -> s.layer()).toList()),
        new java.util.TreeSet<>(layers.stream().map(s -> s.getName()).toList()));
    assertEquals(layers.size(), layers.stream().map(s -> s.getName()).distinct().count(), "one span per layer");
    assertEquals(recorded.spans().size(), components.size());
    for (var c : components) {
      var layer = layers.stream().filter(l -> l.getSpanId().equals(c.getParentSpanId())).findFirst().orElseThrow();
      assertEquals(layer.getName(), c.getAttributes().get(io.polyhe.server.ops.PassSpans.LAYER));
      assertEquals(c.getName(), c.getAttributes().get(io.polyhe.server.ops.PassSpans.COMPONENT));
      assertTrue(c.getStartEpochNanos() >= layer.getStartEpochNanos() && c.getEndEpochNanos() <= layer.getEndEpochNanos(),
          "a component lies within its layer");
    }
    for (var l : layers) {
      assertTrue(l.getStartEpochNanos() >= serverSpan.getStartEpochNanos()
          && l.getEndEpochNanos() <= serverSpan.getEndEpochNanos(), "a layer lies within the call");
    }
    List<io.opentelemetry.sdk.trace.data.SpanData> all = new ArrayList<>(client);
    all.addAll(trace);
    String tree = io.polyhe.server.ops.SpanTree.render(all);
    java.nio.file.Files.writeString(Path.of("target", "trace-tree.txt"), tree);
    System.out.print(tree);
    assertTrue(tree.startsWith("trace " + clientSpan.getTraceId() + "\npolyhe.v1.InferenceService/Infer [client]"),
        tree);
  }

  // ------------------------------------------------------------------ secrets

  /** Renderings of {@code bytes[from, from + 32)} a log line might carry: hex, base64, raw. */
  static List<String> renderings(byte[] bytes, int from) {
    byte[] w = Arrays.copyOfRange(bytes, from, from + 32);
    String hex = java.util.HexFormat.of().formatHex(w);
    return List.of(hex, hex.toUpperCase(java.util.Locale.ROOT),
        java.util.Base64.getEncoder().encodeToString(w).substring(0, 40),
        java.util.Base64.getUrlEncoder().encodeToString(w).substring(0, 40),
        new String(w, java.nio.charset.StandardCharsets.ISO_8859_1));
  }

  /** 32-byte windows of {@code bytes} at 3-aligned offsets: after the header, in the middle, at the end. */
  static List<String> windows(byte[] bytes) {
    List<String> out = new ArrayList<>();
    for (int from : new int[] {48, bytes.length / 2 / 3 * 3, (bytes.length - 32) / 3 * 3}) {
      out.addAll(renderings(bytes, from));
    }
    return out;
  }

  @Test
  @Order(Integer.MAX_VALUE)
  void noLogLineMetricOrErrorMessageCarriesKeysCiphertextsOrApiKeys() throws Exception {
    // Known key and ciphertext bytes go through the server, validly and as hostile input.
    Keyring other = Keyring.generate(model);
    byte[] key = HeFormat.write(other.galoisKey(model.galoisElements()[0]));
    long keySize = key.length;
    List<String> errors = new ArrayList<>();
    Status stored = RawUpload.run(channel, TestServer.ALICE_KEY, u -> u.header(RawUpload.header("tiny",
        com.google.protobuf.ByteString.copyFrom(model.parameters().rlwe().hash()), keySize,
        model.galoisElements()[0])).bytes(key));
    assertEquals(Status.Code.OK, stored.getCode(), stored.toString());
    byte[] damagedKey = key.clone();
    Arrays.fill(damagedKey, 48, 4096, (byte) 0xff);
    Status badKey = RawUpload.run(channel, TestServer.BOB_KEY, u -> u.header(RawUpload.header("tiny",
        com.google.protobuf.ByteString.copyFrom(model.parameters().rlwe().hash()), keySize,
        model.galoisElements()[0])).bytes(damagedKey));
    errors.add(badKey.toString());
    byte[] ct = validInput(model.parameters().maxLevel());
    byte[] badCt = ct.clone();
    Arrays.fill(badCt, 48, badCt.length - 32, (byte) 0xff);
    errors.add(sendInput(badCt).toString());
    byte[] keyAsInput = Arrays.copyOf(key, ct.length);
    errors.add(sendInput(keyAsInput).toString());
    String mallory = "mallory-key-0123456789abcdef";
    errors.add(assertThrows(StatusRuntimeException.class, () -> TestServer.client(channel, mallory).listModels())
        .getStatus().toString());
    errors.add(assertThrows(StatusRuntimeException.class,
        () -> alice.deleteSession(TestServer.BOB_KEY.substring(0, 24) + "x".repeat(8))).getStatus().toString());
    for (var s : alice.listSessions()) {
      if (!s.id().equals(sessionId)) {
        alice.deleteSession(s.id());
      }
    }

    String logText = logs.text();
    String metricsText = server.server.metrics().scrape();
    assertTrue(logs.records() > 20, "the run was logged (" + logs.records() + " records)");
    assertTrue(logText.contains("caller=alice"), "the access log names callers");
    List<String> secrets = new ArrayList<>(List.of(TestServer.ALICE_KEY, TestServer.BOB_KEY, mallory,
        TestServer.BOB_KEY.substring(0, 24), sessionId));
    secrets.addAll(windows(key));
    secrets.addAll(windows(ct));
    secrets.addAll(windows(keyAsInput));
    for (String secret : secrets) {
      String what = secret.length() > 12 ? secret.substring(0, 6) + "..." : "a short secret";
      assertTrue(!logText.contains(secret), "a log line carries " + what);
      assertTrue(!metricsText.contains(secret), "the metrics carry " + what);
      for (String e : errors) {
        assertTrue(!e.contains(secret), "an error message carries " + what + ": " + e);
      }
    }
    System.out.printf("secrets scan: %d log records, %d metric bytes, %d error messages, %d secrets: none found%n",
        logs.records(), metricsText.length(), errors.size(), secrets.size());
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
