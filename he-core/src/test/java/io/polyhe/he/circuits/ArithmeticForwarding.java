package io.polyhe.he.circuits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.polyhe.he.backend.JavaBackend;
import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksEncoder;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.KeyGenerator;
import io.polyhe.he.rlwe.SymmetricEncryptor;
import java.io.IOException;
import java.lang.reflect.Array;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Checks that an {@link Arithmetic} decorator forwards every method of the interface, its default
 * methods included, to its delegate, by reflection over the interface: each method is called on the
 * decorator around a recording delegate, which must then have received that same method with the
 * same arguments, and no other operation (queries such as {@code level} or {@code scale} may come
 * along). A decorator may instead spell out a default method over its delegate (the profiler times
 * {@code mulRelin}'s product and relinearisation apart) only where the caller names the method:
 * the delegate must then see exactly the operations the interface's default body makes. An {@link
 * Accumulator} a method returns is used for a two-term sum, whose additions and result count as
 * that method's calls: a forwarded accumulator must hand each to the delegate's accumulator.
 *
 * <p>Also finds every class implementing {@code Arithmetic} in the main code of given modules, so a
 * test can insist that each decorator is checked. Shared with other modules' tests through
 * he-core's test-jar.
 */
public final class ArithmeticForwarding {
  private ArithmeticForwarding() {}

  /**
   * What the check passes as arguments and what the recording delegate returns.
   *
   * @param type the ciphertext class (arrays of it are built for {@code C[]})
   * @param parameters returned by the delegate's {@code parameters()}
   * @param values at least three distinct values: the first two are arguments, the last is every
   *     result the delegate returns
   * @param plain passed wherever a {@link PlainVector} is expected
   */
  public record Values<C>(Class<C> type, CkksParameters parameters, List<C> values, PlainVector plain) {
    public Values {
      if (values.size() < 3) {
        throw new IllegalArgumentException("need three distinct values, got " + values.size());
      }
    }

    C result() {
      return values.getLast();
    }
  }

  /**
   * Three real ciphertexts (fresh encryptions of small values at the top level) of INSECURE tiny
   * parameters (N = 2^10), for decorators that look inside ciphertexts or encode plaintexts.
   */
  public static Values<Ciphertext> ciphertexts() {
    CkksParameters params = CkksParameters.insecureForTestsOnly(
        new CkksParameters.Literal(10, new int[] {50, 36, 36}, new int[] {55}, 36));
    CkksContext ctx = CkksContext.create(params, new JavaBackend(1));
    var keygen = new KeyGenerator(ctx.rlwe(), SeedSource.deterministicForTestsOnly(21));
    var encryptor = new SymmetricEncryptor(ctx.rlwe(), keygen.generateSecretKey(), SeedSource.deterministicForTestsOnly(22));
    CkksEncoder encoder = new CkksEncoder(ctx);
    List<Ciphertext> cts = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      cts.add(encryptor.encrypt(encoder.encode(new double[] {i + 1}, params.maxLevel(), params.defaultScale())));
    }
    return new Values<>(Ciphertext.class, params, cts, new PlainVector(new double[] {0.5, -0.25}));
  }

  /** One call the delegate received. */
  record Call(Method method, List<Object> args) {
    boolean sameAs(Call o) {
      if (!method.equals(o.method) || args.size() != o.args.size()) {
        return false;
      }
      for (int i = 0; i < args.size(); i++) {
        Object a = args.get(i);
        Object b = o.args.get(i);
        boolean same = a instanceof Object[] x && b instanceof Object[] y ? identical(x, y)
            : a != null && a.getClass().isArray() ? java.util.Objects.deepEquals(a, b)
            : a instanceof Number || a instanceof Boolean ? a.equals(b) : a == b;
        if (!same) {
          return false;
        }
      }
      return true;
    }

    private static boolean identical(Object[] x, Object[] y) {
      if (x.length != y.length) {
        return false;
      }
      for (int i = 0; i < x.length; i++) {
        if (x[i] != y[i]) {
          return false;
        }
      }
      return true;
    }

    @Override
    public String toString() {
      return method.getName() + args.stream().map(a -> a != null && a.getClass().isArray()
          ? (a instanceof Object[] o ? Arrays.toString(o) : Arrays.deepToString(new Object[] {a}))
          : String.valueOf(a)).toList();
    }
  }

  /**
   * Operations return a value of the ciphertext type (erased to Object or Object[]) or an
   * accumulator, or add to one; the rest are queries.
   */
  static boolean isOperation(Method m) {
    return m.getReturnType() == Object.class || m.getReturnType() == Object[].class
        || m.getReturnType() == Accumulator.class
        || m.getDeclaringClass() == Accumulator.class && !m.getName().equals("isEmpty");
  }

  private static final Method ACCUMULATOR_ADD;
  private static final Method ACCUMULATOR_RESULT;

  static {
    try {
      ACCUMULATOR_ADD = Accumulator.class.getMethod("add", Object.class);
      ACCUMULATOR_RESULT = Accumulator.class.getMethod("result");
    } catch (NoSuchMethodException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** An accumulator that logs its additions and result into {@code log}, answering the canned result. */
  @SuppressWarnings("unchecked")
  private static <C> Accumulator<C> recordingAccumulator(Values<C> values, List<Call> log) {
    int[] terms = {0};
    InvocationHandler h = (proxy, m, args) -> {
      if (m.getDeclaringClass() == Object.class) {
        return switch (m.getName()) {
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          default -> "recording Accumulator";
        };
      }
      log.add(new Call(m, args == null ? List.of() : Arrays.asList(args.clone())));
      return switch (m.getName()) {
        case "add" -> {
          terms[0]++;
          yield null;
        }
        case "isEmpty" -> terms[0] == 0;
        case "result" -> values.result();
        default -> throw new AssertionError("no canned result for " + m);
      };
    };
    return (Accumulator<C>) Proxy.newProxyInstance(Accumulator.class.getClassLoader(),
        new Class<?>[] {Accumulator.class}, h);
  }

  /** Sums the first two values with an accumulator a method returned; other results are left alone. */
  @SuppressWarnings("unchecked")
  private static <C> void use(Object result, Values<C> values) {
    if (result instanceof Accumulator<?> a) {
      Accumulator<C> acc = (Accumulator<C>) a;
      acc.add(values.values().get(0));
      acc.add(values.values().get(1));
      acc.result();
    }
  }

  /** Every method of the interface, in a stable order. */
  static List<Method> interfaceMethods() {
    return Arrays.stream(Arithmetic.class.getMethods())
        .filter(m -> !Modifier.isStatic(m.getModifiers()))
        .sorted(Comparator.comparing(Method::toGenericString)).toList();
  }

  @SuppressWarnings("unchecked")
  private static <C> Arithmetic<C> recorder(Values<C> values, List<Call> log, Method runDefault) {
    InvocationHandler h = (proxy, m, args) -> {
      if (m.getDeclaringClass() == Object.class) {
        return switch (m.getName()) {
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          default -> "recording Arithmetic";
        };
      }
      if (m.equals(runDefault)) {
        return InvocationHandler.invokeDefault(proxy, m, args);
      }
      log.add(new Call(m, args == null ? List.of() : Arrays.asList(args.clone())));
      Class<?> r = m.getReturnType();
      if (r == CkksParameters.class) {
        return values.parameters();
      } else if (r == int.class) {
        return 1;
      } else if (r == double.class) {
        return 0x1p20;
      } else if (r == Object.class) {
        return values.result();
      } else if (r == Object[].class) {
        Object[] out = (Object[]) Array.newInstance(values.type(), 2);
        Arrays.fill(out, values.result());
        return out;
      } else if (r == Accumulator.class) {
        return recordingAccumulator(values, log);
      }
      throw new AssertionError("no canned result for " + m);
    };
    return (Arithmetic<C>) Proxy.newProxyInstance(Arithmetic.class.getClassLoader(),
        new Class<?>[] {Arithmetic.class}, h);
  }

  private static <C> Object[] arguments(Method m, Values<C> values) {
    Class<?>[] types = m.getParameterTypes();
    Object[] args = new Object[types.length];
    int next = 0;
    for (int i = 0; i < types.length; i++) {
      Class<?> t = types[i];
      if (t == Object.class) {
        args[i] = values.values().get(next++ % 2);
      } else if (t == Object[].class) {
        Object[] a = (Object[]) Array.newInstance(values.type(), 2);
        a[0] = values.values().get(0);
        a[1] = values.values().get(1);
        args[i] = a;
      } else if (t == PlainVector.class) {
        args[i] = values.plain();
      } else if (t == PlainVector[].class) {
        args[i] = new PlainVector[] {values.plain(), values.plain()};
      } else if (t == double.class) {
        args[i] = 0x1p20;
      } else if (t == double[].class) {
        args[i] = new double[] {0.5, 0.25};
      } else if (t == int.class) {
        args[i] = 1;
      } else if (t == int[].class) {
        args[i] = new int[] {1, 2};
      } else if (t == long.class) {
        args[i] = 3L;
      } else {
        throw new AssertionError("no argument of type " + t + " for " + m + ": extend ArithmeticForwarding");
      }
    }
    return args;
  }

  private static Object invoke(Method m, Object target, Object[] args) {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw new AssertionError(m.getName() + " threw " + e.getCause(), e.getCause());
    } catch (IllegalAccessException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Fails unless {@code decorate(delegate)} forwards every method of {@link Arithmetic} to {@code
   * delegate}, or, for the default methods named in {@code spelledOut}, makes exactly the calls of
   * the interface's default body on it.
   */
  public static <C> void assertForwardsEveryMethod(Function<Arithmetic<C>, ? extends Arithmetic<C>> decorate,
      Values<C> values, Set<String> spelledOut) {
    List<String> problems = new ArrayList<>();
    Set<String> unknown = new TreeSet<>(spelledOut);
    String name = decorate.apply(recorder(values, new ArrayList<>(), null)).getClass().getName();
    for (Method m : interfaceMethods()) {
      unknown.remove(m.getName());
      Object[] args = arguments(m, values);
      List<Call> log = new ArrayList<>();
      Arithmetic<C> decorator = decorate.apply(recorder(values, log, null));
      use(invoke(m, decorator, args), values);
      Call expected = new Call(m, Arrays.asList(args));
      List<Call> expectedOps = m.getReturnType() != Accumulator.class ? List.of(expected) : List.of(expected,
          new Call(ACCUMULATOR_ADD, List.of(values.values().get(0))),
          new Call(ACCUMULATOR_ADD, List.of(values.values().get(1))),
          new Call(ACCUMULATOR_RESULT, List.of()));
      List<Call> ops = log.stream().filter(c -> isOperation(c.method())).toList();
      if (spelledOut.contains(m.getName())) {
        if (!m.isDefault()) {
          problems.add(m.getName() + " is not a default method: it cannot be spelled out");
          continue;
        }
        List<Call> defaultLog = new ArrayList<>();
        use(invoke(m, recorder(values, defaultLog, m), args), values);
        List<Call> defaultOps = defaultLog.stream().filter(c -> isOperation(c.method())).toList();
        if (!sameCalls(ops, defaultOps)) {
          problems.add(m.getName() + " spelled out as " + ops + ", but the default body makes " + defaultOps);
        }
      } else if (isOperation(m) ? !sameCalls(ops, expectedOps) : log.stream().noneMatch(expected::sameAs)) {
        problems.add(m.getName() + " reached the delegate as " + log + ", not as " + expectedOps);
      }
    }
    assertTrue(unknown.isEmpty(), "not methods of Arithmetic: " + unknown);
    assertEquals(List.of(), problems, name + " does not forward every method of Arithmetic");
  }

  private static boolean sameCalls(List<Call> a, List<Call> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!a.get(i).sameAs(b.get(i))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Every class (not interface) of the main code holding each of {@code anchors} (a classes
   * directory or a jar) that implements {@link Arithmetic}, loaded without initialising it.
   */
  public static List<Class<?>> implementationsBeside(Class<?>... anchors) {
    List<Class<?>> out = new ArrayList<>();
    for (Class<?> anchor : anchors) {
      ClassLoader loader = anchor.getClassLoader();
      for (String name : classNames(anchor)) {
        Class<?> c;
        try {
          c = Class.forName(name, false, loader);
        } catch (ClassNotFoundException e) {
          throw new AssertionError("listed but not loadable: " + name, e);
        }
        if (!c.isInterface() && Arithmetic.class.isAssignableFrom(c) && !out.contains(c)) {
          out.add(c);
        }
      }
    }
    if (out.isEmpty()) {
      fail("no Arithmetic implementations beside " + Arrays.toString(anchors));
    }
    return out;
  }

  private static List<String> classNames(Class<?> anchor) {
    Path where;
    try {
      where = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new AssertionError(e);
    }
    List<String> names = new ArrayList<>();
    try {
      if (Files.isDirectory(where)) {
        try (Stream<Path> files = Files.walk(where)) {
          files.filter(p -> p.toString().endsWith(".class"))
              .forEach(p -> names.add(toName(where.relativize(p).toString().replace('\\', '/'))));
        }
      } else {
        try (JarFile jar = new JarFile(where.toFile())) {
          jar.stream().filter(e -> e.getName().endsWith(".class")).forEach(e -> names.add(toName(e.getName())));
        }
      }
    } catch (IOException e) {
      throw new AssertionError("cannot list classes at " + where, e);
    }
    names.removeIf(n -> n.endsWith("module-info") || n.endsWith("package-info"));
    assertTrue(names.contains(anchor.getName()), anchor + " not found at " + where);
    return names;
  }

  private static String toName(String path) {
    return path.substring(0, path.length() - ".class".length()).replace('/', '.');
  }
}
