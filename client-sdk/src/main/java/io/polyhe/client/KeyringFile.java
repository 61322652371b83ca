package io.polyhe.client;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * The keyring file: a secret key encrypted at rest under a passphrase (Bouncy Castle).
 *
 * <pre>
 * "PHKR" | version u8 = 1 | model name (u16 length + UTF-8) | parameter hash (u16 length + bytes)
 * | Argon2id memory KiB u32 | iterations u32 | parallelism u8 | salt (16) | GCM nonce (12)
 * | ciphertext length u32 | AES-256-GCM ciphertext with 128-bit tag
 * </pre>
 *
 * The AES key comes from Argon2id (version 1.3, 64 MiB, 3 passes: OWASP's second recommended
 * setting) over the passphrase and a random salt; everything before the ciphertext is the GCM
 * associated data, so a file whose model, parameters or KDF settings were changed does not decrypt.
 * A wrong passphrase and a damaged file give the same error. Stateless.
 */
final class KeyringFile {
  private static final byte[] MAGIC = {'P', 'H', 'K', 'R'};
  private static final int VERSION = 1;
  private static final int MEMORY_KIB = 64 * 1024;
  private static final int ITERATIONS = 3;
  private static final int PARALLELISM = 1;
  private static final int MAX_MEMORY_KIB = 1 << 20;
  private static final int MAX_ITERATIONS = 64;
  private static final SecureRandom RANDOM = new SecureRandom();

  private KeyringFile() {}

  static void write(Path file, String model, byte[] paramsHash, byte[] secret, char[] passphrase)
      throws IOException {
    byte[] salt = new byte[16];
    byte[] nonce = new byte[12];
    RANDOM.nextBytes(salt);
    RANDOM.nextBytes(nonce);
    ByteArrayOutputStream header = new ByteArrayOutputStream();
    DataOutputStream h = new DataOutputStream(header);
    h.write(MAGIC);
    h.writeByte(VERSION);
    byte[] name = model.getBytes(StandardCharsets.UTF_8);
    h.writeShort(name.length);
    h.write(name);
    h.writeShort(paramsHash.length);
    h.write(paramsHash);
    h.writeInt(MEMORY_KIB);
    h.writeInt(ITERATIONS);
    h.writeByte(PARALLELISM);
    h.write(salt);
    h.write(nonce);
    byte[] aad = header.toByteArray();
    byte[] key = derive(passphrase, salt, MEMORY_KIB, ITERATIONS, PARALLELISM);
    byte[] ct;
    try {
      ct = gcm(true, key, nonce, aad, secret);
    } catch (InvalidCipherTextException e) {
      throw new IllegalStateException("encryption cannot fail", e);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    DataOutputStream o = new DataOutputStream(all);
    o.write(aad);
    o.writeInt(ct.length);
    o.write(ct);
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, ".keyring-", ".tmp");
    try {
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // Not a POSIX file system: the platform's default permissions apply.
      }
      Files.write(tmp, all.toByteArray());
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  static byte[] read(Path file, String model, byte[] paramsHash, char[] passphrase) throws IOException {
    byte[] all = Files.readAllBytes(file);
    ByteBuffer b = ByteBuffer.wrap(all);
    try {
      byte[] magic = new byte[4];
      b.get(magic);
      if (!Arrays.equals(magic, MAGIC) || (b.get() & 0xff) != VERSION) {
        throw new IllegalArgumentException(file + " is not a polyhe keyring (version " + VERSION + ")");
      }
      byte[] name = new byte[b.getShort() & 0xffff];
      b.get(name);
      byte[] hash = new byte[b.getShort() & 0xffff];
      b.get(hash);
      int memory = b.getInt();
      int iterations = b.getInt();
      int parallelism = b.get() & 0xff;
      byte[] salt = new byte[16];
      b.get(salt);
      byte[] nonce = new byte[12];
      b.get(nonce);
      int aadLength = b.position();
      int ctLength = b.getInt();
      if (ctLength < 16 || ctLength != b.remaining()) {
        throw new IllegalArgumentException(file + " is truncated or has trailing bytes");
      }
      String fileModel = new String(name, StandardCharsets.UTF_8);
      if (!fileModel.equals(model) || !Arrays.equals(hash, paramsHash)) {
        throw new IllegalArgumentException(file + " holds keys for model '" + fileModel
            + "' or other parameters than the server's '" + model + "'");
      }
      if (memory < 8 || memory > MAX_MEMORY_KIB || iterations < 1 || iterations > MAX_ITERATIONS
          || parallelism < 1 || parallelism > 16) {
        throw new IllegalArgumentException(file + " has unreasonable key-derivation settings");
      }
      byte[] ct = new byte[ctLength];
      b.get(ct);
      byte[] key = derive(passphrase, salt, memory, iterations, parallelism);
      try {
        return gcm(false, key, nonce, Arrays.copyOf(all, aadLength), ct);
      } catch (InvalidCipherTextException e) {
        throw new IllegalArgumentException("wrong passphrase or damaged keyring " + file);
      } finally {
        Arrays.fill(key, (byte) 0);
      }
    } catch (java.nio.BufferUnderflowException e) {
      throw new IllegalArgumentException(file + " is truncated");
    }
  }

  private static byte[] derive(char[] passphrase, byte[] salt, int memoryKib, int iterations, int parallelism) {
    if (passphrase.length == 0) {
      throw new IllegalArgumentException("an empty passphrase protects nothing");
    }
    Argon2BytesGenerator gen = new Argon2BytesGenerator();
    gen.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id).withVersion(Argon2Parameters.ARGON2_VERSION_13)
        .withMemoryAsKB(memoryKib).withIterations(iterations).withParallelism(parallelism).withSalt(salt).build());
    byte[] key = new byte[32];
    gen.generateBytes(passphrase, key);
    return key;
  }

  private static byte[] gcm(boolean encrypt, byte[] key, byte[] nonce, byte[] aad, byte[] in)
      throws InvalidCipherTextException {
    GCMModeCipher c = GCMBlockCipher.newInstance(AESEngine.newInstance());
    c.init(encrypt, new AEADParameters(new KeyParameter(key), 128, nonce, aad));
    byte[] out = new byte[c.getOutputSize(in.length)];
    int n = c.processBytes(in, 0, in.length, out, 0);
    n += c.doFinal(out, n);
    return n == out.length ? out : Arrays.copyOf(out, n);
  }
}
