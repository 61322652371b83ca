package io.polyhe.cli.bench.peer;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A running SEAL peer: the Node.js process {@code bench/peer/seal-peer.mjs} that runs CKKS
 * operations on Microsoft SEAL 4.1 (node-seal 7.0.0, WebAssembly, on the Node 24 pinned in {@code
 * bench/peer/package.json}), driven one request at a time over JSON lines, so that a bench can
 * alternate polyhe and SEAL measurements op by op in one run.
 *
 * <p>Life cycle: {@link #start(Path)} installs the peer with {@code npm ci} if {@code
 * bench/peer/node_modules} is missing or stale, starts the process, and returns; {@link #setup}
 * builds a SEAL context and keys; {@link #run}, {@link #precision()} and {@link #sizes()} measure
 * against the current context; {@link #close()} asks the process to quit and kills it if it does
 * not. The peer's stderr is forwarded line by line to {@code System.err}, prefixed {@code
 * [seal-peer]}; its stdout carries only replies.
 *
 * <p>Units: timings are microseconds of wall-clock time measured inside the peer around the
 * operation alone ({@code process.hrtime.bigint()}); inputs are prepared outside the timed region.
 *
 * <p>Errors: every failure (install, start, a peer that dies or exceeds the reply timeout, an error
 * reply) is a {@link SealPeerException} whose message carries the peer's own error text. After the
 * peer dies or times out this object is closed and every further request throws.
 *
 * <p>Thread safety: requests are serialised (the methods are synchronized); the peer handles one
 * request at a time anyway.
 */
public final class SealPeer implements AutoCloseable {

  /** Where the peer lives, relative to the repository root. */
  public static final String PEER_DIRECTORY = "bench/peer";

  /** The ops the peer measures; any other op name makes {@link #run} return empty. */
  public static final List<String> SUPPORTED_OPS =
      List.of(
          "encode",
          "decode",
          "encrypt_pk",
          "encrypt_sk_seeded",
          "decrypt",
          "add",
          "mul_plain",
          "mul",
          "rescale",
          "relinearize",
          "mul_relin",
          "rotate",
          "keygen_galois_1");

  /** Generous: one keygen at logN 16 in WebAssembly takes minutes. */
  public static final Duration DEFAULT_REPLY_TIMEOUT = Duration.ofMinutes(10);

  private static final String SCRIPT = "seal-peer.mjs";
  private static final String UNSUPPORTED = "unsupported";
  private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(10);
  private static final Duration QUIT_GRACE = Duration.ofSeconds(10);
  private static final Duration PUMP_DRAIN = Duration.ofSeconds(2);

  /** Serialises installs inside this JVM; the file lock serialises them across JVMs. */
  private static final Object INSTALL_LOCK = new Object();

  /**
   * The peer's answer to {@code setup}.
   *
   * @param slots complex slots per ciphertext (N/2)
   * @param securityLevel {@code "tc128"}, or {@code "none"} where SEAL's own security table refuses
   *     the exact chain (e.g. logN 16, which SEAL's table does not cover)
   * @param sealVersion version of Microsoft SEAL inside node-seal
   * @param nodeSealVersion version of the node-seal package
   * @param nodeVersion version of the Node.js runtime the peer runs on
   * @param ctPrimes ciphertext primes of every op's inputs (the working level)
   * @param topCtPrimes SEAL's ciphertext primes at the top level ({@code logQ.length - 1})
   */
  public record Setup(
      int slots,
      String securityLevel,
      String sealVersion,
      String nodeSealVersion,
      String nodeVersion,
      int ctPrimes,
      int topCtPrimes) {}

  /**
   * Precision of one multiply → relinearise → rescale round trip against double arithmetic.
   *
   * @param bitsMax {@code -log2} of the largest absolute slot error
   * @param bitsMean {@code -log2} of the mean absolute slot error
   */
  public record Precision(double bitsMax, double bitsMean) {}

  /**
   * Serialised sizes in bytes, SEAL format without compression, at the working level.
   *
   * @param ciphertext a fresh public-key ciphertext
   * @param ciphertextSeeded a fresh symmetric ciphertext saved with its seed, if the peer reports
   *     one
   */
  public record Sizes(long ciphertext, OptionalLong ciphertextSeeded) {}

  private final Process process;
  private final BufferedWriter toPeer;

  /** Reply lines in arrival order; {@code Optional.empty()} marks the end of the peer's stdout. */
  private final BlockingQueue<Optional<String>> replies = new LinkedBlockingQueue<>();

  private final Thread stdoutPump;
  private final Thread stderrPump;
  private final Duration replyTimeout;
  private boolean closed;

  private SealPeer(Process process, Duration replyTimeout) {
    this.process = process;
    this.replyTimeout = replyTimeout;
    this.toPeer =
        new BufferedWriter(
            new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
    this.stdoutPump =
        Thread.ofPlatform()
            .daemon()
            .name("seal-peer-stdout")
            .start(() -> pumpReplies(process.getInputStream()));
    this.stderrPump = pumpLines(process.getErrorStream(), "[seal-peer] ", "seal-peer-stderr");
  }

  /** {@link #start(Path, Duration)} with {@link #DEFAULT_REPLY_TIMEOUT}. */
  public static SealPeer start(Path repositoryRoot) {
    return start(repositoryRoot, DEFAULT_REPLY_TIMEOUT);
  }

  /**
   * Installs the peer if needed ({@link #installIfNeeded}) and starts it.
   *
   * @param repositoryRoot the polyhe checkout (the folder holding {@code bench/peer})
   * @param replyTimeout how long one request may take before the peer is killed
   * @throws SealPeerException if the peer is absent, cannot be installed or cannot be started
   */
  public static SealPeer start(Path repositoryRoot, Duration replyTimeout) {
    if (replyTimeout.isNegative() || replyTimeout.isZero()) {
      throw new IllegalArgumentException("replyTimeout must be positive: " + replyTimeout);
    }
    Path dir = peerDirectory(repositoryRoot);
    installIfNeeded(dir);
    Path node = nodeBinary(dir);
    ProcessBuilder pb =
        new ProcessBuilder(node.toString(), dir.resolve(SCRIPT).toString()).directory(dir.toFile());
    try {
      return new SealPeer(pb.start(), replyTimeout);
    } catch (IOException e) {
      throw new SealPeerException(
          "cannot start the SEAL peer (" + node + "): " + e.getMessage() + "; " + howToInstall(dir),
          e);
    }
  }

  /**
   * The peer's folder under a repository root.
   *
   * @throws SealPeerException if {@code bench/peer/seal-peer.mjs} is not there
   */
  public static Path peerDirectory(Path repositoryRoot) {
    Path dir = repositoryRoot.toAbsolutePath().normalize().resolve(PEER_DIRECTORY);
    if (!Files.isRegularFile(dir.resolve(SCRIPT))) {
      throw new SealPeerException(
          "no SEAL peer at "
              + dir.resolve(SCRIPT)
              + " (is "
              + repositoryRoot
              + " a polyhe checkout?)");
    }
    return dir;
  }

  /** The nearest folder at or above {@code start} that holds {@code bench/peer/seal-peer.mjs}. */
  public static Optional<Path> findRepositoryRoot(Path start) {
    for (Path p = start.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve(PEER_DIRECTORY).resolve(SCRIPT))) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** The {@code npm} executable on {@code PATH}, if any. */
  public static Optional<Path> findNpm() {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String entry : path.split(File.pathSeparator)) {
      if (entry.isEmpty()) {
        continue;
      }
      Path npm = Path.of(entry, "npm");
      if (Files.isRegularFile(npm) && Files.isExecutable(npm)) {
        return Optional.of(npm);
      }
    }
    return Optional.empty();
  }

  /**
   * Whether {@code node_modules} holds the Node runtime and the node-seal version that {@code
   * package.json} pins (a checkout that moved to new pins counts as not installed).
   */
  public static boolean isInstalled(Path peerDir) {
    if (!Files.isExecutable(nodeBinary(peerDir))) {
      return false;
    }
    try {
      JsonObject pins =
          JsonParser.parseString(Files.readString(peerDir.resolve("package.json")))
              .getAsJsonObject()
              .getAsJsonObject("dependencies");
      for (String dep : pins.keySet()) {
        Path installed = peerDir.resolve("node_modules").resolve(dep).resolve("package.json");
        if (!Files.isRegularFile(installed)) {
          return false;
        }
        String version =
            JsonParser.parseString(Files.readString(installed))
                .getAsJsonObject()
                .get("version")
                .getAsString();
        if (!version.equals(pins.get(dep).getAsString())) {
          return false;
        }
      }
      return true;
    } catch (IOException | RuntimeException e) {
      // Unreadable or malformed: let npm ci rebuild it from the lockfile.
      return false;
    }
  }

  /**
   * Runs {@code npm ci} in the peer's folder unless {@link #isInstalled} already holds; npm's
   * output goes to {@code System.err}. Concurrent callers (threads or JVMs) install once.
   *
   * @throws SealPeerException if npm is not on {@code PATH} or fails, saying what to run by hand
   */
  public static void installIfNeeded(Path peerDir) {
    if (isInstalled(peerDir)) {
      return;
    }
    synchronized (INSTALL_LOCK) {
      try (FileChannel ch =
              FileChannel.open(
                  peerDir.resolve(".npm-ci.lock"),
                  StandardOpenOption.CREATE,
                  StandardOpenOption.WRITE)) {
        ch.lock(); // held until the channel closes
        if (isInstalled(peerDir)) { // another JVM installed it while we waited
          return;
        }
        runNpmCi(peerDir);
      } catch (IOException e) {
        throw new SealPeerException(
            "cannot install the SEAL peer: " + e.getMessage() + "; " + howToInstall(peerDir), e);
      }
    }
    if (!isInstalled(peerDir)) {
      throw new SealPeerException(
          "npm ci finished but "
              + nodeBinary(peerDir)
              + " or node-seal is still missing; "
              + howToInstall(peerDir));
    }
  }

  private static void runNpmCi(Path peerDir) throws IOException {
    Path npm =
        findNpm()
            .orElseThrow(
                () ->
                    new SealPeerException(
                        "the SEAL peer is not installed and npm is not on PATH; install Node.js"
                            + " with npm, then run: "
                            + installCommand(peerDir)));
    System.err.println(
        "polyhe: installing the SEAL peer (node-seal + Node 24, pinned by package-lock.json): "
            + installCommand(peerDir));
    Process p =
        new ProcessBuilder(npm.toString(), "ci", "--no-audit", "--no-fund")
            .directory(peerDir.toFile())
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().close(); // npm ci asks nothing; an open stdin could only make it wait
    // npm's stdout must not reach ours: the bench writes its JSON there.
    Thread pump = pumpLines(p.getInputStream(), "[npm] ", "npm-ci-output");
    try {
      if (!p.waitFor(INSTALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new SealPeerException(
            "npm ci took longer than "
                + INSTALL_TIMEOUT.toMinutes()
                + " min; stopped it; run it"
                + " by hand: "
                + installCommand(peerDir));
      }
      pump.join(PUMP_DRAIN);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new SealPeerException("interrupted while installing the SEAL peer", e);
    }
    if (p.exitValue() != 0) {
      throw new SealPeerException(
          "npm ci failed with exit code "
              + p.exitValue()
              + " (its output is above); fix that and"
              + " run: "
              + installCommand(peerDir));
    }
  }

  /**
   * Builds a SEAL CKKS context and keys (secret, public, relinearisation, Galois for one step) at
   * SEAL's top level: {@link #setup(int, int[], int, int)} with {@code ctPrimes = logQ.length - 1}.
   */
  public Setup setup(int logN, int[] logQ, int logScale) {
    return setup(logN, logQ, logScale, 0);
  }

  /**
   * Builds a SEAL CKKS context with ring degree {@code 2^logN} and {@code CoeffModulus.Create(N,
   * logQ)}, whose last prime SEAL takes as its single special prime; pass polyhe's ciphertext
   * primes followed by its special primes. Replaces any previous context.
   *
   * <p>SEAL counts all but the last prime as ciphertext primes, so a polyhe chain with {@code k}
   * ciphertext primes and more than one special prime gives SEAL more ciphertext primes than
   * polyhe; {@code ctPrimes = k} makes every op's inputs carry exactly {@code k} primes (SEAL drops
   * the extra ones by mod switching, outside the timed region) so both sides work on the same
   * limbs. Encode is the exception: node-seal always encodes at the top level.
   *
   * @param logScale inputs are encoded at scale {@code 2^logScale}
   * @param ctPrimes ciphertext primes of the inputs, 1..logQ.length-1; 0 means all of SEAL's
   * @throws SealPeerException with SEAL's message if it rejects the parameters
   */
  public synchronized Setup setup(int logN, int[] logQ, int logScale, int ctPrimes) {
    JsonObject req = command("setup");
    req.addProperty("logN", logN);
    JsonArray q = new JsonArray();
    for (int b : logQ) {
      q.add(b);
    }
    req.add("logQ", q);
    req.addProperty("logScale", logScale);
    if (ctPrimes != 0) {
      req.addProperty("ctPrimes", ctPrimes);
    }
    JsonObject r = expectOk(request(req, "setup"), "setup");
    return new Setup(
        intField(r, "slots"),
        stringField(r, "securityLevel"),
        stringField(r, "seal"),
        stringField(r, "nodeSeal"),
        stringField(r, "node"),
        intField(r, "ctPrimes"),
        intField(r, "topCtPrimes"));
  }

  /** {@link #run(String, int, int)} without warm-up iterations. */
  public Optional<double[]> run(String op, int iterations) {
    return run(op, iterations, 0);
  }

  /**
   * Times {@code iterations} runs of {@code op} on fresh random inputs (values in [-1, 1] at the
   * setup's scale and working level), after {@code warmup} untimed runs that let V8 tier the
   * WebAssembly up.
   *
   * @return one sample per iteration in microseconds, in order; empty if the peer does not support
   *     the op (e.g. {@code ntt}, {@code rotate_hoisted_16})
   * @throws SealPeerException with the peer's message on any other error (e.g. no setup yet)
   */
  public synchronized Optional<double[]> run(String op, int iterations, int warmup) {
    if (iterations < 1 || warmup < 0) {
      throw new IllegalArgumentException(
          "iterations must be >= 1 and warmup >= 0, got " + iterations + ", " + warmup);
    }
    JsonObject req = command("run");
    req.addProperty("op", op);
    req.addProperty("iterations", iterations);
    if (warmup > 0) {
      req.addProperty("warmup", warmup);
    }
    String what = "run " + op;
    JsonObject r = request(req, what);
    if (!isOk(r) && UNSUPPORTED.equals(optionalString(r, "error"))) {
      return Optional.empty();
    }
    expectOk(r, what);
    JsonArray us = arrayField(r, "us");
    if (us.size() != iterations) {
      throw new SealPeerException(
          "SEAL peer returned " + us.size() + " samples for " + what + ", asked for " + iterations);
    }
    double[] samples = new double[iterations];
    for (int i = 0; i < iterations; i++) {
      samples[i] = us.get(i).getAsDouble();
    }
    return Optional.of(samples);
  }

  /** Encode → encrypt (pk) → multiply → relinearise → rescale → decrypt → decode, once. */
  public synchronized Precision precision() {
    JsonObject r = expectOk(request(command("precision"), "precision"), "precision");
    return new Precision(doubleField(r, "bits_max"), doubleField(r, "bits_mean"));
  }

  /** Sizes of a fresh public-key ciphertext and of a seeded symmetric one. */
  public synchronized Sizes sizes() {
    JsonObject r = expectOk(request(command("sizes"), "sizes"), "sizes");
    JsonElement seeded = r.get("ciphertext_seeded");
    return new Sizes(
        longField(r, "ciphertext"),
        seeded == null || seeded.isJsonNull()
            ? OptionalLong.empty()
            : OptionalLong.of(seeded.getAsLong()));
  }

  /** Whether the peer process is still running. */
  public boolean isRunning() {
    return process.isAlive();
  }

  /**
   * Sends {@code quit}, waits up to 10 s for the peer to exit, then kills it. Idempotent; never
   * throws.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (process.isAlive()) {
        toPeer.write(command("quit").toString());
        toPeer.write('\n');
        toPeer.flush();
      }
    } catch (IOException e) {
      // Already gone or stdin closed: fall through to waiting / killing.
    }
    try {
      toPeer.close();
    } catch (IOException e) {
      // nothing more to do with stdin
    }
    stop(QUIT_GRACE);
  }

  // ---- plumbing ------------------------------------------------------------------------------

  /** Waits up to {@code grace} for the process to exit, then kills it; drains the pumps. */
  private void stop(Duration grace) {
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(5, TimeUnit.SECONDS);
        }
      }
      // Let the peer's last stderr lines out before the caller prints anything else.
      stderrPump.join(PUMP_DRAIN);
      stdoutPump.join(PUMP_DRAIN);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private JsonObject request(JsonObject req, String what) {
    if (closed) {
      throw new SealPeerException("SEAL peer is closed (" + what + ")");
    }
    try {
      toPeer.write(req.toString()); // Gson's toString is compact: one line
      toPeer.write('\n');
      toPeer.flush();
    } catch (IOException e) {
      throw died(what);
    }
    Optional<String> line;
    try {
      line = replies.poll(replyTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed = true;
      stop(Duration.ZERO);
      throw new SealPeerException("interrupted while waiting for the SEAL peer (" + what + ")", e);
    }
    if (line == null) {
      closed = true;
      stop(Duration.ZERO);
      throw new SealPeerException(
          "SEAL peer did not answer " + what + " within " + replyTimeout + "; stopped it");
    }
    if (line.isEmpty()) {
      throw died(what);
    }
    try {
      return JsonParser.parseString(line.get()).getAsJsonObject();
    } catch (JsonParseException | IllegalStateException e) {
      throw new SealPeerException(
          "SEAL peer answered "
              + what
              + " with something other than a JSON object: "
              + abbreviate(line.get()));
    }
  }

  private SealPeerException died(String what) {
    closed = true;
    stop(Duration.ofSeconds(5));
    String code = process.isAlive() ? "killed" : "exit code " + process.exitValue();
    return new SealPeerException(
        "SEAL peer ended ("
            + code
            + ") during "
            + what
            + "; its stderr, prefixed [seal-peer], is"
            + " above");
  }

  private static JsonObject command(String cmd) {
    JsonObject o = new JsonObject();
    o.addProperty("cmd", cmd);
    return o;
  }

  private static boolean isOk(JsonObject r) {
    JsonElement ok = r.get("ok");
    return ok != null
        && ok.isJsonPrimitive()
        && ok.getAsJsonPrimitive().isBoolean()
        && ok.getAsBoolean();
  }

  private static JsonObject expectOk(JsonObject r, String what) {
    if (!isOk(r)) {
      String error = optionalString(r, "error");
      String detail = optionalString(r, "detail");
      throw new SealPeerException(
          "SEAL peer failed "
              + what
              + ": "
              + (error == null ? abbreviate(r.toString()) : error)
              + (detail == null ? "" : " (" + detail + ")"));
    }
    return r;
  }

  private static String optionalString(JsonObject r, String name) {
    JsonElement e = r.get(name);
    return e != null && e.isJsonPrimitive() ? e.getAsString() : null;
  }

  private static JsonElement field(JsonObject r, String name) {
    JsonElement e = r.get(name);
    if (e == null || e.isJsonNull()) {
      throw new SealPeerException(
          "SEAL peer reply lacks \"" + name + "\": " + abbreviate(r.toString()));
    }
    return e;
  }

  private static String stringField(JsonObject r, String name) {
    return field(r, name).getAsString();
  }

  private static int intField(JsonObject r, String name) {
    return field(r, name).getAsInt();
  }

  private static long longField(JsonObject r, String name) {
    return field(r, name).getAsLong();
  }

  private static double doubleField(JsonObject r, String name) {
    return field(r, name).getAsDouble();
  }

  private static JsonArray arrayField(JsonObject r, String name) {
    JsonElement e = field(r, name);
    if (!e.isJsonArray()) {
      throw new SealPeerException("SEAL peer reply field \"" + name + "\" is not an array");
    }
    return e.getAsJsonArray();
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }

  private void pumpReplies(InputStream in) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        replies.add(Optional.of(line));
      }
    } catch (IOException | UncheckedIOException e) {
      // The stream closes when the process dies; the end marker below tells the waiter.
    } finally {
      replies.add(Optional.empty());
    }
  }

  /** Copies lines of {@code in} to {@code System.err} with a prefix, on a daemon thread. */
  private static Thread pumpLines(InputStream in, String prefix, String threadName) {
    return Thread.ofPlatform()
        .daemon()
        .name(threadName)
        .start(
            () -> {
              PrintStream err = System.err;
              try (BufferedReader r =
                  new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  err.println(prefix + line);
                }
              } catch (IOException e) {
                // The process ended; nothing left to forward.
              }
            });
  }

  private static Path nodeBinary(Path peerDir) {
    return peerDir.resolve("node_modules").resolve(".bin").resolve("node");
  }

  private static String installCommand(Path peerDir) {
    return "cd " + peerDir + " && npm ci";
  }

  private static String howToInstall(Path peerDir) {
    return "(re)install it with: " + installCommand(peerDir);
  }
}
