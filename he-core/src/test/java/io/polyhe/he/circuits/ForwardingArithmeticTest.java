package io.polyhe.he.circuits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.rlwe.Ciphertext;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * {@link ForwardingArithmetic} forwards every method of {@link Arithmetic}, default methods
 * included; the check ({@link ArithmeticForwarding}) fails for a decorator that spells out a default
 * or swallows a call, so it can catch the decorator that once ran the unfused {@code
 * mulConstantSum}. Every {@code Arithmetic} of he-core is either an engine or a checked decorator.
 */
class ForwardingArithmeticTest {
  private static final ArithmeticForwarding.Values<Ciphertext> VALUES = ArithmeticForwarding.ciphertexts();

  /** The plain forwarder: nothing overridden. */
  static final class Plain<C> extends ForwardingArithmetic<C> {
    Plain(Arithmetic<C> delegate) {
      super(delegate);
    }
  }

  /** Spells out mulConstantSum as the interface's default does, over its own operations. */
  static final class Unfused<C> extends ForwardingArithmetic<C> {
    Unfused(Arithmetic<C> delegate) {
      super(delegate);
    }

    @Override
    public C mulConstantSum(C[] cts, double[] c, double[] constantScales, int level) {
      C acc = null;
      for (int i = 0; i < cts.length; i++) {
        C term = mulConstant(dropToLevel(cts[i], level), c[i], constantScales[i]);
        acc = acc == null ? term : add(acc, reinterpretScale(term, scale(acc)));
      }
      return acc;
    }
  }

  /** Spells out mulRelin as the interface's default does. */
  static final class SplitMulRelin<C> extends ForwardingArithmetic<C> {
    SplitMulRelin(Arithmetic<C> delegate) {
      super(delegate);
    }

    @Override
    public C mulRelin(C a, C b) {
      return relinearize(mul(a, b));
    }
  }

  /** Sums by repeated addition over itself instead of through the delegate's accumulator. */
  static final class SpelledOutSum<C> extends ForwardingArithmetic<C> {
    SpelledOutSum(Arithmetic<C> delegate) {
      super(delegate);
    }

    @Override
    public Accumulator<C> accumulator() {
      return Accumulator.repeatedAddition(this);
    }
  }

  /** Answers relinearize without asking the delegate. */
  static final class Swallowing<C> extends ForwardingArithmetic<C> {
    Swallowing(Arithmetic<C> delegate) {
      super(delegate);
    }

    @Override
    public C relinearize(C a) {
      return a;
    }
  }

  @Test
  void everyInterfaceMethodIsOverriddenHere() throws NoSuchMethodException {
    List<Method> methods = ArithmeticForwarding.interfaceMethods();
    assertTrue(methods.stream().anyMatch(m -> m.getName().equals("mulConstantSum") && m.isDefault()));
    for (Method m : methods) {
      assertEquals(ForwardingArithmetic.class,
          ForwardingArithmetic.class.getMethod(m.getName(), m.getParameterTypes()).getDeclaringClass(),
          m.getName() + " is inherited, not forwarded");
    }
  }

  @Test
  void forwardsEveryMethod() {
    ArithmeticForwarding.assertForwardsEveryMethod(Plain::new, VALUES, Set.of());
  }

  @Test
  void theCheckCatchesASpelledOutDefault() {
    var e = assertThrows(AssertionFailedError.class,
        () -> ArithmeticForwarding.assertForwardsEveryMethod(Unfused::new, VALUES, Set.of()));
    assertTrue(e.getMessage().contains("mulConstantSum"), e.getMessage());
    // Named, the same form passes: it makes exactly the calls of the interface's default body.
    ArithmeticForwarding.assertForwardsEveryMethod(Unfused::new, VALUES, Set.of("mulConstantSum"));
  }

  @Test
  void aNamedSpelledOutDefaultMustMatchTheDefaultBody() {
    var e = assertThrows(AssertionFailedError.class,
        () -> ArithmeticForwarding.assertForwardsEveryMethod(SplitMulRelin::new, VALUES, Set.of()));
    assertTrue(e.getMessage().contains("mulRelin"), e.getMessage());
    ArithmeticForwarding.assertForwardsEveryMethod(SplitMulRelin::new, VALUES, Set.of("mulRelin"));
    // A method the decorator forwards does not match the default body's calls when named.
    assertThrows(AssertionFailedError.class,
        () -> ArithmeticForwarding.assertForwardsEveryMethod(Plain::new, VALUES, Set.of("mulRelin")));
  }

  @Test
  void theCheckCatchesAnAccumulatorThatBypassesTheDelegates() {
    var e = assertThrows(AssertionFailedError.class,
        () -> ArithmeticForwarding.assertForwardsEveryMethod(SpelledOutSum::new, VALUES, Set.of()));
    assertTrue(e.getMessage().contains("accumulator"), e.getMessage());
    // Named, it passes: its additions are the default body's.
    ArithmeticForwarding.assertForwardsEveryMethod(SpelledOutSum::new, VALUES, Set.of("accumulator"));
  }

  @Test
  void theCheckCatchesASwallowedCall() {
    var e = assertThrows(AssertionFailedError.class,
        () -> ArithmeticForwarding.assertForwardsEveryMethod(Swallowing::new, VALUES, Set.of()));
    assertTrue(e.getMessage().contains("relinearize"), e.getMessage());
  }

  @Test
  void everyArithmeticOfHeCoreIsAnEngineOrAForwarder() {
    for (Class<?> c : ArithmeticForwarding.implementationsBeside(Arithmetic.class)) {
      assertTrue(c == CiphertextArithmetic.class || c == DepthSimulator.class
          || ForwardingArithmetic.class.isAssignableFrom(c), c + ": decorators extend ForwardingArithmetic");
    }
  }
}
