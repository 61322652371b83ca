package io.polyhe.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.he.io.HeFormat;
import io.polyhe.he.rlwe.SecretKeyAccess;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyringTest {
  static final char[] PASS = "correct horse battery staple".toCharArray();
  static ClientModel model;
  static Keyring keyring;
  @TempDir Path dir;

  @BeforeAll
  static void make() {
    model = new ClientModel(SmallManifest.of("small"));
    keyring = Keyring.generate(model);
  }

  @Test
  void savedKeyringLoadsAndDecryptsWhatTheOriginalEncrypted() throws Exception {
    Path f = dir.resolve("keyring.phk");
    keyring.save(f, PASS);
    Keyring loaded = Keyring.load(f, PASS, model);
    byte[] ct = new ClientCipher(keyring).encryptInput(new int[] {2, 3});
    double[][] rows = new ClientCipher(loaded).decryptLogits(ct, 2);
    // Row t of the packed input is token_rows[id] + position_rows[t]; logits read the first 4 slots.
    assertArrayEquals(new double[] {8, 9 + 100, 10 + 200, 11 + 300}, rows[0], 1e-3);
    assertArrayEquals(new double[] {12 + 400, 13 + 500, 14 + 600, 15 + 700}, rows[1], 1e-3);
  }

  @Test
  void theFileHoldsNoSecretKeyBytesInTheClear() throws Exception {
    Path f = dir.resolve("keyring.phk");
    keyring.save(f, PASS);
    byte[] file = Files.readAllBytes(f);
    byte[] sk = HeFormat.writeSecretKey(keyring.secretKey(), SecretKeyAccess.explicitlyGranted());
    byte[] body = java.util.Arrays.copyOfRange(sk, 48, 112);
    assertFalse(new String(file, java.nio.charset.StandardCharsets.ISO_8859_1)
        .contains(new String(body, java.nio.charset.StandardCharsets.ISO_8859_1)));
    assertFalse(keyring.toString().contains("["), keyring.toString());
  }

  @Test
  void wrongPassphraseOrDamagedFileIsRefused() throws Exception {
    Path f = dir.resolve("keyring.phk");
    keyring.save(f, PASS);
    var wrong = assertThrows(IllegalArgumentException.class, () -> Keyring.load(f, "nope".toCharArray(), model));
    assertTrue(wrong.getMessage().contains("wrong passphrase"), wrong.getMessage());
    byte[] b = Files.readAllBytes(f);
    b[b.length - 5] ^= 1;
    Files.write(f, b);
    assertThrows(IllegalArgumentException.class, () -> Keyring.load(f, PASS, model));
    Files.write(f, java.util.Arrays.copyOf(b, 40));
    assertThrows(IllegalArgumentException.class, () -> Keyring.load(f, PASS, model));
  }

  @Test
  void keyringOfAnotherModelIsRefused() throws Exception {
    Path f = dir.resolve("keyring.phk");
    keyring.save(f, PASS);
    ClientModel other = new ClientModel(SmallManifest.of("other"));
    var e = assertThrows(IllegalArgumentException.class, () -> Keyring.load(f, PASS, other));
    assertTrue(e.getMessage().contains("model"), e.getMessage());
  }

  @Test
  void refreshAnswerDecryptsToTheSameValuesAtTheRequestedLevel() {
    ClientCipher c = new ClientCipher(keyring);
    byte[] ct = c.encryptInput(new int[] {1});
    byte[] fresh = c.refresh(ct, 1, model.parameters().defaultScale());
    var parsed = HeFormat.readCiphertext(fresh, model.context());
    assertEquals(1, parsed.level());
    assertTrue(parsed.isSeeded(), "answers travel seeded");
    assertArrayEquals(c.decryptLogits(ct, 1)[0], c.decryptLogits(fresh, 1)[0], 1e-3);
    assertThrows(IllegalArgumentException.class, () -> c.refresh(ct, 99, 1e9));
    assertThrows(IllegalArgumentException.class, () -> c.refresh(new byte[100], 0, 1e9));
  }

  /**
   * A hostile server must not learn secret values from which refreshes fail: a scale without room
   * for the value bound is refused whatever the ciphertext holds, and values past the bound are
   * clamped rather than refused.
   */
  @Test
  void refreshSuccessDependsOnPublicDataOnly() {
    ClientCipher c = new ClientCipher(keyring);
    var encoder = new io.polyhe.he.ckks.CkksEncoder(model.context());
    var encryptor = new io.polyhe.he.rlwe.SymmetricEncryptor(model.context().rlwe(), keyring.secretKey());
    double delta = model.parameters().defaultScale();
    byte[] small = HeFormat.write(encryptor.encrypt(encoder.encode(new double[] {0.5}, 1, delta)));
    byte[] huge = HeFormat.write(encryptor.encrypt(encoder.encode(new double[] {1e5, -1e5}, 1, 0x1p20)));
    // Level 0 at Δ leaves no room for the bound: refused for both, before any decryption.
    assertThrows(IllegalArgumentException.class, () -> c.refresh(small, 0, delta));
    assertThrows(IllegalArgumentException.class, () -> c.refresh(huge, 0, delta));
    double[] back = encoder.decode(new io.polyhe.he.rlwe.Decryptor(model.context().rlwe(), keyring.secretKey())
        .decrypt(HeFormat.readCiphertext(c.refresh(huge, 1, delta), model.context())));
    assertEquals(ClientCipher.REFRESH_VALUE_BOUND, back[0], 1e-2);
    assertEquals(-ClientCipher.REFRESH_VALUE_BOUND, back[1], 1e-2);
  }

  @Test
  void theSecretHasTheHammingWeightTheParametersAskFor() {
    // A bootstrapping server's parameters carry a sparse secret's weight; the client must honour it
    // (a dense secret would overflow the bootstrap's modular reduction). Small and insecure here.
    io.polyhe.he.ckks.CkksParameters sparse = io.polyhe.he.ckks.CkksParameters.insecureForTestsOnly(
        new io.polyhe.he.ckks.CkksParameters.Literal(12, new int[] {36, 30}, new int[] {42}, 30, 0, 16));
    var manifest = SmallManifest.of("sparse", sparse);
    assertThrows(IllegalArgumentException.class, () -> new ClientModel(manifest), "insecure without the opt-in");
    Keyring k = Keyring.generate(new ClientModel(manifest, true));
    assertEquals(16, nonZero(k.secretKey().ternaryCoefficients(SecretKeyAccess.explicitlyGranted())));
    assertTrue(nonZero(keyring.secretKey().ternaryCoefficients(SecretKeyAccess.explicitlyGranted())) > 1000,
        "the dense default stays dense");
  }

  private static long nonZero(long[] s) {
    return java.util.Arrays.stream(s).filter(x -> x != 0).count();
  }
}
