package io.polyhe.nativebackend.resident;

import io.polyhe.he.backend.DeviceBuffer;
import io.polyhe.he.backend.LimbSpan;
import io.polyhe.he.backend.ResidentDevice;
import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksEncoder;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ckks.Evaluator;
import io.polyhe.he.circuits.Arithmetic;
import io.polyhe.he.circuits.PlainVector;
import io.polyhe.he.math.Modulus;
import io.polyhe.he.math.NttTables;
import io.polyhe.he.ring.BaseConverter;
import io.polyhe.he.ring.RnsBasis;
import io.polyhe.he.ring.RnsPoly;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.EvaluationKeys;
import io.polyhe.he.rlwe.GaloisElements;
import io.polyhe.he.rlwe.GaloisKey;
import io.polyhe.he.rlwe.Plaintext;
import io.polyhe.he.rlwe.RlweContext;
import io.polyhe.he.rlwe.RlweParameters;
import io.polyhe.he.rlwe.SwitchingKey;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link Arithmetic} over ciphertexts resident on a {@link ResidentDevice}: every circuit written
 * for {@link io.polyhe.he.circuits.CiphertextArithmetic} runs unchanged with its ciphertexts, keys
 * and weights in device memory, and gives bit-identical ciphertexts (the device kernels are
 * bit-identical to the Java backend and every operation here follows {@link Evaluator} and {@link
 * io.polyhe.he.rlwe.KeySwitcher} step by step: the same primes, conversions and order).
 *
 * <p>Residency: the evaluation keys are uploaded when this object is made; a plaintext vector is
 * encoded and uploaded on its first use at a (level, scale) and kept while the vector is reachable
 * (the weights of a model stay resident across passes); ciphertexts cross only through {@link
 * #upload} and {@link #download}, the edges of a pass. Nothing else moves between Java and the
 * device. Operations queue on the device's stream; {@link #download} is the synchronisation point
 * that reports a failed kernel.
 *
 * <p>Lifetimes: results are new ciphertexts owning new device buffers (a {@link #reinterpretScale} result
 * shares its operand's). Close them when done, or let a {@link ResidentPass} close what a pass
 * made; the buffers' cleaner is only a safety net. {@link #close()} frees keys and weights.
 *
 * <p>Errors are {@link Evaluator}'s: {@link IllegalArgumentException} for mismatched levels or
 * scales, {@link IllegalStateException} for a missing key (checked before any work is queued).
 * Driven by one thread at a time (a pass); the device serialises calls.
 */
public final class ResidentArithmetic implements Arithmetic<ResidentCiphertext>, AutoCloseable {
  private final ResidentDevice device;
  private final CkksParameters params;
  private final RlweParameters rlwe;
  private final RlweContext context;
  private final CkksEncoder encoder;
  private final int qCount;
  private final int pCount;
  private final int n;
  /** Moduli and NTT tables of q_0..q_{L}, then p_0..p_{K-1}. */
  private final Modulus[] moduli;
  private final NttTables[] tables;
  private final Map<Integer, Modulus[]> qModuli = new ConcurrentHashMap<>();
  private final Map<Integer, NttTables[]> qTables = new ConcurrentHashMap<>();
  private final Map<Integer, Rescale> rescales = new ConcurrentHashMap<>();
  private final Map<Long, ModUp> modUps = new ConcurrentHashMap<>();
  private final ConverterConstants modDown;
  private final long[] pInverse;
  private final ResidentKey relinearization;
  private final Map<Integer, ResidentKey> galoisKeys = new HashMap<>();
  private final Map<PlainVector, Map<WeightKey, DeviceBuffer>> weights = new WeakHashMap<>();
  private final List<WeakReference<ResidentCiphertext>> made = new ArrayList<>();
  private boolean tracking;
  private boolean closed;

  /** A switching key on the device: per digit, {@code b} and {@code a} over all of Q·P. */
  private record ResidentKey(DeviceBuffer[] b, DeviceBuffer[] a) implements AutoCloseable {
    @Override
    public void close() {
      for (int j = 0; j < b.length; j++) {
        b[j].close();
        a[j].close();
      }
    }
  }

  /** An encoding of a weight vector: its level and scale. */
  private record WeightKey(int level, long scaleBits) {}

  /** Rescaling at a level: the last prime's converter to the rest, and q_last^-1 mod q_i. */
  private record Rescale(ConverterConstants converter, long[] inverses) {}

  /** ModUp of one digit at one level: source primes [start, end), targets the rest of Q_l·P. */
  private record ModUp(int start, int end, ConverterConstants below, ConverterConstants above) {}

  /**
   * Arithmetic on {@code device} for {@code context}'s parameters, uploading {@code keys}.
   *
   * @throws IllegalArgumentException if the keys belong to other parameters or the device has
   *     another ring degree
   */
  public ResidentArithmetic(ResidentDevice device, CkksContext context, EvaluationKeys keys) {
    this.device = device;
    this.params = context.parameters();
    this.context = context.rlwe();
    this.rlwe = this.context.parameters();
    if (!keys.parameters().sameAs(rlwe)) {
      throw new IllegalArgumentException("evaluation keys belong to other parameters");
    }
    if (device.n() != rlwe.n()) {
      throw new IllegalArgumentException("device of ring degree " + device.n() + " for parameters of " + rlwe.n());
    }
    this.encoder = new CkksEncoder(context);
    this.n = rlwe.n();
    this.qCount = rlwe.qCount();
    this.pCount = rlwe.pCount();
    RnsBasis all = this.context.basisQPAtLevel(rlwe.maxLevel());
    this.moduli = new Modulus[all.size()];
    this.tables = new NttTables[all.size()];
    for (int i = 0; i < all.size(); i++) {
      moduli[i] = all.modulus(i);
      tables[i] = new NttTables(moduli[i], rlwe.logN());
    }
    if (pCount > 0) {
      this.modDown = ConverterConstants.of(new BaseConverter(this.context.basisP(), this.context.basisQ()));
      this.pInverse = new long[qCount];
      for (int i = 0; i < qCount; i++) {
        Modulus qi = moduli[i];
        long prod = 1;
        for (int k = 0; k < pCount; k++) {
          prod = qi.mul(prod, qi.reduceUnsigned(moduli[qCount + k].value()));
        }
        pInverse[i] = qi.inverse(prod);
      }
    } else {
      this.modDown = null;
      this.pInverse = null;
    }
    this.relinearization = keys.relinearizationKey().map(k -> upload(k.switchingKey())).orElse(null);
    for (Map.Entry<Integer, GaloisKey> e : keys.galoisKeys().entrySet()) {
      galoisKeys.put(e.getKey(), upload(e.getValue().switchingKey()));
    }
  }

  public ResidentDevice device() {
    return device;
  }

  private ResidentKey upload(SwitchingKey key) {
    int digits = key.digits();
    DeviceBuffer[] b = new DeviceBuffer[digits];
    DeviceBuffer[] a = new DeviceBuffer[digits];
    for (int j = 0; j < digits; j++) {
      b[j] = uploadPoly(key.b(j));
      a[j] = uploadPoly(key.a(j));
    }
    return new ResidentKey(b, a);
  }

  private DeviceBuffer uploadPoly(RnsPoly p) {
    if (!p.isNtt()) {
      throw new IllegalArgumentException("resident polynomials are in NTT form");
    }
    DeviceBuffer buffer = device.allocate(p.limbCount());
    device.upload(p.limbs(), 0, buffer.all());
    return buffer;
  }

  // ---- bases ---------------------------------------------------------------------------------

  private Modulus[] qm(int level) {
    return qModuli.computeIfAbsent(level, l -> java.util.Arrays.copyOf(moduli, l + 1));
  }

  private NttTables[] qt(int level) {
    return qTables.computeIfAbsent(level, l -> java.util.Arrays.copyOf(tables, l + 1));
  }

  private Modulus[] p() {
    return java.util.Arrays.copyOfRange(moduli, qCount, qCount + pCount);
  }

  private NttTables[] pt() {
    return java.util.Arrays.copyOfRange(tables, qCount, qCount + pCount);
  }

  private Modulus[] slice(int from, int to) {
    return java.util.Arrays.copyOfRange(moduli, from, to);
  }

  // ---- edges -----------------------------------------------------------------------------------

  /**
   * Uploads {@code ct} (an edge: the pass's input, or a refreshed ciphertext coming back).
   *
   * @throws IllegalArgumentException if it belongs to other parameters or is not in NTT form
   */
  public ResidentCiphertext upload(Ciphertext ct) {
    checkOpen();
    context.checkOwns(ct);
    DeviceBuffer[] parts = new DeviceBuffer[ct.size()];
    for (int i = 0; i < parts.length; i++) {
      parts[i] = uploadPoly(ct.poly(i));
    }
    return made(new ResidentCiphertext(rlwe, parts, ct.scale()));
  }

  /**
   * Downloads {@code ct} (an edge: logits, or a ciphertext going out for refresh); waits for the
   * stream.
   *
   * @throws IllegalStateException if a queued operation failed
   */
  public Ciphertext download(ResidentCiphertext ct) {
    check(ct);
    RnsBasis basis = context.basisAtLevel(ct.level());
    RnsPoly[] polys = new RnsPoly[ct.size()];
    for (int i = 0; i < polys.length; i++) {
      polys[i] = new RnsPoly(basis, true);
      device.download(ct.part(i).all(), polys[i].limbs());
    }
    return new Ciphertext(rlwe, polys, ct.scale());
  }

  // ---- lifetimes -------------------------------------------------------------------------------

  private ResidentCiphertext made(ResidentCiphertext ct) {
    if (tracking) {
      made.add(new WeakReference<>(ct));
    }
    return ct;
  }

  /** Starts recording the ciphertexts made (a pass's scope). */
  void startTracking() {
    tracking = true;
    made.clear();
  }

  /** Closes every ciphertext made since {@link #startTracking} except {@code keep}; stops recording. */
  int closeTracked(java.util.Set<ResidentCiphertext> keep) {
    int count = 0;
    for (WeakReference<ResidentCiphertext> ref : made) {
      ResidentCiphertext ct = ref.get();
      if (ct != null && !keep.contains(ct) && ct.isOpen()) {
        ct.close();
        count++;
      }
    }
    made.clear();
    tracking = false;
    return count;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("resident arithmetic closed");
    }
  }

  private void check(ResidentCiphertext ct) {
    checkOpen();
    if (!ct.parameters().sameAs(rlwe)) {
      throw new IllegalArgumentException("ciphertext of other parameters");
    }
    if (!ct.isOpen()) {
      throw new IllegalStateException("ciphertext already closed");
    }
  }

  private static void checkSameLevel(int la, int lb) {
    if (la != lb) {
      throw new IllegalArgumentException(
          "operands at different levels: " + la + " vs " + lb + " (drop the higher one with dropToLevel)");
    }
  }

  private static void checkSameScale(double sa, double sb) {
    if (Math.abs(sa - sb) > Evaluator.SCALE_TOLERANCE * Math.max(sa, sb)) {
      throw new IllegalArgumentException(String.format("operands at different scales: 2^%.6f vs 2^%.6f",
          Math.log(sa) / Math.log(2), Math.log(sb) / Math.log(2)));
    }
  }

  /** Frees keys, weights and the ciphertexts still tracked; the device stays open (its owner closes it). */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closeTracked(java.util.Set.of());
    if (relinearization != null) {
      relinearization.close();
    }
    galoisKeys.values().forEach(ResidentKey::close);
    galoisKeys.clear();
    synchronized (weights) {
      weights.values().forEach(m -> m.values().forEach(DeviceBuffer::close));
      weights.clear();
    }
    closed = true;
  }

  // ---- Arithmetic: bookkeeping -----------------------------------------------------------------

  @Override
  public CkksParameters parameters() {
    return params;
  }

  @Override
  public int level(ResidentCiphertext a) {
    return a.level();
  }

  @Override
  public double scale(ResidentCiphertext a) {
    return a.scale();
  }

  @Override
  public int size(ResidentCiphertext a) {
    return a.size();
  }

  private DeviceBuffer blank(int level) {
    return device.allocate(level + 1);
  }

  private ResidentCiphertext make(DeviceBuffer[] parts, double scale) {
    return made(new ResidentCiphertext(rlwe, parts, scale));
  }

  // ---- additive --------------------------------------------------------------------------------

  @Override
  public ResidentCiphertext add(ResidentCiphertext a, ResidentCiphertext b) {
    return addOrSubtract(a, b, false);
  }

  @Override
  public ResidentCiphertext sub(ResidentCiphertext a, ResidentCiphertext b) {
    return addOrSubtract(a, b, true);
  }

  private ResidentCiphertext addOrSubtract(ResidentCiphertext a, ResidentCiphertext b, boolean subtract) {
    check(a);
    check(b);
    checkSameLevel(a.level(), b.level());
    checkSameScale(a.scale(), b.scale());
    Modulus[] m = qm(a.level());
    DeviceBuffer[] out = new DeviceBuffer[Math.max(a.size(), b.size())];
    for (int i = 0; i < out.length; i++) {
      out[i] = blank(a.level());
      if (i < a.size() && i < b.size()) {
        if (subtract) {
          device.sub(a.part(i).all(), b.part(i).all(), out[i].all(), m);
        } else {
          device.add(a.part(i).all(), b.part(i).all(), out[i].all(), m);
        }
      } else if (i < a.size()) {
        device.copy(a.part(i).all(), out[i].all());
      } else if (subtract) {
        device.negate(b.part(i).all(), out[i].all(), m);
      } else {
        device.copy(b.part(i).all(), out[i].all());
      }
    }
    return make(out, a.scale());
  }

  @Override
  public ResidentCiphertext negate(ResidentCiphertext a) {
    check(a);
    DeviceBuffer[] out = new DeviceBuffer[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = blank(a.level());
      device.negate(a.part(i).all(), out[i].all(), qm(a.level()));
    }
    return make(out, a.scale());
  }

  @Override
  public ResidentCiphertext addConstant(ResidentCiphertext a, double c) {
    check(a);
    Modulus[] m = qm(a.level());
    double rounded = Math.rint(c * a.scale());
    long[] scalars = new long[m.length];
    for (int i = 0; i < m.length; i++) {
      scalars[i] = reduceIntegral(rounded, m[i]);
    }
    DeviceBuffer[] out = copies(a);
    device.addScalar(out[0].all(), scalars, out[0].all(), m);
    return make(out, a.scale());
  }

  /**
   * {@code c mod q} for an integral double of any magnitude, exactly as {@code
   * CkksEncoder.reduceIntegral} (package-private there): beyond 2^62 a double is a 53-bit mantissa
   * times a power of two.
   */
  static long reduceIntegral(double c, Modulus q) {
    if (!Double.isFinite(c)) {
      throw new IllegalArgumentException("coefficient overflow: value times scale is not finite");
    }
    if (Math.abs(c) < 0x1p62) {
      return q.reduceSigned((long) c);
    }
    int exponent = Math.getExponent(c) - 52;
    long mantissa = (long) Math.scalb(c, -exponent);
    return q.mul(q.reduceSigned(mantissa), q.pow(2, exponent));
  }

  private DeviceBuffer[] copies(ResidentCiphertext a) {
    DeviceBuffer[] out = new DeviceBuffer[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = blank(a.level());
      device.copy(a.part(i).all(), out[i].all());
    }
    return out;
  }

  // ---- constants -------------------------------------------------------------------------------

  private static long scaledConstant(double c, double constantScale) {
    double scaled = Math.rint(c * constantScale);
    if (!(Math.abs(scaled) < 0x1p62)) {
      throw new IllegalArgumentException("constant times scale exceeds 2^62: " + c + " · " + constantScale);
    }
    return (long) scaled;
  }

  private static long[] residues(long k, Modulus[] m) {
    long[] s = new long[m.length];
    for (int i = 0; i < m.length; i++) {
      s[i] = m[i].reduceSigned(k);
    }
    return s;
  }

  private ResidentCiphertext timesInteger(ResidentCiphertext a, long k, double scale) {
    Modulus[] m = qm(a.level());
    long[] s = residues(k, m);
    DeviceBuffer[] out = new DeviceBuffer[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = blank(a.level());
      device.multiplyScalar(a.part(i).all(), s, out[i].all(), m);
    }
    return make(out, scale);
  }

  @Override
  public ResidentCiphertext mulConstant(ResidentCiphertext a, double c, double constantScale) {
    check(a);
    return timesInteger(a, scaledConstant(c, constantScale), a.scale() * constantScale);
  }

  @Override
  public ResidentCiphertext mulInteger(ResidentCiphertext a, long k) {
    check(a);
    return timesInteger(a, k, a.scale());
  }

  @Override
  public ResidentCiphertext mulConstantSum(ResidentCiphertext[] cts, double[] c, double[] constantScales, int level) {
    if (cts.length == 0 || cts.length != c.length || c.length != constantScales.length) {
      throw new IllegalArgumentException(cts.length + " ciphertexts for " + c.length + " constants and "
          + constantScales.length + " scales");
    }
    double scale = cts[0].scale() * constantScales[0];
    int size = 0;
    long[] k = new long[cts.length];
    for (int i = 0; i < cts.length; i++) {
      check(cts[i]);
      if (cts[i].level() < level) {
        throw new IllegalArgumentException("term " + i + " at level " + cts[i].level() + ", below " + level);
      }
      checkSameScale(scale, cts[i].scale() * constantScales[i]);
      k[i] = scaledConstant(c[i], constantScales[i]);
      size = Math.max(size, cts[i].size());
    }
    context.checkLevel(level);
    Modulus[] m = qm(level);
    DeviceBuffer[] out = new DeviceBuffer[size];
    for (int j = 0; j < size; j++) {
      out[j] = blank(level);
      for (int i = 0; i < cts.length; i++) {
        if (j < cts[i].size()) {
          // Terms above the level are read through their first primes, not copied.
          device.multiplyScalarAccumulate(cts[i].part(j).span(0, level + 1), residues(k[i], m), out[j].all(), m);
        }
      }
    }
    return make(out, scale);
  }

  @Override
  public ResidentCiphertext reinterpretScale(ResidentCiphertext a, double scale) {
    check(a);
    if (!Ciphertext.isValidScale(scale)) {
      throw new IllegalArgumentException("scale must be finite and >= 1, got " + scale);
    }
    return made(a.sharedWithScale(scale));
  }

  // ---- multiplicative --------------------------------------------------------------------------

  @Override
  public ResidentCiphertext mul(ResidentCiphertext a, ResidentCiphertext b) {
    check(a);
    check(b);
    checkSameLevel(a.level(), b.level());
    if (a.size() != 2 || b.size() != 2) {
      throw new IllegalArgumentException(
          "mul needs 2-part ciphertexts (got " + a.size() + " and " + b.size() + "); relinearise first");
    }
    Modulus[] m = qm(a.level());
    LimbSpan a0 = a.part(0).all();
    LimbSpan a1 = a.part(1).all();
    DeviceBuffer d0 = blank(a.level());
    DeviceBuffer d1 = blank(a.level());
    DeviceBuffer d2 = blank(a.level());
    if (a == b) {
      // Evaluator.square: one product fewer.
      device.multiply(a0, a0, d0.all(), m);
      device.multiply(a0, a1, d1.all(), m);
      device.add(d1.all(), d1.all(), d1.all(), m);
      device.multiply(a1, a1, d2.all(), m);
    } else {
      LimbSpan b0 = b.part(0).all();
      LimbSpan b1 = b.part(1).all();
      device.multiply(a0, b0, d0.all(), m);
      device.multiply(a0, b1, d1.all(), m);
      device.multiplyAccumulate(a1, b0, d1.all(), m);
      device.multiply(a1, b1, d2.all(), m);
    }
    return make(new DeviceBuffer[] {d0, d1, d2}, a.scale() * b.scale());
  }

  @Override
  public ResidentCiphertext relinearize(ResidentCiphertext a) {
    check(a);
    if (a.size() == 2) {
      return a;
    }
    if (relinearization == null) {
      throw new IllegalStateException("no relinearisation key was uploaded");
    }
    int level = a.level();
    DeviceBuffer[] digits = decompose(a.part(2).all(), level);
    DeviceBuffer[] switched = switchDecomposed(digits, relinearization, 1, level);
    closeAll(digits);
    Modulus[] m = qm(level);
    device.add(switched[0].all(), a.part(0).all(), switched[0].all(), m);
    device.add(switched[1].all(), a.part(1).all(), switched[1].all(), m);
    return make(switched, a.scale());
  }

  @Override
  public ResidentCiphertext rescale(ResidentCiphertext a) {
    check(a);
    int level = a.level();
    if (level == 0) {
      throw new IllegalArgumentException("cannot rescale at level 0: no prime left to divide by");
    }
    Rescale plan = rescales.computeIfAbsent(level, l -> {
      RnsBasis basis = context.basisAtLevel(l);
      long[] inverses = new long[l];
      for (int i = 0; i < l; i++) {
        inverses[i] = basis.modulus(i).inverse(basis.modulus(l).value());
      }
      return new Rescale(ConverterConstants.of(new BaseConverter(basis.slice(l, l + 1), basis.prefix(l))), inverses);
    });
    Modulus[] below = qm(level - 1);
    DeviceBuffer[] out = new DeviceBuffer[a.size()];
    DeviceBuffer last = device.allocate(1);
    DeviceBuffer correction = device.allocate(level);
    for (int i = 0; i < out.length; i++) {
      // RnsRing.divideRoundByLastPrime: the last limb to coefficients, converted to the other
      // primes (exactly: its centred representative), back to NTT form, subtracted, scaled.
      device.copy(a.part(i).span(level, 1), last.all());
      device.inverseNtt(last.all(), new NttTables[] {tables[level]});
      ConverterConstants c = plan.converter();
      device.convertBasis(last.all(), c.from(), c.hatInverse(), c.hat(), c.dModTo(), correction.all(), c.to());
      device.forwardNtt(correction.all(), qt(level - 1));
      out[i] = blank(level - 1);
      device.subtractAndScale(a.part(i).span(0, level), correction.all(), plan.inverses(), out[i].all(), below);
    }
    last.close();
    correction.close();
    return make(out, a.scale() / rlwe.q(level));
  }

  @Override
  public ResidentCiphertext dropToLevel(ResidentCiphertext a, int level) {
    check(a);
    if (level == a.level()) {
      return a;
    }
    if (level > a.level() || level < 0) {
      throw new IllegalArgumentException("cannot drop from level " + a.level() + " to level " + level);
    }
    DeviceBuffer[] out = new DeviceBuffer[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = blank(level);
      device.copy(a.part(i).span(0, level + 1), out[i].all());
    }
    return make(out, a.scale());
  }

  // ---- rotations and key switching -------------------------------------------------------------

  private ResidentKey galoisKey(int steps) {
    int g = GaloisElements.forRotation(steps, params.rlwe());
    ResidentKey key = galoisKeys.get(g);
    if (key == null) {
      throw new IllegalStateException("no Galois key for element " + g + " (rotation by " + steps + ") uploaded");
    }
    return key;
  }

  private void requireTwoParts(ResidentCiphertext a, String what) {
    if (a.size() != 2) {
      throw new IllegalArgumentException(what + " needs a 2-part ciphertext; relinearise first");
    }
  }

  @Override
  public ResidentCiphertext rotate(ResidentCiphertext a, int steps) {
    check(a);
    if (Math.floorMod(steps, n / 2) == 0) {
      return a;
    }
    requireTwoParts(a, "rotation by " + steps);
    return applyGalois(a, GaloisElements.forRotation(steps, params.rlwe()), "rotation by " + steps);
  }

  @Override
  public ResidentCiphertext conjugate(ResidentCiphertext a) {
    check(a);
    requireTwoParts(a, "conjugation");
    return applyGalois(a, GaloisElements.conjugation(n), "conjugation");
  }

  /**
   * Bootstrapping's ModRaise is not a device kernel yet: the level-0 ciphertext goes to the host,
   * is lifted there by he-core's {@link io.polyhe.he.rlwe.ModRaise}, and comes back. Both moves are
   * counted as edge transfers, so a pass that bootstraps shows them in its traffic figures.
   */
  @Override
  public ResidentCiphertext modRaise(ResidentCiphertext a) {
    check(a);
    return upload(io.polyhe.he.rlwe.ModRaise.raise(context, download(a), params.maxLevel()));
  }

  private ResidentCiphertext applyGalois(ResidentCiphertext a, int g, String what) {
    ResidentKey key = galoisKeys.get(g);
    if (key == null) {
      throw new IllegalStateException("no Galois key for element " + g + " (" + what + ") uploaded");
    }
    int level = a.level();
    // Evaluator.applyGalois: permute c_1 once, then switch it (not every digit).
    DeviceBuffer c1 = blank(level);
    device.automorphismNtt(a.part(1).all(), g, c1.all());
    DeviceBuffer[] digits = decompose(c1.all(), level);
    c1.close();
    DeviceBuffer[] switched = switchDecomposed(digits, key, 1, level);
    closeAll(digits);
    return addRotatedC0(a, g, switched);
  }

  @Override
  public ResidentCiphertext[] rotateHoisted(ResidentCiphertext a, int[] steps) {
    check(a);
    requireTwoParts(a, "hoisted rotation");
    ResidentKey[] keys = new ResidentKey[steps.length];
    boolean any = false;
    for (int i = 0; i < steps.length; i++) {
      if (Math.floorMod(steps[i], n / 2) != 0) {
        keys[i] = galoisKey(steps[i]);
        any = true;
      }
    }
    ResidentCiphertext[] out = new ResidentCiphertext[steps.length];
    if (!any) {
      java.util.Arrays.fill(out, a);
      return out;
    }
    DeviceBuffer[] digits = decompose(a.part(1).all(), a.level());
    for (int i = 0; i < steps.length; i++) {
      if (keys[i] == null) {
        out[i] = a;
      } else {
        int g = GaloisElements.forRotation(steps[i], params.rlwe());
        out[i] = addRotatedC0(a, g, switchDecomposed(digits, keys[i], g, a.level()));
      }
    }
    closeAll(digits);
    return out;
  }

  private ResidentCiphertext addRotatedC0(ResidentCiphertext a, int g, DeviceBuffer[] switched) {
    DeviceBuffer c0 = blank(a.level());
    device.automorphismNtt(a.part(0).all(), g, c0.all());
    device.add(switched[0].all(), c0.all(), switched[0].all(), qm(a.level()));
    c0.close();
    return make(switched, a.scale());
  }

  private static void closeAll(DeviceBuffer[] buffers) {
    for (DeviceBuffer b : buffers) {
      b.close();
    }
  }

  private ModUp modUp(int level, int digit) {
    return modUps.computeIfAbsent(((long) level << 32) | digit, key -> {
      int alpha = rlwe.digitSize();
      int start = digit * alpha;
      int end = Math.min(start + alpha, level + 1);
      RnsBasis qp = context.basisQPAtLevel(level);
      long[] targets = new long[qp.size() - (end - start)];
      int t = 0;
      for (int i = 0; i < qp.size(); i++) {
        if (i < start || i >= end) {
          targets[t++] = qp.modulus(i).value();
        }
      }
      ConverterConstants all = ConverterConstants.of(
          new BaseConverter(qp.slice(start, end), new RnsBasis(rlwe.logN(), targets)));
      return new ModUp(start, end, all.targets(0, start), all.targets(start, targets.length - start));
    });
  }

  /**
   * KeySwitcher.decompose on the device: the digits of {@code d} (NTT form over q_0..q_level), each
   * over q_0..q_level·P in NTT form (a buffer of level + 1 + K limbs in that order).
   */
  private DeviceBuffer[] decompose(LimbSpan d, int level) {
    if (pCount == 0) {
      throw new IllegalStateException("these parameters have no special primes: no key switching");
    }
    int width = level + 1 + pCount;
    DeviceBuffer coefficients = blank(level);
    device.copy(d, coefficients.all());
    device.inverseNtt(coefficients.all(), qt(level));
    int digits = rlwe.digitCount(level);
    DeviceBuffer[] out = new DeviceBuffer[digits];
    for (int j = 0; j < digits; j++) {
      ModUp plan = modUp(level, j);
      DeviceBuffer digit = device.allocate(width);
      LimbSpan source = coefficients.span(plan.start(), plan.end() - plan.start());
      // Targets before the digit's own primes, then after them (q_end..q_level, then P): the
      // converter's columns split accordingly, so each lands in place without a copy.
      if (plan.start() > 0) {
        convertInto(source, plan.below(), digit.span(0, plan.start()));
      }
      convertInto(source, plan.above(), digit.span(plan.end(), width - plan.end()));
      device.copy(d.sub(plan.start(), plan.end() - plan.start()), digit.span(plan.start(), plan.end() - plan.start()));
      out[j] = digit;
    }
    coefficients.close();
    return out;
  }

  /** Base conversion into {@code out}, then its forward NTT with the target primes' tables. */
  private void convertInto(LimbSpan source, ConverterConstants c, LimbSpan out) {
    device.convertBasis(source, c.from(), c.hatInverse(), c.hat(), c.dModTo(), out, c.to());
    NttTables[] t = new NttTables[c.to().length];
    for (int k = 0; k < t.length; k++) {
      t[k] = tableOf(c.to()[k]);
    }
    device.forwardNtt(out, t);
  }

  private NttTables tableOf(Modulus m) {
    for (int i = 0; i < moduli.length; i++) {
      if (moduli[i].value() == m.value()) {
        return tables[i];
      }
    }
    throw new IllegalStateException("prime " + m.value() + " outside the parameters");
  }

  /**
   * KeySwitcher.switchDecomposed on the device: the fused inner product of the (permuted, for
   * {@code galois != 1}) digits with the key, over q_0..q_level (key limbs 0..level) and P (key
   * limbs from qCount), then ModDown of both accumulators.
   */
  private DeviceBuffer[] switchDecomposed(DeviceBuffer[] digits, ResidentKey key, int galois, int level) {
    int width = level + 1 + pCount;
    int terms = digits.length;
    DeviceBuffer[] permuted = digits;
    if (galois != 1) {
      permuted = new DeviceBuffer[terms];
      for (int j = 0; j < terms; j++) {
        permuted[j] = device.allocate(width);
        device.automorphismNtt(digits[j].all(), galois, permuted[j].all());
      }
    }
    DeviceBuffer acc0 = device.allocate(width);
    DeviceBuffer acc1 = device.allocate(width);
    LimbSpan[] dq = new LimbSpan[terms];
    LimbSpan[] bq = new LimbSpan[terms];
    LimbSpan[] aq = new LimbSpan[terms];
    LimbSpan[] dp = new LimbSpan[terms];
    LimbSpan[] bp = new LimbSpan[terms];
    LimbSpan[] ap = new LimbSpan[terms];
    for (int j = 0; j < terms; j++) {
      dq[j] = permuted[j].span(0, level + 1);
      bq[j] = key.b()[j].span(0, level + 1);
      aq[j] = key.a()[j].span(0, level + 1);
      dp[j] = permuted[j].span(level + 1, pCount);
      bp[j] = key.b()[j].span(qCount, pCount);
      ap[j] = key.a()[j].span(qCount, pCount);
    }
    device.keySwitchInnerProduct(dq, bq, aq, acc0.span(0, level + 1), acc1.span(0, level + 1), qm(level));
    device.keySwitchInnerProduct(dp, bp, ap, acc0.span(level + 1, pCount), acc1.span(level + 1, pCount), p());
    if (permuted != digits) {
      closeAll(permuted);
    }
    DeviceBuffer[] out = {modDown(acc0, level), modDown(acc1, level)};
    acc0.close();
    acc1.close();
    return out;
  }

  /** {@code round(x / P)} from q_0..q_level·P down to q_0..q_level, NTT form. */
  private DeviceBuffer modDown(DeviceBuffer x, int level) {
    int count = level + 1;
    DeviceBuffer xp = device.allocate(pCount);
    device.copy(x.span(count, pCount), xp.all());
    device.inverseNtt(xp.all(), pt());
    DeviceBuffer correction = blank(level);
    ConverterConstants c = modDown.targets(0, count);
    device.convertBasis(xp.all(), c.from(), c.hatInverse(), c.hat(), c.dModTo(), correction.all(), c.to());
    device.forwardNtt(correction.all(), qt(level));
    DeviceBuffer out = blank(level);
    device.subtractAndScale(x.span(0, count), correction.all(), java.util.Arrays.copyOf(pInverse, count), out.all(),
        qm(level));
    xp.close();
    correction.close();
    return out;
  }

  // ---- plaintext vectors -----------------------------------------------------------------------

  /** The encoding of {@code v} at (level, scale), uploaded on first use and kept while {@code v} lives. */
  private DeviceBuffer weight(PlainVector v, int level, double scale) {
    synchronized (weights) {
      Map<WeightKey, DeviceBuffer> byKey = weights.computeIfAbsent(v, k -> new HashMap<>());
      WeightKey key = new WeightKey(level, Double.doubleToLongBits(scale));
      DeviceBuffer b = byKey.get(key);
      if (b == null) {
        Plaintext p = encoder.encode(v.values(), level, scale);
        b = uploadPoly(p.poly());
        byKey.put(key, b);
      }
      return b;
    }
  }

  /** Device bytes held by the evaluation keys (relinearisation and Galois). */
  public long residentKeyBytes() {
    long limbs = 0;
    List<ResidentKey> keys = new ArrayList<>(galoisKeys.values());
    if (relinearization != null) {
      keys.add(relinearization);
    }
    for (ResidentKey k : keys) {
      for (int j = 0; j < k.b().length; j++) {
        limbs += k.b()[j].limbs() + k.a()[j].limbs();
      }
    }
    return limbs * n * Long.BYTES;
  }

  /** Device bytes held by the encoded weights now resident. */
  public long residentWeightBytes() {
    synchronized (weights) {
      long limbs = 0;
      for (Map<WeightKey, DeviceBuffer> m : weights.values()) {
        for (DeviceBuffer b : m.values()) {
          limbs += b.limbs();
        }
      }
      return limbs * n * Long.BYTES;
    }
  }

  /** Encoded weights now resident (one per vector, level and scale). */
  public int residentWeights() {
    synchronized (weights) {
      int count = 0;
      for (Map<WeightKey, DeviceBuffer> m : weights.values()) {
        count += m.size();
      }
      return count;
    }
  }

  @Override
  public ResidentCiphertext mulPlain(ResidentCiphertext a, PlainVector v, double plainScale) {
    check(a);
    DeviceBuffer w = weight(v, a.level(), plainScale);
    DeviceBuffer[] out = new DeviceBuffer[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = blank(a.level());
      device.multiply(a.part(i).all(), w.all(), out[i].all(), qm(a.level()));
    }
    return make(out, a.scale() * plainScale);
  }

  @Override
  public ResidentCiphertext mulPlainSum(ResidentCiphertext[] cts, PlainVector[] vs, double plainScale) {
    if (cts.length == 0 || cts.length != vs.length) {
      throw new IllegalArgumentException(cts.length + " ciphertexts for " + vs.length + " plaintext vectors");
    }
    double scale = cts[0].scale() * plainScale;
    int size = cts[0].size();
    int level = cts[0].level();
    DeviceBuffer[] w = new DeviceBuffer[cts.length];
    for (int i = 0; i < cts.length; i++) {
      check(cts[i]);
      checkSameLevel(level, cts[i].level());
      checkSameScale(scale, cts[i].scale() * plainScale);
      if (cts[i].size() != size) {
        throw new IllegalArgumentException("terms of " + size + " and " + cts[i].size() + " parts");
      }
      w[i] = weight(vs[i], level, plainScale);
    }
    Modulus[] m = qm(level);
    DeviceBuffer[] out = new DeviceBuffer[size];
    for (int j = 0; j < size; j++) {
      out[j] = blank(level);
      device.multiply(cts[0].part(j).all(), w[0].all(), out[j].all(), m);
      for (int i = 1; i < cts.length; i++) {
        device.multiplyAccumulate(cts[i].part(j).all(), w[i].all(), out[j].all(), m);
      }
    }
    return make(out, scale);
  }

  @Override
  public ResidentCiphertext addPlain(ResidentCiphertext a, PlainVector v) {
    check(a);
    DeviceBuffer w = weight(v, a.level(), a.scale());
    DeviceBuffer[] out = copies(a);
    device.add(out[0].all(), w.all(), out[0].all(), qm(a.level()));
    return make(out, a.scale());
  }

  @Override
  public String toString() {
    return "ResidentArithmetic(" + device + ", " + params + ")";
  }
}
