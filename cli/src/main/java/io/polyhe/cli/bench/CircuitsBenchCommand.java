package io.polyhe.cli.bench;

import com.google.gson.GsonBuilder;
import io.polyhe.he.backend.ComputeBackend;
import io.polyhe.he.backend.ComputeBackends;
import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksEncoder;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ckks.CkksPreset;
import io.polyhe.he.ckks.Evaluator;
import io.polyhe.he.circuits.BlockMatrix;
import io.polyhe.he.circuits.ChebyshevApproximation;
import io.polyhe.he.circuits.ChebyshevPolynomial;
import io.polyhe.he.circuits.CiphertextArithmetic;
import io.polyhe.he.circuits.InverseCircuit;
import io.polyhe.he.circuits.InverseSqrtCircuit;
import io.polyhe.he.circuits.LinearTransform;
import io.polyhe.he.circuits.PolynomialEvaluator;
import io.polyhe.he.circuits.RotateAndSum;
import io.polyhe.he.circuits.UnaryCircuit;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.Decryptor;
import io.polyhe.he.rlwe.KeyGenerator;
import io.polyhe.he.rlwe.SecretKey;
import io.polyhe.he.rlwe.SymmetricEncryptor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code polyhe bench circuits}: time and precision of the circuits the encrypted transformer is
 * made of, at one ring degree (logN 15 by default). Precision is {@code -log2(max error)}: absolute
 * for GELU and the matrix products, relative for the inverse and inverse square root; GELU also
 * reports its error against the polynomial alone (the encryption's share). Times are the median of
 * {@code --repeat} evaluations after one warm-up; encoded diagonals are cached before timing, as
 * a server does once per model.
 */
@Command(
    name = "circuits",
    mixinStandardHelpOptions = true,
    description = "Benchmark HE circuits: GELU, inverse, inverse sqrt, matrix products.")
public final class CircuitsBenchCommand implements Callable<Integer> {

  @Option(names = "--logn", description = "Ring degree log2 N (default: ${DEFAULT-VALUE}).", defaultValue = "15")
  int logN;

  @Option(names = "--threads", description = "Backend threads (default: ${DEFAULT-VALUE}).", defaultValue = "1")
  int threads;

  @Option(names = "--backend", description = "java, or another installed backend (default: best available).")
  String backend;

  @Option(names = "--repeat", description = "Timed evaluations per circuit (default: ${DEFAULT-VALUE}).",
      defaultValue = "2")
  int repeat;

  @Option(names = "--json", description = "End stdout with one JSON object.")
  boolean json;

  /** One benchmarked circuit: how to build its input, run it, and judge its output. */
  private record Case(String name, UnaryCircuit circuit, double[] input, int inputLevel, double inputScale,
      double[] expected, boolean relative, double[] polynomialExpected) {}

  private static double gelu(double x) {
    return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
  }

  @Override
  public Integer call() {
    ComputeBackend compute =
        backend == null ? ComputeBackends.best(threads) : ComputeBackends.create(backend, threads);
    CkksParameters params = CkksPreset.forLogN(logN).parameters();
    int slots = params.slots();
    int top = params.maxLevel();
    SplittableRandom random = new SplittableRandom(5);
    List<Case> cases = new ArrayList<>();

    for (int degree : new int[] {15, 63}) {
      ChebyshevPolynomial gelu = ChebyshevApproximation.fit(CircuitsBenchCommand::gelu, -8, 8, degree).polynomial();
      PolynomialEvaluator pe = PolynomialEvaluator.of(params, gelu);
      double[] x = IntStream.range(0, slots).mapToDouble(i -> -8 + 16.0 * i / (slots - 1)).toArray();
      cases.add(new Case("gelu_cheb" + degree, pe, x, top, pe.preferredInputScale(top),
          map(x, CircuitsBenchCommand::gelu), false, map(x, gelu::value)));
    }
    InverseCircuit inverse = InverseCircuit.of(params, 1e-3, 1e3, 0x1p-10);
    double[] xi = geometric(1e-3, 1e3, slots);
    cases.add(new Case("inverse_1e-3_1e3", inverse, xi, top, inverse.preferredInputScale(top),
        map(xi, v -> 1 / v), true, null));
    InverseSqrtCircuit isqrt = InverseSqrtCircuit.of(params, 1e-2, 1e2, 0x1p-12);
    double[] xs = geometric(1e-2, 1e2, slots);
    cases.add(new Case("inv_sqrt_1e-2_1e2", isqrt, xs, top, isqrt.preferredInputScale(top),
        map(xs, v -> 1 / Math.sqrt(v)), true, null));

    double[][] w128 = randomMatrix(random, 128, 128);
    double[] v128 = random.doubles(128, -1, 1).toArray();
    MatVec matvec = new MatVec(params, w128);
    cases.add(new Case("matvec_128x128", matvec, v128, 2, params.defaultScale(),
        matvec.transform.applyPlain(RotateAndSumPlain.replicate(v128, 128, slots)), false, null));
    double[][] w64 = randomMatrix(random, 64, 64);
    LinearTransform block = LinearTransform.of(params, BlockMatrix.blockDiagonal(w64, 64, 64), null);
    double[] xb = random.doubles(64 * 64, -1, 1).toArray();
    cases.add(new Case("block_64x64_T64", block, xb, 1, params.defaultScale(), block.applyPlain(xb), false,
        null));

    TreeSet<Integer> elements = new TreeSet<>();
    for (Case c : cases) {
      for (int g : c.circuit.galoisElements()) {
        elements.add(g);
      }
    }
    System.out.printf("polyhe bench circuits: logN=%d backend=%s threads=%d; %d Galois keys%n",
        logN, compute.name(), compute.threads(), elements.size());
    CkksContext ctx = CkksContext.create(params, compute);
    KeyGenerator keygen = new KeyGenerator(ctx.rlwe(), SeedSource.deterministicForTestsOnly(3));
    SecretKey sk = keygen.generateSecretKey();
    long keyStart = System.nanoTime();
    Evaluator evaluator = new Evaluator(ctx,
        keygen.generateEvaluationKeys(sk, elements.stream().mapToInt(Integer::intValue).toArray()));
    System.out.printf("  keys: %.1f s%n", (System.nanoTime() - keyStart) / 1e9);
    CiphertextArithmetic ar = new CiphertextArithmetic(evaluator);
    CkksEncoder encoder = new CkksEncoder(ctx);
    SymmetricEncryptor encryptor = new SymmetricEncryptor(ctx.rlwe(), sk);
    Decryptor decryptor = new Decryptor(ctx.rlwe(), sk);

    List<Map<String, Object>> results = new ArrayList<>();
    System.out.printf("  %-20s %10s %8s %10s %6s%n", "circuit", "seconds", "bits", "bits_poly", "depth");
    for (Case c : cases) {
      if (c.circuit.depth() > c.inputLevel) {
        System.out.printf("  %-20s skipped: needs %d levels, logN %d gives %d%n",
            c.name, c.circuit.depth(), logN, c.inputLevel);
        continue;
      }
      Ciphertext in = encryptor.encrypt(encoder.encode(c.input, c.inputLevel, c.inputScale));
      if (c.circuit instanceof LinearTransform lt) {
        lt.precompute(ar, c.inputLevel, c.inputScale);
      }
      if (c.circuit instanceof MatVec mv) {
        mv.transform.precompute(ar, c.inputLevel, c.inputScale);
      }
      Ciphertext out = c.circuit.evaluate(ar, in); // warm-up (JIT, caches)
      Samples samples = new Samples();
      for (int i = 0; i < repeat; i++) {
        long start = System.nanoTime();
        out = c.circuit.evaluate(ar, in);
        samples.add(new double[] {(System.nanoTime() - start) / 1e3});
      }
      double[] y = encoder.decode(decryptor.decrypt(out));
      double bits = bits(c.expected, y, c.relative);
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("circuit", c.name);
      row.put("seconds", Math.round(samples.median() / 1e3) / 1e3);
      row.put("precision_bits", CkksBenchCommand.round(bits));
      if (c.polynomialExpected != null) {
        row.put("precision_bits_vs_polynomial", CkksBenchCommand.round(bits(c.polynomialExpected, y, false)));
      }
      row.put("depth", c.circuit.depth());
      row.put("input_level", c.inputLevel);
      results.add(row);
      System.out.printf("  %-20s %10.3f %8.2f %10s %6d%n", c.name, samples.median() / 1e6, bits,
          c.polynomialExpected == null ? "-" : String.format("%.2f", bits(c.polynomialExpected, y, false)),
          c.circuit.depth());
    }
    if (json) {
      Map<String, Object> report = new LinkedHashMap<>();
      report.put("logN", logN);
      report.put("backend", compute.name());
      report.put("threads", compute.threads());
      report.put("results", results);
      System.out.println(new GsonBuilder().disableHtmlEscaping().create().toJson(report));
    }
    return 0;
  }

  /** Replicate-then-multiply: a dense 128×128 matrix times an encrypted 128-vector. */
  private static final class MatVec implements UnaryCircuit {
    final RotateAndSum replicate;
    final LinearTransform transform;

    MatVec(CkksParameters params, double[][] w) {
      replicate = RotateAndSum.replicate(params, w.length);
      transform = LinearTransform.ofPeriodicInput(params, BlockMatrix.single(w), w.length, null);
    }

    @Override
    public int depth() {
      return replicate.depth() + transform.depth();
    }

    @Override
    public int[] galoisElements() {
      return IntStream.concat(IntStream.of(replicate.galoisElements()), IntStream.of(transform.galoisElements()))
          .distinct().sorted().toArray();
    }

    @Override
    public boolean needsRelinearizationKey() {
      return false;
    }

    @Override
    public <C> C apply(io.polyhe.he.circuits.Arithmetic<C> ar, C input) {
      return transform.apply(ar, replicate.apply(ar, input));
    }
  }

  /** The plain twin of replication: the vector repeated over all slots. */
  private static final class RotateAndSumPlain {
    static double[] replicate(double[] v, int period, int slots) {
      double[] out = new double[slots];
      for (int i = 0; i < slots; i++) {
        out[i] = v[i % period];
      }
      return out;
    }
  }

  private static double[][] randomMatrix(SplittableRandom r, int rows, int cols) {
    double[][] w = new double[rows][];
    for (int i = 0; i < rows; i++) {
      w[i] = r.doubles(cols, -1.0 / Math.sqrt(cols), 1.0 / Math.sqrt(cols)).toArray();
    }
    return w;
  }

  private static double[] geometric(double lo, double hi, int count) {
    return IntStream.range(0, count).mapToDouble(i -> lo * Math.pow(hi / lo, i / (double) (count - 1))).toArray();
  }

  private static double[] map(double[] x, DoubleUnaryOperator f) {
    return java.util.Arrays.stream(x).map(f).toArray();
  }

  private static double bits(double[] expected, double[] actual, boolean relative) {
    double max = 0;
    for (int i = 0; i < expected.length; i++) {
      double e = Math.abs(actual[i] - expected[i]);
      max = Math.max(max, relative ? e / Math.abs(expected[i]) : e);
    }
    return -Math.log(max) / Math.log(2);
  }
}
