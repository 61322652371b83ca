package io.polyhe.he.rlwe;

import io.polyhe.he.ring.RnsPoly;
import io.polyhe.he.ring.RnsRing;

/**
 * ModRaise, the first step of bootstrapping: a level-0 ciphertext's polynomials, read as centred
 * integers modulo {@code q_0}, lifted to a higher level. The lifted ciphertext decrypts to {@code
 * m + e + q_0·I(X)} for a small integer polynomial {@code I} (bounded by about {@code
 * sqrt(h/12)} standard deviations per coefficient, {@code h} the secret's Hamming weight), which
 * bootstrapping's modular reduction removes. Stateless.
 */
public final class ModRaise {
  private ModRaise() {}

  /**
   * {@code ct} (2 parts, level 0) lifted to {@code level}, same scale.
   *
   * @throws IllegalArgumentException if {@code ct} is not a 2-part level-0 ciphertext of {@code
   *     context}'s parameters or the level is out of range
   */
  public static Ciphertext raise(RlweContext context, Ciphertext ct, int level) {
    context.checkOwns(ct);
    context.checkLevel(level);
    if (ct.level() != 0 || ct.size() != 2) {
      throw new IllegalArgumentException(
          "ModRaise needs a 2-part ciphertext at level 0, got " + ct.size() + " parts at level " + ct.level());
    }
    RnsRing ring = context.ring();
    long q0 = context.parameters().q(0);
    long half = q0 >>> 1;
    RnsPoly[] out = new RnsPoly[2];
    for (int i = 0; i < 2; i++) {
      RnsPoly c = ct.poly(i).copy();
      if (c.isNtt()) {
        ring.toCoefficients(c);
      }
      long[] limb = c.limb(0);
      long[] centred = new long[limb.length];
      for (int j = 0; j < limb.length; j++) {
        centred[j] = limb[j] > half ? limb[j] - q0 : limb[j];
      }
      RnsPoly lifted = ring.fromSigned(context.basisAtLevel(level), centred);
      ring.toNtt(lifted);
      out[i] = lifted;
    }
    return new Ciphertext(context.parameters(), out, ct.scale());
  }
}
