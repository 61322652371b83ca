package io.polyhe.he.io.seal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksEncoder;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ckks.Evaluator;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.Decryptor;
import io.polyhe.he.rlwe.Encryptor;
import io.polyhe.he.rlwe.EvaluationKeys;
import io.polyhe.he.rlwe.GaloisElements;
import io.polyhe.he.rlwe.GaloisKey;
import io.polyhe.he.rlwe.KeyGenerator;
import io.polyhe.he.rlwe.Profile;
import io.polyhe.he.rlwe.PublicKey;
import io.polyhe.he.rlwe.RelinearizationKey;
import io.polyhe.he.rlwe.RlweParameters;
import io.polyhe.he.rlwe.SecretKey;
import io.polyhe.he.rlwe.SecretKeyAccess;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * polyhe against Microsoft SEAL 4.1 itself (node-seal 7.0.0 through {@code bench/peer/seal-wire.mjs}),
 * on N = 2^12 with SEAL's chain {40, 30, 30 | 40} (three ciphertext primes, one special prime) and
 * scale 2^30. Insecure at this size (log2 QP = 140 > 109), hence {@link
 * SealFormat#readParametersInsecureForTestsOnly}.
 *
 * <p>Bounds, all on slot values in [-1, 1]: a fresh encryption decrypts within 2^-16 of its values
 * (encoding rounding and fresh noise at scale 2^30 are ~2^-20); one multiplication with
 * relinearisation and rescaling, a rotation or an addition stays within 2^-12 (noise of key
 * switching with digits of 30 and 40 bits over a 40-bit special prime: measured ~2^-16 for
 * polyhe's rotations, ~2^-17 for the product). Results that SEAL computes itself stay within
 * 2^-10: SEAL's own rotation measured up to 2^-12.3 here (its digits are not centred and it
 * decomposes in [0, q_j)), so polyhe's and SEAL's rotation of one ciphertext agree within
 * 2^-10 + 2^-12.
 */
class SealInteropTest {
  static final int LOG_N = 12;
  static final double SCALE = Math.scalb(1.0, 30);
  static final double FRESH_BOUND = Math.scalb(1.0, -16);
  static final double OP_BOUND = Math.scalb(1.0, -12);
  static final double SEAL_OP_BOUND = Math.scalb(1.0, -10);

  static SealWire seal;
  static JsonObject contextReply;
  static JsonObject sealKeys;
  static RlweParameters params;
  static CkksContext context;
  static CkksEncoder encoder;
  static SecretKey sealSecret;

  @BeforeAll
  static void start() {
    seal = SealWire.start();
    contextReply = seal.call(Map.of("cmd", "context", "logN", LOG_N, "logQ", List.of(40, 30, 30, 40)));
    params = SealFormat.readParametersInsecureForTestsOnly(SealWire.bytes(contextReply, "params", ComprMode.NONE));
    context = io.polyhe.he.HeTestSupport.context(CkksParameters.of(params, SCALE), "java");
    encoder = new CkksEncoder(context);
    sealKeys = seal.call(Map.of("cmd", "keygen", "steps", List.of(1, -3)));
    sealSecret = SealFormat.readSecretKey(context.rlwe(), SealWire.bytes(sealKeys, "sk", ComprMode.NONE),
        SecretKeyAccess.explicitlyGranted());
  }

  @AfterAll
  static void stop() {
    if (seal != null) {
      seal.close();
    }
  }

  static double[] values(long seed) {
    Random r = new Random(seed);
    double[] v = new double[1 << (LOG_N - 1)];
    for (int i = 0; i < v.length; i++) {
      v[i] = 2 * r.nextDouble() - 1;
    }
    return v;
  }

  static List<Double> list(double[] v) {
    return Arrays.stream(v).boxed().toList();
  }

  static double maxError(double[] expected, double[] actual) {
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
    }
    return worst;
  }

  static void assertClose(double[] expected, double[] actual, double bound, String what) {
    double err = maxError(expected, actual);
    assertTrue(err < bound, what + ": max error " + err + " exceeds " + bound);
  }

  static double[] sealDecrypt(byte[] ct) {
    JsonArray a = seal.call(Map.of("cmd", "decrypt", "ct", SealWire.b64(ct))).getAsJsonArray("values");
    double[] out = new double[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).getAsDouble();
    }
    return out;
  }

  static byte[] sealEncrypt(double[] v, String mode, ComprMode compr) {
    JsonObject r = seal.call(Map.of("cmd", "encrypt", "values", list(v), "scale", SCALE, "mode", mode));
    return SealWire.bytes(r, "ct", compr);
  }

  double[] polyheDecrypt(Ciphertext ct, SecretKey sk) {
    return encoder.decode(new Decryptor(context.rlwe(), sk).decrypt(ct));
  }

  static Evaluator sealKeyedEvaluator(ComprMode mode) {
    RelinearizationKey rlk = SealFormat.readRelinKeys(context.rlwe(), SealWire.bytes(sealKeys, "rlk", mode));
    List<GaloisKey> gk = SealFormat.readGaloisKeys(context.rlwe(), SealWire.bytes(sealKeys, "gk", mode), 64);
    return new Evaluator(context, EvaluationKeys.of(params, rlk, gk));
  }

  @Test
  void parametersAreSealsProfileAndParmsIdsAreSeals() {
    assertEquals(Profile.SEAL, params.profile());
    assertEquals(3, params.qCount());
    assertEquals(1, params.pCount());
    assertEquals(3, params.dnum());
    JsonObject ids = contextReply.getAsJsonObject("parmsIds");
    assertArrayEquals(SealWire.bytes(ids.get("key")), SealParmsId.ofKeyLevel(params));
    JsonArray levels = ids.getAsJsonArray("levels");
    assertEquals(params.qCount(), levels.size());
    for (int i = 0; i < levels.size(); i++) {
      assertArrayEquals(SealWire.bytes(levels.get(i)), SealParmsId.ofLevel(params, params.maxLevel() - i), "level " + i);
    }
    // The zstd bytes describe the same parameters.
    assertTrue(params.sameAs(SealFormat.readParametersInsecureForTestsOnly(
        SealWire.bytes(contextReply, "params", ComprMode.ZSTD))));
  }

  @ParameterizedTest
  @EnumSource(ComprMode.class)
  void parametersWrittenByPolyheLoadInSeal(ComprMode mode) {
    byte[] ours = SealFormat.writeParameters(params, mode);
    JsonObject r = seal.call(Map.of("cmd", "load", "type", "params", "bytes", SealWire.b64(ours)));
    // SEAL re-saves exactly SEAL's own uncompressed bytes, and so do we.
    byte[] sealsOwn = SealWire.bytes(contextReply, "params", ComprMode.NONE);
    assertArrayEquals(sealsOwn, SealWire.bytes(r.get("none")));
    assertArrayEquals(sealsOwn, SealFormat.writeParameters(params, ComprMode.NONE));
  }

  @ParameterizedTest
  @EnumSource(ComprMode.class)
  void polyheDecryptsSealsEncryptions(ComprMode mode) {
    double[] v = values(1);
    for (String how : List.of("symmetric", "seeded", "public")) {
      Ciphertext ct = SealFormat.readCiphertext(context.rlwe(), sealEncrypt(v, how, mode));
      assertEquals(params.maxLevel(), ct.level());
      assertClose(v, polyheDecrypt(ct, sealSecret), FRESH_BOUND, how + " encryption, " + mode);
    }
  }

  @ParameterizedTest
  @EnumSource(ComprMode.class)
  void sealDecryptsPolyheEncryptionsUnderSealsPublicKey(ComprMode mode) {
    for (String key : List.of("pk", "pkSeeded")) {
      PublicKey pk = SealFormat.readPublicKey(context.rlwe(), SealWire.bytes(sealKeys, key, mode));
      double[] v = values(2);
      Ciphertext ct = new Encryptor(context.rlwe(), pk).encrypt(encoder.encode(v));
      byte[] bytes = SealFormat.writeCiphertext(ct, mode);
      assertClose(v, sealDecrypt(bytes), FRESH_BOUND, "SEAL decrypting polyhe's encryption under " + key);
      // Re-saved by SEAL, the bytes are what polyhe writes uncompressed.
      JsonObject r = seal.call(Map.of("cmd", "load", "type", "ct", "bytes", SealWire.b64(bytes)));
      assertArrayEquals(SealFormat.writeCiphertext(ct, ComprMode.NONE), SealWire.bytes(r.get("none")));
    }
  }

  @ParameterizedTest
  @EnumSource(ComprMode.class)
  void polyheEvaluatesOnSealInputsWithSealKeysAndSealDecrypts(ComprMode mode) {
    Evaluator ev = sealKeyedEvaluator(mode);
    double[] x = values(3);
    double[] y = values(4);
    Ciphertext a = SealFormat.readCiphertext(context.rlwe(), sealEncrypt(x, "public", mode));
    Ciphertext b = SealFormat.readCiphertext(context.rlwe(), sealEncrypt(y, "seeded", mode));

    Ciphertext product = ev.rescale(ev.relinearize(ev.mul(a, b)));
    double[] xy = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      xy[i] = x[i] * y[i];
    }
    assertClose(xy, sealDecrypt(SealFormat.writeCiphertext(product, mode)), OP_BOUND, "mul-relin-rescale");

    double[] sum = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      sum[i] = x[i] + y[i];
    }
    assertClose(sum, sealDecrypt(SealFormat.writeCiphertext(ev.add(a, b), mode)), OP_BOUND, "add");

    for (int step : new int[] {1, -3}) {
      double[] rotated = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        rotated[i] = x[Math.floorMod(i + step, x.length)];
      }
      byte[] ours = SealFormat.writeCiphertext(ev.rotate(a, step), mode);
      double[] sealDecryptsOurs = sealDecrypt(ours);
      assertClose(rotated, sealDecryptsOurs, OP_BOUND, "rotate " + step);
      // SEAL's own rotation of the same ciphertext with the same key gives the same slots.
      JsonObject sealRot = seal.call(Map.of("cmd", "eval", "op", "rotate", "steps", step,
          "a", SealWire.b64(SealFormat.writeCiphertext(a, ComprMode.NONE))));
      double[] sealOwn = polyheDecrypt(
          SealFormat.readCiphertext(context.rlwe(), SealWire.bytes(sealRot, "ct", mode)), sealSecret);
      assertClose(rotated, sealOwn, SEAL_OP_BOUND, "SEAL's own rotation " + step);
      assertClose(sealOwn, sealDecryptsOurs, SEAL_OP_BOUND + OP_BOUND, "polyhe vs SEAL rotation " + step);
    }
    assertEquals(GaloisElements.forRotation(1, params), 3);
  }

  @ParameterizedTest
  @EnumSource(ComprMode.class)
  void polyheDecryptsSealsResults(ComprMode mode) {
    double[] x = values(5);
    double[] y = values(6);
    byte[] a = sealEncrypt(x, "symmetric", ComprMode.NONE);
    byte[] b = sealEncrypt(y, "public", ComprMode.NONE);
    JsonObject r = seal.call(Map.of("cmd", "eval", "op", "mul_relin_rescale", "a", SealWire.b64(a), "b", SealWire.b64(b)));
    Ciphertext ct = SealFormat.readCiphertext(context.rlwe(), SealWire.bytes(r, "ct", mode));
    assertEquals(params.maxLevel() - 1, ct.level());
    double[] xy = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      xy[i] = x[i] * y[i];
    }
    assertClose(xy, polyheDecrypt(ct, sealSecret), SEAL_OP_BOUND, "SEAL's mul-relin-rescale");
  }

  /** SEAL's own keys, full and seeded, are polyhe's gadget (docs/decisions.md, issue 19). */
  @Test
  void sealsKeysArePolyheGadget() {
    long[] s = sealSecret.ternaryCoefficients(SecretKeyAccess.explicitlyGranted());
    long[] s2 = GadgetCheck.squareNtt(context.rlwe(), s);
    for (String k : List.of("rlk", "rlkSeeded")) {
      GadgetCheck.assertGadget(context.rlwe(),
          SealFormat.readRelinKeys(context.rlwe(), SealWire.bytes(sealKeys, k, ComprMode.NONE)).switchingKey(), s, s2);
    }
    for (String k : List.of("gk", "gkSeeded")) {
      for (GaloisKey g : SealFormat.readGaloisKeys(context.rlwe(), SealWire.bytes(sealKeys, k, ComprMode.NONE), 64)) {
        GadgetCheck.assertGadget(context.rlwe(), g.switchingKey(), s,
            GadgetCheck.automorphismNtt(context.rlwe(), s, g.galoisElement()));
      }
    }
    // SEAL made its Galois keys for steps 1 and -3: elements 3 and 3^(N/2-3) mod 2N.
    List<Integer> elements = SealFormat.readGaloisKeys(context.rlwe(), SealWire.bytes(sealKeys, "gk", ComprMode.NONE), 64)
        .stream().map(GaloisKey::galoisElement).toList();
    assertEquals(java.util.Set.of(GaloisElements.forRotation(1, params), GaloisElements.forRotation(-3, params)),
        java.util.Set.copyOf(elements));
  }

  @ParameterizedTest
  @EnumSource(ComprMode.class)
  void seededAndFullSealKeysReadAlike(ComprMode mode) {
    // Seeded keys are expanded here with SEAL's blake2xb stream; they must then work as the full ones.
    RelinearizationKey seeded = SealFormat.readRelinKeys(context.rlwe(), SealWire.bytes(sealKeys, "rlkSeeded", mode));
    List<GaloisKey> gk = SealFormat.readGaloisKeys(context.rlwe(), SealWire.bytes(sealKeys, "gkSeeded", mode), 64);
    assertEquals(2, gk.size());
    Evaluator ev = new Evaluator(context, EvaluationKeys.of(params, seeded, gk));
    double[] x = values(7);
    Ciphertext a = SealFormat.readCiphertext(context.rlwe(), sealEncrypt(x, "seeded", mode));
    double[] sq = new double[x.length];
    double[] rot = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      sq[i] = x[i] * x[i];
      rot[i] = x[Math.floorMod(i - 3, x.length)];
    }
    assertClose(sq, polyheDecrypt(ev.rescale(ev.relinearize(ev.mul(a, a))), sealSecret), OP_BOUND, "seeded rlk");
    assertClose(rot, polyheDecrypt(ev.rotate(a, -3), sealSecret), OP_BOUND, "seeded gk");
  }

  @ParameterizedTest
  @EnumSource(ComprMode.class)
  void polyheKeysLoadAndWorkInSeal(ComprMode mode) {
    KeyGenerator keygen = new KeyGenerator(context.rlwe(), SeedSource.deterministicForTestsOnly(19));
    SecretKey sk = keygen.generateSecretKey();
    PublicKey pk = keygen.generatePublicKey(sk);
    RelinearizationKey rlk = keygen.generateRelinearizationKey(sk);
    GaloisKey g1 = keygen.generateGaloisKey(sk, GaloisElements.forRotation(1, params));
    Map<String, byte[]> ours = new LinkedHashMap<>();
    ours.put("sk", SealFormat.writeSecretKey(context.rlwe(), sk, mode, SecretKeyAccess.explicitlyGranted()));
    ours.put("pk", SealFormat.writePublicKey(pk, mode));
    ours.put("rlk", SealFormat.writeRelinKeys(rlk, mode));
    ours.put("gk", SealFormat.writeGaloisKeys(List.of(g1), mode));
    try {
      for (var e : ours.entrySet()) {
        seal.call(Map.of("cmd", "load", "type", e.getKey(), "bytes", SealWire.b64(e.getValue()), "use", true));
      }
      // SEAL encrypts under polyhe's public key, multiplies with polyhe's relinearisation key and
      // rotates with polyhe's Galois key; polyhe decrypts (and SEAL, holding polyhe's secret key, too).
      double[] x = values(8);
      double[] y = values(9);
      byte[] a = sealEncrypt(x, "public", ComprMode.NONE);
      byte[] b = sealEncrypt(y, "public", ComprMode.NONE);
      JsonObject prod = seal.call(Map.of("cmd", "eval", "op", "mul_relin_rescale", "a", SealWire.b64(a), "b", SealWire.b64(b)));
      JsonObject rot = seal.call(Map.of("cmd", "eval", "op", "rotate", "steps", 1, "a", SealWire.b64(a)));
      double[] xy = new double[x.length];
      double[] r1 = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        xy[i] = x[i] * y[i];
        r1[i] = x[(i + 1) % x.length];
      }
      assertClose(xy, polyheDecrypt(SealFormat.readCiphertext(context.rlwe(), SealWire.bytes(prod, "ct", mode)), sk),
          SEAL_OP_BOUND, "SEAL mul with polyhe's rlk");
      assertClose(r1, polyheDecrypt(SealFormat.readCiphertext(context.rlwe(), SealWire.bytes(rot, "ct", mode)), sk),
          SEAL_OP_BOUND, "SEAL rotation with polyhe's Galois key");
      assertClose(xy, sealDecrypt(SealWire.bytes(prod, "ct", ComprMode.NONE)), SEAL_OP_BOUND, "SEAL decrypting with polyhe's sk");
      // The secret key survives the trip: SEAL re-saves it and polyhe reads back the same key.
      JsonObject back = seal.call(Map.of("cmd", "load", "type", "sk", "bytes", SealWire.b64(ours.get("sk"))));
      SecretKey again = SealFormat.readSecretKey(context.rlwe(), SealWire.bytes(back.get("none")), SecretKeyAccess.explicitlyGranted());
      assertArrayEquals(sk.ternaryCoefficients(SecretKeyAccess.explicitlyGranted()),
          again.ternaryCoefficients(SecretKeyAccess.explicitlyGranted()));
    } finally {
      // Back to SEAL's own keys for the other tests.
      for (String k : List.of("sk", "pk", "rlk", "gk")) {
        seal.call(Map.of("cmd", "load", "type", k, "bytes", SealWire.b64(SealWire.bytes(sealKeys, k, ComprMode.NONE)), "use", true));
      }
    }
    assertTrue(pk.parameters().isInsecure(), "test parameters are the insecure opt-in");
  }
}
