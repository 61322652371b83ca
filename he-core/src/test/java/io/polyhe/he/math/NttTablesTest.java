package io.polyhe.he.math;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Set;
import org.junit.jupiter.api.Test;

class NttTablesTest {

  @Test
  void psiIsAPrimitive2NthRootAndTablesAreInverse() {
    for (int logN : new int[] {3, 10, 14}) {
      long qv = Primes.nttPrimes(logN, new int[] {50}, Set.of()).get(0);
      Modulus q = new Modulus(qv);
      NttTables t = new NttTables(q, logN);
      int n = 1 << logN;
      assertEquals(qv - 1, q.pow(t.psi(), n)); // psi^N = -1
      for (int k = 0; k < n; k++) {
        assertEquals(1, q.mul(t.rootPowers()[k], t.invRootPowers()[k]));
      }
      assertEquals(1, q.mul(t.nInv(), n));
    }
  }

  @Test
  void psiChoiceIsStable() {
    // The smallest primitive 2N-th root is a documented, machine-independent choice.
    long qv = Primes.nttPrimes(4, new int[] {20}, Set.of()).get(0);
    NttTables t = new NttTables(new Modulus(qv), 4);
    Modulus q = t.modulus();
    for (long g = 2; g < t.psi(); g++) {
      if (q.pow(g, 32) == 1 && q.pow(g, 16) == qv - 1) {
        throw new AssertionError("smaller primitive root " + g + " exists than " + t.psi());
      }
    }
  }

  @Test
  void rejectsNonNttPrime() {
    assertThrows(IllegalArgumentException.class, () -> new NttTables(new Modulus(1_000_003), 10));
  }

  @Test
  void bitReverse() {
    assertEquals(0b1011, NttTables.bitReverse(0b1101, 4));
    assertArrayEquals(new int[] {0, 2, 1, 3},
        new int[] {NttTables.bitReverse(0, 2), NttTables.bitReverse(1, 2), NttTables.bitReverse(2, 2),
            NttTables.bitReverse(3, 2)});
  }
}
