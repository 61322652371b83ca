package io.polyhe.he.circuits;

import io.polyhe.he.ckks.CkksParameters;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * Evaluates polynomials given in the Chebyshev basis of an interval {@code [a, b]} on encrypted
 * values, by the baby-step/giant-step (Paterson–Stockmeyer style) recursion of Bossuat et al.
 * (Eurocrypt 2021, as in Lattigo), at the minimal depth {@code ceil(log2(d+1))} for degree {@code
 * d}, with outputs landing exactly (within 1e-9 relative) on the requested scale.
 *
 * <h2>How</h2>
 *
 * <ul>
 *   <li><b>Change of interval for free.</b> {@code t = αx + β} with {@code α = 2/(b-a)} is applied
 *       by reading the input at scale {@code scale/α} (no multiplication) and adding {@code β}. This
 *       keeps the depth minimal when the input arrives at a scale of at most {@code 2α·q_l} at
 *       level {@code l} — {@link #preferredInputScale(int)} gives {@code α·q_l}, which the layer
 *       before (a linear transform, a mask) can land on exactly. An input at a larger scale (say a
 *       fresh encryption at Δ on a wide interval) costs one more level: {@code T_1} is then made
 *       with a constant product and a rescale. {@link #depth(int, double)} tells which.
 *   <li><b>Power basis.</b> {@code T_{2^j}} by squaring, baby steps {@code T_n = 2·T_g·T_b - T_{g-b}}
 *       ({@code g} the largest power of two below {@code n}); only the indices some leaf or split
 *       needs are computed, so odd and even polynomials compute only odd or even baby steps. The
 *       factor 2 is applied by reading the product at half its scale, times an integer that steers
 *       each new scale back to the next prime: scales stay within a factor 2 of the primes and do
 *       not drift.
 *   <li><b>Recursion.</b> {@code p = q·T_g + r} (exact Chebyshev division, parity preserved), with
 *       {@code q} computed one level higher at the scale that makes {@code q·T_g} rescale onto the
 *       target; the products of a chain {@code q·T_g + q'·T_g' + … + leaf} are summed before one
 *       relinearisation (a 3-part sum rescales like a 2-part one). A leaf {@code Σ c_i T_i}
 *       multiplies each {@code T_i} by its coefficient at the scale that lands the sum exactly on
 *       {@code target·q}, then rescales once. A leaf whose
 *       highest {@code T_i} has no level to spare is split again, which is what keeps degree
 *       {@code 2^m - 1} at depth {@code m}.
 *   <li>The baby-step size {@code 2^k} minimises the number of ciphertext products (planned once
 *       at construction, for the polynomials given).
 * </ul>
 *
 * <p>Several polynomials on the same interval can be evaluated together, sharing one power basis
 * ({@link #applyAll}). Values outside {@code [a, b]} are evaluated too, but Chebyshev polynomials
 * grow fast outside {@code [-1, 1]}: keep inputs inside. Coefficients times about {@code 2^40}
 * must stay below {@code 2^62}.
 *
 * <p>Immutable and thread-safe.
 */
public final class PolynomialEvaluator implements UnaryCircuit {
  private final CkksParameters params;
  private final List<ChebyshevPolynomial> polynomials;
  private final double a;
  private final double b;
  private final double alpha;
  private final double beta;
  private final int depth;
  private final int baby;
  private final int[] basisIndices;
  private final int products;
  private final double defaultTargetScale;

  /**
   * Evaluates {@code polynomials} (same interval, each of degree at least 1) with outputs at the
   * parameters' default scale.
   *
   * @throws IllegalArgumentException if no polynomial is given, the intervals differ or a
   *     polynomial is constant
   */
  public PolynomialEvaluator(CkksParameters params, ChebyshevPolynomial... polynomials) {
    this(params, params.defaultScale(), polynomials);
  }

  /** As {@link #PolynomialEvaluator(CkksParameters, ChebyshevPolynomial...)}, outputs at {@code targetScale}. */
  public PolynomialEvaluator(CkksParameters params, double targetScale, ChebyshevPolynomial... polynomials) {
    if (polynomials.length == 0) {
      throw new IllegalArgumentException("no polynomial to evaluate");
    }
    if (!(targetScale >= 1) || Double.isInfinite(targetScale)) {
      throw new IllegalArgumentException("target scale must be finite and >= 1, got " + targetScale);
    }
    this.params = params;
    this.polynomials = List.of(polynomials);
    this.a = polynomials[0].a();
    this.b = polynomials[0].b();
    int maxDegree = 0;
    for (ChebyshevPolynomial p : polynomials) {
      if (p.a() != a || p.b() != b) {
        throw new IllegalArgumentException("polynomials evaluated together must share their interval");
      }
      if (p.degree() < 1) {
        throw new IllegalArgumentException("a constant polynomial needs no evaluation: " + p);
      }
      maxDegree = Math.max(maxDegree, p.degree());
    }
    this.alpha = 2 / (b - a);
    this.beta = -(a + b) / (b - a);
    this.depth = ceilLog2(maxDegree + 1);
    this.defaultTargetScale = targetScale;
    // Choose the baby-step size that minimises ciphertext products.
    int bestK = 1;
    Plan best = null;
    for (int k = 1; k <= depth; k++) {
      Plan plan = plan(1 << k);
      if (best == null || plan.products < best.products) {
        best = plan;
        bestK = k;
      }
    }
    this.baby = 1 << bestK;
    this.basisIndices = best.indices;
    this.products = best.products;
  }

  /** A single polynomial. */
  public static PolynomialEvaluator of(CkksParameters params, ChebyshevPolynomial p) {
    return new PolynomialEvaluator(params, p);
  }

  /** The polynomials, in the order {@link #applyAll} returns their values. */
  public List<ChebyshevPolynomial> polynomials() {
    return polynomials;
  }

  /** {@code ceil(log2(d+1))} for the largest degree {@code d}. */
  @Override
  public int depth() {
    return depth;
  }

  /**
   * Levels consumed for an input at {@code level} with {@code scale}: {@link #depth()}, plus one
   * when the scale exceeds {@code 2α·q_level} (see the class documentation).
   */
  public int depth(int level, double scale) {
    return fastPath(level, scale) ? depth : depth + 1;
  }

  /**
   * The input scale at {@code level} that keeps the depth minimal and the power basis at the
   * primes' scales: {@code α·q_level} with {@code α = 2/(b-a)}.
   */
  public double preferredInputScale(int level) {
    return alpha * params.rlwe().q(level);
  }

  @Override
  public int[] galoisElements() {
    return new int[0];
  }

  @Override
  public boolean needsRelinearizationKey() {
    return products > 0;
  }

  /**
   * Ciphertext products one evaluation performs. Relinearisations are fewer: the power basis
   * relinearises each product, the recursion one sum of products per chain (see the class
   * documentation).
   */
  public int ciphertextProducts() {
    return products;
  }

  /** Baby-step size {@code 2^k} chosen. */
  public int babySteps() {
    return baby;
  }

  /** Indices of the Chebyshev basis computed (sorted). */
  public int[] basisIndices() {
    return basisIndices.clone();
  }

  private boolean fastPath(int level, double scale) {
    return scale / alpha <= 2 * params.rlwe().q(level);
  }

  // ---------------------------------------------------------------- planning

  private record Plan(int[] indices, int products) {}

  /** Relative level of T_i below the level of T_1: ceil(log2 i). */
  private static int rel(int i) {
    return i <= 1 ? 0 : ceilLog2(i);
  }

  static int ceilLog2(int x) {
    return x <= 1 ? 0 : 32 - Integer.numberOfLeadingZeros(x - 1);
  }

  private Plan plan(int babyBound) {
    TreeSet<Integer> needed = new TreeSet<>();
    int[] splits = new int[1];
    for (ChebyshevPolynomial p : polynomials) {
      planRec(trim(p.coefficients()), depth, babyBound, needed, splits);
    }
    // Closure: what the needed indices are computed from.
    TreeSet<Integer> all = new TreeSet<>();
    ArrayList<Integer> stack = new ArrayList<>(needed);
    while (!stack.isEmpty()) {
      int n = stack.remove(stack.size() - 1);
      if (n < 1 || !all.add(n)) {
        continue;
      }
      if (n == 1) {
        continue;
      }
      int g = Integer.highestOneBit(n);
      if (g == n) {
        stack.add(n / 2);
      } else {
        stack.add(g);
        stack.add(n - g);
        stack.add(g - (n - g));
      }
    }
    int basisProducts = all.size() - (all.contains(1) ? 1 : 0);
    return new Plan(all.stream().mapToInt(Integer::intValue).toArray(), basisProducts + splits[0]);
  }

  private static void planRec(double[] c, int levels, int babyBound, TreeSet<Integer> needed, int[] splits) {
    int deg = c.length - 1;
    if (deg < 1) {
      return;
    }
    if (isLeaf(c, levels, babyBound)) {
      for (int i = 1; i <= deg; i++) {
        if (c[i] != 0) {
          needed.add(i);
        }
      }
      return;
    }
    int g = Integer.highestOneBit(deg);
    double[][] qr = divide(c, g);
    needed.add(g);
    if (qr[0].length > 1) {
      splits[0]++;
    }
    planRec(qr[0], levels - 1, babyBound, needed, splits);
    planRec(qr[1], levels, babyBound, needed, splits);
  }

  /** A leaf: below the baby-step bound, and every T_i used has a level to spare. */
  private static boolean isLeaf(double[] c, int levels, int babyBound) {
    int deg = c.length - 1;
    if (deg >= babyBound) {
      return false;
    }
    for (int i = 1; i <= deg; i++) {
      if (c[i] != 0 && rel(i) > levels - 1) {
        return false;
      }
    }
    return true;
  }

  /**
   * Chebyshev division by {@code T_g} for {@code deg < 2g}: {@code p = q·T_g + r}, from {@code T_n
   * = 2·T_g·T_{n-g} - T_{2g-n}} ({@code n > g}) and {@code T_g = T_g·T_0}.
   */
  static double[][] divide(double[] c, int g) {
    int deg = c.length - 1;
    double[] q = new double[deg - g + 1];
    double[] r = new double[g];
    for (int n = 0; n <= deg; n++) {
      if (n < g) {
        r[n] += c[n];
      } else if (n == g) {
        q[0] += c[n];
      } else {
        q[n - g] += 2 * c[n];
        r[2 * g - n] -= c[n];
      }
    }
    return new double[][] {trim(q), trim(r)};
  }

  private static double[] trim(double[] c) {
    int last = 0;
    for (int i = 0; i < c.length; i++) {
      if (c[i] != 0) {
        last = i;
      }
    }
    return Arrays.copyOf(c, last + 1);
  }

  // ---------------------------------------------------------------- evaluation

  /** The first polynomial's value at the configured target scale. */
  @Override
  public <C> C apply(Arithmetic<C> ar, C input) {
    double[] scales = new double[polynomials.size()];
    Arrays.fill(scales, defaultTargetScale);
    return applyAll(ar, input, scales).get(0);
  }

  /**
   * Values of all polynomials, the {@code j}-th at exactly {@code targetScales[j]}, all at level
   * {@code level(input) - depth(level, scale)}.
   *
   * @throws IllegalArgumentException if the input has too few levels (the message says how many),
   *     a scale is invalid, or the arithmetic has other parameters
   */
  public <C> List<C> applyAll(Arithmetic<C> ar, C input, double[] targetScales) {
    Levels.checkParameters(params, ar, "polynomial evaluator");
    if (targetScales.length != polynomials.size()) {
      throw new IllegalArgumentException(
          targetScales.length + " target scales for " + polynomials.size() + " polynomials");
    }
    for (double s : targetScales) {
      if (!(s >= 1) || Double.isInfinite(s)) {
        throw new IllegalArgumentException("target scale must be finite and >= 1, got " + s);
      }
    }
    int level = ar.level(input);
    double scale = ar.scale(input);
    Levels.require("polynomial of degree " + maxDegree() + (fastPath(level, scale) ? ""
        : " (input scale above 2α·q_l costs one extra level)"), level, depth(level, scale));
    C x = ar.size(input) == 3 ? ar.relinearize(input) : input;
    C t1;
    if (fastPath(level, scale)) {
      double sigma = scale / alpha;
      double q = ar.q(level);
      long k = Math.max(1, (long) Math.floor(q / sigma));
      if (k > 1) {
        x = ar.mulInteger(x, k);
      }
      t1 = ar.reinterpretScale(x, sigma * k);
    } else {
      t1 = Levels.mulConstantTo(ar, x, alpha, level - 1, ar.q(level - 1));
    }
    if (beta != 0) {
      t1 = ar.addConstant(t1, beta);
    }
    int top = ar.level(t1);
    Object[] basis = new Object[basisIndices[basisIndices.length - 1] + 1];
    basis[1] = t1;
    for (int n : basisIndices) {
      if (n <= 1) {
        continue;
      }
      int g = Integer.highestOneBit(n);
      @SuppressWarnings("unchecked")
      C tn = g == n
          ? productNode(ar, (C) basis[n / 2], (C) basis[n / 2], null)
          : productNode(ar, (C) basis[g], (C) basis[n - g], (C) basis[g - (n - g)]);
      basis[n] = tn;
    }
    int target = top - depth;
    List<C> out = new ArrayList<>();
    for (int j = 0; j < polynomials.size(); j++) {
      double[] c = trim(polynomials.get(j).coefficients());
      out.add(evaluate(ar, basis, c, target, targetScales[j]));
    }
    return out;
  }

  private int maxDegree() {
    int d = 0;
    for (ChebyshevPolynomial p : polynomials) {
      d = Math.max(d, p.degree());
    }
    return d;
  }

  /**
   * {@code 2·x·y - z} ({@code z = T_0 = 1} when null) one level below the lower of x and y, with
   * its scale steered to the next prime: the factor 2 is read into the scale, and an integer
   * factor {@code k >= 1} raises a scale that came out low.
   */
  private static <C> C productNode(Arithmetic<C> ar, C x, C y, C z) {
    int level = Math.min(ar.level(x), ar.level(y));
    C xs = ar.dropToLevel(x, level);
    C ys = x == y ? xs : ar.dropToLevel(y, level);
    C prod = ar.mul(xs, ys);
    double natural = ar.scale(xs) * ar.scale(ys) / (2 * ar.q(level));
    double wanted = ar.q(level - 1);
    long k = Math.max(1, Math.round(wanted / natural));
    if (k > 1) {
      prod = ar.mulInteger(prod, k);
    }
    double scale = ar.scale(xs) * ar.scale(ys) * k / 2;
    prod = ar.reinterpretScale(prod, scale);
    if (z == null) {
      prod = ar.addConstant(prod, -1.0);
    } else {
      C zs = ar.dropToLevel(z, level);
      zs = ar.mulConstant(zs, 1.0, scale / ar.scale(zs));
      prod = ar.sub(prod, zs);
    }
    return ar.rescale(ar.relinearize(prod));
  }

  /** {@code Σ c_i T_i} at exactly {@code (level, scale)}, relinearised; c has degree >= 1. */
  private <C> C evaluate(Arithmetic<C> ar, Object[] basis, double[] c, int level, double scale) {
    C sum = relinearized(ar, unrescaled(ar, basis, c, level, scale));
    return ar.reinterpretScale(ar.rescale(sum), scale);
  }

  /**
   * {@code Σ c_i T_i} one level above {@code level}, at {@code scale·q_(level+1)}: before its
   * rescale, and unrelinearised when it holds products. The products of a recursion chain ({@code
   * q·T_g + q'·T_g' + … + leaf}) are summed there and the sum is relinearised and rescaled once: a
   * chain of k products costs one key switch and one rescale instead of k. (Relinearising before
   * the rescale matters: a rescaled third part's rounding error would be multiplied by s².)
   */
  @SuppressWarnings("unchecked")
  private <C> C unrescaled(Arithmetic<C> ar, Object[] basis, double[] c, int level, double scale) {
    int deg = c.length - 1;
    int up = level + 1;
    double upScale = scale * ar.q(up);
    if (isLeafAt(ar, basis, c, level)) {
      int terms = 0;
      for (int i = 1; i <= deg; i++) {
        terms += c[i] != 0 ? 1 : 0;
      }
      Object first = java.util.Arrays.stream(basis).filter(java.util.Objects::nonNull).findFirst().orElseThrow();
      // An array of the values' runtime class: implementations take C[] (e.g. Ciphertext[]).
      C[] ts = (C[]) java.lang.reflect.Array.newInstance(first.getClass(), terms);
      double[] cs = new double[terms];
      double[] scales = new double[terms];
      for (int i = 1, t = 0; i <= deg; i++) {
        if (c[i] != 0) {
          ts[t] = (C) basis[i];
          cs[t] = c[i];
          scales[t++] = upScale / ar.scale((C) basis[i]);
        }
      }
      C acc = ar.mulConstantSum(ts, cs, scales, up);
      if (c[0] != 0) {
        acc = ar.addConstant(acc, c[0]);
      }
      return acc;
    }
    int g = Integer.highestOneBit(deg);
    double[][] qr = divide(c, g);
    C tgs = ar.dropToLevel((C) basis[g], up);
    C prod;
    if (qr[0].length == 1) {
      prod = ar.mulConstant(tgs, qr[0][0], upScale / ar.scale(tgs));
    } else {
      C qct = evaluate(ar, basis, qr[0], up, upScale / ar.scale(tgs));
      prod = ar.mul(qct, tgs);
    }
    prod = ar.reinterpretScale(prod, upScale);
    double[] r = qr[1];
    if (r.length > 1) {
      prod = ar.add(prod, unrescaled(ar, basis, r, level, scale));
    } else if (r[0] != 0) {
      prod = ar.addConstant(prod, r[0]);
    }
    return prod;
  }

  private static <C> C relinearized(Arithmetic<C> ar, C a) {
    return ar.size(a) > 2 ? ar.relinearize(a) : a;
  }

  @SuppressWarnings("unchecked")
  private <C> boolean isLeafAt(Arithmetic<C> ar, Object[] basis, double[] c, int level) {
    int deg = c.length - 1;
    if (deg >= baby) {
      return false;
    }
    for (int i = 1; i <= deg; i++) {
      if (c[i] != 0 && ar.level((C) basis[i]) < level + 1) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "PolynomialEvaluator([" + a + ", " + b + "], degrees " + polynomials.stream()
        .map(p -> Integer.toString(p.degree())).toList() + ", depth " + depth + ", baby " + baby
        + ", products " + products + ")";
  }
}
