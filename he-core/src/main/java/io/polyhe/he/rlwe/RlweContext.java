package io.polyhe.he.rlwe;

import io.polyhe.he.backend.ComputeBackend;
import io.polyhe.he.ring.RnsBasis;
import io.polyhe.he.ring.RnsPoly;
import io.polyhe.he.ring.RnsRing;

/**
 * Parameters bound to a compute backend: the ring, the RNS bases of every level and the checks
 * that every HE object belongs here. Build one per (parameters, backend) and share it; it is
 * immutable and thread-safe.
 */
public final class RlweContext {
  private final RlweParameters params;
  private final RnsRing ring;
  private final RnsBasis basisQ;
  private final RnsBasis basisP;
  private final RnsBasis[] levelBases;
  private final RnsBasis[] levelBasesQP;
  /** Shared by every evaluator of this context, so their temporaries share one limb pool. */
  private volatile KeySwitcher keySwitcher;

  public RlweContext(RlweParameters params, ComputeBackend backend) {
    this.params = params;
    this.ring = new RnsRing(params.logN(), backend);
    this.basisQ = new RnsBasis(params.logN(), params.qPrimes());
    this.basisP = params.pCount() == 0 ? null : new RnsBasis(params.logN(), params.pPrimes());
    this.levelBases = new RnsBasis[params.qCount()];
    for (int level = 0; level < levelBases.length; level++) {
      levelBases[level] = basisQ.prefix(level + 1);
    }
    this.levelBasesQP = new RnsBasis[params.qCount()];
    for (int level = 0; level < levelBases.length; level++) {
      levelBasesQP[level] = basisP == null ? levelBases[level] : levelBases[level].concat(basisP);
    }
  }

  public RlweParameters parameters() {
    return params;
  }

  public RnsRing ring() {
    return ring;
  }

  public ComputeBackend backend() {
    return ring.backend();
  }

  /** The basis {@code q_0..q_level}. */
  public RnsBasis basisAtLevel(int level) {
    checkLevel(level);
    return levelBases[level];
  }

  /**
   * The basis {@code q_0..q_level, p_0..p_{K-1}} (just {@code q_0..q_level} without special
   * primes).
   */
  public RnsBasis basisQPAtLevel(int level) {
    checkLevel(level);
    return levelBasesQP[level];
  }

  /**
   * A view (shared limbs, no copy) of a polynomial over the full {@code Q·P} basis restricted to
   * {@code q_0..q_level, p_0..p_{K-1}}.
   */
  public RnsPoly viewQPAtLevel(RnsPoly fullQP, int level) {
    RnsBasis full = basisQPAtLevel(params.maxLevel());
    if (!fullQP.basis().sameAs(full)) {
      throw new IllegalArgumentException("expected a polynomial over " + full + ", got " + fullQP.basis());
    }
    if (level == params.maxLevel()) {
      return fullQP;
    }
    int k = params.pCount();
    long[][] limbs = new long[level + 1 + k][];
    for (int i = 0; i <= level; i++) {
      limbs[i] = fullQP.limb(i);
    }
    for (int i = 0; i < k; i++) {
      limbs[level + 1 + i] = fullQP.limb(params.qCount() + i);
    }
    return new RnsPoly(basisQPAtLevel(level), limbs, fullQP.isNtt());
  }

  /**
   * The key switcher of this context (created on first use, then shared).
   *
   * @throws IllegalStateException if the parameters have no special primes
   */
  public KeySwitcher keySwitcher() {
    KeySwitcher k = keySwitcher;
    if (k == null) {
      synchronized (this) {
        k = keySwitcher;
        if (k == null) {
          k = new KeySwitcher(this);
          keySwitcher = k;
        }
      }
    }
    return k;
  }

  /** All ciphertext primes. */
  public RnsBasis basisQ() {
    return basisQ;
  }

  /** The special primes; throws if the parameters have none. */
  public RnsBasis basisP() {
    if (basisP == null) {
      throw new IllegalStateException("these parameters have no special primes");
    }
    return basisP;
  }

  /** Throws {@link IllegalArgumentException} if {@code level} is not in {@code [0, L]}. */
  public void checkLevel(int level) {
    if (level < 0 || level > params.maxLevel()) {
      throw new IllegalArgumentException(
          "level " + level + " out of range [0, " + params.maxLevel() + "]");
    }
  }

  /** Throws {@link IllegalArgumentException} if {@code object} was made under other parameters. */
  public void checkOwns(HeObject object) {
    if (!object.parameters().sameAs(params)) {
      throw new IllegalArgumentException(
          object.getClass().getSimpleName() + " belongs to parameters " + object.parameters().shortHash()
              + ", not to " + params.shortHash());
    }
  }

  /** A zero polynomial at {@code level} in NTT form. */
  public RnsPoly newPoly(int level) {
    return new RnsPoly(basisAtLevel(level), true);
  }
}
