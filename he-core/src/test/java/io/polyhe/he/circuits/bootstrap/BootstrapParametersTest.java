package io.polyhe.he.circuits.bootstrap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.polyhe.he.ckks.CkksParameters;
import org.junit.jupiter.api.Test;

/** The circuit's shape by named fields, and the chain laid out in one place. No keys, no ciphertexts. */
class BootstrapParametersTest {

  @Test
  void defaultsAreTheSparse128BitShapeAndFieldsAreNamed() {
    BootstrapParameters d = BootstrapParameters.builder().build();
    assertEquals(15, d.logSlots());
    assertEquals(3, d.coeffsToSlotsLevels());
    assertEquals(3, d.slotsToCoeffsLevels());
    assertEquals(40, d.k());
    assertEquals(3, d.doubleAngle());
    assertEquals(63, d.sineDegree());
    assertEquals(false, d.arcSine());
    assertEquals(10, d.messageRatioBits());
    assertEquals(false, d.cacheDiagonals());
    assertEquals(d, BootstrapPreset.N16_QP1726_H320_128_BOOTSTRAP.bootstrapParameters());

    BootstrapParameters custom = BootstrapParameters.builder().logSlots(9).dftLevels(2).k(64).doubleAngle(6)
        .sineDegree(31).arcSine(true).messageRatioBits(12).cacheDiagonals(true).build();
    assertEquals(custom, custom.toBuilder().build());
    assertEquals(custom.hashCode(), custom.toBuilder().build().hashCode());
    assertNotEquals(custom, custom.withCache(false));
    BootstrapParameters sparse = custom.withLogSlots(1);
    assertEquals(1, sparse.logSlots());
    assertEquals(1, sparse.coeffsToSlotsLevels(), "DFT levels capped at logSlots");
    assertEquals(64, sparse.k());
  }

  @Test
  void badShapesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> BootstrapParameters.builder().logSlots(2).dftLevels(3).build());
    assertThrows(IllegalArgumentException.class, () -> BootstrapParameters.builder().coeffsToSlotsLevels(0).build());
    assertThrows(IllegalArgumentException.class, () -> BootstrapParameters.builder().k(0.5).build());
    assertThrows(IllegalArgumentException.class, () -> BootstrapParameters.builder().doubleAngle(-1).build());
    assertThrows(IllegalArgumentException.class, () -> BootstrapParameters.builder().sineDegree(0).build());
    assertThrows(IllegalArgumentException.class, () -> BootstrapParameters.builder().messageRatioBits(0).build());
  }

  @Test
  void theChainIsLaidOutFromTheBottom() {
    CkksParameters.Literal l = BootstrapChain.builder(10).q0Bits(50).circuit(2, 40).slotsToCoeffs(2, 45)
        .evalMod(3, 55).coeffsToSlots(1, 58).specialPrimes(60, 60).logDefaultScale(40).secretHammingWeight(32)
        .literal();
    assertArrayEquals(new int[] {50, 40, 40, 45, 45, 55, 55, 55, 58}, l.logQ());
    assertArrayEquals(new int[] {60, 60}, l.logP());
    assertEquals(40, l.logDefaultScale());
    assertEquals(32, l.secretHammingWeight());
    assertEquals(0, l.dnum());
    assertEquals(new CkksParameters.Literal(10, new int[] {50, 45, 55, 58}, new int[] {60}, 36),
        BootstrapChain.builder(10).q0Bits(50).circuit(0, 40).slotsToCoeffs(1, 45).evalMod(1, 55)
            .coeffsToSlots(1, 58).specialPrimes(60).logDefaultScale(36).literal(), "no circuit levels");
    assertThrows(IllegalArgumentException.class, () -> BootstrapChain.builder(10).q0Bits(50).circuit(2, 40)
        .evalMod(3, 55).coeffsToSlots(1, 58).specialPrimes(60).logDefaultScale(40).literal(), "no SlotsToCoeffs");
  }
}
