package io.polyhe.he.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.polyhe.fuzz.Contract;
import io.polyhe.fuzz.Contract.Bound;
import io.polyhe.fuzz.SeedCorpus;
import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksPreset;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.KeyGenerator;
import io.polyhe.he.rlwe.SecretKeyAccess;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Fuzz targets of he-core's binary format ({@link HeFormat}), one per object type, each reading
 * through the byte-array reader (which must also reject truncated input and trailing bytes) and the
 * stream reader. The context is {@link Fixture#tiny()} (insecure N = 8, limbs of 30 and 25 bits, so
 * padding bits are exercised) so an execution takes microseconds; the seed corpus holds valid
 * objects of that context (see {@code SeedCorpus}).
 *
 * <p>Documented exceptions: {@link HeFormatException} for every malformed input; the stream readers
 * may also throw {@link IOException} (none here: the source is an array).
 *
 * <p>Allocation bound: {@value #PER_BYTE} bytes per input byte (a packed limb of b ≥ 17 bits per
 * coefficient unpacks into 64-bit words: at most 64/17 < 4 times its size, plus RnsPoly objects and
 * the expanded seeded polynomials, which are at most as large as the stored ones at the same level)
 * plus {@value #CONSTANT} bytes: the XOF state of a seed expansion, the parameter hash, messages, and
 * what Jazzer's instrumentation allocates around our code (measured: a parameters read that
 * allocates 5 KB uninstrumented allocates about 1 MB under the fuzzer). Parameters get a larger
 * constant: a 4 KB blob may hold 510 primes, each primality-tested before the hash is compared. The
 * byte-array readers check the declared body length against the header before allocating, so a
 * length field cannot push them past the bound; a reader that trusted one would allocate up to
 * 2^64 bytes.
 */
class HeFormatFuzzTest {
  static final long PER_BYTE = 32;
  static final long CONSTANT = 2 << 20;
  static final Bound BOUND = new Bound(PER_BYTE, CONSTANT);
  /** Parameters: per prime (8 bytes) one primality test, ~16 KB under instrumentation. */
  static final Bound PARAMETERS_BOUND = new Bound(2048, 4 << 20);

  static final CkksContext CONTEXT = Fixture.tiny().context();
  private static final SecretKeyAccess ACCESS = SecretKeyAccess.explicitlyGranted();

  @FunctionalInterface
  interface StreamReader {
    Object read(ByteArrayInputStream in) throws IOException;
  }

  private static void both(byte[] b, Bound bound, Contract.Decode array, StreamReader stream)
      throws Exception {
    Contract.check(b.length, bound, array, HeFormatException.class);
    Contract.check(b.length, bound, () -> stream.read(new ByteArrayInputStream(b)),
        HeFormatException.class, IOException.class);
  }

  @FuzzTest
  void parameters(byte[] b) throws Exception {
    both(b, PARAMETERS_BOUND, () -> HeFormat.readParameters(b), HeFormat::readParameters);
    both(b, PARAMETERS_BOUND, () -> HeFormat.readParametersInsecureForTestsOnly(b),
        HeFormat::readParametersInsecureForTestsOnly);
  }

  @FuzzTest
  void plaintext(byte[] b) throws Exception {
    both(b, BOUND, () -> HeFormat.readPlaintext(b, CONTEXT), in -> HeFormat.readPlaintext(in, CONTEXT));
  }

  /** Full (2 or 3 parts) and seeded ciphertexts: one reader, the header's flag picks the form. */
  @FuzzTest
  void ciphertext(byte[] b) throws Exception {
    both(b, BOUND, () -> HeFormat.readCiphertext(b, CONTEXT), in -> HeFormat.readCiphertext(in, CONTEXT));
  }

  @FuzzTest
  void publicKey(byte[] b) throws Exception {
    both(b, BOUND, () -> HeFormat.readPublicKey(b, CONTEXT), in -> HeFormat.readPublicKey(in, CONTEXT));
  }

  @FuzzTest
  void relinearizationKey(byte[] b) throws Exception {
    both(b, BOUND, () -> HeFormat.readRelinearizationKey(b, CONTEXT),
        in -> HeFormat.readRelinearizationKey(in, CONTEXT));
  }

  @FuzzTest
  void galoisKey(byte[] b) throws Exception {
    both(b, BOUND, () -> HeFormat.readGaloisKey(b, CONTEXT), in -> HeFormat.readGaloisKey(in, CONTEXT));
  }

  @FuzzTest
  void secretKey(byte[] b) throws Exception {
    both(b, BOUND, () -> HeFormat.readSecretKey(b, CONTEXT, ACCESS),
        in -> HeFormat.readSecretKey(in, CONTEXT, ACCESS));
  }

  // ------------------------------------------------------------------------------ seed corpus

  /** Valid encodings per target, made with the fixture's deterministic keys. */
  static Map<String, Map<String, byte[]>> seeds() {
    Fixture f = Fixture.tiny();
    Map<String, Map<String, byte[]>> all = new LinkedHashMap<>();
    all.put("parameters", Map.of(
        "tiny-insecure-N8", HeFormat.write(f.params()),
        "small-insecure-N1024", HeFormat.write(Fixture.small().params()),
        "N12_QP109_128", HeFormat.write(CkksPreset.N12_QP109_128.parameters())));
    Ciphertext fresh = f.encrypt(1);
    Ciphertext seeded = f.encryptSeeded(2);
    Ciphertext product = f.evaluator().mul(fresh, fresh);
    Map<String, byte[]> cts = new LinkedHashMap<>();
    cts.put("2-part-top", HeFormat.write(fresh));
    cts.put("seeded-top", HeFormat.write(seeded));
    cts.put("3-part-top", HeFormat.write(product));
    cts.put("2-part-level0", HeFormat.write(
        f.encryptor().encrypt(f.encoder().encode(f.values(5), 0, f.params().defaultScale()))));
    all.put("ciphertext", cts);
    all.put("plaintext", Map.of(
        "top", HeFormat.write(f.encode(f.values(3))),
        "level0", HeFormat.write(f.encoder().encode(f.values(4), 0, f.params().defaultScale()))));
    KeyGenerator keys = new KeyGenerator(f.context().rlwe(), SeedSource.deterministicForTestsOnly(11));
    all.put("publicKey", Map.of("pk", HeFormat.write(f.publicKey())));
    all.put("relinearizationKey", Map.of("rlk", HeFormat.write(keys.generateRelinearizationKey(f.secretKey()))));
    all.put("galoisKey", Map.of(
        "g5", HeFormat.write(keys.generateGaloisKey(f.secretKey(), 5)),
        "g15-conjugation", HeFormat.write(keys.generateGaloisKey(f.secretKey(), 2 * f.params().rlwe().n() - 1))));
    all.put("secretKey", Map.of("sk", HeFormat.writeSecretKey(f.secretKey(), ACCESS)));
    return all;
  }

  /** The readers by target, for checking that valid seeds still decode. */
  private static final Map<String, Function<byte[], Object>> READERS = Map.of(
      "parameters", HeFormat::readParametersInsecureForTestsOnly,
      "plaintext", b -> HeFormat.readPlaintext(b, CONTEXT),
      "ciphertext", b -> HeFormat.readCiphertext(b, CONTEXT),
      "publicKey", b -> HeFormat.readPublicKey(b, CONTEXT),
      "relinearizationKey", b -> HeFormat.readRelinearizationKey(b, CONTEXT),
      "galoisKey", b -> HeFormat.readGaloisKey(b, CONTEXT),
      "secretKey", b -> HeFormat.readSecretKey(b, CONTEXT, ACCESS));

  /** Writes the seeds with -Dpolyhe.fuzz.writeSeeds=true; always checks the committed ones decode. */
  @Test
  void seedCorpus() {
    seeds().forEach((method, seeds) -> SeedCorpus.write(HeFormatFuzzTest.class, method, seeds));
    READERS.forEach((method, reader) -> {
      for (Path p : SeedCorpus.validSeeds(HeFormatFuzzTest.class, method)) {
        reader.apply(SeedCorpus.read(p));
      }
    });
  }
}
