package io.polyhe.he.rlwe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ckks.CkksPreset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class RlweParametersTest {

  @ParameterizedTest
  @EnumSource(CkksPreset.class)
  void presetsAreSecureAndWithinTheirNamedBound(CkksPreset preset) {
    RlweParameters p = preset.parameters().rlwe();
    assertFalse(p.isInsecure());
    int bound = Integer.parseInt(preset.name().replaceAll(".*_QP(\\d+)_128", "$1"));
    assertEquals(bound, SecurityStandard.maxLogQP128(p.logN()));
    assertTrue(p.logQP() <= bound, preset + " uses " + p.logQP() + " bits");
    assertTrue(p.pCount() >= 1, "presets carry special primes for key switching");
    assertTrue(p.toString().contains("128-bit"));
  }

  @ParameterizedTest(name = "logN={0}")
  @ValueSource(ints = {12, 13, 14, 15, 16})
  void refusesParametersBeyondThe128BitLimitAndSaysTheLimit(int logN) {
    // A chain of 50-bit primes just long enough to pass the limit.
    int[] logQ = new int[SecurityStandard.maxLogQP128(logN) / 50 + 1];
    java.util.Arrays.fill(logQ, 50);
    RlweParameters.Literal literal = new RlweParameters.Literal(logN, logQ, new int[0]);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> RlweParameters.of(literal));
    assertTrue(e.getMessage().contains("exceeds " + SecurityStandard.maxLogQP128(logN)), e.getMessage());
    assertTrue(e.getMessage().contains("128-bit"));
    // The named opt-in builds them, and says so.
    RlweParameters insecure = RlweParameters.insecureForTestsOnly(literal);
    assertTrue(insecure.isInsecure());
    assertTrue(insecure.toString().contains("INSECURE"));
  }

  @Test
  void refusesSmallRingsUnlessInsecureOptIn() {
    var literal = new CkksParameters.Literal(10, new int[] {30, 25}, new int[] {30}, 25);
    assertThrows(IllegalArgumentException.class, () -> CkksParameters.of(literal));
    assertTrue(CkksParameters.insecureForTestsOnly(literal).rlwe().isInsecure());
    assertThrows(IllegalArgumentException.class,
        () -> RlweParameters.of(new RlweParameters.Literal(17, new int[] {50}, new int[0])));
  }

  @Test
  void explicitPrimesAreChecked() {
    long[] good = CkksPreset.N12_QP109_128.parameters().rlwe().qPrimes();
    long[] special = CkksPreset.N12_QP109_128.parameters().rlwe().pPrimes();
    assertThrows(IllegalArgumentException.class,
        () -> RlweParameters.of(RlweParameters.Literal.ofPrimes(12, new long[] {good[0], good[0]}, new long[0])));
    assertThrows(IllegalArgumentException.class,
        () -> RlweParameters.of(RlweParameters.Literal.ofPrimes(12, new long[] {good[0] + 2}, new long[0])));
    assertThrows(IllegalArgumentException.class, // prime, but not 1 mod 2N
        () -> RlweParameters.of(RlweParameters.Literal.ofPrimes(12, new long[] {1_000_000_007L}, new long[0])));
    assertEquals(CkksPreset.N12_QP109_128.parameters().rlwe(),
        RlweParameters.of(RlweParameters.Literal.ofPrimes(12, good, special)));
    // The digit size as the binary format stores it, in range; the last of dnum and digit size given counts.
    RlweParameters onePrimeDigits = RlweParameters.of(
        RlweParameters.Literal.ofPrimes(12, good, special).withDigitSize(1));
    assertEquals(1, onePrimeDigits.digitSize());
    assertEquals(good.length, onePrimeDigits.dnum());
    assertThrows(IllegalArgumentException.class,
        () -> RlweParameters.of(RlweParameters.Literal.ofPrimes(12, good, special).withDigitSize(good.length + 1)));
    RlweParameters.Literal last = RlweParameters.Literal.ofPrimes(12, good, special).withDnum(1).withDigitSize(1);
    assertEquals(0, last.dnum(), "a digit size replaces the digit count");
    assertEquals(1, last.digitSize());
  }

  /** Primes of a weak set pass only through the named insecure path; the literal has no flag. */
  @Test
  void weakPrimesNeedTheInsecurePath() {
    RlweParameters weak = RlweParameters.insecureForTestsOnly(new RlweParameters.Literal(12, new int[] {60, 60}, new int[] {60}));
    RlweParameters.Literal primes = RlweParameters.Literal.ofPrimes(12, weak.qPrimes(), weak.pPrimes());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RlweParameters.of(primes));
    assertTrue(e.getMessage().contains("insecure"), e.getMessage());
    RlweParameters again = RlweParameters.insecureForTestsOnly(primes);
    assertTrue(again.isInsecure());
    assertEquals(weak, again);
  }

  @Test
  void digitsThatOutgrowPAreRefused() {
    int[] logQ = CkksPreset.N14_QP438_128.literal().logQ();
    int[] logP = CkksPreset.N14_QP438_128.literal().logP();
    // One digit of all 7 primes (289 bits) against P of 147 bits: key switching would be noise.
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RlweParameters.of(new RlweParameters.Literal(14, logQ, logP, 1)));
    assertTrue(e.getMessage().contains("key switching would return noise"), e.getMessage());
    // dnum 5 over 7 primes: digits of 2 primes give 4 digits, not 5.
    IllegalArgumentException uneven = assertThrows(IllegalArgumentException.class,
        () -> RlweParameters.of(new RlweParameters.Literal(14, logQ, logP, 5)));
    assertTrue(uneven.getMessage().contains("use dnum"), uneven.getMessage());
    assertEquals(7, RlweParameters.of(new RlweParameters.Literal(14, logQ, logP, 7)).dnum());
  }

  @Test
  void hashesDistinguishParameterSets() {
    var a = CkksPreset.N13_QP218_128.parameters().rlwe();
    var b = CkksPreset.N14_QP438_128.parameters().rlwe();
    assertNotEquals(a.shortHash(), b.shortHash());
    assertEquals(32, a.hash().length);
    assertTrue(a.sameAs(RlweParameters.of(CkksPreset.N13_QP218_128.literal().ring())));
  }

  @Test
  void scaleMustFitBelowTheFirstPrime() {
    assertThrows(IllegalArgumentException.class,
        () -> CkksParameters.of(new CkksParameters.Literal(13, new int[] {40, 40}, new int[] {40}, 45)));
  }
}
