package io.polyhe.he.io.seal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.math.Modulus;
import io.polyhe.he.ring.RnsBasis;
import io.polyhe.he.ring.RnsPoly;
import io.polyhe.he.ring.RnsRing;
import io.polyhe.he.rlwe.RlweContext;
import io.polyhe.he.rlwe.RlweParameters;
import io.polyhe.he.rlwe.SwitchingKey;

/**
 * The check that a key-switching key is the gadget both engines mean (docs/decisions.md, issue 19):
 * for every digit j and every prime r of Q·P (the L+1 ciphertext primes, then P),
 *
 * <pre>  b_j + a_j·s − [r = q_j]·(P mod q_j)·s'  ≡  e_j  (mod r)</pre>
 *
 * with one small integer polynomial e_j, the same modulo every prime. That is SEAL's layout (one
 * digit per ciphertext prime, P·s' added to that prime's component only) and polyhe's hybrid key
 * with digit size 1 and one special prime.
 */
final class GadgetCheck {
  /** Largest |e_j| coefficient accepted: SEAL's and polyhe's noise are clipped Gaussians of σ 3.2 (≤ 6σ ≈ 19.2). */
  static final long NOISE_BOUND = 20;

  private GadgetCheck() {}

  /**
   * @param s the secret as ternary coefficients
   * @param sPrime the source secret s' as integer coefficients (s² for relinearisation: any size, reduced per prime)
   */
  static void assertGadget(RlweContext context, SwitchingKey key, long[] s, long[] sPrimeNttQP) {
    RlweParameters params = context.parameters();
    RnsRing ring = context.ring();
    RnsBasis qp = context.basisQPAtLevel(params.maxLevel());
    RnsPoly sNtt = ring.fromSigned(qp, s);
    ring.toNtt(sNtt);
    long pProduct = params.pPrimes()[0];
    assertEquals(params.qCount(), key.digits(), "one digit per ciphertext prime");
    for (int j = 0; j < key.digits(); j++) {
      RnsPoly t = new RnsPoly(qp, true);
      ring.multiply(key.a(j), sNtt, t);
      ring.add(t, key.b(j), t);
      Modulus qj = qp.modulus(j);
      long factor = qj.reduceUnsigned(pProduct);
      long[] limb = t.limb(j);
      for (int c = 0; c < limb.length; c++) {
        limb[c] = qj.sub(limb[c], qj.mul(factor, sPrimeNttQP[j * limb.length + c]));
      }
      ring.toCoefficients(t);
      for (int c = 0; c < params.n(); c++) {
        long first = centred(t.limb(0)[c], qp.modulus(0).value());
        assertTrue(Math.abs(first) <= NOISE_BOUND, "digit " + j + ": e_j coefficient " + c + " = " + first);
        for (int r = 1; r < qp.size(); r++) {
          assertEquals(first, centred(t.limb(r)[c], qp.modulus(r).value()),
              "digit " + j + ": e_j differs modulo prime " + r + " at coefficient " + c);
        }
      }
    }
  }

  /** s' = s^2 in NTT form over Q·P, flattened limb by limb (what {@link #assertGadget} takes). */
  static long[] squareNtt(RlweContext context, long[] s) {
    RnsBasis qp = context.basisQPAtLevel(context.parameters().maxLevel());
    RnsPoly sNtt = context.ring().fromSigned(qp, s);
    context.ring().toNtt(sNtt);
    RnsPoly sq = new RnsPoly(qp, true);
    context.ring().multiply(sNtt, sNtt, sq);
    return flatten(sq);
  }

  /** σ_g(s) in NTT form over Q·P, flattened (the source secret of the Galois key of g). */
  static long[] automorphismNtt(RlweContext context, long[] s, int galois) {
    RnsBasis qp = context.basisQPAtLevel(context.parameters().maxLevel());
    RnsPoly sNtt = context.ring().fromSigned(qp, s);
    context.ring().toNtt(sNtt);
    RnsPoly out = new RnsPoly(qp, true);
    context.ring().automorphism(sNtt, galois, out);
    return flatten(out);
  }

  private static long[] flatten(RnsPoly p) {
    long[] out = new long[p.limbCount() * p.n()];
    for (int i = 0; i < p.limbCount(); i++) {
      System.arraycopy(p.limb(i), 0, out, i * p.n(), p.n());
    }
    return out;
  }

  private static long centred(long v, long q) {
    return v > q / 2 ? v - q : v;
  }
}
