package io.polyhe.he.circuits;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.HeTestSupport;
import io.polyhe.he.rlwe.Ciphertext;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@link Accumulator}: the real arithmetic's in-place sum equals repeated {@link Arithmetic#add}
 * bit for bit (polynomials, scale, size, 2- and 3-part terms mixed), never writes a term, refuses
 * use after {@code result()} and rejects mismatched terms as {@code add} does; a sum of 16 terms
 * allocates one ciphertext's polynomials where repeated addition allocates 15. The generic form
 * performs exactly the additions of the loop it replaces (a dry run sees them).
 */
class AccumulatorTest {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final CircuitFixture F = CircuitFixture.of(CircuitFixture.Params.N10_L6, new int[0]);

  private static Ciphertext encrypt(long seed) {
    return F.encrypt(HeTestSupport.randomValues(new SplittableRandom(seed), F.params().slots(), 1));
  }

  private static long[][][] snapshot(Ciphertext ct) {
    long[][][] out = new long[ct.size()][][];
    for (int i = 0; i < out.length; i++) {
      out[i] = ct.poly(i).copy().limbs();
    }
    return out;
  }

  private static void assertBitIdentical(Ciphertext expected, Ciphertext actual) {
    assertEquals(expected.size(), actual.size(), "size");
    assertEquals(expected.level(), actual.level(), "level");
    assertEquals(expected.scale(), actual.scale(), "scale");
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.poly(i).limbs(), actual.poly(i).limbs(), "part " + i);
    }
  }

  private static Ciphertext repeated(Arithmetic<Ciphertext> ar, List<Ciphertext> terms) {
    Ciphertext acc = terms.get(0);
    for (int i = 1; i < terms.size(); i++) {
      acc = ar.add(acc, terms.get(i));
    }
    return acc;
  }

  private static Ciphertext accumulated(Arithmetic<Ciphertext> ar, List<Ciphertext> terms) {
    Accumulator<Ciphertext> acc = ar.accumulator();
    for (Ciphertext t : terms) {
      acc.add(t);
    }
    return acc.result();
  }

  /** 2-part and 3-part terms mixed, a 3-part one arriving after the sum is owned. */
  private static List<Ciphertext> mixedTerms() {
    Ciphertext a = encrypt(1);
    Ciphertext b = encrypt(2);
    Ciphertext ab = F.ar().mul(a, b); // 3 parts at scale²
    double s2 = ab.scale();
    List<Ciphertext> terms = new ArrayList<>();
    terms.add(F.ar().reinterpretScale(encrypt(3), s2));
    terms.add(F.ar().reinterpretScale(encrypt(4), s2));
    terms.add(ab);
    terms.add(F.ar().reinterpretScale(a, s2));
    terms.add(F.ar().mul(b, encrypt(5)));
    return terms;
  }

  @Test
  void equalsRepeatedAdditionBitForBitAndWritesNoTerm() {
    List<Ciphertext> terms = mixedTerms();
    List<long[][][]> before = terms.stream().map(AccumulatorTest::snapshot).toList();
    Ciphertext expected = repeated(F.ar(), terms);
    Ciphertext actual = accumulated(F.ar(), terms);
    assertBitIdentical(expected, actual);
    for (int i = 0; i < terms.size(); i++) {
      Ciphertext t = terms.get(i);
      for (int j = 0; j < t.size(); j++) {
        assertArrayEquals(before.get(i)[j], t.poly(j).limbs(), "term " + i + " part " + j + " was written");
      }
    }
    // Two terms, and 3-part first: the first sum copies the larger's extra part.
    assertBitIdentical(repeated(F.ar(), terms.subList(2, 4)), accumulated(F.ar(), terms.subList(2, 4)));
  }

  @Test
  void oneTermIsItsOwnSum() {
    Ciphertext a = encrypt(6);
    assertSame(a, accumulated(F.ar(), List.of(a)));
  }

  @Test
  void refusesUseAfterResultAndAnEmptyResult() {
    for (Arithmetic<Ciphertext> ar : List.of(F.ar(), new ForwardingArithmeticTest.Plain<>(F.ar()))) {
      Accumulator<Ciphertext> empty = ar.accumulator();
      assertTrue(empty.isEmpty());
      assertThrows(IllegalStateException.class, empty::result);
      Accumulator<Ciphertext> acc = ar.accumulator();
      acc.add(encrypt(7));
      assertFalse(acc.isEmpty());
      acc.add(encrypt(8));
      acc.result();
      Ciphertext c = encrypt(9);
      assertThrows(IllegalStateException.class, () -> acc.add(c));
      assertThrows(IllegalStateException.class, acc::result);
      assertThrows(IllegalStateException.class, acc::isEmpty);
    }
    Accumulator<SimulatedCiphertext> sim = new DepthSimulator(F.params()).accumulator();
    sim.add(new SimulatedCiphertext(1, 0x1p36, 2));
    sim.result();
    assertThrows(IllegalStateException.class, sim::result);
  }

  @Test
  void rejectsMismatchedTermsAsAddDoesAndStaysUsable() {
    Ciphertext a = encrypt(10);
    Ciphertext b = encrypt(11);
    Ciphertext c = encrypt(12);
    Ciphertext lower = F.ar().dropToLevel(c, c.level() - 1);
    Ciphertext otherScale = F.ar().reinterpretScale(c, c.scale() * 2);
    assertThrows(IllegalArgumentException.class, () -> F.ar().add(a, lower));
    assertThrows(IllegalArgumentException.class, () -> F.ar().add(a, otherScale));
    Accumulator<Ciphertext> acc = F.ar().accumulator();
    acc.add(a);
    assertThrows(IllegalArgumentException.class, () -> acc.add(lower));
    acc.add(b);
    assertThrows(IllegalArgumentException.class, () -> acc.add(lower));
    assertThrows(IllegalArgumentException.class, () -> acc.add(otherScale));
    acc.add(c);
    assertBitIdentical(repeated(F.ar(), List.of(a, b, c)), acc.result());
  }

  @Test
  void theGenericFormMakesTheLoopsAdditions() {
    DepthSimulator sim = new DepthSimulator(F.params());
    SimulatedCiphertext t = new SimulatedCiphertext(2, 0x1p36, 3);
    Accumulator<SimulatedCiphertext> acc = sim.accumulator();
    for (int i = 0; i < 4; i++) {
      acc.add(t);
    }
    assertEquals(sim.add(sim.add(sim.add(t, t), t), t), acc.result());
    // A decorator's accumulator passes every term through its hook, then to the engine's sum.
    int[] hooked = {0};
    var counting = new ForwardingArithmetic<Ciphertext>(F.ar()) {
      @Override
      protected void accumulate(Accumulator<Ciphertext> sum, Ciphertext term) {
        hooked[0]++;
        super.accumulate(sum, term);
      }
    };
    List<Ciphertext> terms = List.of(encrypt(13), encrypt(14), encrypt(15));
    assertBitIdentical(repeated(F.ar(), terms), accumulated(counting, terms));
    assertEquals(3, hooked[0]);
  }

  /** Bytes the current thread allocates in {@code sum} of {@code terms}, after a warm-up. */
  private static long allocated(Function<List<Ciphertext>, Ciphertext> sum, List<Ciphertext> terms) {
    for (int i = 0; i < 3; i++) {
      sum.apply(terms);
    }
    long before = THREADS.getCurrentThreadAllocatedBytes();
    sum.apply(terms);
    return THREADS.getCurrentThreadAllocatedBytes() - before;
  }

  @Test
  void aSumOfSixteenTermsAllocatesOneCiphertext() {
    List<Ciphertext> terms = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      terms.add(encrypt(100 + i));
    }
    Ciphertext first = terms.get(0);
    long ciphertextBytes = (long) first.size() * (first.level() + 1) * F.params().rlwe().n() * Long.BYTES;
    long byAdd = allocated(ts -> repeated(F.ar(), ts), terms);
    long byAccumulator = allocated(ts -> accumulated(F.ar(), ts), terms);
    String figures = "16 terms of " + ciphertextBytes + " bytes: repeated add allocated " + byAdd
        + ", the accumulator " + byAccumulator;
    System.out.println(figures);
    // The baseline proves the measurement sees the polynomials: 15 results.
    assertTrue(byAdd >= 15 * ciphertextBytes, figures);
    assertTrue(byAccumulator >= ciphertextBytes && byAccumulator < ciphertextBytes * 5 / 4, figures);
  }
}
