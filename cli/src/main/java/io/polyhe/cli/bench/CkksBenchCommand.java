package io.polyhe.cli.bench;

import com.google.gson.GsonBuilder;
import io.polyhe.cli.bench.peer.SealPeer;
import io.polyhe.cli.bench.peer.SealPeerException;
import io.polyhe.he.backend.ComputeBackend;
import io.polyhe.he.backend.ComputeBackends;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ckks.CkksPreset;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code polyhe bench ckks}: median microseconds of the CKKS primitives per ring degree, the
 * precision after a multiplication, and serialised sizes.
 *
 * <p>Each op is warmed up (JIT) and then sampled in {@link #ROUNDS} rounds; when other runners are
 * compared (the Java backend next to a native one, the Microsoft SEAL peer), their rounds alternate
 * with polyhe's so that all of them see the same machine conditions, and each reports its median
 * and the ratio. Medians are reported because this machine is noisy; the fastest sample is kept
 * too. With {@code --json} the last line of stdout is one JSON object.
 */
@Command(
    name = "ckks",
    mixinStandardHelpOptions = true,
    description = "Benchmark CKKS primitives (median microseconds per op).")
public final class CkksBenchCommand implements Callable<Integer> {
  /** Alternation rounds per op. */
  static final int ROUNDS = 3;

  @Option(names = "--logn", split = ",", description = "Ring degrees log2 N (default: ${DEFAULT-VALUE}).",
      defaultValue = "13,14,15,16")
  List<Integer> logNs;

  @Option(names = "--threads", description = "Backend threads (default: ${DEFAULT-VALUE}, as the SEAL peer).",
      defaultValue = "1")
  int threads;

  @Option(names = "--backend", description = "java, native, ... (default: best available).")
  String backend;

  @Option(names = "--peer", description = "Also run the same ops on a peer, alternating: node-seal.")
  String peer;

  @Option(names = "--ops", split = ",", description = "Only these ops (default: all).")
  List<String> onlyOps;

  @Option(names = "--seconds", description = "Sampling budget per op, ring degree and runner (default: ${DEFAULT-VALUE}).",
      defaultValue = "1.0")
  double secondsPerOp;

  @Option(names = "--json", description = "End stdout with one JSON object.")
  boolean json;

  @Override
  public Integer call() {
    ComputeBackend compute =
        backend == null ? ComputeBackends.best(threads) : ComputeBackends.create(backend, threads);
    ComputeBackend java = compute.name().equals("java") ? null : ComputeBackends.create("java", threads);
    if (peer != null && !peer.equals("node-seal")) {
      throw new IllegalArgumentException("unknown peer '" + peer + "'; known: node-seal");
    }
    List<String> ops = onlyOps == null ? List.of(CkksWorkload.OPS) : onlyOps;
    for (String op : ops) {
      if (!List.of(CkksWorkload.OPS).contains(op)) {
        throw new IllegalArgumentException("unknown op '" + op + "'; known: " + List.of(CkksWorkload.OPS));
      }
    }
    PrintStream out = System.out;
    List<Map<String, Object>> results = new ArrayList<>();
    Map<String, Object> precision = new LinkedHashMap<>();
    Map<String, Object> bytes = new LinkedHashMap<>();
    Map<String, Object> peerInfo = new LinkedHashMap<>();
    out.printf("polyhe bench ckks: backend=%s threads=%d%s%s%n", compute.name(), compute.threads(),
        java == null ? "" : " (java alongside)", peer == null ? "" : " peer=" + peer);
    try (SealPeer seal = peer == null ? null : SealPeer.start(repositoryRoot())) {
      for (int logN : logNs) {
        CkksParameters params = CkksPreset.forLogN(logN).parameters();
        out.printf("%nlogN=%d  %s%n", logN, params);
        long setupStart = System.nanoTime();
        CkksWorkload.Keys keys = CkksWorkload.Keys.generate(params, compute);
        CkksWorkload workload = new CkksWorkload(params, compute, keys);
        CkksWorkload javaWorkload = java == null ? null : new CkksWorkload(params, java, keys);
        out.printf("  setup (keys incl. 16 Galois keys): %.1f s%n", (System.nanoTime() - setupStart) / 1e9);
        boolean peerReady = seal != null && setupPeer(seal, params, logN, peerInfo, out);
        out.printf("  %-20s %12s %12s%s%s%n", "op", "polyhe_us", "min_us",
            java == null ? "" : String.format(" %12s %10s", "java_us", compute.name() + "/java"),
            peerReady ? String.format(" %12s %8s", "peer_us", "ratio") : "");
        for (String op : ops) {
          Samples mine = new Samples();
          Samples javaSamples = new Samples();
          Samples peerSamples = new Samples();
          boolean peerHasOp = peerReady;
          Runnable body = workload.op(op);
          warmUp(body);
          if (javaWorkload != null) {
            warmUp(javaWorkload.op(op));
          }
          for (int round = 0; round < ROUNDS; round++) {
            mine.add(sample(body, secondsPerOp / ROUNDS));
            if (javaWorkload != null) {
              javaSamples.add(sample(javaWorkload.op(op), secondsPerOp / ROUNDS));
            }
            if (peerHasOp) {
              int iterations = Math.max(2, (int) Math.ceil(mine.count() / (double) (round + 1)));
              Optional<double[]> p = seal.run(op, Math.min(iterations, 50), round == 0 ? 1 : 0);
              if (p.isPresent()) {
                peerSamples.add(p.get());
              } else {
                peerHasOp = false;
              }
            }
          }
          results.add(row(logN, op, mine, javaSamples, peerSamples));
          out.printf("  %-20s %12.1f %12.1f%s%s%n", op, mine.median(), mine.min(),
              javaWorkload == null ? "" : String.format(" %12.1f %10.3f", javaSamples.median(),
                  mine.median() / javaSamples.median()),
              peerSamples.count() == 0 ? (peerReady ? String.format(" %12s %8s", "-", "-") : "")
                  : String.format(" %12.1f %8.3f", peerSamples.median(), mine.median() / peerSamples.median()));
        }
        double bits = workload.precisionBits();
        Map<String, Long> sizes = workload.sizes();
        precision.put(Integer.toString(logN), round(bits));
        bytes.put(Integer.toString(logN), sizes);
        out.printf("  precision after mul+relin+rescale: %.2f bits; sizes: %s%n", bits, sizes);
        if (peerReady) {
          SealPeer.Precision pp = seal.precision();
          SealPeer.Sizes ps = seal.sizes();
          Map<String, Object> info = new LinkedHashMap<>();
          info.put("precision_bits", round(pp.bitsMax()));
          info.put("ciphertext", ps.ciphertext());
          ps.ciphertextSeeded().ifPresent(v -> info.put("ciphertext_seeded", v));
          peerInfo.put(Integer.toString(logN), info);
          out.printf("  peer: precision %.2f bits; sizes: ciphertext=%d%s%n", pp.bitsMax(), ps.ciphertext(),
              ps.ciphertextSeeded().isPresent() ? ", ciphertext_seeded=" + ps.ciphertextSeeded().getAsLong() : "");
        }
        workload.consumeSink();
      }
    }
    if (json) {
      Map<String, Object> report = new LinkedHashMap<>();
      report.put("backend", compute.name());
      report.put("threads", compute.threads());
      if (peer != null) {
        report.put("peer", peer);
      }
      report.put("results", results);
      report.put("precision_bits", precision);
      report.put("bytes", bytes);
      if (peer != null) {
        report.put("peer_details", peerInfo);
      }
      out.println(new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues().create()
          .toJson(report));
    }
    return 0;
  }

  private static Path repositoryRoot() {
    String home = System.getProperty("polyhe.home");
    if (home != null) {
      return Path.of(home);
    }
    return SealPeer.findRepositoryRoot(Path.of("").toAbsolutePath())
        .orElseThrow(() -> new IllegalStateException(
            "cannot find the repository root (bench/peer); run through ./polyhe or set -Dpolyhe.home"));
  }

  /**
   * Sets the peer up with the preset's chain (ciphertext primes, then special primes) and inputs
   * at polyhe's number of ciphertext primes; reports and skips when SEAL cannot take the chain.
   */
  private static boolean setupPeer(SealPeer seal, CkksParameters params, int logN, Map<String, Object> info,
      PrintStream out) {
    CkksParameters.Literal literal = CkksPreset.forLogN(logN).literal();
    int[] chain = IntStream.concat(IntStream.of(literal.logQ()), IntStream.of(literal.logP())).toArray();
    try {
      SealPeer.Setup s = seal.setup(logN, chain, literal.logDefaultScale(), literal.logQ().length);
      out.printf("  peer: SEAL %s (node-seal %s on Node %s), security %s, %d ciphertext primes%n",
          s.sealVersion(), s.nodeSealVersion(), s.nodeVersion(), s.securityLevel(), s.ctPrimes());
      return true;
    } catch (SealPeerException e) {
      out.printf("  peer: skipped at logN %d: %s%n", logN, e.getMessage());
      info.put(Integer.toString(logN), Map.of("skipped", String.valueOf(e.getMessage())));
      return false;
    }
  }

  private static Map<String, Object> row(int logN, String op, Samples mine, Samples java, Samples peer) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("logN", logN);
    row.put("op", op);
    row.put("polyhe_us", round(mine.median()));
    row.put("polyhe_min_us", round(mine.min()));
    row.put("samples", mine.count());
    if (java.count() > 0) {
      row.put("java_us", round(java.median()));
      row.put("ratio_vs_java", round3(mine.median() / java.median()));
    }
    if (peer.count() > 0) {
      row.put("peer_us", round(peer.median()));
      row.put("ratio", round3(mine.median() / peer.median()));
    }
    return row;
  }

  /** Runs {@code op} for JIT warm-up: twice, or for up to 0.3 s. */
  private static void warmUp(Runnable op) {
    long end = System.nanoTime() + 300_000_000L;
    int runs = 0;
    while (runs < 2 || (System.nanoTime() < end && runs < 100)) {
      op.run();
      runs++;
    }
  }

  /** At least two samples, then more until the budget is spent. */
  private static double[] sample(Runnable op, double seconds) {
    List<Double> values = new ArrayList<>();
    long end = System.nanoTime() + (long) (seconds * 1e9);
    while (values.size() < 2 || (System.nanoTime() < end && values.size() < 1000)) {
      values.add(Samples.time(op, 1)[0]);
    }
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }

  static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }

  static double round3(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
