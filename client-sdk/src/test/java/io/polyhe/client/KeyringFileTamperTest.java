package io.polyhe.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The keyring file's secret does not come out without the passphrase, and every part of the file is
 * authenticated: one flipped bit in the header (model, parameters, KDF settings, salt, nonce), the
 * ciphertext or the tag is refused, never decrypted to other bytes.
 */
class KeyringFileTamperTest {
  static final char[] PASS = "correct horse battery staple".toCharArray();
  static final String MODEL = "tiny";

  @TempDir Path dir;

  @Test
  void onlyThePassphraseOpensTheFileAndEveryRegionIsAuthenticated() throws Exception {
    byte[] hash = new byte[32];
    byte[] secret = new byte[4096];
    new SecureRandom().nextBytes(hash);
    new SecureRandom().nextBytes(secret);
    Path f = dir.resolve("k.phk");
    KeyringFile.write(f, MODEL, hash, secret, PASS);
    byte[] file = Files.readAllBytes(f);
    assertArrayEquals(secret, KeyringFile.read(f, MODEL, hash, PASS), "the passphrase opens it");
    assertFalse(new String(file, StandardCharsets.ISO_8859_1).contains(
        new String(secret, 100, 32, StandardCharsets.ISO_8859_1)), "no secret bytes in the clear");
    for (String wrong : new String[] {"correct horse battery stapl", "Correct horse battery staple", "x"}) {
      var e = assertThrows(IllegalArgumentException.class, () -> KeyringFile.read(f, MODEL, hash, wrong.toCharArray()));
      assertTrue(e.getMessage().contains("wrong passphrase"), e.getMessage());
    }

    // Offsets of the regions (see KeyringFile's format).
    int name = 4 + 1 + 2;
    int hashAt = name + MODEL.length() + 2;
    int kdf = hashAt + hash.length;
    int salt = kdf + 4 + 4 + 1;
    int nonce = salt + 16;
    int ct = nonce + 12 + 4;
    Map<String, Integer> flips = new LinkedHashMap<>();
    flips.put("model name", name);
    flips.put("parameter hash", hashAt + 5);
    flips.put("Argon2 memory", kdf + 3);
    flips.put("Argon2 passes", kdf + 7);
    flips.put("salt", salt + 3);
    flips.put("nonce", nonce + 7);
    flips.put("ciphertext", ct + secret.length / 2);
    flips.put("tag", file.length - 1);
    for (var e : flips.entrySet()) {
      byte[] t = file.clone();
      t[e.getValue()] ^= 1;
      Path tampered = dir.resolve("tampered.phk");
      Files.write(tampered, t);
      assertThrows(IllegalArgumentException.class, () -> KeyringFile.read(tampered, MODEL, hash, PASS),
          "a flipped bit in the " + e.getKey() + " is detected");
    }
  }
}
