package io.polyhe.cli.service;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.polyhe.client.ClientModel;
import io.polyhe.client.ClientSession;
import io.polyhe.client.InferenceResult;
import io.polyhe.client.Keyring;
import io.polyhe.client.PolyheClient;
import io.polyhe.client.routing.Failover;
import io.polyhe.models.ShippedModels;
import io.polyhe.models.forward.GreedyGenerator;
import io.polyhe.models.forward.Mode;
import io.polyhe.models.forward.Transformer;
import io.polyhe.models.tokenizer.TaskTokenizer;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code polyhe soak}: the real server on a loopback port (as {@code demo} starts it) driven by C
 * concurrent clients, each with its own API key and keyring, looping upload keys → encrypted
 * inference(s) → delete the session, until the time or the request count runs out; then it stops by
 * itself. With {@code --tokens K} a round generates K tokens greedily (K passes, stopping at the
 * end-of-sequence token). Every answer is checked against the poly-plain reference ({@code wrong}); failures are
 * counted by gRPC status. Reports completed requests, wrong answers, errors by status, p50/p99
 * latency (of inference requests; per kind in {@code latency_ms}), and the process's heap after a
 * full GC and the key store's bytes on disk, at start and end. Server and clients share this JVM,
 * so the heap figures include the clients; at start and end no client holds keys, so a difference
 * is memory the server kept. Exit code 3 if any answer was wrong or any request failed.
 *
 * <p>The server fills bounded caches on its first pass (the model's plaintext weights, encoded per
 * level, per prompt length), about 1.5 GB for tiny; so by default one warm-up round (upload, one
 * inference, delete; not counted) runs before the start is measured, and every prompt has the same
 * length. {@code heap_initial_bytes} is the heap before the warm-up.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
    description = "Drive a loopback server with concurrent clients (upload, infer, delete) and report errors, "
        + "latency and memory.")
public final class SoakCommand implements Callable<Integer> {
  private static final Logger SERVER_LOG = Logger.getLogger("io.polyhe.server");
  // One length (5 tokens), so the server's per-length encoding caches fill in the warm-up.
  private static final String[] PROMPTS = {"^S31=", "^R12=", "^S72=", "^R45=", "^S90=", "^R63="};

  @Option(names = "--minutes", defaultValue = "1", description = "How long to run (default: ${DEFAULT-VALUE}).")
  double minutes;

  @Option(names = "--clients", defaultValue = "2", description = "Concurrent clients (default: ${DEFAULT-VALUE}).")
  int clients;

  @Option(names = "--max-requests", defaultValue = "10000",
      description = "Stop after this many inference rounds in all, each --tokens passes (default: ${DEFAULT-VALUE}).")
  int maxRequests;

  @Option(names = "--infers-per-session", defaultValue = "1",
      description = "Inference requests per uploaded session (default: ${DEFAULT-VALUE}).")
  int infersPerSession;

  @Option(names = "--tokens", defaultValue = "1",
      description = "Tokens generated per inference round, one forward pass each, every one checked "
          + "(default: ${DEFAULT-VALUE}).")
  int tokens;

  @Option(names = "--model", defaultValue = ShippedModels.DEFAULT, description = "Shipped model (default: ${DEFAULT-VALUE}).")
  String modelName;

  @Option(names = "--max-concurrent", defaultValue = "1",
      description = "Server: forward passes at once (default: ${DEFAULT-VALUE}).")
  int maxConcurrent;

  @Option(names = "--cached-sessions", defaultValue = "2",
      description = "Server: sessions whose keys stay in memory (default: ${DEFAULT-VALUE}).")
  int cachedSessions;

  @Option(names = "--backend", description = "Server compute backend: java, native, ... (default: best available).")
  String backend;

  @Option(names = "--threads", defaultValue = "0", description = "Server compute threads (default: all cores).")
  int threads;

  @Option(names = "--warmup", defaultValue = "true", negatable = true, fallbackValue = "true",
      description = "Run one uncounted round before measuring the start (default: ${DEFAULT-VALUE}).")
  boolean warmup;

  @Option(names = "--json", description = "End stdout with one JSON object.")
  boolean json;

  @Option(names = "--replicas", defaultValue = "1",
      description = "Server processes sharing one S3 key store (an S3 server on loopback); clients balance over "
          + "them by ring hash on the session and retry a pass whose replica died (default: ${DEFAULT-VALUE}: one "
          + "server in this process, disk key store).")
  int replicas;

  @Option(names = "--kill-one", description = "With --replicas: SIGKILL one replica mid-pass, then restart it.")
  boolean killOne;

  // One replica may hold a session's keys and its pass while another client's upload is parsed:
  // tiny measured within 3 GiB for one client; 5 GiB leaves room for two keys at once.
  @Option(names = "--replica-heap-mb", defaultValue = "5120",
      description = "With --replicas: heap of each replica process, MB (default: ${DEFAULT-VALUE}).")
  int replicaHeapMb;

  private final List<Double> inferMs = Collections.synchronizedList(new ArrayList<>());
  private final List<Double> uploadMs = Collections.synchronizedList(new ArrayList<>());
  private final List<Double> deleteMs = Collections.synchronizedList(new ArrayList<>());
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong wrong = new AtomicLong();
  private final AtomicLong issued = new AtomicLong();
  private final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
  // One attempt per call with one server; with replicas, as many as there are (see Failover).
  Failover failover = new Failover(1, Duration.ZERO);
  ReplicaTracker tracker;

  @Override
  public Integer call() throws Exception {
    if (minutes <= 0 || clients < 1 || maxRequests < 1 || infersPerSession < 1 || tokens < 1) {
      throw new IllegalArgumentException(
          "--minutes, --clients, --max-requests, --infers-per-session and --tokens must be positive");
    }
    Transformer transformer = ShippedModels.load(modelName);
    TaskTokenizer tokenizer = new TaskTokenizer(transformer.config().tokenizer());
    int[][] prompts = new int[PROMPTS.length][];
    int[][] expected = new int[PROMPTS.length][];
    for (int i = 0; i < PROMPTS.length; i++) {
      prompts[i] = tokenizer.encode(PROMPTS[i]);
      if (prompts[i].length != prompts[0].length) {
        throw new IllegalStateException("soak prompts must have one length: " + PROMPTS[i]);
      }
      if (prompts[i].length + tokens - 1 > transformer.config().maxPositions()) {
        throw new IllegalArgumentException("--tokens " + tokens + " runs past the model's context of "
            + transformer.config().maxPositions());
      }
      // The greedy poly-plain continuation (it stops at end-of-sequence, as the soak does).
      expected[i] = GreedyGenerator.generate(transformer, Mode.POLY_PLAIN, prompts[i], tokens, tokenizer.eos());
    }
    SERVER_LOG.setLevel(Level.WARNING);
    List<String> callers = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      callers.add("soak-" + i);
    }
    if (replicas > 1) {
      return new ReplicaSoak(this).run(callers, prompts, expected);
    }
    if (killOne) {
      throw new IllegalArgumentException("--kill-one needs --replicas 2 or more");
    }
    try (LoopbackServer loopback = LoopbackServer.start("polyhe-soak-", callers, b -> {
      b.models(List.of(modelName)).maxSessions(clients + 1).maxConcurrent(maxConcurrent).maxQueued(clients)
          .cachedSessions(cachedSessions).threads(threads).backend(backend);
    })) {
      long heapInitial = heapAfterGc();
      if (warmup) {
        long w = System.nanoTime();
        ManagedChannel channel = loopback.channel();
        try {
          PolyheClient client = loopback.client(channel, callers.get(0), SoakCommand::deadlines);
          ClientModel model = client.model(modelName);
          Keyring keyring = Keyring.generate(model);
          try (ClientSession s = client.openSession(keyring)) {
            int[] sequence = prompts[0];
            for (int token : expected[0]) {
              if (s.infer(sequence).nextToken() != token) {
                throw new IllegalStateException("the warm-up round's answer differs from the poly-plain reference");
              }
              sequence = append(sequence, token);
            }
          }
        } finally {
          channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        System.out.printf("soak: warm-up round (upload, inference, delete) in %.1f s, not counted%n",
            (System.nanoTime() - w) / 1e9);
      }
      long heapStart = heapAfterGc();
      long storeStart = loopback.keyStoreBytesOnDisk();
      System.out.printf("soak: %d clients for %.1f min (at most %d rounds of %d token%s) against %s on localhost:%d%n",
          clients, minutes, maxRequests, tokens, tokens == 1 ? "" : "s", modelName, loopback.port());
      long t0 = System.nanoTime();
      List<ManagedChannel> channels = new ArrayList<>();
      List<PolyheClient> drivers = new ArrayList<>();
      try {
        for (String caller : callers) {
          ManagedChannel channel = loopback.channel();
          channels.add(channel);
          drivers.add(loopback.client(channel, caller, SoakCommand::deadlines));
        }
        drive(drivers, t0 + (long) (minutes * 60e9), prompts, expected);
      } finally {
        for (ManagedChannel c : channels) {
          c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      long sessionsEnd = loopback.server.sessions().sessions();
      long heapEnd = heapAfterGc();
      long storeEnd = loopback.keyStoreBytesOnDisk();
      JsonObject o = summary(seconds, heapInitial, heapStart, heapEnd, storeStart, storeEnd, sessionsEnd);
      if (json) {
        System.out.println(new Gson().toJson(o));
      }
      return passed() ? 0 : 3;
    }
  }

  /** Whether no answer was wrong and no request failed. */
  boolean passed() {
    return wrong.get() == 0 && errors.values().stream().mapToLong(AtomicLong::get).sum() == 0;
  }

  /** Runs one loop per client until {@code deadline} (nanoTime) or the request budget. */
  void drive(List<PolyheClient> drivers, long deadline, int[][] prompts, int[][] expected) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(drivers.size(),
        Thread.ofPlatform().name("soak-client-", 0).factory());
    try {
      List<Future<?>> running = new ArrayList<>();
      for (PolyheClient client : drivers) {
        running.add(pool.submit(() -> loop(client, deadline, prompts, expected)));
      }
      for (Future<?> f : running) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** Prints the summary lines and returns today's JSON fields. */
  JsonObject summary(double seconds, long heapInitial, long heapStart, long heapEnd, long storeStart, long storeEnd,
      long sessionsEnd) {
    long errorCount = errors.values().stream().mapToLong(AtomicLong::get).sum();
    Map<String, Long> byStatus = new TreeMap<>();
    errors.forEach((k, v) -> byStatus.put(k, v.get()));

    System.out.printf("soak: %.1f s, %d requests completed (%d uploads, %d inferences, %d deletions), "
        + "%d wrong answers, %d errors %s%n", seconds, completed.get(), uploadMs.size(), inferMs.size(),
        deleteMs.size(), wrong.get(), errorCount, byStatus);
    System.out.printf("soak: inference latency p50 %.0f ms, p99 %.0f ms; upload p50 %.0f ms; delete p50 %.0f ms%n",
        percentile(inferMs, 50), percentile(inferMs, 99), percentile(uploadMs, 50), percentile(deleteMs, 50));
    System.out.printf("soak: heap after GC %.1f MB -> %.1f MB (%+.1f MB); key store %d -> %d bytes; "
        + "%d sessions left%n", heapStart / 1e6, heapEnd / 1e6, (heapEnd - heapStart) / 1e6, storeStart, storeEnd,
        sessionsEnd);
    JsonObject o = new JsonObject();
    o.addProperty("completed", completed.get());
    o.addProperty("wrong", wrong.get());
    o.addProperty("errors", errorCount);
    JsonObject es = new JsonObject();
    byStatus.forEach(es::addProperty);
    o.add("errors_by_status", es);
    o.addProperty("p50_ms", percentile(inferMs, 50));
    o.addProperty("p99_ms", percentile(inferMs, 99));
    JsonObject lat = new JsonObject();
    lat.add("infer", latency(inferMs));
    lat.add("upload", latency(uploadMs));
    lat.add("delete", latency(deleteMs));
    o.add("latency_ms", lat);
    o.addProperty("inferences", inferMs.size());
    o.addProperty("uploads", uploadMs.size());
    o.addProperty("deletions", deleteMs.size());
    o.addProperty("clients", clients);
    o.addProperty("seconds", seconds);
    o.addProperty("heap_initial_bytes", heapInitial);
    o.addProperty("heap_start_bytes", heapStart);
    o.addProperty("heap_end_bytes", heapEnd);
    o.addProperty("key_store_bytes_start", storeStart);
    o.addProperty("key_store_bytes_end", storeEnd);
    o.addProperty("sessions_end", sessionsEnd);
    return o;
  }

  // Many clients make keys and answer refreshes at once on few cores: generous deadlines, so a slow
  // request shows as latency; the server's own timeouts (upload idle, refresh) still apply.
  static void deadlines(PolyheClient.Builder b) {
    b.uploadTimeout(Duration.ofMinutes(30)).inferTimeout(Duration.ofMinutes(30));
  }

  static int[] append(int[] sequence, int token) {
    int[] out = java.util.Arrays.copyOf(sequence, sequence.length + 1);
    out[sequence.length] = token;
    return out;
  }

  /**
   * One client: upload, infer, delete, until the deadline or the request budget. Every failure is
   * counted (by status, or as a client-side exception), never fatal to the run.
   */
  private void loop(PolyheClient client, long deadline, int[][] prompts, int[][] expected) {
    ClientModel model = client.model(modelName);
    Keyring keyring = Keyring.generate(model);
    int next = (int) (Thread.currentThread().threadId() % prompts.length);
    while (System.nanoTime() < deadline) {
      long budget = issued.getAndAdd(infersPerSession);
      if (budget >= maxRequests) {
        return;
      }
      int count = (int) Math.min(infersPerSession, maxRequests - budget);
      ClientSession session;
      long t = System.nanoTime();
      try {
        ReplicaTracker.session(null);
        session = failover.call(null, () -> client.openSession(keyring));
        if (tracker != null) {
          tracker.uploaded(session.id());
        }
        ReplicaTracker.session(session.id());
        done(uploadMs, t);
      } catch (RuntimeException e) {
        error(e);
        continue;
      }
      try {
        for (int i = 0; i < count; i++) {
          int p = next++ % prompts.length;
          int[] sequence = prompts[p];
          try {
            for (int token : expected[p]) {
              t = System.nanoTime();
              int[] input = sequence;
              ClientSession current = session;
              InferenceResult r = failover.call(current.id(), () -> current.infer(input));
              done(inferMs, t);
              if (r.nextToken() != token) {
                wrong.incrementAndGet();
                break; // the continuation would differ from the reference from here on
              }
              sequence = append(sequence, token);
            }
          } catch (RuntimeException e) {
            error(e);
          }
        }
      } finally {
        t = System.nanoTime();
        try {
          failover.delete(client, session.id());
          done(deleteMs, t);
        } catch (RuntimeException e) {
          error(e);
        }
      }
    }
  }

  private void done(List<Double> into, long startNanos) {
    into.add((System.nanoTime() - startNanos) / 1e6);
    completed.incrementAndGet();
  }

  private void error(RuntimeException e) {
    String kind = e instanceof StatusRuntimeException s ? s.getStatus().getCode().name()
        : "CLIENT_" + e.getClass().getSimpleName();
    errors.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
  }

  private static JsonObject latency(List<Double> ms) {
    JsonObject o = new JsonObject();
    o.addProperty("p50", percentile(ms, 50));
    o.addProperty("p99", percentile(ms, 99));
    o.addProperty("count", ms.size());
    return o;
  }

  /** Nearest-rank percentile, 0 for no samples. */
  static double percentile(List<Double> samples, double p) {
    List<Double> s;
    synchronized (samples) {
      s = new ArrayList<>(samples);
    }
    if (s.isEmpty()) {
      return 0;
    }
    Collections.sort(s);
    int rank = (int) Math.ceil(p / 100 * s.size());
    return s.get(Math.max(0, Math.min(s.size() - 1, rank - 1)));
  }

  /** Heap in use after full collections (repeated until it stops shrinking). */
  static long heapAfterGc() {
    var memory = ManagementFactory.getMemoryMXBean();
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      memory.gc();
      long used = memory.getHeapMemoryUsage().getUsed();
      if (used >= best) {
        break;
      }
      best = used;
    }
    return best;
  }
}
