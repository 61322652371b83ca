package io.polyhe.he.ring;

import io.polyhe.he.backend.ComputeBackend;
import io.polyhe.he.math.Modulus;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Operations on {@link RnsPoly}s of one ring degree, run on a {@link ComputeBackend}.
 *
 * <p>Binary operations require operands over the same basis and in the same form and throw
 * {@link IllegalArgumentException} otherwise. Outputs may alias inputs except where stated.
 * Thread-safe (the ring holds only immutable tables and caches).
 */
public final class RnsRing {
  private final int logN;
  private final int n;
  private final ComputeBackend backend;
  /** NTT-domain automorphism permutations by Galois element. */
  private final Map<Integer, int[]> permutations = new ConcurrentHashMap<>();
  /** Rescaling plans by the primes of the basis rescaled. */
  private final Map<java.util.List<Long>, LastPrime> lastPrimePlans = new ConcurrentHashMap<>();

  public RnsRing(int logN, ComputeBackend backend) {
    this.logN = logN;
    this.n = 1 << logN;
    this.backend = backend;
  }

  public int logN() {
    return logN;
  }

  public int n() {
    return n;
  }

  public ComputeBackend backend() {
    return backend;
  }

  private void checkBasis(RnsBasis b) {
    if (b.logN() != logN) {
      throw new IllegalArgumentException(
          "polynomial of degree 2^" + b.logN() + " used in a ring of degree 2^" + logN);
    }
  }

  private void checkSame(RnsPoly a, RnsPoly b) {
    checkBasis(a.basis());
    if (!a.basis().sameAs(b.basis())) {
      throw new IllegalArgumentException(
          "operands over different RNS bases: " + a.basis() + " vs " + b.basis());
    }
    if (a.isNtt() != b.isNtt()) {
      throw new IllegalArgumentException("operands in different forms (NTT vs coefficient)");
    }
  }

  private static void requireNtt(RnsPoly p) {
    if (!p.isNtt()) {
      throw new IllegalArgumentException("pointwise product needs NTT form");
    }
  }

  /** In-place forward NTT; no-op if already in NTT form. */
  public void toNtt(RnsPoly p) {
    checkBasis(p.basis());
    if (!p.isNtt()) {
      backend.forwardNtt(p.limbs(), p.basis().tablesArray(), p.limbCount());
      p.setNtt(true);
    }
  }

  /** In-place inverse NTT; no-op if already in coefficient form. */
  public void toCoefficients(RnsPoly p) {
    checkBasis(p.basis());
    if (p.isNtt()) {
      backend.inverseNtt(p.limbs(), p.basis().tablesArray(), p.limbCount());
      p.setNtt(false);
    }
  }

  public void add(RnsPoly a, RnsPoly b, RnsPoly out) {
    checkSame(a, b);
    checkSame(a, out);
    backend.add(a.limbs(), b.limbs(), out.limbs(), a.basis().moduliArray(), a.limbCount());
  }

  public void sub(RnsPoly a, RnsPoly b, RnsPoly out) {
    checkSame(a, b);
    checkSame(a, out);
    backend.sub(a.limbs(), b.limbs(), out.limbs(), a.basis().moduliArray(), a.limbCount());
  }

  public void negate(RnsPoly a, RnsPoly out) {
    checkSame(a, out);
    backend.negate(a.limbs(), out.limbs(), a.basis().moduliArray(), a.limbCount());
  }

  /** Pointwise product; both operands must be in NTT form. */
  public void multiply(RnsPoly a, RnsPoly b, RnsPoly out) {
    checkSame(a, b);
    checkSame(a, out);
    requireNtt(a);
    backend.multiply(a.limbs(), b.limbs(), out.limbs(), a.basis().moduliArray(), a.limbCount());
  }

  /** {@code out = Σ_t a[t]·b[t]} pointwise; all over one basis, in NTT form. */
  public void multiplySum(RnsPoly[] a, RnsPoly[] b, RnsPoly out) {
    if (a.length == 0 || a.length != b.length) {
      throw new IllegalArgumentException(a.length + " left terms for " + b.length + " right terms");
    }
    long[][][] al = new long[a.length][][];
    long[][][] bl = new long[a.length][][];
    for (int t = 0; t < a.length; t++) {
      checkSame(a[t], out);
      checkSame(b[t], out);
      requireNtt(a[t]);
      al[t] = a[t].limbs();
      bl[t] = b[t].limbs();
    }
    backend.multiplySum(al, bl, out.limbs(), out.basis().moduliArray(), out.limbCount());
  }

  /**
   * {@code out = Σ_t σ(a[t])·b[t]} for the automorphism {@code σ} of {@code galois} (1: none), all
   * in NTT form: {@link #multiplySum} of the automorphisms without making them ({@link
   * ComputeBackend#multiplySumPermuted}).
   */
  public void multiplySumAutomorphism(RnsPoly[] a, int galois, RnsPoly[] b, RnsPoly out) {
    if (a.length == 0 || a.length != b.length) {
      throw new IllegalArgumentException(a.length + " left terms for " + b.length + " right terms");
    }
    long[][][] al = new long[a.length][][];
    long[][][] bl = new long[a.length][][];
    for (int t = 0; t < a.length; t++) {
      checkSame(a[t], out);
      checkSame(b[t], out);
      requireNtt(a[t]);
      al[t] = a[t].limbs();
      bl[t] = b[t].limbs();
    }
    int[] permutation = galois == 1 ? null : nttPermutation(galois);
    backend.multiplySumPermuted(al, permutation, bl, out.limbs(), out.basis().moduliArray(), out.limbCount());
  }

  /**
   * {@code out = a·b} pointwise for a fixed {@code b} with its Shoup constants {@code bShoup} (see
   * {@link ComputeBackend#multiplyShoup}); all in NTT form.
   */
  public void multiplyShoup(RnsPoly a, RnsPoly b, RnsPoly bShoup, RnsPoly out) {
    checkSame(a, b);
    checkSame(a, bShoup);
    checkSame(a, out);
    requireNtt(a);
    backend.multiplyShoup(a.limbs(), b.limbs(), bShoup.limbs(), out.limbs(), a.basis().moduliArray(), a.limbCount());
  }

  /** {@code acc += a·b} pointwise for a fixed {@code b} with its Shoup constants; all in NTT form. */
  public void multiplyAccumulateShoup(RnsPoly a, RnsPoly b, RnsPoly bShoup, RnsPoly acc) {
    checkSame(a, b);
    checkSame(a, bShoup);
    checkSame(a, acc);
    requireNtt(a);
    backend.multiplyAccumulateShoup(
        a.limbs(), b.limbs(), bShoup.limbs(), acc.limbs(), a.basis().moduliArray(), a.limbCount());
  }

  /** {@code acc += a * b} pointwise; all in NTT form. */
  public void multiplyAccumulate(RnsPoly a, RnsPoly b, RnsPoly acc) {
    checkSame(a, b);
    checkSame(a, acc);
    requireNtt(a);
    backend.multiplyAccumulate(
        a.limbs(), b.limbs(), acc.limbs(), a.basis().moduliArray(), a.limbCount());
  }

  /** {@code out = a * c} for a signed integer constant {@code c} (either form). */
  /** {@code acc += a * c} for a signed integer constant c (reduced per limb). */
  public void multiplyConstantAccumulate(RnsPoly a, long c, RnsPoly acc) {
    checkSame(a, acc);
    long[] scalars = new long[a.limbCount()];
    for (int i = 0; i < scalars.length; i++) {
      scalars[i] = a.basis().modulus(i).reduceSigned(c);
    }
    backend.multiplyScalarAccumulate(a.limbs(), scalars, acc.limbs(), a.basis().moduliArray(), a.limbCount());
  }

  public void multiplyConstant(RnsPoly a, long c, RnsPoly out) {
    checkSame(a, out);
    long[] scalars = new long[a.limbCount()];
    for (int i = 0; i < scalars.length; i++) {
      scalars[i] = a.basis().modulus(i).reduceSigned(c);
    }
    multiplyScalars(a, scalars, out);
  }

  /** {@code out = a * scalars[i]} in limb i; scalars reduced modulo their primes. */
  public void multiplyScalars(RnsPoly a, long[] scalars, RnsPoly out) {
    checkSame(a, out);
    backend.multiplyScalar(a.limbs(), scalars, out.limbs(), a.basis().moduliArray(), a.limbCount());
  }

  /**
   * Adds the constant polynomial whose residues are {@code scalars[i]} ({@code scalars} reduced).
   * In NTT form a constant is the same value in every slot; in coefficient form only the
   * coefficient of {@code X^0} changes.
   */
  public void addConstantScalars(RnsPoly a, long[] scalars, RnsPoly out) {
    checkSame(a, out);
    if (a.isNtt()) {
      backend.addScalar(a.limbs(), scalars, out.limbs(), a.basis().moduliArray(), a.limbCount());
    } else {
      if (a != out) {
        copyInto(a, out);
      }
      for (int i = 0; i < a.limbCount(); i++) {
        out.limb(i)[0] = a.basis().modulus(i).add(out.limb(i)[0], scalars[i]);
      }
    }
  }

  /**
   * Adds {@code scalars[i] * X^power} (a monomial) to {@code a}; used to add complex constants
   * ({@code i} is {@code X^(N/2)} in the canonical embedding). Coefficient form or NTT form.
   */
  public void addMonomialScalars(RnsPoly a, long[] scalars, int power, RnsPoly out) {
    if (power == 0) {
      addConstantScalars(a, scalars, out);
      return;
    }
    RnsPoly mono = new RnsPoly(a.basis(), false);
    for (int i = 0; i < a.limbCount(); i++) {
      mono.limb(i)[power] = scalars[i];
    }
    if (a.isNtt()) {
      toNtt(mono);
    }
    add(a, mono, out);
  }

  /** Copies the residues of {@code a} into {@code out} (same basis and form). */
  public void copyInto(RnsPoly a, RnsPoly out) {
    checkSame(a, out);
    for (int i = 0; i < a.limbCount(); i++) {
      System.arraycopy(a.limb(i), 0, out.limb(i), 0, n);
    }
  }

  /**
   * {@code out = a(X^galois)}; {@code galois} odd in {@code [1, 2N)}. Works in both forms; {@code
   * out} must not alias {@code a}.
   */
  public void automorphism(RnsPoly a, int galois, RnsPoly out) {
    checkSame(a, out);
    if (a == out) {
      throw new IllegalArgumentException("automorphism output must not alias its input");
    }
    checkGalois(galois);
    if (a.isNtt()) {
      backend.permute(a.limbs(), nttPermutation(galois), out.limbs(), a.limbCount());
    } else {
      backend.automorphismCoefficients(
          a.limbs(), galois, out.limbs(), a.basis().moduliArray(), a.limbCount());
    }
  }

  private void checkGalois(int galois) {
    if ((galois & 1) == 0 || galois <= 0 || galois >= 2 * n) {
      throw new IllegalArgumentException(
          "Galois element must be odd and in [1, 2N), got " + galois);
    }
  }

  /**
   * The permutation of NTT slots realising {@code X -> X^galois}. Slot j holds the evaluation at
   * {@code psi^(2·bitrev(j)+1)}, so slot j of the image reads slot j' with {@code 2·bitrev(j')+1 =
   * galois·(2·bitrev(j)+1) mod 2N}.
   */
  public int[] nttPermutation(int galois) {
    checkGalois(galois);
    return permutations.computeIfAbsent(
        galois,
        g -> {
          int[] perm = new int[n];
          long mask = 2L * n - 1;
          for (int j = 0; j < n; j++) {
            long exponent = 2L * io.polyhe.he.math.NttTables.bitReverse(j, logN) + 1;
            long image = (exponent * g) & mask;
            perm[j] = io.polyhe.he.math.NttTables.bitReverse((int) ((image - 1) >>> 1), logN);
          }
          return perm;
        });
  }

  /**
   * Exact rounding division by the last prime of {@code a}'s basis (CKKS rescale): returns
   * {@code round(a / q_last)} over the basis without its last prime, in {@code a}'s form. Rounding
   * is to nearest, ties up, on the centred representative.
   */
  public RnsPoly divideRoundByLastPrime(RnsPoly a) {
    return divideRoundByLastPrime(a, null);
  }

  /**
   * {@code round((a + e) / q_last)} for small signed coefficients {@code e} (in coefficient form,
   * whatever {@code a}'s form): the addition is folded into the division's correction, so {@code e}
   * needs no transform over the basis. With {@code e} null, {@link #divideRoundByLastPrime(RnsPoly)}.
   * Public-key encryption adds its errors this way, with one NTT per remaining prime in all.
   *
   * @throws IllegalArgumentException if {@code a} has a single prime or {@code e} has not N entries
   */
  public RnsPoly divideRoundByLastPrime(RnsPoly a, long[] e) {
    checkBasis(a.basis());
    int count = a.limbCount();
    if (count < 2) {
      throw new IllegalArgumentException("cannot rescale a polynomial with a single prime");
    }
    if (e != null && e.length != n) {
      throw new IllegalArgumentException("expected " + n + " coefficients, got " + e.length);
    }
    RnsBasis basis = a.basis();
    LastPrime plan = lastPrimePlan(basis);
    long[] lastLimb = a.limb(count - 1);
    if (a.isNtt() || e != null) {
      lastLimb = lastLimb.clone();
    }
    if (a.isNtt()) {
      backend.inverseNtt(
          new long[][] {lastLimb},
          new io.polyhe.he.math.NttTables[] {basis.tablesArray()[count - 1]},
          1);
    }
    if (e != null) {
      Modulus last = basis.modulus(count - 1);
      for (int j = 0; j < n; j++) {
        lastLimb[j] = last.add(lastLimb[j], last.reduceSigned(e[j]));
      }
    }
    // The centred representative of the last limb, modulo each remaining prime: a base conversion
    // from the single prime q_last (exact: no multiple of q_last is added). a - that is divisible
    // by q_last, and the quotient is a / q_last rounded to nearest.
    long[][] correction = new long[count - 1][n];
    plan.converter().convert(this, new long[][] {lastLimb}, correction);
    RnsBasis target = plan.converter().to();
    if (e != null) {
      // (a + e - r) / q_last = (a - (r - e)) / q_last: fold e into the correction.
      for (int i = 0; i < count - 1; i++) {
        Modulus q = target.modulus(i);
        long[] c = correction[i];
        for (int j = 0; j < n; j++) {
          c[j] = q.sub(c[j], q.reduceSigned(e[j]));
        }
      }
    }
    if (a.isNtt()) {
      backend.forwardNtt(correction, target.tablesArray(), count - 1);
    }
    RnsPoly out = new RnsPoly(target, a.isNtt());
    backend.subtractAndScale(
        a.limbs(), correction, plan.inverses(), out.limbs(), target.moduliArray(), count - 1);
    return out;
  }

  /** What rescaling a basis needs: its last prime's converter to the others, and q_last^-1 mod q_i. */
  private record LastPrime(BaseConverter converter, long[] inverses) {}

  private LastPrime lastPrimePlan(RnsBasis basis) {
    int count = basis.size();
    long[] primes = new long[count];
    for (int i = 0; i < count; i++) {
      primes[i] = basis.modulus(i).value();
    }
    return lastPrimePlans.computeIfAbsent(java.util.Arrays.stream(primes).boxed().toList(), key -> {
      Modulus last = basis.modulus(count - 1);
      long[] inverses = new long[count - 1];
      for (int i = 0; i < count - 1; i++) {
        inverses[i] = basis.modulus(i).inverse(last.value());
      }
      return new LastPrime(new BaseConverter(basis.slice(count - 1, count), basis.prefix(count - 1)), inverses);
    });
  }

  /**
   * Lifts small signed integer coefficients into a polynomial over {@code basis}, in coefficient
   * form.
   */
  public RnsPoly fromSigned(RnsBasis basis, long[] coefficients) {
    checkBasis(basis);
    if (coefficients.length != n) {
      throw new IllegalArgumentException("expected " + n + " coefficients");
    }
    RnsPoly p = new RnsPoly(basis, false);
    for (int i = 0; i < basis.size(); i++) {
      Modulus q = basis.modulus(i);
      long[] limb = p.limb(i);
      for (int j = 0; j < n; j++) {
        limb[j] = q.reduceSigned(coefficients[j]);
      }
    }
    return p;
  }
}
