package io.polyhe.he.io;

import static io.polyhe.he.io.Corrupt.rejects;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.polyhe.he.ckks.CkksPreset;
import io.polyhe.he.rlwe.SecretKey;
import io.polyhe.he.rlwe.SecretKeyAccess;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Corrupted secret keys are refused without a trace of the key in any message. */
class SecretKeyFormatTest {
  private static final SecretKeyAccess ACCESS = SecretKeyAccess.explicitlyGranted();
  private static final int PACKED = Header.BYTES + 8;

  /** Sets the 2-bit code of coefficient {@code k}. */
  private static byte[] code(byte[] sk, int k, int code) {
    return Corrupt.packed(sk, PACKED, 2, k, code);
  }

  /**
   * Asserts that no message in the exception chain shows key material: no 4-byte window of the
   * packed key in hex, no base64 of it, no run of the coefficient values.
   */
  private static void assertNoKeyMaterial(Throwable thrown, SecretKey sk, byte[] serialised) {
    byte[] packed = Arrays.copyOfRange(serialised, PACKED, serialised.length);
    long[] s = sk.ternaryCoefficients(ACCESS);
    List<String> forbidden = new ArrayList<>();
    HexFormat hex = HexFormat.of();
    for (int i = 0; i + 4 <= packed.length; i++) {
      forbidden.add(hex.formatHex(packed, i, i + 4));
      forbidden.add(hex.withUpperCase().formatHex(packed, i, i + 4));
    }
    forbidden.add(Base64.getEncoder().encodeToString(packed).substring(0, 8));
    forbidden.add(Arrays.toString(Arrays.copyOf(s, 8)).replace("]", ""));
    StringBuilder digits = new StringBuilder();
    for (int i = 0; i < Math.min(12, s.length); i++) {
      digits.append(s[i]);
    }
    forbidden.add(digits.toString());
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      String message = String.valueOf(t.getMessage()) + " " + t;
      for (String f : forbidden) {
        assertFalse(message.contains(f), () -> "key material \"" + f + "\" in: " + message);
      }
    }
  }

  private static void rejectsQuietly(
      String fragment, SecretKey sk, byte[] original, Executable read) {
    HeFormatException e = rejects(fragment, read);
    assertNoKeyMaterial(e, sk, original);
  }

  @Test
  void invalidCodeIsNamedByPositionOnly() {
    Fixture f = Fixture.small();
    byte[] sk = HeFormat.writeSecretKey(f.secretKey(), ACCESS);
    for (int k : new int[] {0, 100, 1023}) {
      byte[] bad = code(sk, k, 3);
      HeFormatException e =
          assertThrows(HeFormatException.class, () -> HeFormat.readSecretKey(bad, f.context(), ACCESS));
      assertEquals(
          "secret key coefficient " + k + " has an invalid 2-bit code (only 0, 1, 2 are defined)",
          e.getMessage());
      assertNoKeyMaterial(e, f.secretKey(), sk);
    }
    // The first invalid code is reported.
    byte[] two = code(code(sk, 700, 3), 200, 3);
    rejects("coefficient 200 ",
        () -> HeFormat.readSecretKey(new ByteArrayInputStream(two), f.context(), ACCESS));
  }

  @Test
  void everyCorruptionOfASecretKeyKeepsItSecret() {
    for (Fixture f : List.of(Fixture.tiny(), Fixture.small())) {
      SecretKey key = f.secretKey();
      byte[] sk = HeFormat.writeSecretKey(key, ACCESS);
      for (int len = 0; len < sk.length; len += f.params().n() > 8 ? 7 : 1) {
        byte[] prefix = Arrays.copyOf(sk, len);
        rejectsQuietly("truncated", key, sk, () -> HeFormat.readSecretKey(prefix, f.context(), ACCESS));
        rejectsQuietly("truncated", key, sk,
            () -> HeFormat.readSecretKey(new ByteArrayInputStream(prefix), f.context(), ACCESS));
      }
      rejectsQuietly("trailing bytes", key, sk,
          () -> HeFormat.readSecretKey(Corrupt.append(sk, 3), f.context(), ACCESS));
      rejectsQuietly("body length", key, sk,
          () -> HeFormat.readSecretKey(Corrupt.u64(sk, Corrupt.BODY_LENGTH, 1L << 40), f.context(), ACCESS));
      rejectsQuietly("unsupported secret key encoding 1", key, sk,
          () -> HeFormat.readSecretKey(Corrupt.u8(sk, 48, 1), f.context(), ACCESS));
      rejectsQuietly("reserved secret key fields", key, sk,
          () -> HeFormat.readSecretKey(Corrupt.u8(sk, 55, 1), f.context(), ACCESS));
      rejectsQuietly("invalid 2-bit code", key, sk,
          () -> HeFormat.readSecretKey(code(sk, 5, 3), f.context(), ACCESS));
      rejectsQuietly("found SECRET_KEY", key, sk, () -> HeFormat.readCiphertext(sk, f.context()));
      rejectsQuietly("found SECRET_KEY", key, sk, () -> HeFormat.readPublicKey(sk, f.context()));
      rejectsQuietly("bad polynomial count 0", key, sk,
          () -> HeFormat.readCiphertext(Corrupt.u8(sk, 6, ObjectType.CIPHERTEXT.code()), f.context()));
    }
  }

  @Test
  void paddingOfATinyKeyMustBeZero() {
    Fixture f = Fixture.tiny(); // 8 coefficients: 16 bits used of a 64-bit word
    byte[] sk = HeFormat.writeSecretKey(f.secretKey(), ACCESS);
    assertEquals(PACKED + 8, sk.length);
    rejectsQuietly("nonzero padding bits after the secret key coefficients", f.secretKey(), sk,
        () -> HeFormat.readSecretKey(Corrupt.u8(sk, PACKED + 7, 0x40), f.context(), ACCESS));
  }

  @Test
  void keyOfOtherParametersIsRefused() {
    Fixture n12 = Fixture.preset(CkksPreset.N12_QP109_128);
    Fixture n13 = Fixture.preset(CkksPreset.N13_QP218_128);
    byte[] sk = HeFormat.writeSecretKey(n12.secretKey(), ACCESS);
    rejectsQuietly("parameter hash mismatch", n12.secretKey(), sk,
        () -> HeFormat.readSecretKey(sk, n13.context(), ACCESS));
  }

  @Test
  void toStringShowsNoValues() {
    Fixture f = Fixture.small();
    byte[] sk = HeFormat.writeSecretKey(f.secretKey(), ACCESS);
    assertNoKeyMaterial(new HeFormatException(f.secretKey().toString()), f.secretKey(), sk);
  }
}
