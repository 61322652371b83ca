package io.polyhe.he.circuits;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.GaloisElements;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * The simulator follows the evaluator: for a chain of operations run on both, every intermediate
 * level, scale and size agree exactly, and the same misuse fails in both with the same exception
 * type.
 */
class DepthSimulatorTest {

  /** A small circuit written once over any arithmetic. */
  static <C> C chain(Arithmetic<C> ar, C x) {
    C sq = ar.rescale(ar.mulRelin(x, x));
    C rot = ar.rotate(sq, 3);
    C c = ar.rescale(ar.mulConstant(rot, 0.25, ar.q(ar.level(rot))));
    C y = ar.dropToLevel(x, ar.level(c));
    C sum = ar.add(ar.reinterpretScale(c, ar.scale(y)), y);
    C[] hoisted = ar.rotateHoisted(sum, new int[] {0, 1, -2});
    return ar.add(ar.add(hoisted[0], hoisted[1]), ar.mulInteger(hoisted[2], 3));
  }

  @Test
  void simulationEqualsTheRealRun() {
    int n = CircuitFixture.Params.N10_L6.params.n();
    CircuitFixture f = CircuitFixture.of(CircuitFixture.Params.N10_L6,
        GaloisElements.forRotations(new int[] {3, 1, -2}, n));
    Ciphertext x = f.encrypt(new double[] {0.5, -0.25, 1});
    DepthSimulator sim = new DepthSimulator(f.params());
    SimulatedCiphertext s = chain(sim, CircuitFixture.twin(x));
    Ciphertext real = chain(f.ar(), x);
    assertEquals(s, CircuitFixture.twin(real));
    assertArrayEquals(GaloisElements.forRotations(new int[] {3, 1, -2}, n), sim.galoisElementsUsed());
    DepthSimulator.OpCounts counts = sim.counts();
    assertEquals(1, counts.ciphertextProducts());
    assertEquals(1, counts.relinearizations());
    assertEquals(3, counts.rotations());
    assertEquals(1, counts.hoistedDecompositions());
    assertEquals(2, counts.rescales());
    assertEquals(4, counts.keySwitches());
    sim.reset();
    assertEquals(0, sim.counts().rotations());
    assertEquals(0, sim.galoisElementsUsed().length);
  }

  /** Bootstrapping's two operations: ModRaise to the top level, then a conjugation (a key switch). */
  @Test
  void modRaiseAndConjugationFollowTheEvaluator() {
    int n = CircuitFixture.Params.N10_L6.params.n();
    CircuitFixture f = CircuitFixture.of(CircuitFixture.Params.N10_L6, new int[] {GaloisElements.conjugation(n)});
    Ciphertext zero = f.encrypt(new double[] {0.5, -0.25}, 0, 0x1p30);
    DepthSimulator sim = new DepthSimulator(f.params());
    SimulatedCiphertext s = sim.conjugate(sim.modRaise(CircuitFixture.twin(zero)));
    Ciphertext raised = f.ar().modRaise(zero);
    Ciphertext real = f.ar().conjugate(raised);
    assertEquals(f.params().maxLevel(), raised.level());
    assertEquals(s, CircuitFixture.twin(real));
    assertArrayEquals(new int[] {GaloisElements.conjugation(n)}, sim.galoisElementsUsed());
    assertEquals(1, sim.counts().rotations());
    // The raised value decrypts to the input plus q_0 times a small integer polynomial: the slots
    // change, so this checks the bookkeeping only; BootstrapperTest checks the values.
  }

  @Test
  void misuseFailsAsInTheEvaluator() {
    CircuitFixture f = CircuitFixture.of(CircuitFixture.Params.N10_L6, new int[0]);
    DepthSimulator sim = new DepthSimulator(f.params());
    Ciphertext top = f.encrypt(new double[] {1});
    Ciphertext low = f.encrypt(new double[] {1}, 2, f.params().defaultScale());
    Ciphertext other = f.encrypt(new double[] {1}, f.params().maxLevel(), 0x1p30);
    Ciphertext zero = f.encrypt(new double[] {1}, 0, f.params().defaultScale());
    both(f, sim, top, low, (ar, c) -> null, IllegalArgumentException.class, Op.ADD);
    both(f, sim, top, other, (ar, c) -> null, IllegalArgumentException.class, Op.ADD);
    both(f, sim, zero, zero, (ar, c) -> null, IllegalArgumentException.class, Op.RESCALE);
    both(f, sim, top, top, (ar, c) -> null, IllegalArgumentException.class, Op.MUL3);
    both(f, sim, top, top, (ar, c) -> null, IllegalArgumentException.class, Op.BIG_CONSTANT);
    both(f, sim, low, low, (ar, c) -> null, IllegalArgumentException.class, Op.RAISE);
    both(f, sim, low, low, (ar, c) -> null, IllegalArgumentException.class, Op.MOD_RAISE_ABOVE_ZERO);
    both(f, sim, zero, zero, (ar, c) -> null, IllegalArgumentException.class, Op.MOD_RAISE_THREE_PARTS);
    assertThrows(IllegalArgumentException.class, () -> sim.fresh(f.params().maxLevel() + 1, 1e10));
    assertThrows(IllegalArgumentException.class, () -> SimulatedCiphertext.of(0, 0.5));
  }

  enum Op { ADD, RESCALE, MUL3, BIG_CONSTANT, RAISE, MOD_RAISE_ABOVE_ZERO, MOD_RAISE_THREE_PARTS }

  static <C> void apply(Arithmetic<C> ar, C a, C b, Op op) {
    switch (op) {
      case ADD -> ar.add(a, b);
      case RESCALE -> ar.rescale(a);
      case MUL3 -> ar.mul(ar.mul(a, b), b);
      case BIG_CONSTANT -> ar.mulConstant(a, 4, 0x1p61);
      case RAISE -> ar.dropToLevel(a, ar.level(a) + 1);
      case MOD_RAISE_ABOVE_ZERO -> ar.modRaise(a);
      case MOD_RAISE_THREE_PARTS -> ar.modRaise(ar.mul(a, b));
    }
  }

  static void both(CircuitFixture f, DepthSimulator sim, Ciphertext a, Ciphertext b,
      BiFunction<Object, Object, Object> unused, Class<? extends Throwable> type, Op op) {
    Throwable real = assertThrows(type, () -> apply(f.ar(), a, b, op), "real " + op);
    Throwable simulated = assertThrows(type,
        () -> apply(sim, CircuitFixture.twin(a), CircuitFixture.twin(b), op), "simulated " + op);
    assertTrue(real.getMessage() != null && simulated.getMessage() != null);
  }
}
