package io.polyhe.he.rlwe;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The public evaluation keys a server needs: an optional relinearisation key and Galois keys by
 * element. Immutable once built, so any number of threads may read it concurrently.
 */
public final class EvaluationKeys {
  private final RlweParameters params;
  private final RelinearizationKey relinearizationKey;
  private final Map<Integer, GaloisKey> galoisKeys;

  private EvaluationKeys(
      RlweParameters params, RelinearizationKey relin, Map<Integer, GaloisKey> galois) {
    this.params = params;
    this.relinearizationKey = relin;
    this.galoisKeys = Collections.unmodifiableMap(new TreeMap<>(galois));
  }

  /** Builds a key set; every key must belong to {@code params}. */
  public static EvaluationKeys of(
      RlweParameters params, RelinearizationKey relin, Iterable<GaloisKey> galois) {
    Map<Integer, GaloisKey> map = new TreeMap<>();
    if (relin != null && !relin.parameters().sameAs(params)) {
      throw new IllegalArgumentException("relinearisation key of other parameters");
    }
    for (GaloisKey k : galois) {
      if (!k.parameters().sameAs(params)) {
        throw new IllegalArgumentException("Galois key of other parameters");
      }
      if (map.put(k.galoisElement(), k) != null) {
        throw new IllegalArgumentException("two Galois keys for element " + k.galoisElement());
      }
    }
    return new EvaluationKeys(params, relin, map);
  }

  /** An empty key set (no relinearisation, no rotations). */
  public static EvaluationKeys none(RlweParameters params) {
    return new EvaluationKeys(params, null, Map.of());
  }

  public RlweParameters parameters() {
    return params;
  }

  public Optional<RelinearizationKey> relinearizationKey() {
    return Optional.ofNullable(relinearizationKey);
  }

  public Optional<GaloisKey> galoisKey(int element) {
    return Optional.ofNullable(galoisKeys.get(element));
  }

  /** All Galois keys by element (unmodifiable, sorted). */
  public Map<Integer, GaloisKey> galoisKeys() {
    return galoisKeys;
  }

  @Override
  public String toString() {
    return "EvaluationKeys(relin=" + (relinearizationKey != null) + ", galois=" + galoisKeys.keySet()
        + ", params=" + params.shortHash() + ")";
  }
}
