package io.polyhe.he.ckks;

import io.polyhe.he.math.Modulus;
import io.polyhe.he.ring.CrtReconstructor;
import io.polyhe.he.ring.RnsBasis;
import io.polyhe.he.ring.RnsPoly;
import io.polyhe.he.rlwe.Plaintext;
import io.polyhe.he.rlwe.RlweContext;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The CKKS encoder: the canonical embedding between N/2 complex slots and real polynomials of
 * degree below N.
 *
 * <p>Slot {@code j} is the evaluation at {@code ζ^(g^j)} with {@code ζ = exp(iπ/N)} and g the
 * profile's generator (5, or 3 under {@link io.polyhe.he.rlwe.Profile#SEAL}, which is SEAL's slot
 * order), so the automorphism {@code X -> X^(g^k)} rotates the slots left by {@code k}, and {@code
 * X -> X^(2N-1)} conjugates them. Encoding runs the inverse "special FFT" over the rotation group, multiplies by
 * the scale and rounds to the nearest integer; coefficients of any magnitude are reduced exactly
 * (a double is {@code m·2^e}). Decoding reconstructs the centred coefficients exactly (CRT) before
 * dividing by the scale. Fewer values than slots are zero-padded. Thread-safe.
 */
public final class CkksEncoder {
  private final CkksContext context;
  private final RlweContext rlwe;
  private final int n;
  private final int slots;
  private final int m;
  /** {@code 5^j mod 2N}, the order the special FFT works in. */
  private final int[] rotationGroup;
  /** For a generator other than 5: slot j of the profile is slot slotOf[j] of the 5-order ... */
  private final int[] slotOf;
  /** ... conjugated where true. Both null for generator 5. */
  private final boolean[] conjugated;
  private final double[] ksiRe;
  private final double[] ksiIm;
  private final Map<Integer, CrtReconstructor> reconstructors = new ConcurrentHashMap<>();

  public CkksEncoder(CkksContext context) {
    this.context = context;
    this.rlwe = context.rlwe();
    this.n = context.parameters().n();
    this.slots = n / 2;
    this.m = 2 * n;
    rotationGroup = new int[slots];
    int five = 1;
    for (int j = 0; j < slots; j++) {
      rotationGroup[j] = five;
      five = (int) ((five * 5L) % m);
    }
    int generator = context.parameters().rlwe().galoisGenerator();
    if (generator == 5) {
      slotOf = null;
      conjugated = null;
    } else {
      // The special FFT's butterflies need the powers of 5; another generator g orders the same
      // roots differently: g^j = ±5^a mod 2N, so slot j is slot a of the 5-ordering, conjugated
      // where the sign is minus (for a real polynomial, m(ζ^-e) is the conjugate of m(ζ^e)).
      int[] logFive = new int[m];
      Arrays.fill(logFive, -1);
      for (int a = 0; a < slots; a++) {
        logFive[rotationGroup[a]] = a;
      }
      slotOf = new int[slots];
      conjugated = new boolean[slots];
      long power = 1;
      for (int j = 0; j < slots; j++) {
        int e = (int) power;
        if (logFive[e] >= 0) {
          slotOf[j] = logFive[e];
        } else {
          slotOf[j] = logFive[m - e];
          conjugated[j] = true;
        }
        power = power * generator % m;
      }
    }
    ksiRe = new double[m + 1];
    ksiIm = new double[m + 1];
    for (int k = 0; k <= m; k++) {
      double angle = 2 * Math.PI * k / m;
      ksiRe[k] = Math.cos(angle);
      ksiIm[k] = Math.sin(angle);
    }
  }

  /** Number of complex slots, N/2. */
  public int slots() {
    return slots;
  }

  /** Encodes real values at the default scale and the top level. */
  public Plaintext encode(double[] values) {
    return encode(values, context.parameters().maxLevel(), context.parameters().defaultScale());
  }

  /** Encodes real values (at most N/2) at {@code level} and {@code scale}. */
  public Plaintext encode(double[] values, int level, double scale) {
    return encodeComplex(values, new double[values.length], level, scale);
  }

  /**
   * Encodes complex values {@code re[j] + i·im[j]} (at most N/2) at {@code level} and {@code
   * scale}.
   *
   * @throws IllegalArgumentException on too many values, mismatched lengths, non-finite values,
   *     a bad level or scale
   */
  public Plaintext encodeComplex(double[] re, double[] im, int level, double scale) {
    if (re.length != im.length) {
      throw new IllegalArgumentException("real and imaginary parts differ in length");
    }
    if (re.length > slots) {
      throw new IllegalArgumentException(re.length + " values do not fit in " + slots + " slots");
    }
    if (!(scale >= 1) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException("scale must be finite and >= 1, got " + scale);
    }
    rlwe.checkLevel(level);
    double[] vr = Arrays.copyOf(re, slots);
    double[] vi = Arrays.copyOf(im, slots);
    for (int j = 0; j < re.length; j++) {
      if (!Double.isFinite(re[j]) || !Double.isFinite(im[j])) {
        throw new IllegalArgumentException("value " + j + " is not finite");
      }
    }
    if (slotOf != null) {
      double[] pr = new double[slots];
      double[] pi = new double[slots];
      for (int j = 0; j < slots; j++) {
        pr[slotOf[j]] = vr[j];
        pi[slotOf[j]] = conjugated[j] ? -vi[j] : vi[j];
      }
      vr = pr;
      vi = pi;
    }
    inverseSpecialFft(vr, vi);
    double[] coefficients = new double[n];
    double largest = 0;
    for (int j = 0; j < slots; j++) {
      coefficients[j] = Math.rint(vr[j] * scale);
      coefficients[j + slots] = Math.rint(vi[j] * scale);
      largest = Math.max(largest, Math.max(Math.abs(coefficients[j]), Math.abs(coefficients[j + slots])));
    }
    checkFits(largest, level);
    RnsPoly poly = fromRoundedCoefficients(coefficients, rlwe.basisAtLevel(level));
    rlwe.ring().toNtt(poly);
    return new Plaintext(rlwe.parameters(), poly, scale);
  }

  /**
   * Throws if a coefficient of magnitude {@code largest} does not fit the centred range of {@code
   * Q_level} (it would wrap and decode to garbage).
   */
  private void checkFits(double largest, int level) {
    double logQ = 0;
    for (int i = 0; i <= level; i++) {
      logQ += Math.log(rlwe.parameters().q(i)) / Math.log(2);
    }
    double bits = largest == 0 ? 0 : Math.log(largest) / Math.log(2);
    if (!(bits < logQ - 1)) {
      throw new IllegalArgumentException(String.format(
          "values times scale need %.1f bits but level %d holds %.1f: lower the scale or the values,"
              + " or encode at a higher level", bits + 1, level, logQ));
    }
  }

  /** Reduces integral doubles of any finite magnitude into an RNS polynomial, exactly. */
  static RnsPoly fromRoundedCoefficients(double[] coefficients, RnsBasis basis) {
    RnsPoly poly = new RnsPoly(basis, false);
    for (int i = 0; i < basis.size(); i++) {
      Modulus q = basis.modulus(i);
      long[] limb = poly.limb(i);
      for (int j = 0; j < coefficients.length; j++) {
        limb[j] = reduceIntegral(coefficients[j], q);
      }
    }
    return poly;
  }

  /**
   * {@code c mod q} for an integral double {@code c} of any finite magnitude, exactly: beyond 2^62
   * a double is {@code mantissa · 2^exponent} with a 53-bit integer mantissa.
   *
   * @throws IllegalArgumentException if {@code c} is not finite
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

  /** Decodes the real parts of all slots. */
  public double[] decode(Plaintext pt) {
    return decodeComplex(pt)[0];
  }

  /** Decodes all slots as {@code {re[], im[]}}. */
  public double[][] decodeComplex(Plaintext pt) {
    rlwe.checkOwns(pt);
    RnsPoly coefficients = pt.poly().copy();
    rlwe.ring().toCoefficients(coefficients);
    CrtReconstructor crt =
        reconstructors.computeIfAbsent(
            coefficients.limbCount(), k -> new CrtReconstructor(coefficients.basis()));
    double[] values = new double[n];
    crt.toCenteredDoubles(coefficients, values);
    double[] re = new double[slots];
    double[] im = new double[slots];
    double inv = 1.0 / pt.scale();
    for (int j = 0; j < slots; j++) {
      re[j] = values[j] * inv;
      im[j] = values[j + slots] * inv;
    }
    specialFft(re, im);
    if (slotOf != null) {
      double[] pr = new double[slots];
      double[] pi = new double[slots];
      for (int j = 0; j < slots; j++) {
        pr[j] = re[slotOf[j]];
        pi[j] = conjugated[j] ? -im[slotOf[j]] : im[slotOf[j]];
      }
      re = pr;
      im = pi;
    }
    return new double[][] {re, im};
  }

  private static void bitReverse(double[] re, double[] im) {
    int size = re.length;
    for (int i = 1, j = 0; i < size; i++) {
      int bit = size >> 1;
      for (; (j & bit) != 0; bit >>= 1) {
        j ^= bit;
      }
      j ^= bit;
      if (i < j) {
        double t = re[i];
        re[i] = re[j];
        re[j] = t;
        t = im[i];
        im[i] = im[j];
        im[j] = t;
      }
    }
  }

  /** Evaluation at the rotation-group roots: coefficients → slots. */
  private void specialFft(double[] re, double[] im) {
    int size = re.length;
    bitReverse(re, im);
    for (int len = 2; len <= size; len <<= 1) {
      int lenh = len >> 1;
      int lenq = len << 2;
      int gap = m / lenq;
      for (int i = 0; i < size; i += len) {
        for (int j = 0; j < lenh; j++) {
          int idx = (rotationGroup[j] % lenq) * gap;
          int a = i + j;
          int b = i + j + lenh;
          double vr = re[b] * ksiRe[idx] - im[b] * ksiIm[idx];
          double vi = re[b] * ksiIm[idx] + im[b] * ksiRe[idx];
          double ur = re[a];
          double ui = im[a];
          re[a] = ur + vr;
          im[a] = ui + vi;
          re[b] = ur - vr;
          im[b] = ui - vi;
        }
      }
    }
  }

  /** Inverse of {@link #specialFft}: slots → coefficients (including the 1/size factor). */
  private void inverseSpecialFft(double[] re, double[] im) {
    int size = re.length;
    for (int len = size; len >= 2; len >>= 1) {
      int lenh = len >> 1;
      int lenq = len << 2;
      int gap = m / lenq;
      for (int i = 0; i < size; i += len) {
        for (int j = 0; j < lenh; j++) {
          int idx = (lenq - (rotationGroup[j] % lenq)) * gap;
          int a = i + j;
          int b = i + j + lenh;
          double ur = re[a] + re[b];
          double ui = im[a] + im[b];
          double dr = re[a] - re[b];
          double di = im[a] - im[b];
          re[a] = ur;
          im[a] = ui;
          re[b] = dr * ksiRe[idx] - di * ksiIm[idx];
          im[b] = dr * ksiIm[idx] + di * ksiRe[idx];
        }
      }
    }
    bitReverse(re, im);
    double inv = 1.0 / size;
    for (int j = 0; j < size; j++) {
      re[j] *= inv;
      im[j] *= inv;
    }
  }
}
