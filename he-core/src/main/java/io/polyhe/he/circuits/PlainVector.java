package io.polyhe.he.circuits;

import io.polyhe.he.ckks.CkksEncoder;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.rlwe.Plaintext;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A plaintext slot vector (a matrix diagonal, a mask, a bias) with its encodings cached per level
 * and scale, so a circuit that runs many times encodes each vector once per level it is used at.
 * Slot values are real, or complex ({@link #complex}: the diagonals of bootstrapping's DFT, the
 * constant {@code i}).
 *
 * <p>Values are copied at construction and never change; slots beyond {@link #length()} are zero.
 * The cache grows by one plaintext per distinct (level, scale) it is asked for; {@link
 * #clearCache()} frees it. Thread-safe: concurrent first uses may encode twice, never wrongly.
 */
public final class PlainVector {
  private record Key(String params, int level, long scaleBits) {}

  private final double[] values;
  /** Imaginary parts, null for a real vector. */
  private final double[] imaginary;
  private final boolean zero;
  private final Map<Key, Plaintext> cache = new ConcurrentHashMap<>();

  /**
   * A real vector.
   *
   * @throws IllegalArgumentException if a value is not finite
   */
  public PlainVector(double[] values) {
    this(values, null);
  }

  private PlainVector(double[] re, double[] im) {
    if (im != null && im.length != re.length) {
      throw new IllegalArgumentException("real and imaginary parts differ in length: " + re.length + " vs "
          + im.length);
    }
    this.values = re.clone();
    this.imaginary = im == null ? null : im.clone();
    boolean allZero = true;
    for (int i = 0; i < re.length; i++) {
      if (!Double.isFinite(re[i]) || im != null && !Double.isFinite(im[i])) {
        throw new IllegalArgumentException("value " + i + " is not finite");
      }
      allZero &= re[i] == 0 && (im == null || im[i] == 0);
    }
    this.zero = allZero;
  }

  /**
   * The complex vector {@code re[j] + i·im[j]}.
   *
   * @throws IllegalArgumentException if the parts differ in length or a value is not finite
   */
  public static PlainVector complex(double[] re, double[] im) {
    return new PlainVector(re, im);
  }

  /** The same values with an empty cache of its own. */
  public PlainVector copy() {
    return new PlainVector(values, imaginary);
  }

  /** True unless built by {@link #complex}. */
  public boolean isReal() {
    return imaginary == null;
  }

  /** Number of values given (the rest of the slots are zero). */
  public int length() {
    return values.length;
  }

  /** Value (the real part, for a complex vector) of slot {@code i}; zero beyond {@link #length()}. */
  public double value(int i) {
    return i < values.length ? values[i] : 0;
  }

  /** Imaginary part of slot {@code i}: zero for a real vector and beyond {@link #length()}. */
  public double imaginaryValue(int i) {
    return imaginary != null && i < imaginary.length ? imaginary[i] : 0;
  }

  /** A copy of the values (the real parts, for a complex vector). */
  public double[] values() {
    return values.clone();
  }

  /** True if every slot is zero. */
  public boolean isZero() {
    return zero;
  }

  /** Max absolute value (modulus, for a complex vector). */
  public double maxAbs() {
    double m = 0;
    for (int i = 0; i < values.length; i++) {
      m = Math.max(m, imaginary == null ? Math.abs(values[i]) : Math.hypot(values[i], imaginary[i]));
    }
    return m;
  }

  /**
   * The encoding at {@code level} and {@code scale}, from the cache when present.
   *
   * @throws IllegalArgumentException if the vector has more values than slots, or the level or
   *     scale is invalid
   */
  public Plaintext encoded(CkksEncoder encoder, CkksParameters params, int level, double scale) {
    Key key = new Key(params.rlwe().shortHash() + "/" + params.defaultScale(), level,
        Double.doubleToLongBits(scale));
    Plaintext p = cache.get(key);
    if (p == null) {
      p = imaginary == null ? encoder.encode(values, level, scale)
          : encoder.encodeComplex(values, imaginary, level, scale);
      cache.put(key, p);
    }
    return p;
  }

  /** Number of cached encodings. */
  public int cachedEncodings() {
    return cache.size();
  }

  /** Drops every cached encoding. */
  public void clearCache() {
    cache.clear();
  }

  @Override
  public String toString() {
    return "PlainVector(length=" + values.length + (imaginary != null ? ", complex" : "") + ", head=" + Arrays.toString(
        Arrays.copyOf(values, Math.min(4, values.length))) + ")";
  }
}
