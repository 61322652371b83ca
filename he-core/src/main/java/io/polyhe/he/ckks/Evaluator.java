package io.polyhe.he.ckks;

import io.polyhe.he.ring.RnsPoly;
import io.polyhe.he.ring.RnsRing;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.EvaluationKeys;
import io.polyhe.he.rlwe.GaloisElements;
import io.polyhe.he.rlwe.GaloisKey;
import io.polyhe.he.rlwe.KeySwitcher;
import io.polyhe.he.rlwe.SwitchingKey;
import io.polyhe.he.rlwe.Plaintext;
import io.polyhe.he.rlwe.RlweContext;
import io.polyhe.he.rlwe.RlweParameters;

/**
 * Homomorphic operations on CKKS ciphertexts. Every operation checks that its operands belong to
 * this context's parameters, sit at the same level and (for additions) carry the same scale, and
 * throws {@link IllegalArgumentException} naming the mismatch otherwise; it returns a new
 * ciphertext and leaves its operands untouched. Thread-safe.
 *
 * <p>Scales are compared with a relative tolerance of {@link #SCALE_TOLERANCE}: values that went
 * through the same operations in a different order may differ in the last bits of their scale,
 * and an error that small is far below CKKS precision.
 */
public final class Evaluator {
  /** Relative difference up to which two scales count as equal. */
  public static final double SCALE_TOLERANCE = 1e-9;

  private final CkksContext context;
  private final RlweContext rlwe;
  private final RnsRing ring;
  private final RlweParameters params;
  private final EvaluationKeys keys;
  private final KeySwitcher keySwitcher;

  /** An evaluator without evaluation keys: no relinearisation or rotation. */
  public Evaluator(CkksContext context) {
    this(context, EvaluationKeys.none(context.parameters().rlwe()));
  }

  /** An evaluator that relinearises and rotates with {@code keys}. */
  public Evaluator(CkksContext context, EvaluationKeys keys) {
    this.context = context;
    this.rlwe = context.rlwe();
    this.ring = rlwe.ring();
    this.params = rlwe.parameters();
    if (!keys.parameters().sameAs(params)) {
      throw new IllegalArgumentException("evaluation keys belong to other parameters");
    }
    this.keys = keys;
    this.keySwitcher = params.pCount() > 0 ? rlwe.keySwitcher() : null;
  }

  /** The evaluation keys this evaluator uses. */
  public EvaluationKeys keys() {
    return keys;
  }

  public CkksContext context() {
    return context;
  }

  // ---------------------------------------------------------------- checks

  private void checkOperands(Ciphertext a, Ciphertext b) {
    rlwe.checkOwns(a);
    rlwe.checkOwns(b);
    checkSameLevel(a.level(), b.level());
  }

  static void checkSameLevel(int la, int lb) {
    if (la != lb) {
      throw new IllegalArgumentException(
          "operands at different levels: " + la + " vs " + lb + " (drop the higher one with dropToLevel)");
    }
  }

  static void checkSameScale(double sa, double sb) {
    if (Math.abs(sa - sb) > SCALE_TOLERANCE * Math.max(sa, sb)) {
      throw new IllegalArgumentException(String.format(
          "operands at different scales: 2^%.6f vs 2^%.6f", log2(sa), log2(sb)));
    }
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  private Ciphertext make(RnsPoly[] polys, double scale) {
    return new Ciphertext(params, polys, scale);
  }

  // ---------------------------------------------------------------- additive

  /** {@code a + b}; sizes may differ (a 2-part and a 3-part ciphertext add to a 3-part one). */
  public Ciphertext add(Ciphertext a, Ciphertext b) {
    return addOrSubtract(a, b, false);
  }

  /**
   * An empty running sum that adds its terms in place into polynomials it owns: equal bit for bit
   * to repeated {@link #add}, with one allocation instead of one per term.
   */
  public CiphertextSum sum() {
    return new CiphertextSum(rlwe);
  }

  /** {@code a - b}. */
  public Ciphertext sub(Ciphertext a, Ciphertext b) {
    return addOrSubtract(a, b, true);
  }

  private Ciphertext addOrSubtract(Ciphertext a, Ciphertext b, boolean subtract) {
    checkOperands(a, b);
    checkSameScale(a.scale(), b.scale());
    RnsPoly[] out = new RnsPoly[Math.max(a.size(), b.size())];
    for (int i = 0; i < out.length; i++) {
      if (i < a.size() && i < b.size()) {
        out[i] = blankLike(a.poly(i));
        if (subtract) {
          ring.sub(a.poly(i), b.poly(i), out[i]);
        } else {
          ring.add(a.poly(i), b.poly(i), out[i]);
        }
      } else if (i < a.size()) {
        out[i] = a.poly(i).copy();
      } else if (subtract) {
        out[i] = blankLike(b.poly(i));
        ring.negate(b.poly(i), out[i]);
      } else {
        out[i] = b.poly(i).copy();
      }
    }
    return make(out, a.scale());
  }

  /** {@code -a}. */
  public Ciphertext negate(Ciphertext a) {
    rlwe.checkOwns(a);
    RnsPoly[] out = new RnsPoly[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = blankLike(a.poly(i));
      ring.negate(a.poly(i), out[i]);
    }
    return make(out, a.scale());
  }

  private void checkPlain(Ciphertext a, Plaintext p) {
    rlwe.checkOwns(a);
    rlwe.checkOwns(p);
    checkSameLevel(a.level(), p.level());
  }

  /** {@code a + p}; the plaintext must have the ciphertext's level and scale. */
  public Ciphertext addPlain(Ciphertext a, Plaintext p) {
    checkPlain(a, p);
    checkSameScale(a.scale(), p.scale());
    RnsPoly[] out = copyPolys(a);
    ring.add(out[0], p.poly(), out[0]);
    return make(out, a.scale());
  }

  /** {@code a - p}; the plaintext must have the ciphertext's level and scale. */
  public Ciphertext subPlain(Ciphertext a, Plaintext p) {
    checkPlain(a, p);
    checkSameScale(a.scale(), p.scale());
    RnsPoly[] out = copyPolys(a);
    ring.sub(out[0], p.poly(), out[0]);
    return make(out, a.scale());
  }

  /**
   * Adds the complex constant {@code re + i·im} to every slot, encoded at the ciphertext's scale.
   * ({@code i} is {@code X^(N/2)} in the canonical embedding, so the constant costs no encoding.)
   */
  public Ciphertext addConstant(Ciphertext a, double re, double im) {
    rlwe.checkOwns(a);
    RnsPoly[] out = copyPolys(a);
    long[] reScalars = scaledResidues(re, a.scale(), out[0]);
    ring.addConstantScalars(out[0], reScalars, out[0]);
    if (im != 0) {
      long[] imScalars = scaledResidues(im, a.scale(), out[0]);
      ring.addMonomialScalars(out[0], imScalars, params.n() / 2, out[0]);
    }
    return make(out, a.scale());
  }

  /** Adds the real constant {@code c} to every slot. */
  public Ciphertext addConstant(Ciphertext a, double c) {
    return addConstant(a, c, 0);
  }

  /** Residues of {@code round(value·scale)} modulo each prime of {@code like}'s basis. */
  private static long[] scaledResidues(double value, double scale, RnsPoly like) {
    double rounded = Math.rint(value * scale);
    long[] out = new long[like.limbCount()];
    for (int i = 0; i < out.length; i++) {
      out[i] = CkksEncoder.reduceIntegral(rounded, like.basis().modulus(i));
    }
    return out;
  }

  // ---------------------------------------------------------------- multiplicative

  /** {@code a · p} slot-wise; the result's scale is the product of the scales. */
  public Ciphertext mulPlain(Ciphertext a, Plaintext p) {
    checkPlain(a, p);
    RnsPoly[] out = new RnsPoly[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = blankLike(a.poly(i));
      ring.multiply(a.poly(i), p.poly(), out[i]);
    }
    return make(out, a.scale() * p.scale());
  }

  /**
   * {@code Σ_i cts[i] · pts[i]} in one pass over one accumulator (no ciphertext per term): the inner
   * loop of a plaintext matrix product. Terms must share level, size and the product scale.
   *
   * @throws IllegalArgumentException if the arrays are empty or differ in length, or terms differ in
   *     level, size or product scale
   */
  public Ciphertext mulPlainSum(Ciphertext[] cts, Plaintext[] pts) {
    if (cts.length == 0 || cts.length != pts.length) {
      throw new IllegalArgumentException(cts.length + " ciphertexts for " + pts.length + " plaintexts");
    }
    double scale = cts[0].scale() * pts[0].scale();
    int size = cts[0].size();
    for (int i = 0; i < cts.length; i++) {
      checkPlain(cts[i], pts[i]);
      checkSameLevel(cts[0].level(), cts[i].level());
      checkSameScale(scale, cts[i].scale() * pts[i].scale());
      if (cts[i].size() != size) {
        throw new IllegalArgumentException("terms of " + size + " and " + cts[i].size() + " parts");
      }
    }
    RnsPoly[] out = new RnsPoly[size];
    RnsPoly[] plain = new RnsPoly[pts.length];
    for (int i = 0; i < pts.length; i++) {
      plain[i] = pts[i].poly();
    }
    for (int j = 0; j < size; j++) {
      out[j] = blankLike(cts[0].poly(j));
      RnsPoly[] parts = new RnsPoly[cts.length];
      for (int i = 0; i < cts.length; i++) {
        parts[i] = cts[i].poly(j);
      }
      ring.multiplySum(parts, plain, out[j]);
    }
    return make(out, scale);
  }

  /**
   * {@code Σ_i cts[i] · round(c[i]·constantScales[i])} read at {@code level} (terms above it are
   * read through their first primes, not copied), in one accumulator: the leaf sums of a
   * polynomial evaluation. Every term's product scale {@code scale·constantScale} must agree
   * (relative {@link #SCALE_TOLERANCE}); the result carries the first's.
   *
   * @throws IllegalArgumentException if the arrays are empty or differ in length, a term is below
   *     {@code level}, the product scales differ, or a constant times its scale reaches 2^62
   */
  public Ciphertext mulConstantSum(Ciphertext[] cts, double[] c, double[] constantScales, int level) {
    if (cts.length == 0 || cts.length != c.length || c.length != constantScales.length) {
      throw new IllegalArgumentException(cts.length + " ciphertexts for " + c.length + " constants and "
          + constantScales.length + " scales");
    }
    double scale = cts[0].scale() * constantScales[0];
    int size = 0;
    long[] k = new long[cts.length];
    for (int i = 0; i < cts.length; i++) {
      rlwe.checkOwns(cts[i]);
      if (cts[i].level() < level) {
        throw new IllegalArgumentException("term " + i + " at level " + cts[i].level() + ", below " + level);
      }
      checkSameScale(scale, cts[i].scale() * constantScales[i]);
      double scaled = Math.rint(c[i] * constantScales[i]);
      if (!(Math.abs(scaled) < 0x1p62)) {
        throw new IllegalArgumentException("constant times scale exceeds 2^62: " + c[i] + " · " + constantScales[i]);
      }
      k[i] = (long) scaled;
      size = Math.max(size, cts[i].size());
    }
    rlwe.checkLevel(level);
    RnsPoly[] out = new RnsPoly[size];
    for (int j = 0; j < size; j++) {
      out[j] = new RnsPoly(rlwe.basisAtLevel(level), true);
      for (int i = 0; i < cts.length; i++) {
        if (j < cts[i].size()) {
          ring.multiplyConstantAccumulate(cts[i].poly(j).prefixView(level + 1), k[i], out[j]);
        }
      }
    }
    return make(out, scale);
  }

  /**
   * Multiplies every slot by the integer {@code k}; the scale is unchanged and no level is used.
   */
  public Ciphertext mulInteger(Ciphertext a, long k) {
    rlwe.checkOwns(a);
    RnsPoly[] out = new RnsPoly[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = blankLike(a.poly(i));
      ring.multiplyConstant(a.poly(i), k, out[i]);
    }
    return make(out, a.scale());
  }

  /**
   * Multiplies every slot by the real constant {@code c}, encoded as {@code round(c·constantScale)};
   * the result's scale is {@code a.scale()·constantScale} (rescale afterwards to bring it back).
   *
   * @throws IllegalArgumentException if {@code c·constantScale} does not fit in 62 bits
   */
  public Ciphertext mulConstant(Ciphertext a, double c, double constantScale) {
    rlwe.checkOwns(a);
    double scaled = Math.rint(c * constantScale);
    if (!(Math.abs(scaled) < 0x1p62)) {
      throw new IllegalArgumentException("constant times scale exceeds 2^62: " + c + " · " + constantScale);
    }
    RnsPoly[] out = new RnsPoly[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = blankLike(a.poly(i));
      ring.multiplyConstant(a.poly(i), (long) scaled, out[i]);
    }
    return make(out, a.scale() * constantScale);
  }

  /** {@link #mulConstant(Ciphertext, double, double)} at the default scale. */
  public Ciphertext mulConstant(Ciphertext a, double c) {
    return mulConstant(a, c, context.parameters().defaultScale());
  }

  /**
   * The tensor product {@code (a0·b0, a0·b1 + a1·b0, a1·b1)}: a 3-part ciphertext at the product
   * of the scales, decryptable with {@code s} and {@code s²} (relinearise it to get back 2 parts).
   *
   * @throws IllegalArgumentException if either operand already has 3 parts
   */
  public Ciphertext mul(Ciphertext a, Ciphertext b) {
    checkOperands(a, b);
    if (a.size() != 2 || b.size() != 2) {
      throw new IllegalArgumentException(
          "mul needs 2-part ciphertexts (got " + a.size() + " and " + b.size() + "); relinearise first");
    }
    RnsPoly d0 = new RnsPoly(a.poly(0).basis(), true);
    RnsPoly d1 = new RnsPoly(a.poly(0).basis(), true);
    RnsPoly d2 = new RnsPoly(a.poly(0).basis(), true);
    ring.multiply(a.poly(0), b.poly(0), d0);
    ring.multiply(a.poly(0), b.poly(1), d1);
    ring.multiplyAccumulate(a.poly(1), b.poly(0), d1);
    ring.multiply(a.poly(1), b.poly(1), d2);
    return make(new RnsPoly[] {d0, d1, d2}, a.scale() * b.scale());
  }

  /** {@code a²} as a 3-part ciphertext (one product fewer than {@code mul(a, a)}). */
  public Ciphertext square(Ciphertext a) {
    rlwe.checkOwns(a);
    if (a.size() != 2) {
      throw new IllegalArgumentException("square needs a 2-part ciphertext; relinearise first");
    }
    RnsPoly d0 = new RnsPoly(a.poly(0).basis(), true);
    RnsPoly d1 = new RnsPoly(a.poly(0).basis(), true);
    RnsPoly d2 = new RnsPoly(a.poly(0).basis(), true);
    ring.multiply(a.poly(0), a.poly(0), d0);
    ring.multiply(a.poly(0), a.poly(1), d1);
    ring.add(d1, d1, d1);
    ring.multiply(a.poly(1), a.poly(1), d2);
    return make(new RnsPoly[] {d0, d1, d2}, a.scale() * a.scale());
  }

  // ---------------------------------------------------------------- key switching

  private KeySwitcher switcher() {
    if (keySwitcher == null) {
      throw new IllegalStateException("these parameters have no special primes: no key switching");
    }
    return keySwitcher;
  }

  /**
   * Turns a 3-part ciphertext into a 2-part one decrypting to the same value (plus key-switching
   * noise, below rounding noise for the presets). A 2-part ciphertext is returned unchanged.
   *
   * @throws IllegalStateException if no relinearisation key was given
   */
  public Ciphertext relinearize(Ciphertext a) {
    rlwe.checkOwns(a);
    if (a.size() == 2) {
      return a;
    }
    SwitchingKey key =
        keys.relinearizationKey()
            .orElseThrow(() -> new IllegalStateException("no relinearisation key in " + keys))
            .switchingKey();
    RnsPoly[] switched = switcher().switchKey(a.poly(2), key);
    ring.add(switched[0], a.poly(0), switched[0]);
    ring.add(switched[1], a.poly(1), switched[1]);
    return make(switched, a.scale());
  }

  /** {@code relinearize(mul(a, b))}. */
  public Ciphertext mulRelin(Ciphertext a, Ciphertext b) {
    return relinearize(mul(a, b));
  }

  /**
   * Rotates the slots left by {@code steps} (negative: right), modulo N/2.
   *
   * @throws IllegalStateException if the Galois key of that rotation is missing
   */
  public Ciphertext rotate(Ciphertext a, int steps) {
    if (Math.floorMod(steps, params.n() / 2) == 0) {
      rlwe.checkOwns(a);
      return a;
    }
    return applyGalois(a, GaloisElements.forRotation(steps, params), "rotation by " + steps);
  }

  /** Conjugates every slot. */
  public Ciphertext conjugate(Ciphertext a) {
    return applyGalois(a, GaloisElements.conjugation(params.n()), "conjugation");
  }

  private GaloisKey galoisKey(int g, String what) {
    return keys.galoisKey(g)
        .orElseThrow(() -> new IllegalStateException(
            "no Galois key for element " + g + " (" + what + ") in " + keys));
  }

  private Ciphertext applyGalois(Ciphertext a, int g, String what) {
    rlwe.checkOwns(a);
    requireTwoParts(a, what);
    GaloisKey key = galoisKey(g, what);
    // One rotation: permute c_1 (l+1 limbs) before decomposing rather than every digit after.
    RnsPoly c1 = new RnsPoly(a.poly(1).basis(), true);
    ring.automorphism(a.poly(1), g, c1);
    RnsPoly[] switched = switcher().switchKey(c1, key.switchingKey());
    return addRotatedC0(a, g, switched);
  }

  private Ciphertext finishGalois(Ciphertext a, KeySwitcher.Decomposition d, GaloisKey key) {
    int g = key.galoisElement();
    return addRotatedC0(a, g, switcher().switchDecomposed(d, key.switchingKey(), g));
  }

  /** {@code (σ(c_0) + c_0', c_1')} for the key-switched pair of {@code σ(c_1)}. */
  private Ciphertext addRotatedC0(Ciphertext a, int g, RnsPoly[] switched) {
    RnsPoly c0 = new RnsPoly(a.poly(0).basis(), true);
    ring.automorphism(a.poly(0), g, c0);
    ring.add(switched[0], c0, switched[0]);
    return make(switched, a.scale());
  }

  private static void requireTwoParts(Ciphertext a, String what) {
    if (a.size() != 2) {
      throw new IllegalArgumentException(what + " needs a 2-part ciphertext; relinearise first");
    }
  }

  /**
   * Rotations of {@code a} by each of {@code steps}, sharing one decomposition of {@code c_1}
   * (hoisting): the results equal {@link #rotate} up to noise, at a fraction of the cost for many
   * steps. Step 0 yields {@code a} itself.
   *
   * @throws IllegalStateException if a Galois key is missing (checked before any work)
   */
  public Ciphertext[] rotateHoisted(Ciphertext a, int[] steps) {
    rlwe.checkOwns(a);
    requireTwoParts(a, "hoisted rotation");
    GaloisKey[] keysByStep = new GaloisKey[steps.length];
    boolean any = false;
    for (int i = 0; i < steps.length; i++) {
      if (Math.floorMod(steps[i], params.n() / 2) != 0) {
        keysByStep[i] =
            galoisKey(GaloisElements.forRotation(steps[i], params), "rotation by " + steps[i]);
        any = true;
      }
    }
    Ciphertext[] out = new Ciphertext[steps.length];
    if (!any) {
      java.util.Arrays.fill(out, a);
      return out;
    }
    try (KeySwitcher.Decomposition d = switcher().decompose(a.poly(1))) {
      for (int i = 0; i < steps.length; i++) {
        out[i] = keysByStep[i] == null ? a : finishGalois(a, d, keysByStep[i]);
      }
    }
    return out;
  }

  /**
   * {@code Σ_i rotate(terms[i], steps[i])} with one ModDown for the whole sum: each rotated term's
   * key-switched part stays over {@code Q·P} and the sum is divided by P once (a rotation's ModDown
   * is about a quarter of its cost, and one rounding replaces many). Terms that are the same object
   * share one decomposition (hoisting); step 0 adds the term itself. The result equals the sum of
   * {@link #rotate}s up to noise (less of it). The terms share level and scale and have 2 parts.
   *
   * @throws IllegalArgumentException if there are no terms, the arrays differ in length, or the
   *     terms differ in level or scale
   * @throws IllegalStateException if a Galois key is missing (checked before any work)
   */
  public Ciphertext sumOfRotations(Ciphertext[] terms, int[] steps) {
    if (terms.length == 0 || terms.length != steps.length) {
      throw new IllegalArgumentException(terms.length + " terms for " + steps.length + " steps");
    }
    int slots = params.n() / 2;
    GaloisKey[] keysByTerm = new GaloisKey[terms.length];
    for (int i = 0; i < terms.length; i++) {
      rlwe.checkOwns(terms[i]);
      requireTwoParts(terms[i], "rotation by " + steps[i]);
      checkSameLevel(terms[0].level(), terms[i].level());
      checkSameScale(terms[0].scale(), terms[i].scale());
      if (Math.floorMod(steps[i], slots) != 0) {
        keysByTerm[i] = galoisKey(GaloisElements.forRotation(steps[i], params), "rotation by " + steps[i]);
      }
    }
    RnsPoly c0 = null; // Σ σ_i(c0_i) plus the unrotated terms' c0
    RnsPoly c1 = null; // the unrotated terms' c1
    RnsPoly[] switched = null;
    java.util.IdentityHashMap<Ciphertext, KeySwitcher.Decomposition> decompositions = new java.util.IdentityHashMap<>();
    try (KeySwitcher.SwitchSum sum = switcher().switchSum(terms[0].level())) {
      for (int i = 0; i < terms.length; i++) {
        Ciphertext a = terms[i];
        if (keysByTerm[i] == null) {
          c0 = addInto(c0, a.poly(0));
          c1 = addInto(c1, a.poly(1));
          continue;
        }
        int g = keysByTerm[i].galoisElement();
        RnsPoly r0 = blankLike(a.poly(0));
        ring.automorphism(a.poly(0), g, r0);
        if (c0 == null) {
          c0 = r0;
        } else {
          ring.add(c0, r0, c0);
        }
        KeySwitcher.Decomposition d = decompositions.computeIfAbsent(a, x -> switcher().decompose(x.poly(1)));
        sum.add(d, keysByTerm[i].switchingKey(), g);
        if (lastRotation(terms, keysByTerm, i)) {
          decompositions.remove(a).close();
        }
      }
      if (!decompositions.isEmpty() || c0 == null) {
        throw new IllegalStateException("unreachable: every decomposition is closed after its last use");
      }
      boolean anyRotated = java.util.Arrays.stream(keysByTerm).anyMatch(java.util.Objects::nonNull);
      if (anyRotated) {
        switched = sum.finish();
      }
    } finally {
      for (KeySwitcher.Decomposition d : decompositions.values()) {
        d.close();
      }
    }
    if (switched == null) {
      return make(new RnsPoly[] {c0, c1}, terms[0].scale());
    }
    ring.add(switched[0], c0, switched[0]);
    if (c1 != null) {
      ring.add(switched[1], c1, switched[1]);
    }
    return make(switched, terms[0].scale());
  }

  /** Whether no term after {@code i} rotates the same object as term {@code i}. */
  private static boolean lastRotation(Ciphertext[] terms, GaloisKey[] keysByTerm, int i) {
    for (int j = i + 1; j < terms.length; j++) {
      if (terms[j] == terms[i] && keysByTerm[j] != null) {
        return false;
      }
    }
    return true;
  }

  /** {@code acc + p} into a fresh polynomial on the first call, in place after. */
  private RnsPoly addInto(RnsPoly acc, RnsPoly p) {
    if (acc == null) {
      return p.copy();
    }
    ring.add(acc, p, acc);
    return acc;
  }

  // ---------------------------------------------------------------- levels

  /**
   * Divides by the last prime with rounding: one level down, scale divided by that prime.
   *
   * @throws IllegalArgumentException at level 0
   */
  public Ciphertext rescale(Ciphertext a) {
    rlwe.checkOwns(a);
    if (a.level() == 0) {
      throw new IllegalArgumentException("cannot rescale at level 0: no prime left to divide by");
    }
    double q = params.q(a.level());
    RnsPoly[] out = new RnsPoly[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ring.divideRoundByLastPrime(a.poly(i));
    }
    return make(out, a.scale() / q);
  }

  /** Drops primes down to {@code level} without changing scale or value. */
  public Ciphertext dropToLevel(Ciphertext a, int level) {
    rlwe.checkOwns(a);
    if (level > a.level() || level < 0) {
      throw new IllegalArgumentException(
          "cannot drop from level " + a.level() + " to level " + level);
    }
    RnsPoly[] out = new RnsPoly[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.poly(i).copyPrefix(level + 1);
    }
    return make(out, a.scale());
  }

  /** Drops {@code levels} primes. */
  public Ciphertext dropLevels(Ciphertext a, int levels) {
    return dropToLevel(a, a.level() - levels);
  }

  /** Drops a plaintext's primes down to {@code level}. */
  public Plaintext dropToLevel(Plaintext p, int level) {
    rlwe.checkOwns(p);
    if (level > p.level() || level < 0) {
      throw new IllegalArgumentException(
          "cannot drop from level " + p.level() + " to level " + level);
    }
    return new Plaintext(params, p.poly().copyPrefix(level + 1), p.scale());
  }

  /** A zero polynomial over {@code p}'s basis in {@code p}'s form: the output of an out-of-place
   * operation, which reads its inputs once instead of copying one and updating the copy. */
  private static RnsPoly blankLike(RnsPoly p) {
    return new RnsPoly(p.basis(), p.isNtt());
  }

  private static RnsPoly[] copyPolys(Ciphertext a) {
    RnsPoly[] out = new RnsPoly[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.poly(i).copy();
    }
    return out;
  }
}
