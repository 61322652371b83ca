package io.polyhe.cli.bench;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.polyhe.he.backend.ComputeBackend;
import io.polyhe.he.backend.ComputeBackends;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ckks.CkksPreset;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code polyhe bench ckks}: median microseconds of the CKKS primitives per ring degree, the
 * precision after a multiplication, and serialised sizes. Each op is warmed up (JIT) and then
 * sampled within a time budget; medians are reported because this machine is noisy. With {@code
 * --json} the last line of stdout is one JSON object.
 */
@Command(
    name = "ckks",
    mixinStandardHelpOptions = true,
    description = "Benchmark CKKS primitives (median microseconds per op).")
public final class CkksBenchCommand implements Callable<Integer> {

  @Option(names = "--logn", split = ",", description = "Ring degrees log2 N (default: ${DEFAULT-VALUE}).",
      defaultValue = "13,14,15,16")
  List<Integer> logNs;

  @Option(names = "--threads", description = "Backend threads (default: ${DEFAULT-VALUE}, as the SEAL peer).",
      defaultValue = "1")
  int threads;

  @Option(names = "--backend", description = "java, or another installed backend (default: best available).")
  String backend;

  @Option(names = "--ops", split = ",", description = "Only these ops (default: all).")
  List<String> onlyOps;

  @Option(names = "--seconds", description = "Sampling budget per op and ring degree (default: ${DEFAULT-VALUE}).",
      defaultValue = "1.0")
  double secondsPerOp;

  @Option(names = "--json", description = "End stdout with one JSON object.")
  boolean json;

  @Override
  public Integer call() {
    ComputeBackend compute =
        backend == null ? ComputeBackends.best(threads) : ComputeBackends.create(backend, threads);
    PrintStream out = System.out;
    List<String> ops = onlyOps == null ? List.of(CkksWorkload.OPS) : onlyOps;
    for (String op : ops) {
      if (!List.of(CkksWorkload.OPS).contains(op)) {
        throw new IllegalArgumentException("unknown op '" + op + "'; known: " + List.of(CkksWorkload.OPS));
      }
    }
    List<Map<String, Object>> results = new ArrayList<>();
    Map<String, Double> precision = new LinkedHashMap<>();
    Map<String, Map<String, Long>> bytes = new LinkedHashMap<>();
    out.printf("polyhe bench ckks: backend=%s threads=%d%n", compute.name(), compute.threads());
    for (int logN : logNs) {
      CkksParameters params = CkksPreset.forLogN(logN).parameters();
      out.printf("%nlogN=%d  %s%n", logN, params);
      long setupStart = System.nanoTime();
      CkksWorkload workload = new CkksWorkload(params, compute);
      out.printf("  setup (keys incl. 16 Galois keys): %.1f s%n", (System.nanoTime() - setupStart) / 1e9);
      out.printf("  %-20s %14s%n", "op", "polyhe_us");
      for (String op : ops) {
        Samples samples = measure(workload.op(op));
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("logN", logN);
        row.put("op", op);
        row.put("polyhe_us", round(samples.median()));
        row.put("samples", samples.count());
        results.add(row);
        out.printf("  %-20s %14.1f   (%d samples)%n", op, samples.median(), samples.count());
      }
      double bits = workload.precisionBits();
      precision.put(Integer.toString(logN), round(bits));
      bytes.put(Integer.toString(logN), workload.sizes());
      out.printf("  precision after mul+relin+rescale: %.2f bits; sizes: %s%n", bits, workload.sizes());
      if (workload.sinkHash() == 42) {
        out.print("");
      }
    }
    if (json) {
      Map<String, Object> report = new LinkedHashMap<>();
      report.put("backend", compute.name());
      report.put("threads", compute.threads());
      report.put("results", results);
      report.put("precision_bits", precision);
      report.put("bytes", bytes);
      Gson gson = new GsonBuilder().disableHtmlEscaping().create();
      out.println(gson.toJson(report));
    }
    return 0;
  }

  /** Warm up (JIT) for a third of the budget, then sample for the budget; at least 5 samples. */
  private Samples measure(Runnable op) {
    long warmEnd = System.nanoTime() + (long) (secondsPerOp / 3 * 1e9);
    int warm = 0;
    while (warm < 2 || (System.nanoTime() < warmEnd && warm < 200)) {
      op.run();
      warm++;
    }
    Samples samples = new Samples();
    long end = System.nanoTime() + (long) (secondsPerOp * 1e9);
    while (samples.count() < 5 || (System.nanoTime() < end && samples.count() < 1000)) {
      samples.add(Samples.time(op, 1));
    }
    return samples;
  }

  static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
