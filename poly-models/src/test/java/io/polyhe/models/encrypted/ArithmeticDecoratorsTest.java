package io.polyhe.models.encrypted;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.backend.JavaBackend;
import io.polyhe.he.circuits.Arithmetic;
import io.polyhe.he.circuits.ArithmeticForwarding;
import io.polyhe.he.circuits.CiphertextArithmetic;
import io.polyhe.he.circuits.DepthSimulator;
import io.polyhe.he.circuits.ForwardingArithmetic;
import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksEncoder;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.models.profile.LatencyRecorder;
import io.polyhe.models.profile.Primitive;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Every {@link Arithmetic} decorator of he-core and poly-models forwards every method of the
 * interface, default methods included (so the served pass, which stacks them, runs the fused kernels
 * a bare pass runs); every implementation found in those modules' main code is an engine or a
 * decorator checked here, so a new decorator cannot go unchecked.
 */
class ArithmeticDecoratorsTest {
  private static final ArithmeticForwarding.Values<Ciphertext> VALUES = ArithmeticForwarding.ciphertexts();
  private static final CkksEncoder ENCODER =
      new CkksEncoder(CkksContext.create(VALUES.parameters(), new JavaBackend(1)));

  /** Each decorator class, how to wrap a delegate in it, and the defaults it may spell out. */
  private record Decorator(Function<Arithmetic<Ciphertext>, Arithmetic<Ciphertext>> wrap, Set<String> spelledOut) {}

  private static final Map<Class<?>, Decorator> DECORATORS = Map.of(
      ProfilingArithmetic.class, new Decorator(
          d -> new ProfilingArithmetic(d, ENCODER, new LatencyRecorder()), Set.of("mulRelin")),
      CancellableArithmetic.class, new Decorator(
          d -> new CancellableArithmetic<>(d, CancellableArithmetic.Check.NEVER), Set.of()),
      // Rotations by base steps (the check rotates by 1 and {1, 2}) go through as they are.
      io.polyhe.he.circuits.ComposedRotations.class, new Decorator(
          d -> new io.polyhe.he.circuits.ComposedRotations<>(d,
              new io.polyhe.he.circuits.RotationSet(VALUES.parameters().slots(), new int[] {1, 2})), Set.of()),
      io.polyhe.he.circuits.RotationRecorder.class, new Decorator(
          d -> new io.polyhe.he.circuits.RotationRecorder<>(d), Set.of()),
      // Counts under an open span, as inside a pass.
      PassCounts.Counting.class, new Decorator(d -> {
        LatencyRecorder r = new LatencyRecorder();
        r.span("check", io.polyhe.models.profile.Component.NORM);
        return new PassCounts.Counting<>(d, r);
      }, Set.of()));

  @Test
  void everyDecoratorForwardsEveryMethod() {
    DECORATORS.forEach((type, d) -> ArithmeticForwarding.assertForwardsEveryMethod(d.wrap(), VALUES, d.spelledOut()));
  }

  @Test
  void profilingSpellsOutOnlyWhatTheRealArithmeticDoesNotFuse() throws NoSuchMethodException {
    // The profiler times mulRelin's product and key switch apart; that runs the same code only while
    // the real arithmetic does not fuse mulRelin itself.
    assertEquals(Arithmetic.class, CiphertextArithmetic.class
        .getMethod("mulRelin", Object.class, Object.class).getDeclaringClass());
  }

  @Test
  void everyArithmeticIsAnEngineOrACheckedDecorator() {
    List<Class<?>> found = ArithmeticForwarding.implementationsBeside(Arithmetic.class, ProfilingArithmetic.class);
    assertTrue(found.containsAll(DECORATORS.keySet()), found.toString());
    for (Class<?> c : found) {
      if (c == CiphertextArithmetic.class || c == DepthSimulator.class || c == ForwardingArithmetic.class) {
        continue;
      }
      assertTrue(ForwardingArithmetic.class.isAssignableFrom(c), c + " must extend ForwardingArithmetic");
      assertTrue(DECORATORS.containsKey(c), c + " is a decorator this test does not check: add it to DECORATORS");
    }
  }

  @Test
  void cancellationStopsBeforeTheOperation() {
    int[] calls = {0};
    Arithmetic<Ciphertext> counting = new ForwardingArithmetic<>(new FirstOperand()) {
      @Override
      public Ciphertext add(Ciphertext a, Ciphertext b) {
        calls[0]++;
        return a;
      }
    };
    boolean[] stop = {false};
    var cancellable = new CancellableArithmetic<>(counting, () -> {
      if (stop[0]) {
        throw new CancellationException("stopped");
      }
    });
    Ciphertext a = VALUES.values().get(0);
    cancellable.add(a, a);
    stop[0] = true;
    assertThrows(CancellationException.class, () -> cancellable.add(a, a));
    assertEquals(1, calls[0], "the stopped operation never reached the delegate");
    assertEquals(a.level(), cancellable.level(a), "queries are not checked");
  }

  @Test
  void profilingTimesFusedSumsAsTheirTerms() {
    LatencyRecorder recorder = new LatencyRecorder();
    Ciphertext a = VALUES.values().get(0);
    var profiling = new ProfilingArithmetic(new FirstOperand(), ENCODER, recorder);
    profiling.mulConstantSum(new Ciphertext[] {a, a, a}, new double[] {1, 2, 3}, new double[] {4, 4, 4}, a.level());
    profiling.relinearize(a); // 2-part: forwarded, not a key switch
    var counts = recorder.breakdown().countsByPrimitive();
    assertEquals(3L, counts.get(Primitive.CT_PT_MUL));
    assertEquals(0L, counts.getOrDefault(Primitive.KEY_SWITCH, 0L));
  }

  @Test
  void accumulatedAdditionsAreTimedAndCheckedAsAdds() {
    LatencyRecorder recorder = new LatencyRecorder();
    Ciphertext a = VALUES.values().get(0);
    var profiling = new ProfilingArithmetic(new FirstOperand(), ENCODER, recorder);
    var sum = profiling.accumulator();
    for (int i = 0; i < 3; i++) {
      sum.add(a);
    }
    Ciphertext viaAdd = profiling.add(profiling.add(a, a), a);
    assertTrue(java.util.Arrays.deepEquals(viaAdd.poly(0).limbs(), sum.result().poly(0).limbs()));
    // Two additions in the sum (its first term adds nothing), two by add.
    assertEquals(4L, recorder.breakdown().countsByPrimitive().get(Primitive.ADD));

    boolean[] stop = {false};
    var cancellable = new CancellableArithmetic<>(new FirstOperand(), () -> {
      if (stop[0]) {
        throw new CancellationException("stopped");
      }
    });
    var checked = cancellable.accumulator();
    checked.add(a);
    stop[0] = true;
    assertThrows(CancellationException.class, () -> checked.add(a));
    stop[0] = false;
    checked.add(a);
    assertEquals(a.scale(), checked.result().scale());
  }

  /** Answers every operation with its first operand: only calls are observed, no ciphertext math. */
  private static final class FirstOperand extends ForwardingArithmetic<Ciphertext> {
    FirstOperand() {
      super(new CiphertextArithmetic(new io.polyhe.he.ckks.Evaluator(
          CkksContext.create(VALUES.parameters(), new JavaBackend(1)))));
    }

    @Override
    public Ciphertext mulConstantSum(Ciphertext[] cts, double[] c, double[] constantScales, int level) {
      return cts[0];
    }

    @Override
    public Ciphertext relinearize(Ciphertext a) {
      return a;
    }
  }
}
