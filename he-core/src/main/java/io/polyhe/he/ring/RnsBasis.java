package io.polyhe.he.ring;

import io.polyhe.he.math.Modulus;
import io.polyhe.he.math.NttTables;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An ordered list of distinct NTT-friendly primes for one ring degree, with their NTT tables.
 * Immutable and thread-safe; NTT tables are shared process-wide per (prime, logN).
 */
public final class RnsBasis {
  private record TableKey(long prime, int logN) {}

  private static final Map<TableKey, NttTables> TABLES = new ConcurrentHashMap<>();

  private final int logN;
  private final Modulus[] moduli;
  private final NttTables[] tables;

  public RnsBasis(int logN, long[] primes) {
    this.logN = logN;
    this.moduli = new Modulus[primes.length];
    this.tables = new NttTables[primes.length];
    for (int i = 0; i < primes.length; i++) {
      for (int j = 0; j < i; j++) {
        if (primes[j] == primes[i]) {
          throw new IllegalArgumentException("duplicate prime " + primes[i] + " in RNS basis");
        }
      }
      moduli[i] = new Modulus(primes[i]);
      final int index = i;
      tables[i] =
          TABLES.computeIfAbsent(
              new TableKey(primes[i], logN), k -> new NttTables(moduli[index], logN));
    }
  }

  private RnsBasis(int logN, Modulus[] moduli, NttTables[] tables) {
    this.logN = logN;
    this.moduli = moduli;
    this.tables = tables;
  }

  /** The primes at positions {@code [start, end)} of this basis. */
  public RnsBasis slice(int start, int end) {
    if (start < 0 || end > moduli.length || start >= end) {
      throw new IllegalArgumentException("slice [" + start + ", " + end + ") of " + moduli.length);
    }
    return new RnsBasis(
        logN, Arrays.copyOfRange(moduli, start, end), Arrays.copyOfRange(tables, start, end));
  }

  /** The first {@code count} primes of this basis. */
  public RnsBasis prefix(int count) {
    if (count < 1 || count > moduli.length) {
      throw new IllegalArgumentException("prefix of " + count + " primes out of " + moduli.length);
    }
    if (count == moduli.length) {
      return this;
    }
    return new RnsBasis(
        logN, Arrays.copyOf(moduli, count), Arrays.copyOf(tables, count));
  }

  /** This basis followed by {@code other}. */
  public RnsBasis concat(RnsBasis other) {
    if (other.logN != logN) {
      throw new IllegalArgumentException("cannot concatenate bases of different ring degrees");
    }
    Modulus[] m = Arrays.copyOf(moduli, moduli.length + other.moduli.length);
    NttTables[] t = Arrays.copyOf(tables, tables.length + other.tables.length);
    System.arraycopy(other.moduli, 0, m, moduli.length, other.moduli.length);
    System.arraycopy(other.tables, 0, t, tables.length, other.tables.length);
    return new RnsBasis(logN, m, t);
  }

  public int logN() {
    return logN;
  }

  public int n() {
    return 1 << logN;
  }

  public int size() {
    return moduli.length;
  }

  public Modulus modulus(int i) {
    return moduli[i];
  }

  /** The moduli array, shared: callers (backends) must not modify it. */
  Modulus[] moduliArray() {
    return moduli;
  }

  /** The NTT tables array, shared: callers (backends) must not modify it. */
  NttTables[] tablesArray() {
    return tables;
  }

  /** True if both bases list the same primes in the same order. */
  public boolean sameAs(RnsBasis other) {
    if (this == other) {
      return true;
    }
    if (other.logN != logN || other.moduli.length != moduli.length) {
      return false;
    }
    for (int i = 0; i < moduli.length; i++) {
      if (moduli[i].value() != other.moduli[i].value()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("RnsBasis(N=2^").append(logN).append(", bits=[");
    for (int i = 0; i < moduli.length; i++) {
      sb.append(i == 0 ? "" : ",").append(moduli[i].bits());
    }
    return sb.append("])").toString();
  }
}
