package io.polyhe.nativebackend.resident;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.HeTestSupport;
import io.polyhe.he.backend.ResidentDevice;
import io.polyhe.he.circuits.Arithmetic;
import io.polyhe.he.circuits.ChebyshevPolynomial;
import io.polyhe.he.circuits.CiphertextArithmetic;
import io.polyhe.he.circuits.PlainVector;
import io.polyhe.he.circuits.PolynomialEvaluator;
import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksEncoder;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ckks.CkksPreset;
import io.polyhe.he.ckks.Evaluator;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.Decryptor;
import io.polyhe.he.rlwe.EvaluationKeys;
import io.polyhe.he.rlwe.GaloisElements;
import io.polyhe.he.rlwe.KeyGenerator;
import io.polyhe.he.rlwe.SecretKey;
import io.polyhe.he.rlwe.SymmetricEncryptor;
import io.polyhe.nativebackend.ResidentDevices;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The resident path against the heap path: the same program of every {@link Arithmetic}
 * operation, and a polynomial circuit, run on {@link CiphertextArithmetic} (Java backend) and on
 * {@link ResidentArithmetic} over a device, must give bit-identical ciphertexts; the decrypted
 * results match plain double arithmetic. The devices: {@code native} (host memory, CPU kernels)
 * wherever the native library loads, and {@code cuda} where a CUDA library answers (a GPU, or the
 * host build of the CUDA sources that the {@code cuda-host-build} test run loads).
 */
class ResidentArithmeticTest {
  private static final int[] STEPS = {1, 3, -1, 5};

  /** Insecure N = 2^11 with 6 levels and 2 special primes: several digits per key switch. */
  static final CkksParameters SMALL = CkksParameters.insecureForTestsOnly(
      new CkksParameters.Literal(11, new int[] {60, 40, 40, 40, 40, 40, 40}, new int[] {60, 60}, 40, 4));

  record Setup(CkksContext ctx, CkksEncoder encoder, SymmetricEncryptor enc, Decryptor dec, EvaluationKeys keys) {
    static Setup of(CkksParameters params) {
      CkksContext ctx = HeTestSupport.context(params, "java");
      SecretKey sk = new KeyGenerator(ctx.rlwe(), SeedSource.deterministicForTestsOnly(7)).generateSecretKey();
      EvaluationKeys keys = new KeyGenerator(ctx.rlwe(), SeedSource.deterministicForTestsOnly(11))
          .generateEvaluationKeys(sk, GaloisElements.forRotations(STEPS, params.rlwe().n()));
      return new Setup(ctx, new CkksEncoder(ctx), new SymmetricEncryptor(ctx.rlwe(), sk,
          SeedSource.deterministicForTestsOnly(13)), new Decryptor(ctx.rlwe(), sk), keys);
    }

    Ciphertext encrypt(double[] v) {
      return enc.encrypt(encoder.encode(v, ctx.parameters().maxLevel(), ctx.parameters().defaultScale()));
    }

    double[] decrypt(Ciphertext ct) {
      return encoder.decode(dec.decrypt(ct));
    }
  }

  static Stream<Arguments> devicesAndParameters() {
    List<Arguments> list = new ArrayList<>();
    for (String device : ResidentDevices.names()) {
      list.add(Arguments.of(device, "small", SMALL));
      list.add(Arguments.of(device, "N13", CkksPreset.N13_QP218_128.parameters()));
    }
    return list.stream();
  }

  /** Opens the device or skips the test with the reason (a CUDA device is absent on most machines). */
  static ResidentDevice open(String name, int n) {
    try {
      return ResidentDevices.open(name, n, 2);
    } catch (IllegalArgumentException unavailable) {
      org.junit.jupiter.api.Assumptions.abort(unavailable.getMessage());
      throw unavailable;
    }
  }

  /** Every operation of {@link Arithmetic} once, in an order that reaches 3-part sums, rescales and rotations. */
  static <C> List<C> program(Arithmetic<C> ar, C x, C y, PlainVector w, PlainVector w2) {
    List<C> r = new ArrayList<>();
    int top = ar.level(x);
    r.add(ar.add(x, y));
    r.add(ar.sub(x, y));
    r.add(ar.negate(x));
    r.add(ar.addConstant(x, 0.25));
    C m = ar.mul(x, y);
    r.add(m);
    r.add(ar.mul(x, x));
    C x2 = ar.mulConstant(x, 1, ar.scale(y)); // x at the product's scale
    r.add(ar.add(m, x2));
    r.add(ar.sub(x2, m));
    C rl = ar.relinearize(m);
    r.add(rl);
    C rs = ar.rescale(rl);
    r.add(rs);
    r.add(ar.rescale(ar.relinearize(ar.mul(rs, rs))));
    r.add(ar.rotate(x, 3));
    r.add(ar.rotate(rs, -1));
    r.add(ar.rotate(x, 0));
    r.addAll(List.of(ar.rotateHoisted(rs, new int[] {0, 1, 5, -1})));
    double ps = ar.q(top);
    C mp = ar.mulPlain(x, w, ps);
    r.add(mp);
    r.add(ar.rescale(mp));
    r.add(ar.mulPlainSum(ar.rotateHoisted(x, new int[] {0, 1}), new PlainVector[] {w, w2}, ps));
    r.add(ar.addPlain(x, w));
    r.add(ar.mulConstant(x, -1.5, ps));
    r.add(ar.mulInteger(x, -3));
    r.add(ar.dropToLevel(x, top - 2));
    double s0 = 0x1p30;
    double s1 = s0 * ar.scale(x) / ar.scale(rs);
    C[] terms = ar.rotateHoisted(x, new int[] {0, 0}); // a C[] holding x twice
    terms[1] = rs;
    r.add(ar.mulConstantSum(terms, new double[] {0.5, -2.0}, new double[] {s0, s1}, ar.level(rs)));
    r.add(ar.reinterpretScale(x, ar.scale(x) * 2));
    return r;
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("devicesAndParameters")
  void everyOperationIsBitIdenticalToTheHeapPath(String deviceName, String label, CkksParameters params) {
    Setup s = Setup.of(params);
    SplittableRandom random = new SplittableRandom(5);
    int slots = params.slots();
    double[] xv = HeTestSupport.randomValues(random, slots, 1);
    double[] yv = HeTestSupport.randomValues(random, slots, 1);
    PlainVector w = new PlainVector(HeTestSupport.randomValues(random, slots, 1));
    PlainVector w2 = new PlainVector(HeTestSupport.randomValues(random, slots, 1));
    Ciphertext x = s.encrypt(xv);
    Ciphertext y = s.encrypt(yv);
    List<Ciphertext> expected = program(new CiphertextArithmetic(new Evaluator(s.ctx(), s.keys())), x, y, w, w2);
    try (ResidentDevice device = open(deviceName, params.rlwe().n());
        ResidentArithmetic ar = new ResidentArithmetic(device, s.ctx(), s.keys())) {
      ResidentPass.Result result = ResidentPass.run(ar, new Ciphertext[] {x, y},
          in -> program(ar, in[0], in[1], w, w2).toArray(new ResidentCiphertext[0]));
      assertEquals(expected.size(), result.outputs().length);
      for (int i = 0; i < expected.size(); i++) {
        Ciphertext e = expected.get(i).withoutSeed();
        Ciphertext a = result.outputs()[i];
        assertTrue(e.sameValueAs(a), "result " + i + " differs: " + e + " vs " + a);
      }
      // And against plain arithmetic: the rescaled product and a rotation.
      double[] product = s.decrypt(result.outputs()[9]);
      double[] rotated = s.decrypt(result.outputs()[11]);
      for (int j = 0; j < slots; j++) {
        assertEquals(xv[j] * yv[j], product[j], 1e-4, "x*y slot " + j);
        assertEquals(xv[(j + 3) % slots], rotated[j], 1e-4, "rotate(x, 3) slot " + j);
      }
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("devicesAndParameters")
  void aPolynomialCircuitRunsUnchangedOnTheDevice(String deviceName, String label, CkksParameters params) {
    Setup s = Setup.of(params);
    PolynomialEvaluator poly = PolynomialEvaluator.of(params,
        new ChebyshevPolynomial(-1, 1, new double[] {0.1, 0.5, 0.0, -0.25}));
    SplittableRandom random = new SplittableRandom(9);
    double[] xv = HeTestSupport.randomValues(random, params.slots(), 1);
    Ciphertext x = s.encrypt(xv);
    Ciphertext expected = poly.apply(new CiphertextArithmetic(new Evaluator(s.ctx(), s.keys())), x);
    try (ResidentDevice device = open(deviceName, params.rlwe().n());
        ResidentArithmetic ar = new ResidentArithmetic(device, s.ctx(), s.keys())) {
      ResidentPass.Result r = ResidentPass.run(ar, new Ciphertext[] {x},
          in -> new ResidentCiphertext[] {poly.apply(ar, in[0])});
      assertTrue(expected.withoutSeed().sameValueAs(r.outputs()[0]));
      double[] got = s.decrypt(r.outputs()[0]);
      ChebyshevPolynomial p = poly.polynomials().get(0);
      for (int j = 0; j < xv.length; j++) {
        assertEquals(p.value(xv[j]), got[j], 1e-3, "slot " + j);
      }
    }
  }

  /** Data crosses only at the edges: a warm pass uploads its input and downloads its output, nothing more. */
  @Test
  void aWarmPassMovesOnlyItsInputAndOutput() {
    Setup s = Setup.of(SMALL);
    int n = SMALL.rlwe().n();
    PlainVector w = new PlainVector(HeTestSupport.randomValues(new SplittableRandom(3), SMALL.slots(), 1));
    Ciphertext x = s.encrypt(HeTestSupport.randomValues(new SplittableRandom(4), SMALL.slots(), 1));
    try (ResidentDevice device = open("native", n);
        ResidentArithmetic ar = new ResidentArithmetic(device, s.ctx(), s.keys())) {
      long keysOnly = device.residentBytes();
      java.util.function.Function<ResidentCiphertext[], ResidentCiphertext[]> body = in -> {
        ResidentCiphertext t = ar.rescale(ar.mulPlain(in[0], w, ar.q(ar.level(in[0]))));
        ResidentCiphertext u = ar.rescale(ar.relinearize(ar.mul(t, ar.rotate(t, 1))));
        return new ResidentCiphertext[] {u};
      };
      ResidentPass.Result cold = ResidentPass.run(ar, new Ciphertext[] {x}, body);
      long inBytes = (long) x.size() * (x.level() + 1) * n * Long.BYTES;
      long weightBytes = (long) (x.level() + 1) * n * Long.BYTES;
      Ciphertext out = cold.outputs()[0];
      long outBytes = (long) out.size() * (out.level() + 1) * n * Long.BYTES;
      assertEquals(inBytes + weightBytes, cold.transfers().uploadedBytes(), "cold: input and the weight go in");
      assertEquals(1, ar.residentWeights());
      ResidentPass.Result warm = ResidentPass.run(ar, new Ciphertext[] {x}, body);
      assertEquals(new ResidentDevice.Transfers(inBytes, x.size(), outBytes, out.size()), warm.transfers());
      assertTrue(warm.closed() > 5, "the pass closes what it made: " + warm.closed());
      assertEquals(keysOnly + weightBytes, warm.residentBytesAfter(), "only keys and weights stay resident");
      assertTrue(cold.outputs()[0].sameValueAs(warm.outputs()[0]));
    }
  }

  @Test
  void closedCiphertextsAndForeignOnesAreRefused() {
    Setup s = Setup.of(SMALL);
    int n = SMALL.rlwe().n();
    Ciphertext x = s.encrypt(new double[] {1, 2, 3});
    try (ResidentDevice device = open("native", n);
        ResidentDevice other = open("native", n);
        ResidentArithmetic ar = new ResidentArithmetic(device, s.ctx(), s.keys());
        ResidentArithmetic ar2 = new ResidentArithmetic(other, s.ctx(), EvaluationKeys.none(SMALL.rlwe()))) {
      ResidentCiphertext a = ar.upload(x);
      ResidentCiphertext shared = ar.reinterpretScale(a, a.scale() * 2);
      a.close();
      a.close(); // idempotent: the shared owner keeps its share
      assertFalse(a.isOpen());
      assertThrows(IllegalStateException.class, () -> ar.negate(a));
      assertTrue(shared.isOpen());
      assertEquals(x.scale() * 2, ar.download(shared).scale());
      ResidentCiphertext b = ar2.upload(x);
      assertThrows(IllegalArgumentException.class, () -> ar.add(shared, b));
      assertThrows(IllegalStateException.class, () -> ar2.rotate(b, 1), "no Galois key uploaded");
      assertThrows(IllegalStateException.class, () -> ar2.relinearize(ar2.mul(b, b)));
      ResidentCiphertext low = ar.rescale(shared);
      assertThrows(IllegalArgumentException.class, () -> ar.add(shared, low));
      shared.close();
    }
  }
}
