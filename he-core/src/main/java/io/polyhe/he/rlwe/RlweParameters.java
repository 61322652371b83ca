package io.polyhe.he.rlwe;

import io.polyhe.he.math.Primes;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Validated, immutable ring-LWE parameters: ring degree {@code N = 2^logN}, the ciphertext chain
 * {@code q_0..q_L} and the special primes {@code p_0..p_{K-1}} used by key switching. The secret is
 * uniform ternary ({@link #secretHammingWeight()} 0), or sparse ternary with exactly {@code h}
 * non-zero coefficients (cheaper bootstrapping: ModRaise's overflow shrinks with h); the error is a
 * rounded Gaussian of σ = 3.2. The 128-bit check uses the HomomorphicEncryption.org table for
 * uniform ternary secrets and {@link SecurityStandard#maxLogQP128Sparse} for sparse ones.
 *
 * <p>Built from a {@link Literal} (bit sizes or primes): {@link #of(Literal)} enforces 128-bit classical security
 * ({@link SecurityStandard}) and refuses weaker parameters with the limit in the message; {@link
 * #insecureForTestsOnly(Literal)} is the only way around it, and every object built from such
 * parameters says so in {@link #toString()}. Every HE object records {@link #hash()} so that
 * objects of different parameters never mix.
 */
public final class RlweParameters {
  /** Smallest and largest ring degree of secure parameters. */
  public static final int MIN_SECURE_LOG_N = 12;

  public static final int MAX_LOG_N = 16;

  /**
   * Plain description of parameters: the chains as prime bit sizes (primes then generated
   * deterministically) or as explicit primes ({@link #ofPrimes}, as read from the binary format);
   * key-switching digits as a count ({@code dnum}, 0 = automatic) or a digit size ({@code α}, as
   * stored in the binary format); the secret. Validated by {@link RlweParameters#of} or {@link
   * RlweParameters#insecureForTestsOnly}, the only two ways to parameters. Immutable (arrays are
   * copied in and out).
   */
  public static final class Literal {
    private final int logN;
    private final int[] logQ;
    private final int[] logP;
    private final long[] q;
    private final long[] p;
    private final int dnum;
    private final int digitSize;
    private final int secretHammingWeight;
    private final Profile profile;

    private Literal(int logN, int[] logQ, int[] logP, long[] q, long[] p, int dnum, int digitSize,
        int secretHammingWeight) {
      this(logN, logQ, logP, q, p, dnum, digitSize, secretHammingWeight, Profile.POLYHE);
    }

    private Literal(int logN, int[] logQ, int[] logP, long[] q, long[] p, int dnum, int digitSize,
        int secretHammingWeight, Profile profile) {
      if (dnum != 0 && digitSize != 0) {
        throw new IllegalArgumentException("give the key-switching digits as a count (dnum " + dnum
            + ") or a size (" + digitSize + " primes), not both");
      }
      this.logN = logN;
      this.logQ = logQ;
      this.logP = logP;
      this.q = q;
      this.p = p;
      this.dnum = dnum;
      this.digitSize = digitSize;
      this.secretHammingWeight = secretHammingWeight;
      this.profile = java.util.Objects.requireNonNull(profile, "profile");
    }

    /**
     * Chains from bit sizes.
     *
     * @param logN ring degree exponent
     * @param logQ bit sizes of the ciphertext primes, {@code q_0} first
     * @param logP bit sizes of the special primes (may be empty or null)
     * @param dnum number of key-switching digits the ciphertext primes are split into at the top
     *     level; 0 chooses automatically (see {@link RlweParameters#digitSize()})
     * @param secretHammingWeight 0 for a uniform ternary secret, else the exact number of non-zero
     *     coefficients of a sparse ternary secret
     */
    public Literal(int logN, int[] logQ, int[] logP, int dnum, int secretHammingWeight) {
      this(logN, logQ.clone(), logP == null ? new int[0] : logP.clone(), null, null, dnum, 0, secretHammingWeight);
    }

    /** A literal with a uniform ternary secret. */
    public Literal(int logN, int[] logQ, int[] logP, int dnum) {
      this(logN, logQ, logP, dnum, 0);
    }

    /** A literal with an automatically chosen number of digits. */
    public Literal(int logN, int[] logQ, int[] logP) {
      this(logN, logQ, logP, 0);
    }

    /**
     * Chains of explicit primes (checked when validated: NTT-friendly, distinct, in range), uniform
     * ternary secret, automatic digits.
     */
    public static Literal ofPrimes(int logN, long[] qPrimes, long[] pPrimes) {
      return new Literal(logN, null, null, qPrimes.clone(), pPrimes == null ? new long[0] : pPrimes.clone(), 0, 0, 0);
    }

    /** The same with {@code dnum} key-switching digits (0 = automatic), replacing a digit size given before. */
    public Literal withDnum(int dnum) {
      return new Literal(logN, logQ, logP, q, p, dnum, 0, secretHammingWeight, profile);
    }

    /**
     * The same with digits of {@code digitSize} primes each ({@code α}, as the binary format stores
     * it), replacing a digit count given before.
     */
    public Literal withDigitSize(int digitSize) {
      if (digitSize < 1) {
        throw new IllegalArgumentException("digit size must be at least 1, got " + digitSize);
      }
      return new Literal(logN, logQ, logP, q, p, 0, digitSize, secretHammingWeight, profile);
    }

    /** The same with a sparse ternary secret of Hamming weight {@code h} (0: uniform ternary). */
    public Literal withSecretHammingWeight(int h) {
      return new Literal(logN, logQ, logP, q, p, dnum, digitSize, h, profile);
    }

    /**
     * The same under {@code profile}. {@link Profile#SEAL} needs exactly one special prime and
     * fixes one ciphertext prime per key-switching digit (a dnum or digit size given is then
     * checked against that when validated).
     */
    public Literal withProfile(Profile profile) {
      return new Literal(logN, logQ, logP, q, p, dnum, digitSize, secretHammingWeight, profile);
    }

    public Profile profile() {
      return profile;
    }

    public int logN() {
      return logN;
    }

    /** True if the chains are explicit primes rather than bit sizes. */
    public boolean hasPrimes() {
      return q != null;
    }

    /** Bit sizes of the ciphertext primes (a copy); empty for a literal of primes. */
    public int[] logQ() {
      return logQ == null ? new int[0] : logQ.clone();
    }

    /** Bit sizes of the special primes (a copy); empty for a literal of primes. */
    public int[] logP() {
      return logP == null ? new int[0] : logP.clone();
    }

    /** The ciphertext primes (a copy); empty for a literal of bit sizes. */
    public long[] qPrimes() {
      return q == null ? new long[0] : q.clone();
    }

    /** The special primes (a copy); empty for a literal of bit sizes. */
    public long[] pPrimes() {
      return p == null ? new long[0] : p.clone();
    }

    /** Key-switching digits at the top level, 0 for automatic or when {@link #digitSize()} is given. */
    public int dnum() {
      return dnum;
    }

    /** Primes per key-switching digit, 0 unless given. */
    public int digitSize() {
      return digitSize;
    }

    public int secretHammingWeight() {
      return secretHammingWeight;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Literal l && l.logN == logN && l.dnum == dnum && l.digitSize == digitSize
          && l.secretHammingWeight == secretHammingWeight && l.profile == profile && Arrays.equals(l.logQ, logQ)
          && Arrays.equals(l.logP, logP) && Arrays.equals(l.q, q) && Arrays.equals(l.p, p);
    }

    @Override
    public int hashCode() {
      return Objects.hash(logN, Arrays.hashCode(logQ), Arrays.hashCode(logP), Arrays.hashCode(q), Arrays.hashCode(p),
          dnum, digitSize, secretHammingWeight, profile);
    }

    @Override
    public String toString() {
      String chains = q != null ? "q=" + Arrays.toString(q) + ", p=" + Arrays.toString(p)
          : "logQ=" + Arrays.toString(logQ) + ", logP=" + Arrays.toString(logP);
      return "Literal(logN=" + logN + ", " + chains + ", " + (digitSize > 0 ? "digitSize=" + digitSize : "dnum=" + dnum)
          + (secretHammingWeight > 0 ? ", h=" + secretHammingWeight : "")
          + (profile != Profile.POLYHE ? ", profile=" + profile : "") + ")";
    }
  }

  private final int logN;
  private final long[] qPrimes;
  private final long[] pPrimes;
  private final boolean insecure;
  private final int digitSize;
  private final int hammingWeight;
  private final Profile profile;
  private final double logQP;
  private final byte[] hash;

  private RlweParameters(int logN, long[] qPrimes, long[] pPrimes, int digitSize, int hammingWeight,
      Profile profile, boolean insecure) {
    this.logN = logN;
    this.profile = profile;
    this.hammingWeight = hammingWeight;
    this.qPrimes = qPrimes;
    this.pPrimes = pPrimes;
    this.digitSize = digitSize;
    this.insecure = insecure;
    double bits = 0;
    for (long q : qPrimes) {
      bits += Math.log(q) / Math.log(2);
    }
    for (long p : pPrimes) {
      bits += Math.log(p) / Math.log(2);
    }
    this.logQP = bits;
    this.hash = computeHash();
  }

  /**
   * Secure parameters from a literal of bit sizes or primes.
   *
   * @throws IllegalArgumentException if malformed (a value not an NTT-friendly prime, primes
   *     repeated, digits that do not fit P...), or if log2(QP) exceeds the 128-bit limit for N
   */
  public static RlweParameters of(Literal literal) {
    return build(literal, false);
  }

  /**
   * Parameters that skip the security check. For tests and demonstrations only: data encrypted
   * under them is not protected.
   *
   * @throws IllegalArgumentException if malformed
   */
  public static RlweParameters insecureForTestsOnly(Literal literal) {
    return build(literal, true);
  }

  private static RlweParameters build(Literal literal, boolean insecure) {
    int logN = literal.logN();
    long[] qs;
    long[] ps;
    if (literal.hasPrimes()) {
      qs = literal.qPrimes();
      ps = literal.pPrimes();
      checkShape(logN, qs.length, ps.length, insecure);
    } else {
      checkShape(logN, literal.logQ().length, literal.logP().length, insecure);
      List<Long> q = Primes.nttPrimes(logN, literal.logQ(), Set.of());
      List<Long> p = Primes.nttPrimes(logN, literal.logP(), new HashSet<>(q));
      qs = q.stream().mapToLong(Long::longValue).toArray();
      ps = p.stream().mapToLong(Long::longValue).toArray();
    }
    int digitSize = literal.digitSize();
    if (literal.profile() == Profile.SEAL) {
      checkSealShape(qs.length, ps.length, literal.dnum(), digitSize);
      digitSize = 1;
    }
    if (digitSize > qs.length) {
      throw new IllegalArgumentException("digit size must be in [1, " + qs.length + "], got " + digitSize);
    }
    if (digitSize == 0) {
      digitSize = chooseDigitSize(qs, ps, literal.dnum());
    }
    return validated(logN, qs, ps, digitSize, literal.secretHammingWeight(), literal.profile(), insecure);
  }

  /** SEAL's key switching: one special prime, one ciphertext prime per digit (dnum = L+1). */
  private static void checkSealShape(int qCount, int pCount, int dnum, int digitSize) {
    if (pCount != 1) {
      throw new IllegalArgumentException(
          "the SEAL profile needs exactly one special prime (the last of SEAL's coefficient modulus), got " + pCount);
    }
    if ((dnum != 0 && dnum != qCount) || (digitSize != 0 && digitSize != 1)) {
      throw new IllegalArgumentException("the SEAL profile switches keys with one ciphertext prime per digit (dnum "
          + qCount + "), got " + (digitSize != 0 ? "digit size " + digitSize : "dnum " + dnum));
    }
  }

  /**
   * Throws unless every key-switching digit is at most one bit wider than P: key-switching noise
   * grows as 2^(digit bits − P bits)·sqrt(N)·σ, so a wider digit drowns the message.
   */
  private static void checkDigitsFitP(long[] q, long[] p, int digitSize) {
    if (p.length == 0) {
      return; // no key switching with these parameters
    }
    double logP = 0;
    for (long v : p) {
      logP += Math.log(v) / Math.log(2);
    }
    double worst = worstDigitBits(q, digitSize);
    if (worst > logP + 1) {
      throw new IllegalArgumentException(String.format(
          "key-switching digits of %d primes reach %.1f bits but P has %.1f: key switching would "
              + "return noise; use more digits (larger dnum) or more special primes",
          digitSize, worst, logP));
    }
  }

  private static double worstDigitBits(long[] q, int alpha) {
    double worst = 0;
    for (int start = 0; start < q.length; start += alpha) {
      double bits = 0;
      for (int i = start; i < Math.min(q.length, start + alpha); i++) {
        bits += Math.log(q[i]) / Math.log(2);
      }
      worst = Math.max(worst, bits);
    }
    return worst;
  }

  /** Bits of headroom the automatic digit choice keeps between a digit and P. */
  static final int DIGIT_MARGIN_BITS = 8;

  /**
   * Primes per key-switching digit: for {@code dnum > 0}, {@code ceil((L+1)/dnum)}; for {@code
   * dnum = 0} the largest size whose every digit (consecutive primes from {@code q_0}) stays
   * {@link #DIGIT_MARGIN_BITS} bits below P, so key-switching noise stays below rounding noise.
   */
  private static int chooseDigitSize(long[] q, long[] p, int dnum) {
    if (dnum < 0 || dnum > q.length) {
      throw new IllegalArgumentException(
          "dnum must be in [0, " + q.length + "] (0 = automatic), got " + dnum);
    }
    if (dnum > 0) {
      int alpha = (q.length + dnum - 1) / dnum;
      int actual = (q.length + alpha - 1) / alpha;
      if (actual != dnum) {
        throw new IllegalArgumentException(
            "dnum " + dnum + " cannot split " + q.length + " primes into equal digits (it gives "
                + actual + " digits of " + alpha + "); use dnum " + actual);
      }
      return alpha;
    }
    double logP = 0;
    for (long v : p) {
      logP += Math.log(v) / Math.log(2);
    }
    int best = 1;
    for (int alpha = 2; alpha <= q.length; alpha++) {
      if (worstDigitBits(q, alpha) <= logP - DIGIT_MARGIN_BITS) {
        best = alpha;
      }
    }
    return best;
  }

  private static RlweParameters validated(int logN, long[] qPrimes, long[] pPrimes, int digitSize,
      int hammingWeight, Profile profile, boolean insecure) {
    if (hammingWeight < 0 || hammingWeight > (1 << logN)) {
      throw new IllegalArgumentException(
          "secret Hamming weight must be in [0, N] (0 = uniform ternary), got " + hammingWeight);
    }
    checkDigitsFitP(qPrimes, pPrimes, digitSize);
    long twoN = 1L << (logN + 1);
    Set<Long> seen = new HashSet<>();
    for (long[] chain : new long[][] {qPrimes, pPrimes}) {
      for (long v : chain) {
        int bits = 64 - Long.numberOfLeadingZeros(v);
        if (v <= 0 || bits > io.polyhe.he.math.Modulus.MAX_BITS
            || bits < io.polyhe.he.math.Modulus.MIN_BITS) {
          throw new IllegalArgumentException(
              "prime " + v + " out of the supported range [2^" + (io.polyhe.he.math.Modulus.MIN_BITS - 1)
                  + ", 2^60)");
        }
        if ((v - 1) % twoN != 0 || !Primes.isPrime(v)) {
          throw new IllegalArgumentException(v + " is not a prime ≡ 1 mod 2N = " + twoN);
        }
        if (!seen.add(v)) {
          throw new IllegalArgumentException("prime " + v + " appears twice");
        }
      }
    }
    RlweParameters params =
        new RlweParameters(
            logN, qPrimes.clone(), pPrimes.clone(), digitSize, hammingWeight, profile, insecure);
    if (!insecure && hammingWeight > 0) {
      int max = SecurityStandard.maxLogQP128Sparse(logN, hammingWeight);
      if (max < 0 || params.logQP > max) {
        throw new IllegalArgumentException(String.format(
            "insecure parameters: a sparse secret of Hamming weight %d with log2(QP) = %.1f at N = 2^%d "
                + "%s (see SecurityStandard.maxLogQP128Sparse)",
            hammingWeight, params.logQP, logN,
            max < 0 ? "has no 128-bit estimate" : "exceeds the 128-bit estimate " + max));
      }
    } else if (!insecure) {
      int max = SecurityStandard.maxLogQP128(logN);
      if (params.logQP > max) {
        throw new IllegalArgumentException(
            String.format(
                "insecure parameters: log2(QP) = %.1f exceeds %d, the 128-bit limit for N = 2^%d "
                    + "(HomomorphicEncryption.org standard); lower the moduli or raise N",
                params.logQP, max, logN));
      }
    }
    return params;
  }

  private static void checkShape(int logN, int qCount, int pCount, boolean insecure) {
    int minLogN = insecure ? 3 : MIN_SECURE_LOG_N;
    if (logN < minLogN || logN > MAX_LOG_N) {
      throw new IllegalArgumentException(
          "logN must be in [" + minLogN + ", " + MAX_LOG_N + "]"
              + (insecure ? "" : " for secure parameters") + ", got " + logN);
    }
    if (qCount < 1 || qCount > 255) {
      throw new IllegalArgumentException("need 1..255 ciphertext primes, got " + qCount);
    }
    if (pCount > 255) {
      throw new IllegalArgumentException("at most 255 special primes, got " + pCount);
    }
  }

  private byte[] computeHash() {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeBytes("polyhe.rlwe.v1");
      out.writeByte(logN);
      out.writeByte(qPrimes.length);
      for (long q : qPrimes) {
        out.writeLong(q);
      }
      out.writeByte(pPrimes.length);
      for (long p : pPrimes) {
        out.writeLong(p);
      }
      out.writeByte(digitSize);
      // Uniform-secret parameters keep the hash they had before sparse secrets existed.
      out.writeBytes(hammingWeight == 0 ? "ternary-uniform;sigma=3.2;bound=19"
          : "ternary-sparse;h=" + hammingWeight + ";sigma=3.2;bound=19");
      // Polyhe-profile parameters keep the hash they had before profiles existed.
      if (profile != Profile.POLYHE) {
        out.writeBytes(";profile=" + profile.name().toLowerCase(java.util.Locale.ROOT));
      }
      return MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  public int logN() {
    return logN;
  }

  public int n() {
    return 1 << logN;
  }

  /** Ciphertext primes {@code q_0..q_L} (a copy). */
  public long[] qPrimes() {
    return qPrimes.clone();
  }

  /** Special primes (a copy). */
  public long[] pPrimes() {
    return pPrimes.clone();
  }

  public int qCount() {
    return qPrimes.length;
  }

  public int pCount() {
    return pPrimes.length;
  }

  public long q(int i) {
    return qPrimes[i];
  }

  /** Highest ciphertext level {@code L} (a fresh ciphertext has {@code L+1} primes). */
  public int maxLevel() {
    return qPrimes.length - 1;
  }

  /** Primes per key-switching digit ({@code α}); digit j holds {@code q_{jα}..q_{jα+α-1}}. */
  public int digitSize() {
    return digitSize;
  }

  /** Number of key-switching digits at the top level, {@code ceil((L+1)/α)}. */
  public int dnum() {
    return digitCount(maxLevel());
  }

  /** Number of digits of a ciphertext at {@code level}: {@code ceil((level+1)/α)}. */
  public int digitCount(int level) {
    return (level + digitSize) / digitSize;
  }

  /** 0 for a uniform ternary secret, else the exact number of non-zero secret coefficients. */
  public int secretHammingWeight() {
    return hammingWeight;
  }

  /** log2 of the product of all primes, the figure the security standard bounds. */
  public double logQP() {
    return logQP;
  }

  /** The conventions of slots, rotations and key switching ({@link Profile#POLYHE} by default). */
  public Profile profile() {
    return profile;
  }

  /** The generator of slots and rotations under {@link #profile()}: 5, or 3 for SEAL. */
  public int galoisGenerator() {
    return profile.galoisGenerator();
  }

  /** True if built through {@link #insecureForTestsOnly}. */
  public boolean isInsecure() {
    return insecure;
  }

  /** SHA-256 over a canonical encoding of these parameters (a copy). */
  public byte[] hash() {
    return hash.clone();
  }

  /** Hex of the first 8 bytes of {@link #hash()}, for messages. */
  public String shortHash() {
    return HexFormat.of().formatHex(hash, 0, 8);
  }

  /** True if {@code other} has the same hash (hence the same ring and primes). */
  public boolean sameAs(RlweParameters other) {
    return this == other || MessageDigest.isEqual(hash, other.hash);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RlweParameters p && sameAs(p);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(hash);
  }

  @Override
  public String toString() {
    return String.format(
        "RlweParameters(N=2^%d, %d+%d primes, dnum=%d, log2(QP)=%.1f, %s%s%s, hash=%s)",
        logN, qPrimes.length, pPrimes.length, dnum(), logQP,
        profile != Profile.POLYHE ? "profile=" + profile + ", " : "",
        hammingWeight > 0 ? "secret h=" + hammingWeight + ", " : "",
        insecure ? "INSECURE-for-tests-only" : "128-bit", shortHash());
  }
}
