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
 *
 * <p>Values are copied at construction and never change; slots beyond {@link #length()} are zero.
 * The cache grows by one plaintext per distinct (level, scale) it is asked for; {@link
 * #clearCache()} frees it. Thread-safe: concurrent first uses may encode twice, never wrongly.
 */
public final class PlainVector {
  private record Key(String params, int level, long scaleBits) {}

  private final double[] values;
  private final boolean zero;
  private final Map<Key, Plaintext> cache = new ConcurrentHashMap<>();

  /**
   * @throws IllegalArgumentException if a value is not finite
   */
  public PlainVector(double[] values) {
    this.values = values.clone();
    boolean allZero = true;
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) {
        throw new IllegalArgumentException("value " + i + " is not finite");
      }
      allZero &= values[i] == 0;
    }
    this.zero = allZero;
  }

  /** The same values with an empty cache of its own. */
  public PlainVector copy() {
    return new PlainVector(values);
  }

  /** Number of values given (the rest of the slots are zero). */
  public int length() {
    return values.length;
  }

  /** Value of slot {@code i} (zero beyond {@link #length()}). */
  public double value(int i) {
    return i < values.length ? values[i] : 0;
  }

  /** A copy of the values. */
  public double[] values() {
    return values.clone();
  }

  /** True if every slot is zero. */
  public boolean isZero() {
    return zero;
  }

  /** Max absolute value. */
  public double maxAbs() {
    double m = 0;
    for (double v : values) {
      m = Math.max(m, Math.abs(v));
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
      p = encoder.encode(values, level, scale);
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
    return "PlainVector(length=" + values.length + ", head=" + Arrays.toString(
        Arrays.copyOf(values, Math.min(4, values.length))) + ")";
  }
}
