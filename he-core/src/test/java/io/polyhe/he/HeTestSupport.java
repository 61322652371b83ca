package io.polyhe.he;

import io.polyhe.he.backend.ComputeBackend;
import io.polyhe.he.backend.ComputeBackends;
import io.polyhe.he.backend.JavaBackend;
import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ckks.CkksPreset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Shared fixtures of the he-core tests: the presets to run over, the backends present, contexts
 * cached per (preset, backend), and random inputs.
 *
 * <p>The default run covers N = 2^12..2^15; N = 2^16 joins with {@code -Dpolyhe.heavy=true}
 * ({@code mvn -Pheavy test}) because its keys and CRT decoding dominate a 2-core run.
 */
public final class HeTestSupport {
  private static final Map<String, CkksContext> CONTEXTS = new ConcurrentHashMap<>();

  private HeTestSupport() {}

  public static boolean heavy() {
    return Boolean.getBoolean("polyhe.heavy");
  }

  /** Presets the parameterised tests run over. */
  public static Stream<CkksPreset> presets() {
    List<CkksPreset> list = new ArrayList<>(List.of(
        CkksPreset.N12_QP109_128, CkksPreset.N13_QP218_128, CkksPreset.N14_QP438_128,
        CkksPreset.N15_QP881_128));
    if (heavy()) {
      list.add(CkksPreset.N16_QP1772_128);
    }
    return list.stream();
  }

  /**
   * The named backend with 2 threads. A backend this machine cannot run (e.g. a native path the
   * CPU lacks) aborts the calling test as skipped, with the reason, instead of failing it.
   */
  public static ComputeBackend backend(String name) {
    if ("java".equals(name)) {
      return new JavaBackend(2);
    }
    try {
      return ComputeBackends.create(name, 2);
    } catch (IllegalArgumentException | IllegalStateException unavailable) {
      org.junit.jupiter.api.Assumptions.abort(
          "backend " + name + " unavailable here: " + unavailable.getMessage());
      throw unavailable;
    }
  }

  /**
   * The backend the suite runs on: {@code -Dpolyhe.test.backend=NAME} (default {@code java}). The
   * native module reruns this whole suite with its backend through that property.
   */
  public static String suiteBackend() {
    return System.getProperty("polyhe.test.backend", "java");
  }

  /** A context for the preset on the suite's backend (cached). */
  public static CkksContext context(CkksPreset preset) {
    return context(preset.parameters(), suiteBackend());
  }

  /** A context for the parameters on the named backend (cached). */
  public static CkksContext context(CkksParameters params, String backend) {
    return CONTEXTS.computeIfAbsent(
        params.rlwe().shortHash() + "/" + params.defaultScale() + "/" + backend,
        k -> CkksContext.create(params, backend(backend)));
  }

  /** Uniform values in [-bound, bound]. */
  public static double[] randomValues(SplittableRandom random, int count, double bound) {
    double[] v = new double[count];
    for (int i = 0; i < count; i++) {
      v[i] = (2 * random.nextDouble() - 1) * bound;
    }
    return v;
  }

  /** Max absolute difference. */
  public static double maxError(double[] expected, double[] actual) {
    double max = 0;
    for (int i = 0; i < expected.length; i++) {
      max = Math.max(max, Math.abs(expected[i] - actual[i]));
    }
    return max;
  }
}
