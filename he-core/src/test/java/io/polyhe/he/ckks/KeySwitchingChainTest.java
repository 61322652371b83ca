package io.polyhe.he.ckks;

import static io.polyhe.he.HeTestSupport.maxError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.HeTestSupport;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.Decryptor;
import io.polyhe.he.rlwe.EvaluationKeys;
import io.polyhe.he.rlwe.GaloisElements;
import io.polyhe.he.rlwe.GaloisKey;
import io.polyhe.he.rlwe.KeyGenerator;
import io.polyhe.he.rlwe.SecretKey;
import io.polyhe.he.rlwe.SymmetricEncryptor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Noise growth over long chains, against double arithmetic.
 *
 * <p>Bounds (N ring degree, Δ scale, {@code B = 4·N/Δ} the per-operation allowance of {@link
 * KeySwitchingTest}): each mul + relinearise + rescale of values in [-1, 1] at most triples the
 * running error and adds B; 50 rotations add at most 50·B. The assertions use exactly those
 * recurrences, so a chain that loses more than that fails.
 */
class KeySwitchingChainTest {

  static Stream<CkksPreset> presets() {
    return HeTestSupport.presets();
  }

  /**
   * Multiplies down the whole chain: at each level x ← rescale(relinearise(x·y)), y dropped to x's
   * level, values with |v| in [0.9, 1] so magnitudes stay bounded. One chain spans all levels of
   * the preset (16 steps at N = 2^15, 29 at N = 2^16); presets with fewer levels repeat the chain
   * on fresh ciphertexts until 10+ operations ran (mul, relinearise and rescale count one each).
   */
  @ParameterizedTest
  @MethodSource("presets")
  void mulRelinRescaleChainDownAllLevels(CkksPreset preset) {
    CkksContext ctx = HeTestSupport.context(preset);
    KeyGenerator keygen = new KeyGenerator(ctx.rlwe(), SeedSource.deterministicForTestsOnly(31));
    SecretKey sk = keygen.generateSecretKey();
    Evaluator eval = new Evaluator(ctx, keygen.generateEvaluationKeys(sk, new int[0]));
    CkksEncoder encoder = new CkksEncoder(ctx);
    SymmetricEncryptor enc = new SymmetricEncryptor(ctx.rlwe(), sk);
    Decryptor dec = new Decryptor(ctx.rlwe(), sk);
    int slots = encoder.slots();
    SplittableRandom r = new SplittableRandom(7);
    double b = 4.0 * ctx.parameters().n() / ctx.parameters().defaultScale();
    int operations = 0;
    while (operations < 10) {
      double[] x = r.doubles(slots, 0.9, 1.0).map(v -> r.nextBoolean() ? v : -v).toArray();
      double[] y = r.doubles(slots, 0.9, 1.0).toArray();
      Ciphertext cx = enc.encrypt(encoder.encode(x));
      Ciphertext cy = enc.encrypt(encoder.encode(y));
      double bound = b;
      double[] expected = x.clone();
      while (cx.level() > 0) {
        Ciphertext yAt = eval.dropToLevel(cy, cx.level());
        cx = eval.rescale(eval.relinearize(eval.mul(cx, yAt)));
        operations += 3;
        for (int i = 0; i < slots; i++) {
          expected[i] *= y[i];
        }
        bound = 3 * bound + b;
        double err = maxError(expected, encoder.decode(dec.decrypt(cx)));
        assertTrue(err <= bound, "level " + cx.level() + ": error " + err + " over " + bound);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("presets")
  void fiftyRotationsAccumulateNoiseLinearly(CkksPreset preset) {
    CkksContext ctx = HeTestSupport.context(preset);
    int n = ctx.parameters().n();
    int[] steps = {1, 3, -2, 17, 100};
    KeyGenerator keygen = new KeyGenerator(ctx.rlwe(), SeedSource.deterministicForTestsOnly(32));
    SecretKey sk = keygen.generateSecretKey();
    Evaluator eval =
        new Evaluator(ctx, keygen.generateEvaluationKeys(sk, GaloisElements.forRotations(steps, n)));
    CkksEncoder encoder = new CkksEncoder(ctx);
    Decryptor dec = new Decryptor(ctx.rlwe(), sk);
    int slots = encoder.slots();
    double[] v = HeTestSupport.randomValues(new SplittableRandom(8), slots, 1);
    Ciphertext ct = new SymmetricEncryptor(ctx.rlwe(), sk).encrypt(encoder.encode(v));
    SplittableRandom r = new SplittableRandom(9);
    int total = 0;
    for (int i = 0; i < 50; i++) {
      int step = steps[r.nextInt(steps.length)];
      ct = eval.rotate(ct, step);
      total += step;
    }
    double[] expected = new double[slots];
    for (int i = 0; i < slots; i++) {
      expected[i] = v[Math.floorMod(i + total, slots)];
    }
    double b = 4.0 * n / ctx.parameters().defaultScale();
    double err = maxError(expected, encoder.decode(dec.decrypt(ct)));
    assertTrue(err <= 51 * b, "50 rotations: error " + err + " over " + 51 * b);
  }

  /** Every rotation step 1..slots-1 at N = 2^12, keys made batch by batch to bound memory. */
  @Test
  void everyRotationStepAtLogN12() {
    CkksContext ctx = HeTestSupport.context(CkksPreset.N12_QP109_128);
    int n = ctx.parameters().n();
    int slots = n / 2;
    KeyGenerator keygen = new KeyGenerator(ctx.rlwe(), SeedSource.deterministicForTestsOnly(33));
    SecretKey sk = keygen.generateSecretKey();
    CkksEncoder encoder = new CkksEncoder(ctx);
    Decryptor dec = new Decryptor(ctx.rlwe(), sk);
    double[] v = HeTestSupport.randomValues(new SplittableRandom(10), slots, 1);
    Ciphertext ct = new SymmetricEncryptor(ctx.rlwe(), sk).encrypt(encoder.encode(v));
    double bound = 2 * 4.0 * n / ctx.parameters().defaultScale();
    int batch = 128;
    int checked = 0;
    for (int start = 1; start < slots; start += batch) {
      int[] steps = IntStream.range(start, Math.min(slots, start + batch)).toArray();
      List<GaloisKey> keys = new ArrayList<>();
      for (int g : GaloisElements.forRotations(steps, n)) {
        keys.add(keygen.generateGaloisKey(sk, g));
      }
      Evaluator eval = new Evaluator(ctx, EvaluationKeys.of(ctx.parameters().rlwe(), null, keys));
      Ciphertext[] rotated = eval.rotateHoisted(ct, steps);
      for (int s = 0; s < steps.length; s++) {
        double[] out = encoder.decode(dec.decrypt(rotated[s]));
        double err = 0;
        for (int i = 0; i < slots; i++) {
          err = Math.max(err, Math.abs(v[(i + steps[s]) % slots] - out[i]));
        }
        assertTrue(err <= bound, "step " + steps[s] + ": error " + err);
        checked++;
      }
    }
    assertEquals(slots - 1, checked);
  }
}
