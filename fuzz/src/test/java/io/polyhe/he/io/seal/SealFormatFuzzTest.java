package io.polyhe.he.io.seal;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.polyhe.fuzz.Contract;
import io.polyhe.fuzz.Contract.Bound;
import io.polyhe.fuzz.SeedCorpus;
import io.polyhe.he.HeTestSupport;
import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksEncoder;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ckks.Evaluator;
import io.polyhe.he.io.HeFormatException;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.EvaluationKeys;
import io.polyhe.he.rlwe.GaloisElements;
import io.polyhe.he.rlwe.KeyGenerator;
import io.polyhe.he.rlwe.Profile;
import io.polyhe.he.rlwe.RelinearizationKey;
import io.polyhe.he.rlwe.RlweContext;
import io.polyhe.he.rlwe.RlweParameters;
import io.polyhe.he.rlwe.SecretKey;
import io.polyhe.he.rlwe.SecretKeyAccess;
import io.polyhe.he.rlwe.SymmetricEncryptor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Fuzz targets of SEAL's format ({@link SealFormat}), one per reader, on a tiny insecure SEAL-profile
 * context (N = 16, ciphertext primes of 30 and 25 bits, a 31-bit special prime) so an execution takes
 * microseconds. The seed corpus holds valid objects of that context in both compression modes, and
 * seeded ciphertexts of both PRNGs.
 *
 * <p>Documented exception: {@link HeFormatException} for every malformed input.
 *
 * <p>Allocation bound: {@value #PER_BYTE} bytes per input byte (coefficients are stored as whole
 * u64 words, so a read polynomial is about as large as its bytes; copies per limb and RnsPoly
 * objects double that; a seeded c_1 is expanded at most once per stored c_0) plus {@value
 * #CONSTANT} bytes: the zstd decoder's window and tables, the largest object a zstd frame may
 * inflate to under this context (the readers bound it before buffering: here under 64 KiB for
 * Galois keys of 8 elements), messages, and Jazzer's instrumentation (see HeFormatFuzzTest).
 */
class SealFormatFuzzTest {
  static final long PER_BYTE = 32;
  static final long CONSTANT = 8 << 20;
  static final Bound BOUND = new Bound(PER_BYTE, CONSTANT);
  static final int MAX_GALOIS_KEYS = 8;

  static final RlweParameters PARAMS = RlweParameters.insecureForTestsOnly(
      RlweParameters.Literal.ofPrimes(4, primes(new int[] {30, 25}), primes(new int[] {31})).withProfile(Profile.SEAL));
  static final CkksContext CKKS = HeTestSupport.context(CkksParameters.of(PARAMS, Math.scalb(1.0, 20)), "java");
  static final RlweContext CONTEXT = CKKS.rlwe();
  private static final SecretKeyAccess ACCESS = SecretKeyAccess.explicitlyGranted();

  static long[] primes(int[] bits) {
    return io.polyhe.he.math.Primes.nttPrimes(4, bits, java.util.Set.of()).stream().mapToLong(Long::longValue).toArray();
  }

  private static void check(byte[] b, Contract.Decode decode) throws Exception {
    Contract.check(b.length, BOUND, decode, HeFormatException.class);
  }

  @FuzzTest
  void parameters(byte[] b) throws Exception {
    check(b, () -> SealFormat.readParametersInsecureForTestsOnly(b));
    check(b, () -> SealFormat.readParameters(b));
  }

  /** Full (2 or 3 parts) and seeded ciphertexts, both compression modes: one reader. */
  @FuzzTest
  void ciphertext(byte[] b) throws Exception {
    check(b, () -> SealFormat.readCiphertext(CONTEXT, b));
  }

  @FuzzTest
  void publicKey(byte[] b) throws Exception {
    check(b, () -> SealFormat.readPublicKey(CONTEXT, b));
  }

  @FuzzTest
  void relinKeys(byte[] b) throws Exception {
    check(b, () -> SealFormat.readRelinKeys(CONTEXT, b));
  }

  @FuzzTest
  void galoisKeys(byte[] b) throws Exception {
    check(b, () -> SealFormat.readGaloisKeys(CONTEXT, b, MAX_GALOIS_KEYS));
  }

  @FuzzTest
  void secretKey(byte[] b) throws Exception {
    check(b, () -> SealFormat.readSecretKey(CONTEXT, b, ACCESS));
  }

  // ------------------------------------------------------------------------------ seed corpus

  static Map<String, Map<String, byte[]>> seeds() {
    KeyGenerator keygen = new KeyGenerator(CONTEXT, SeedSource.deterministicForTestsOnly(19));
    SecretKey sk = keygen.generateSecretKey();
    RelinearizationKey rlk = keygen.generateRelinearizationKey(sk);
    CkksEncoder encoder = new CkksEncoder(CKKS);
    Evaluator ev = new Evaluator(CKKS, EvaluationKeys.of(PARAMS, rlk, List.of()));
    Ciphertext fresh = new SymmetricEncryptor(CONTEXT, sk).encrypt(encoder.encode(new double[] {0.5, -0.25, 1}));
    Ciphertext product = ev.mul(fresh, fresh);
    Ciphertext level0 = ev.rescale(ev.relinearize(product));
    Map<String, Map<String, byte[]>> all = new LinkedHashMap<>();
    Map<String, byte[]> params = new LinkedHashMap<>();
    Map<String, byte[]> cts = new LinkedHashMap<>();
    Map<String, byte[]> pks = new LinkedHashMap<>();
    Map<String, byte[]> rlks = new LinkedHashMap<>();
    Map<String, byte[]> gks = new LinkedHashMap<>();
    Map<String, byte[]> sks = new LinkedHashMap<>();
    for (ComprMode mode : ComprMode.values()) {
      String m = mode.name().toLowerCase(java.util.Locale.ROOT);
      params.put(m, SealFormat.writeParameters(PARAMS, mode));
      cts.put("2-part-top-" + m, SealFormat.writeCiphertext(fresh, mode));
      cts.put("3-part-top-" + m, SealFormat.writeCiphertext(product, mode));
      cts.put("2-part-level0-" + m, SealFormat.writeCiphertext(level0, mode));
      pks.put(m, SealFormat.writePublicKey(keygen.generatePublicKey(sk), mode));
      rlks.put(m, SealFormat.writeRelinKeys(rlk, mode));
      gks.put("rotations-conjugation-" + m, SealFormat.writeGaloisKeys(List.of(
          keygen.generateGaloisKey(sk, GaloisElements.forRotation(1, PARAMS)),
          keygen.generateGaloisKey(sk, GaloisElements.conjugation(PARAMS.n()))), mode));
      sks.put(m, SealFormat.writeSecretKey(CONTEXT, sk, mode, ACCESS));
    }
    byte[] full = SealFormat.writeCiphertext(fresh, ComprMode.NONE);
    byte[] seed = new byte[64];
    cts.put("seeded-blake2xb", SealBytes.seeded(full, PrngType.BLAKE2XB.code(), seed));
    cts.put("seeded-shake256", SealBytes.seeded(full, PrngType.SHAKE256.code(), seed));
    all.put("parameters", params);
    all.put("ciphertext", cts);
    all.put("publicKey", pks);
    all.put("relinKeys", rlks);
    all.put("galoisKeys", gks);
    all.put("secretKey", sks);
    return all;
  }

  private static final Map<String, Function<byte[], Object>> READERS = Map.of(
      "parameters", SealFormat::readParametersInsecureForTestsOnly,
      "ciphertext", b -> SealFormat.readCiphertext(CONTEXT, b),
      "publicKey", b -> SealFormat.readPublicKey(CONTEXT, b),
      "relinKeys", b -> SealFormat.readRelinKeys(CONTEXT, b),
      "galoisKeys", b -> SealFormat.readGaloisKeys(CONTEXT, b, MAX_GALOIS_KEYS),
      "secretKey", b -> SealFormat.readSecretKey(CONTEXT, b, ACCESS));

  /** Writes the seeds with -Dpolyhe.fuzz.writeSeeds=true; always checks the committed ones decode. */
  @Test
  void seedCorpus() {
    seeds().forEach((method, seeds) -> SeedCorpus.write(SealFormatFuzzTest.class, method, seeds));
    READERS.forEach((method, reader) -> {
      for (Path p : SeedCorpus.validSeeds(SealFormatFuzzTest.class, method)) {
        reader.apply(SeedCorpus.read(p));
      }
    });
  }
}
