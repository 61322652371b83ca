package io.polyhe.he.circuits.bootstrap;

import io.polyhe.he.ckks.CkksEncoder;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ckks.Evaluator;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.GaloisElements;
import io.polyhe.he.rlwe.Plaintext;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link SlotMatrix} applied to a ciphertext whose N/2 slots repeat with period {@code n}
 * (n = N/2: no repetition), by baby-step/giant-step over its diagonals: {@code M·v = Σ_g rot_g(Σ_b
 * rot_{-g}(d_{g+b}) ⊙ rot_b(v))}, the baby rotations hoisted (one decomposition). Offsets are
 * taken centred in {@code (-n/2, n/2]} and divided by their common stride before the baby-step size
 * is chosen (a power of two minimising baby plus giant rotations), because DFT factors have few
 * diagonals at large, regular distances.
 *
 * <p>Depth 1. Complex diagonals are encoded ({@link CkksEncoder#encodeComplex}) per level and
 * scale, cached unless told not to (at N = 2^16 the encodings of all factors take gigabytes).
 * Thread-safe.
 */
public final class SlotTransform {
  private final CkksParameters params;
  private final int n;
  private final int[] babySteps;
  /** giant -> baby -> pre-rotated diagonal {re, im} over all N/2 slots. */
  private final Map<Integer, Map<Integer, double[][]>> plan = new TreeMap<>();
  private final int[] galois;
  private final boolean cache;
  private final Map<String, Plaintext[][]> encoded = new ConcurrentHashMap<>();

  /**
   * @param cache whether encoded diagonals are kept between calls
   * @throws IllegalArgumentException if the matrix's dimension does not divide the slot count
   */
  public SlotTransform(CkksParameters params, SlotMatrix matrix, boolean cache) {
    this.params = params;
    this.n = matrix.n();
    this.cache = cache;
    int slots = params.slots();
    if (slots % n != 0) {
      throw new IllegalArgumentException(n + " does not divide the " + slots + " slots");
    }
    int[] offsets = matrix.offsets();
    int stride = 0;
    for (int k : offsets) {
      stride = gcd(stride, centred(k));
    }
    stride = Math.max(1, Math.abs(stride));
    int babySize = chooseBaby(offsets, stride);
    TreeSet<Integer> babies = new TreeSet<>();
    for (int k : offsets) {
      int c = centred(k);
      int b = Math.floorMod(c, babySize * stride);
      int g = c - b;
      babies.add(b);
      double[][] d = matrix.diagonal(k);
      double[] re = new double[slots];
      double[] im = new double[slots];
      for (int s = 0; s < slots; s++) {
        int src = Math.floorMod(s - g, n);
        re[s] = d[0][src];
        im[s] = d[1][src];
      }
      plan.computeIfAbsent(g, x -> new TreeMap<>()).put(b, new double[][] {re, im});
    }
    this.babySteps = babies.stream().mapToInt(Integer::intValue).toArray();
    TreeSet<Integer> elements = new TreeSet<>();
    for (int b : babySteps) {
      if (b != 0) {
        elements.add(GaloisElements.forRotation(b, params.n()));
      }
    }
    for (int g : plan.keySet()) {
      if (Math.floorMod(g, slots) != 0) {
        elements.add(GaloisElements.forRotation(g, params.n()));
      }
    }
    this.galois = elements.stream().mapToInt(Integer::intValue).toArray();
  }

  private int centred(int k) {
    int c = Math.floorMod(k, n);
    return c > n / 2 ? c - n : c;
  }

  private static int gcd(int a, int b) {
    a = Math.abs(a);
    b = Math.abs(b);
    while (b != 0) {
      int t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  private int chooseBaby(int[] offsets, int stride) {
    int best = 1;
    int bestCost = Integer.MAX_VALUE;
    for (int size = 1; size * stride <= n; size <<= 1) {
      TreeSet<Integer> b = new TreeSet<>();
      TreeSet<Integer> g = new TreeSet<>();
      for (int k : offsets) {
        int c = centred(k);
        int bb = Math.floorMod(c, size * stride);
        b.add(bb);
        g.add(c - bb);
      }
      int cost = b.size() - (b.contains(0) ? 1 : 0) + g.size() - (g.contains(0) ? 1 : 0);
      if (cost < bestCost) {
        bestCost = cost;
        best = size;
      }
    }
    return best;
  }

  /** Galois elements of the baby and giant rotations, sorted. */
  public int[] galoisElements() {
    return galois.clone();
  }

  /** Rotations per evaluation (hoisted baby steps plus giant steps). */
  public int rotationCount() {
    return galois.length == 0 ? 0
        : (int) (Arrays.stream(babySteps).filter(b -> b != 0).count()
            + plan.keySet().stream().filter(g -> g != 0).count());
  }

  /** Number of diagonals. */
  public int diagonalCount() {
    return plan.values().stream().mapToInt(Map::size).sum();
  }

  /**
   * {@code M·ct}, rescaled once: the output scale is {@code scale(ct)·plainScale/q_level}.
   *
   * @throws IllegalArgumentException if ct is at level 0 or not 2-part
   * @throws IllegalStateException if a Galois key is missing
   */
  public Ciphertext apply(Evaluator ev, CkksEncoder encoder, Ciphertext ct, double plainScale) {
    if (ct.level() < 1) {
      throw new IllegalArgumentException("a slot transform needs a level, the input is at level 0");
    }
    Plaintext[][] pts = encodings(encoder, ct.level(), plainScale);
    Ciphertext[] rotated = ev.rotateHoisted(ct, babySteps);
    Map<Integer, Ciphertext> byBaby = new TreeMap<>();
    for (int i = 0; i < babySteps.length; i++) {
      byBaby.put(babySteps[i], rotated[i]);
    }
    Ciphertext acc = null;
    int gi = 0;
    for (Map.Entry<Integer, Map<Integer, double[][]>> giant : plan.entrySet()) {
      Map<Integer, double[][]> terms = giant.getValue();
      Ciphertext[] cts = new Ciphertext[terms.size()];
      int i = 0;
      for (int b : terms.keySet()) {
        cts[i++] = byBaby.get(b);
      }
      Ciphertext inner = ev.rotate(ev.mulPlainSum(cts, pts[gi++]), giant.getKey());
      acc = acc == null ? inner : ev.add(acc, inner);
    }
    return ev.rescale(acc);
  }

  private Plaintext[][] encodings(CkksEncoder encoder, int level, double scale) {
    String key = level + "/" + Double.doubleToLongBits(scale);
    Plaintext[][] out = encoded.get(key);
    if (out != null) {
      return out;
    }
    out = new Plaintext[plan.size()][];
    int gi = 0;
    for (Map<Integer, double[][]> terms : plan.values()) {
      out[gi] = new Plaintext[terms.size()];
      int i = 0;
      for (double[][] d : terms.values()) {
        out[gi][i++] = encoder.encodeComplex(d[0], d[1], level, scale);
      }
      gi++;
    }
    if (cache) {
      encoded.put(key, out);
    }
    return out;
  }

  @Override
  public String toString() {
    return "SlotTransform(n=" + n + ", diagonals " + diagonalCount() + ", rotations " + rotationCount() + ")";
  }
}
