package io.polyhe.he.io;

import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.math.Modulus;
import io.polyhe.he.rlwe.RlweParameters;
import java.io.IOException;
import java.security.MessageDigest;

/**
 * Body of {@link ObjectType#PARAMETERS}: ring degree, prime counts, default scale, then the primes.
 * See the package documentation for the layout. Stateless.
 */
final class ParametersCodec {
  static final int PREFIX_BYTES = 16;

  private ParametersCodec() {}

  static long bodyBytes(int qCount, int pCount) {
    return PREFIX_BYTES + 8L * (qCount + pCount);
  }

  static void write(Output out, CkksParameters params) throws IOException {
    RlweParameters rlwe = params.rlwe();
    long[] q = rlwe.qPrimes();
    long[] p = rlwe.pPrimes();
    int flags = rlwe.profile() == io.polyhe.he.rlwe.Profile.SEAL ? Header.FLAG_SEAL_PROFILE : 0;
    new Header(HeFormat.VERSION, ObjectType.PARAMETERS, flags, rlwe.hash(), bodyBytes(q.length, p.length))
        .writeTo(out);
    out.u8(rlwe.logN());
    out.u8(q.length);
    out.u8(p.length);
    out.u8(rlwe.digitSize());
    out.u32(rlwe.secretHammingWeight()); // 0 = uniform ternary (the field was reserved, always 0)
    out.f64(params.defaultScale());
    for (long v : q) {
      out.u64(v);
    }
    for (long v : p) {
      out.u64(v);
    }
  }

  /**
   * Reads and fully validates parameters: structure, the header hash against the hash recomputed
   * from the body, primality and {@code q ≡ 1 mod 2N} of every prime, the default scale, and 128-bit
   * security unless {@code allowInsecure}. With {@code allowInsecure}, parameters that meet the
   * standard still come back as secure ones.
   */
  static CkksParameters read(Input in, boolean allowInsecure) throws IOException {
    Header header = Header.read(in, ObjectType.PARAMETERS, null, null);
    int logN = in.u8();
    int qCount = in.u8();
    if (qCount == 0) {
      throw new HeFormatException("parameters need at least one ciphertext prime, got 0");
    }
    int pCount = in.u8();
    int digitSize = in.u8();
    long hammingWeight = in.u32();
    if (hammingWeight > (1L << Math.min(logN, 16))) {
      throw new HeFormatException("secret Hamming weight " + hammingWeight + " exceeds N");
    }
    if (digitSize < 1 || digitSize > Math.max(1, qCount)) {
      throw new HeFormatException(
          "key-switching digit size " + digitSize + " out of range [1, " + qCount + "]");
    }
    double defaultScale = in.f64();
    long expected = bodyBytes(qCount, pCount);
    header.checkBodyLength(expected, qCount + " ciphertext and " + pCount + " special primes");
    in.expectRemaining(expected - PREFIX_BYTES);
    long[] q = readPrimes(in, qCount, "q");
    long[] p = readPrimes(in, pCount, "p");

    RlweParameters.Literal literal = RlweParameters.Literal.ofPrimes(logN, q, p).withDigitSize(digitSize)
        .withSecretHammingWeight((int) hammingWeight);
    if ((header.flags() & Header.FLAG_SEAL_PROFILE) != 0) {
      literal = literal.withProfile(io.polyhe.he.rlwe.Profile.SEAL);
    }
    // Structure first (a hash mismatch is reported before weakness): validated without the
    // security check, then discarded unless insecure parameters are allowed.
    RlweParameters structural = build(literal, true);
    if (!MessageDigest.isEqual(structural.hash(), header.parameterHash())) {
      throw new HeFormatException(
          "parameter hash in the header (" + header.shortHash()
              + ") does not match the parameters in the body (" + structural.shortHash() + ")");
    }
    RlweParameters rlwe;
    if (!allowInsecure) {
      rlwe = build(literal, false);
    } else {
      try {
        rlwe = RlweParameters.of(literal);
      } catch (IllegalArgumentException weak) {
        rlwe = structural;
      }
    }
    try {
      return CkksParameters.of(rlwe, defaultScale);
    } catch (IllegalArgumentException e) {
      throw new HeFormatException("invalid parameters: " + e.getMessage(), e);
    }
  }

  private static long[] readPrimes(Input in, int count, String name) throws IOException {
    long[] primes = new long[count];
    for (int i = 0; i < count; i++) {
      primes[i] = in.u64();
      if (primes[i] <= 0 || BitPacker.bitsOf(primes[i]) < Modulus.MIN_BITS) {
        throw new HeFormatException(
            "prime " + name + "_" + i + " = " + Long.toUnsignedString(primes[i])
                + " is outside the supported range [2^" + (Modulus.MIN_BITS - 1) + ", 2^60)");
      }
    }
    return primes;
  }

  private static RlweParameters build(RlweParameters.Literal literal, boolean insecure) {
    try {
      return insecure ? RlweParameters.insecureForTestsOnly(literal) : RlweParameters.of(literal);
    } catch (IllegalArgumentException e) {
      throw new HeFormatException("invalid parameters: " + e.getMessage(), e);
    }
  }
}
