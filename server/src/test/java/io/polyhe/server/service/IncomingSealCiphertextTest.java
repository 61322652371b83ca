package io.polyhe.server.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksEncoder;
import io.polyhe.he.io.seal.ComprMode;
import io.polyhe.he.io.seal.SealFormat;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.KeyGenerator;
import io.polyhe.he.rlwe.SecretKey;
import io.polyhe.he.rlwe.SymmetricEncryptor;
import io.polyhe.models.encrypted.LevelPlanner;
import io.polyhe.server.model.WireFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SEAL ciphertexts as the Infer input or a refresh answer ({@link IncomingCiphertext} with the SEAL
 * wire format), on 128-bit SEAL-profile parameters at N = 2^13 (3 levels): a valid one, zstd or
 * not, is read; one at another level, with a wrong parms_id, of other parameters, truncated, or
 * declaring a size outside the format's bounds is refused with a message naming what is wrong.
 */
class IncomingSealCiphertextTest {
  static CkksContext context;
  static CkksContext other;
  static SecretKey sk;
  static final double SCALE = 0x1p34;
  static final WireFormat SEAL = WireFormat.of("seal");

  @BeforeAll
  static void keys() {
    context = CkksContext.create(LevelPlanner.SEAL_PROFILE.parameters(13, 3));
    // Other primes (40- and 30-bit): LevelPlanner's SEAL template at fewer levels would share its
    // first primes, and SEAL's parms_id of a level is the hash of that level's primes alone, so its
    // lower levels would be the same levels as these (rightly accepted).
    other = CkksContext.create(io.polyhe.he.ckks.CkksParameters.of(io.polyhe.he.rlwe.RlweParameters.of(
        new io.polyhe.he.ckks.CkksParameters.Literal(13, new int[] {40, 30, 30}, new int[] {60}, 30).ring()
            .withProfile(io.polyhe.he.rlwe.Profile.SEAL)), 0x1p30));
    sk = new KeyGenerator(context.rlwe(), SeedSource.secure()).generateSecretKey();
  }

  static byte[] encrypt(int level, ComprMode mode) {
    double[] v = new double[context.parameters().slots()];
    v[0] = 1.5;
    Ciphertext ct = new SymmetricEncryptor(context.rlwe(), sk, SeedSource.secure())
        .encrypt(new CkksEncoder(context).encode(v, level, SCALE));
    return SealFormat.writeCiphertext(ct, mode);
  }

  static Ciphertext read(byte[] bytes, int level) {
    IncomingCiphertext in = new IncomingCiphertext("input ciphertext", context, bytes.length, level, SCALE,
        ChunkAssembler.Limits.NONE, SEAL);
    return in.add(ByteString.copyFrom(bytes));
  }

  static void refused(byte[] bytes, int level, String named) {
    RuntimeException e = assertThrows(RuntimeException.class, () -> read(bytes, level));
    assertTrue(e.getMessage().contains(named), "the message should name '" + named + "': " + e.getMessage());
  }

  @Test
  void validCiphertextsAreRead() {
    assertEquals(3, read(encrypt(3, ComprMode.NONE), 3).level());
    assertEquals(2, read(encrypt(2, ComprMode.ZSTD), 2).level());
  }

  @Test
  void anotherLevelIsRefused() {
    refused(encrypt(2, ComprMode.NONE), 3, "level");
  }

  @Test
  void aWrongParmsIdIsRefused() {
    byte[] b = encrypt(3, ComprMode.NONE);
    b[16] ^= 1; // the parms_id, right after the 16-byte SEALHeader
    refused(b, 3, "parms_id");
  }

  @Test
  void otherParametersAreRefused() {
    SecretKey s = new KeyGenerator(other.rlwe(), SeedSource.secure()).generateSecretKey();
    double[] v = new double[other.parameters().slots()];
    byte[] b = SealFormat.writeCiphertext(new SymmetricEncryptor(other.rlwe(), s, SeedSource.secure())
        .encrypt(new CkksEncoder(other).encode(v, 2, SCALE)), ComprMode.NONE);
    refused(b, 2, "parms_id");
  }

  @Test
  void truncatedBytesAreRefused() {
    byte[] b = encrypt(3, ComprMode.NONE);
    refused(java.util.Arrays.copyOf(b, b.length - 100), 3, "Ciphertext");
  }

  @Test
  void aDeclaredSizeOutsideTheBoundsIsRefused() {
    long max = SEAL.maxCiphertextBytes(context.parameters(), 3);
    ServiceException e = assertThrows(ServiceException.class, () -> new IncomingCiphertext("input ciphertext",
        context, max + 1, 3, SCALE, ChunkAssembler.Limits.NONE, SEAL));
    assertTrue(e.getMessage().contains("declares"), e.getMessage());
  }
}
