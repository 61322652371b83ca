package io.polyhe.server.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.io.HeFormatException;
import io.polyhe.he.io.seal.ComprMode;
import io.polyhe.he.io.seal.SealFormat;
import io.polyhe.he.ring.SeedSource;
import io.polyhe.he.rlwe.KeyGenerator;
import io.polyhe.he.rlwe.SecretKey;
import io.polyhe.models.encrypted.LevelPlanner;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A session's key file in the SEAL format: the SEAL objects as uploaded, one after another, read
 * back object by object from their headers' sizes (bounded before allocation), on 128-bit
 * SEAL-profile parameters at N = 2^13. A cut-short file, a header without SEAL's magic and a size
 * over the bound are refused.
 */
class SealWireTest {
  static final WireFormat SEAL = WireFormat.of("seal");

  @Test
  void keyFilesAreReadBackObjectByObjectAndDamageIsRefused() throws Exception {
    CkksContext context = CkksContext.create(LevelPlanner.SEAL_PROFILE.parameters(13, 3));
    KeyGenerator kg = new KeyGenerator(context.rlwe(), SeedSource.secure());
    SecretKey sk = kg.generateSecretKey();
    int g = 3;
    byte[] relin = SealFormat.writeRelinKeys(kg.generateRelinearizationKey(sk), ComprMode.ZSTD);
    byte[] galois = SealFormat.writeGaloisKeys(List.of(kg.generateGaloisKey(sk, g)), ComprMode.NONE);
    assertTrue(relin.length <= SEAL.maxKeyBytes(context.parameters()));
    assertTrue(galois.length <= SEAL.maxKeyBytes(context.parameters()));
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    file.write(relin);
    file.write(galois);
    byte[] bytes = file.toByteArray();

    ByteArrayInputStream in = new ByteArrayInputStream(bytes);
    SEAL.readRelinearizationKey(in, context);
    assertEquals(g, SEAL.readGaloisKey(in, context).galoisElement());
    assertEquals(-1, in.read());

    HeFormatException cut = assertThrows(HeFormatException.class, () -> {
      ByteArrayInputStream s = new ByteArrayInputStream(Arrays.copyOf(bytes, relin.length + galois.length / 2));
      SEAL.readRelinearizationKey(s, context);
      SEAL.readGaloisKey(s, context);
    });
    assertTrue(cut.getMessage().contains("cut short"), cut.getMessage());

    byte[] noMagic = relin.clone();
    noMagic[0] = 0;
    assertThrows(HeFormatException.class, () -> SEAL.readRelinearizationKey(new ByteArrayInputStream(noMagic), context));

    byte[] huge = relin.clone();
    huge[14] = 0x7f; // the header's total size, far over the bound: refused before allocating it
    HeFormatException big = assertThrows(HeFormatException.class,
        () -> SEAL.readRelinearizationKey(new ByteArrayInputStream(huge), context));
    assertTrue(big.getMessage().contains("at most"), big.getMessage());
  }
}
