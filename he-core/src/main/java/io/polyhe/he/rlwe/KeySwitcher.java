package io.polyhe.he.rlwe;

import io.polyhe.he.math.Modulus;
import io.polyhe.he.ring.BaseConverter;
import io.polyhe.he.ring.LimbPool;
import io.polyhe.he.ring.RnsBasis;
import io.polyhe.he.ring.RnsPoly;
import io.polyhe.he.ring.RnsRing;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hybrid key switching (Han–Ki): ModUp of each digit by centred fast base conversion, inner
 * product with the key over {@code Q_l·P}, ModDown by P.
 *
 * <p>{@link #decompose} is the expensive, key-independent half (inverse NTT, base conversion,
 * NTTs); its result can be reused for many keys, which is what hoisted rotations do: automorphisms
 * commute with the decomposition, so {@link #switchDecomposed} may permute the digits first.
 * Temporaries come from a bounded {@link LimbPool}; a {@link Decomposition} returns its limbs there
 * when closed. One instance per context ({@link RlweContext#keySwitcher()}) is shared by all its
 * evaluators. Thread-safe.
 */
public final class KeySwitcher {
  private final RlweContext context;
  private final RlweParameters params;
  private final RnsRing ring;
  private final int alpha;
  private final LimbPool pool;
  /** ModUp converters by (level, digit). */
  private final Map<Long, ModUpPlan> modUp = new ConcurrentHashMap<>();
  /** P to Q (all ciphertext primes; prefixes serve lower levels). */
  private final BaseConverter modDown;
  /** {@code P^-1 mod q_i}. */
  private final long[] pInverse;
  private final Modulus[] qModuli;

  /**
   * The digits of a polynomial at {@code level}, each over {@code q_0..q_level·P}, NTT form.
   * Close it to hand its limbs back to the pool (optional; unclosed ones are garbage-collected).
   */
  public static final class Decomposition implements AutoCloseable {
    private final int level;
    private final RnsPoly[] digits;
    private final LimbPool pool;
    private final java.util.concurrent.atomic.AtomicBoolean closed =
        new java.util.concurrent.atomic.AtomicBoolean();

    Decomposition(int level, RnsPoly[] digits, LimbPool pool) {
      this.level = level;
      this.digits = digits;
      this.pool = pool;
    }

    public int level() {
      return level;
    }

    /** Digit {@code j}; read-only. */
    public RnsPoly digit(int j) {
      checkOpen();
      return digits[j];
    }

    public int digitCount() {
      return digits.length;
    }

    private void checkOpen() {
      if (closed.get()) {
        throw new IllegalStateException("decomposition already closed");
      }
    }

    /** Hands the digits' limbs back to the pool; digits read before must not be used after. */
    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        for (RnsPoly d : digits) {
          pool.give(d);
        }
      }
    }
  }

  private record ModUpPlan(int start, int end, BaseConverter converter, int[] targetPositions) {}

  public KeySwitcher(RlweContext context) {
    this.context = context;
    this.params = context.parameters();
    this.ring = context.ring();
    this.alpha = params.digitSize();
    if (params.pCount() == 0) {
      throw new IllegalStateException("key switching needs special primes; these parameters have none");
    }
    int widest = params.qCount() + params.pCount();
    // Enough idle limbs for a decomposition, its accumulators and ModDown temporaries.
    this.pool = new LimbPool(params.n(), (params.dnum() + 4) * widest);
    this.modDown = new BaseConverter(context.basisP(), context.basisQ());
    this.pInverse = new long[params.qCount()];
    this.qModuli = new Modulus[params.qCount()];
    RnsBasis p = context.basisP();
    for (int i = 0; i < params.qCount(); i++) {
      Modulus qi = context.basisQ().modulus(i);
      qModuli[i] = qi;
      long prod = 1;
      for (int k = 0; k < p.size(); k++) {
        prod = qi.mul(prod, qi.reduceUnsigned(p.modulus(k).value()));
      }
      pInverse[i] = qi.inverse(prod);
    }
  }

  private ModUpPlan plan(int level, int digit) {
    return modUp.computeIfAbsent(
        ((long) level << 32) | digit,
        key -> {
          int start = digit * alpha;
          int end = Math.min(start + alpha, level + 1);
          RnsBasis qp = context.basisQPAtLevel(level);
          int total = qp.size();
          int[] positions = new int[total - (end - start)];
          long[] primes = new long[positions.length];
          int t = 0;
          for (int i = 0; i < total; i++) {
            if (i < start || i >= end) {
              positions[t] = i;
              primes[t] = qp.modulus(i).value();
              t++;
            }
          }
          RnsBasis target = new RnsBasis(params.logN(), primes);
          return new ModUpPlan(start, end, new BaseConverter(qp.slice(start, end), target), positions);
        });
  }

  /**
   * Splits {@code d} (NTT form over {@code q_0..q_level}) into its digits, each raised to {@code
   * q_0..q_level·P} by fast base conversion, in NTT form.
   */
  public Decomposition decompose(RnsPoly d) {
    if (!d.isNtt()) {
      throw new IllegalArgumentException("key switching input must be in NTT form");
    }
    int level = d.limbCount() - 1;
    if (!d.basis().sameAs(context.basisAtLevel(level))) {
      throw new IllegalArgumentException("key switching input over foreign primes");
    }
    RnsPoly coefficients = pool.takePoly(d.basis(), true);
    ring.copyInto(d, coefficients);
    ring.toCoefficients(coefficients);
    int digits = params.digitCount(level);
    RnsBasis qp = context.basisQPAtLevel(level);
    RnsPoly[] out = new RnsPoly[digits];
    for (int j = 0; j < digits; j++) {
      ModUpPlan plan = plan(level, j);
      int width = plan.end - plan.start;
      long[][] source = new long[width][];
      for (int i = 0; i < width; i++) {
        source[i] = coefficients.limb(plan.start + i);
      }
      long[][] limbs = new long[qp.size()][];
      long[][] converted = new long[plan.targetPositions.length][];
      for (int t = 0; t < converted.length; t++) {
        converted[t] = pool.take();
        limbs[plan.targetPositions[t]] = converted[t];
      }
      plan.converter.convert(ring, source, converted);
      RnsPoly convertedPoly = new RnsPoly(plan.converter.to(), converted, false);
      ring.toNtt(convertedPoly);
      for (int i = plan.start; i < plan.end; i++) {
        limbs[i] = pool.take();
        System.arraycopy(d.limb(i), 0, limbs[i], 0, d.n());
      }
      out[j] = new RnsPoly(qp, limbs, true);
    }
    pool.give(coefficients);
    return new Decomposition(level, out, pool);
  }

  /**
   * The key-switched pair {@code (c_0', c_1')} over {@code q_0..q_level} with {@code c_0' + c_1'·s
   * ≈ σ(d)·s'}, where {@code σ} is the automorphism given by {@code galois} (1 for none) applied to
   * the decomposed {@code d}.
   */
  public RnsPoly[] switchDecomposed(Decomposition decomposition, SwitchingKey key, int galois) {
    int level = decomposition.level();
    RnsBasis qp = context.basisQPAtLevel(level);
    RnsPoly acc0 = pool.takePoly(qp, true);
    RnsPoly acc1 = pool.takePoly(qp, true);
    innerProduct(decomposition, key, galois, acc0, acc1);
    RnsPoly[] out = {modDown(acc0, level), modDown(acc1, level)};
    pool.give(acc0);
    pool.give(acc1);
    return out;
  }

  /**
   * A running sum of key-switched pairs over {@code Q_l·P}, brought down by P once ({@link
   * #finish}): {@code Σ_i switchDecomposed(d_i, key_i, galois_i)} with one ModDown per part instead
   * of one per term (and one rounding instead of many). Not thread-safe; close it (or finish it) to
   * hand its limbs back.
   */
  public final class SwitchSum implements AutoCloseable {
    private final int level;
    private RnsPoly acc0;
    private RnsPoly acc1;
    private boolean empty = true;

    private SwitchSum(int level) {
      this.level = level;
      RnsBasis qp = context.basisQPAtLevel(level);
      this.acc0 = pool.takePoly(qp, true);
      this.acc1 = pool.takePoly(qp, true);
    }

    /** Adds the (not yet divided by P) key-switched pair of {@code σ_galois(d)}. */
    public void add(Decomposition decomposition, SwitchingKey key, int galois) {
      if (acc0 == null) {
        throw new IllegalStateException("switch sum already finished");
      }
      if (decomposition.level() != level) {
        throw new IllegalArgumentException("decomposition at level " + decomposition.level()
            + ", the sum is at level " + level);
      }
      if (empty) {
        innerProduct(decomposition, key, galois, acc0, acc1);
        empty = false;
        return;
      }
      RnsBasis qp = context.basisQPAtLevel(level);
      RnsPoly t0 = pool.takePoly(qp, true);
      RnsPoly t1 = pool.takePoly(qp, true);
      innerProduct(decomposition, key, galois, t0, t1);
      ring.add(acc0, t0, acc0);
      ring.add(acc1, t1, acc1);
      pool.give(t0);
      pool.give(t1);
    }

    /**
     * The pair {@code (c_0', c_1')} over {@code q_0..q_level}: the sum's terms divided by P once.
     *
     * @throws IllegalStateException if no term was added or it was finished already
     */
    public RnsPoly[] finish() {
      if (acc0 == null) {
        throw new IllegalStateException("switch sum already finished");
      }
      if (empty) {
        throw new IllegalStateException("switch sum has no terms");
      }
      RnsPoly[] out = {modDown(acc0, level), modDown(acc1, level)};
      close();
      return out;
    }

    @Override
    public void close() {
      if (acc0 != null) {
        pool.give(acc0);
        pool.give(acc1);
        acc0 = null;
        acc1 = null;
      }
    }
  }

  /** An empty {@link SwitchSum} for decompositions at {@code level}. */
  public SwitchSum switchSum(int level) {
    if (level < 0 || level >= params.qCount()) {
      throw new IllegalArgumentException("no level " + level);
    }
    return new SwitchSum(level);
  }

  /** The inner product of the (permuted) digits with the key over {@code Q_l·P}, into acc0, acc1. */
  private void innerProduct(Decomposition decomposition, SwitchingKey key, int galois, RnsPoly acc0, RnsPoly acc1) {
    context.checkOwns(key);
    int level = decomposition.level();
    RnsBasis qp = context.basisQPAtLevel(level);
    int[] permutation = galois == 1 ? null : ring.nttPermutation(galois);
    // The key is the fixed operand of every product: where the backend profits (and memory allows),
    // its Shoup constants replace a Barrett reduction per product; otherwise one dot product over
    // the digits per part, which a backend may sum before reducing.
    RnsPoly[][] shoup = ring.backend().usesShoupOperands() ? key.shoupConstants() : null;
    int digits = decomposition.digitCount();
    if (shoup == null && ring.backend().readsPermutedTerms()) {
      // One pass per part: the digits are read through the automorphism, nothing is permuted.
      RnsPoly[] ds = new RnsPoly[digits];
      RnsPoly[] bs = new RnsPoly[digits];
      RnsPoly[] as = new RnsPoly[digits];
      for (int j = 0; j < digits; j++) {
        ds[j] = decomposition.digit(j);
        bs[j] = context.viewQPAtLevel(key.b(j), level);
        as[j] = context.viewQPAtLevel(key.a(j), level);
      }
      ring.multiplySumAutomorphism(ds, galois, bs, acc0);
      ring.multiplySumAutomorphism(ds, galois, as, acc1);
      return;
    }
    RnsPoly[] permuted = new RnsPoly[digits];
    for (int j = 0; j < digits; j++) {
      RnsPoly digit = decomposition.digit(j);
      if (permutation != null) {
        RnsPoly p = pool.takePoly(qp, true);
        ring.automorphism(digit, galois, p);
        digit = p;
      }
      permuted[j] = digit;
    }
    if (shoup != null) {
      for (int j = 0; j < digits; j++) {
        RnsPoly b = context.viewQPAtLevel(key.b(j), level);
        RnsPoly a = context.viewQPAtLevel(key.a(j), level);
        RnsPoly bs = context.viewQPAtLevel(shoup[0][j], level);
        RnsPoly as = context.viewQPAtLevel(shoup[1][j], level);
        if (j == 0) {
          ring.multiplyShoup(permuted[j], b, bs, acc0);
          ring.multiplyShoup(permuted[j], a, as, acc1);
        } else {
          ring.multiplyAccumulateShoup(permuted[j], b, bs, acc0);
          ring.multiplyAccumulateShoup(permuted[j], a, as, acc1);
        }
      }
    } else {
      RnsPoly[] bs = new RnsPoly[digits];
      RnsPoly[] as = new RnsPoly[digits];
      for (int j = 0; j < digits; j++) {
        bs[j] = context.viewQPAtLevel(key.b(j), level);
        as[j] = context.viewQPAtLevel(key.a(j), level);
      }
      ring.multiplySum(permuted, bs, acc0);
      ring.multiplySum(permuted, as, acc1);
    }
    if (permutation != null) {
      for (RnsPoly p : permuted) {
        pool.give(p);
      }
    }
  }

  /** {@code (c_0', c_1')} with {@code c_0' + c_1'·s ≈ d·s'} for the key from {@code s'} to s. */
  public RnsPoly[] switchKey(RnsPoly d, SwitchingKey key) {
    try (Decomposition decomposition = decompose(d)) {
      return switchDecomposed(decomposition, key, 1);
    }
  }

  /** {@code round(x / P)} from {@code q_0..q_level·P} down to {@code q_0..q_level}, NTT form. */
  private RnsPoly modDown(RnsPoly x, int level) {
    int qCount = level + 1;
    int k = params.pCount();
    RnsBasis pBasis = context.basisP();
    RnsPoly xp = pool.takePoly(pBasis, true);
    for (int i = 0; i < k; i++) {
      System.arraycopy(x.limb(qCount + i), 0, xp.limb(i), 0, x.n());
    }
    ring.toCoefficients(xp);
    RnsBasis target = context.basisAtLevel(level);
    RnsPoly correction = pool.takePoly(target, false);
    modDown.convert(ring, xp.limbs(), correction.limbs(), qCount);
    ring.toNtt(correction);
    RnsPoly out = new RnsPoly(target, true);
    long[][] xq = new long[qCount][];
    System.arraycopy(x.limbs(), 0, xq, 0, qCount);
    ring.backend()
        .subtractAndScale(xq, correction.limbs(), pInverse, out.limbs(), qModuli, qCount);
    pool.give(xp);
    pool.give(correction);
    return out;
  }
}
