package io.polyhe.cli.bench;

import com.google.gson.GsonBuilder;
import io.polyhe.he.backend.ComputeBackend;
import io.polyhe.he.backend.ComputeBackends;
import io.polyhe.he.circuits.bootstrap.BootstrapParameters;
import io.polyhe.he.circuits.bootstrap.BootstrapPreset;
import io.polyhe.he.circuits.bootstrap.Bootstrapper;
import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksEncoder;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ckks.Evaluator;
import io.polyhe.he.io.HeFormat;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.Decryptor;
import io.polyhe.he.rlwe.KeyGenerator;
import io.polyhe.he.rlwe.SecretKey;
import io.polyhe.he.rlwe.SymmetricEncryptor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code polyhe bench bootstrap}: one bootstrap of random values uniform in [-1, 1] (all slots, or
 * {@code --log-slots} of them, repeated), timed after a warm-up; precision is {@code -log2} of the
 * mean and of the largest absolute slot error. logN 16 runs a 128-bit preset (sparse h = 320 by
 * default, {@code --secret dense} for the uniform ternary one); logN 10 the insecure test presets
 * (said in the output).
 */
@Command(
    name = "bootstrap",
    mixinStandardHelpOptions = true,
    description = "Benchmark CKKS bootstrapping: time, output level, precision (bits).")
public final class BootstrapBenchCommand implements Callable<Integer> {

  @Option(names = "--logn", description = "Ring degree log2 N: 16 (128-bit preset) or 10 (insecure test preset); "
      + "default ${DEFAULT-VALUE}.", defaultValue = "16")
  int logN;

  /** Secret distribution of the preset. */
  enum Secret { sparse, dense }

  @Option(names = "--secret", defaultValue = "sparse", description = "sparse (logN 16: h = 320, 128-bit by the "
      + "lattice-estimator figure; logN 10: h = 32) or dense (uniform ternary); default: ${DEFAULT-VALUE}.")
  Secret secret;

  @Option(names = "--log-slots", description = "Bootstrap 2^k slots (sparse packing); default all N/2.")
  Integer logSlots;

  @Option(names = "--threads", description = "Backend threads (default: ${DEFAULT-VALUE}).", defaultValue = "2")
  int threads;

  @Option(names = "--backend", description = "java, or another installed backend (default: best available).")
  String backend;

  @Option(names = "--repeat", description = "Timed bootstraps (default: ${DEFAULT-VALUE}).", defaultValue = "1")
  int repeat;

  @Option(names = "--cache", negatable = true, description = "Keep encoded DFT diagonals between bootstraps (default: "
      + "the preset's choice; at logN 16 they take about 3.5 GB).")
  Boolean cache;

  @Option(names = "--json", description = "End stdout with one JSON object.")
  boolean json;

  static BootstrapPreset preset(int logN, Secret secret) {
    boolean sparse = secret == Secret.sparse;
    if (logN == 16) {
      return sparse ? BootstrapPreset.N16_QP1726_H320_128_BOOTSTRAP : BootstrapPreset.N16_QP1772_128_BOOTSTRAP;
    }
    if (logN == 10) {
      return sparse ? BootstrapPreset.INSECURE_N10_SPARSE_BOOTSTRAP_TEST : BootstrapPreset.INSECURE_N10_BOOTSTRAP_TEST;
    }
    throw new IllegalArgumentException("bootstrapping presets exist for logN 16 (128-bit) and 10 (insecure tests), not "
        + logN);
  }

  @Override
  public Integer call() {
    ComputeBackend compute =
        backend == null ? ComputeBackends.best(threads) : ComputeBackends.create(backend, threads);
    BootstrapPreset preset = preset(logN, secret);
    CkksParameters params = preset.parameters();
    BootstrapParameters bp = preset.bootstrapParameters();
    if (logSlots != null) {
      bp = bp.withLogSlots(logSlots);
    }
    if (cache != null) {
      bp = bp.withCache(cache);
    }
    int[] galois = Bootstrapper.galoisElements(params, bp);
    long keyBytes = HeFormat.switchingKeySize(params.rlwe());
    System.out.printf("polyhe bench bootstrap: %s (%s) backend=%s threads=%d%n  %s%n  %d Galois keys + relinearisation:"
            + " %.1f MB each seeded, %.2f GB in all%n",
        preset, preset.insecure() ? "INSECURE, tests only" : "128-bit", compute.name(), compute.threads(), params,
        galois.length, keyBytes / 1e6, (galois.length + 1) * keyBytes / 1e9);
    CkksContext ctx = CkksContext.create(params, compute);
    KeyGenerator keygen = new KeyGenerator(ctx.rlwe(), SeedSource.deterministicForTestsOnly(3));
    SecretKey sk = keygen.generateSecretKey();
    long keyStart = System.nanoTime();
    Evaluator evaluator = new Evaluator(ctx, keygen.generateEvaluationKeys(sk, galois));
    double keySeconds = (System.nanoTime() - keyStart) / 1e9;
    System.out.printf("  keys: %.1f s%n", keySeconds);
    Bootstrapper boot = new Bootstrapper(evaluator, bp);
    System.out.printf("  %s%n", boot);
    CkksEncoder encoder = new CkksEncoder(ctx);
    SymmetricEncryptor encryptor = new SymmetricEncryptor(ctx.rlwe(), sk);
    Decryptor decryptor = new Decryptor(ctx.rlwe(), sk);
    int slots = params.slots();
    int n = boot.slots();
    double[] base = new SplittableRandom(9).doubles(n, -1, 1).toArray();
    double[] v = new double[slots];
    for (int i = 0; i < slots; i++) {
      v[i] = base[i % n];
    }
    Ciphertext in = encryptor.encrypt(encoder.encode(v, 0, boot.inputScale()));
    Ciphertext out = boot.bootstrap(in, params.defaultScale()); // warm-up (JIT, caches)
    long[] before = boot.timings();
    Samples samples = new Samples();
    for (int i = 0; i < repeat; i++) {
      long start = System.nanoTime();
      out = boot.bootstrap(in, params.defaultScale());
      samples.add(new double[] {(System.nanoTime() - start) / 1e9});
    }
    long[] after = boot.timings();
    double[] y = encoder.decode(decryptor.decrypt(out));
    double sum = 0;
    double max = 0;
    for (int i = 0; i < slots; i++) {
      double e = Math.abs(y[i] - v[i]);
      sum += e;
      max = Math.max(max, e);
    }
    double meanBits = -Math.log(sum / slots) / Math.log(2);
    double minBits = -Math.log(max) / Math.log(2);
    Map<String, Object> steps = new LinkedHashMap<>();
    for (Bootstrapper.Step s : Bootstrapper.Step.values()) {
      steps.put(s.label(), round3((after[s.ordinal()] - before[s.ordinal()]) / 1e9 / repeat));
    }
    System.out.printf("  time %.2f s (median of %d), output level %d, precision %.2f bits mean, %.2f bits min;"
        + " steps (s, mean): %s%n", samples.median(), repeat, out.level(), meanBits, minBits, steps);
    if (json) {
      Map<String, Object> report = new LinkedHashMap<>();
      report.put("preset", preset.name());
      report.put("secure", !preset.insecure());
      report.put("logN", params.logN());
      report.put("logQP", Math.round(params.rlwe().logQP() * 10) / 10.0);
      report.put("slots", n);
      report.put("backend", compute.name());
      report.put("threads", compute.threads());
      report.put("seconds", round3(samples.median()));
      report.put("steps_seconds", steps);
      report.put("output_level", out.level());
      report.put("precision_bits_mean", CkksBenchCommand.round(meanBits));
      report.put("precision_bits_min", CkksBenchCommand.round(minBits));
      report.put("galois_keys", galois.length);
      report.put("key_bytes_seeded", (galois.length + 1) * keyBytes);
      report.put("keygen_seconds", round3(keySeconds));
      report.put("K", bp.k());
      report.put("double_angle", bp.doubleAngle());
      report.put("sine_degree", boot.evalMod().sineDegree());
      report.put("arcsine", bp.arcSine());
      report.put("coeffs_to_slots_levels", bp.coeffsToSlotsLevels());
      report.put("slots_to_coeffs_levels", bp.slotsToCoeffsLevels());
      report.put("secret_hamming_weight", params.rlwe().secretHammingWeight());
      report.put("cached_diagonals", bp.cacheDiagonals());
      System.out.println(new GsonBuilder().disableHtmlEscaping().create().toJson(report));
    }
    return 0;
  }

  private static double round3(double x) {
    return Math.round(x * 1000) / 1000.0;
  }
}
