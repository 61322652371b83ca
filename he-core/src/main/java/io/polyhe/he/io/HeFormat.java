package io.polyhe.he.io;

import io.polyhe.he.ckks.CkksContext;
import io.polyhe.he.ckks.CkksParameters;
import io.polyhe.he.ring.RnsPoly;
import io.polyhe.he.rlwe.Ciphertext;
import io.polyhe.he.rlwe.GaloisKey;
import io.polyhe.he.rlwe.RelinearizationKey;
import io.polyhe.he.rlwe.SwitchingKey;
import io.polyhe.he.rlwe.Plaintext;
import io.polyhe.he.rlwe.PublicKey;
import io.polyhe.he.rlwe.RlweContext;
import io.polyhe.he.rlwe.RlweParameters;
import io.polyhe.he.rlwe.SecretKey;
import io.polyhe.he.rlwe.SecretKeyAccess;
import io.polyhe.he.rlwe.SymmetricEncryptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * Reads and writes every HE object in polyhe's binary format, version {@value #VERSION} (layout in
 * the {@link io.polyhe.he.io package documentation}).
 *
 * <p><b>Writing</b> produces exactly {@code serializedSize(object)} bytes. A seeded ciphertext
 * ({@link Ciphertext#isSeeded()}) is written as {@code c_0} plus its 32-byte seed, a public key as
 * {@code b} plus the seed of {@code a}. Writers refuse (with {@link IllegalArgumentException})
 * objects whose residues are not reduced, so they never emit bytes a reader would reject.
 *
 * <p><b>Reading</b> validates everything against the given context and throws {@link
 * HeFormatException} on the first violation: magic, version, object type, flags, parameter hash,
 * the body length against the length implied by the header and the fixed part of the body (checked
 * before anything large is allocated, so a forged length cannot exhaust memory), level, polynomial
 * count, scale, every coefficient below its modulus, zero padding bits, and the input length (the
 * byte-array readers reject truncated input and trailing bytes; the stream readers consume exactly
 * one object and leave the stream just after it, so objects may be concatenated).
 *
 * <p><b>Secrets</b>: the secret key is written and read only through {@link #writeSecretKey} and
 * {@link #readSecretKey}, which take a {@link SecretKeyAccess} token; no exception message contains
 * key material, and temporary copies are overwritten.
 *
 * <p>Stateless and thread-safe. Streams are neither buffered nor closed here: pass a buffered
 * stream for small unbuffered sinks and sources.
 */
public final class HeFormat {
  /** The format version this code writes and the only one it reads. */
  public static final int VERSION = 1;

  private static final PolyCodec.Rules PLAINTEXT_RULES = PolyCodec.Rules.of(PolyCodec.MODULI_Q, 1);
  private static final PolyCodec.Rules CIPHERTEXT_RULES =
      PolyCodec.Rules.of(PolyCodec.MODULI_Q, 2, 3);
  private static final PolyCodec.Rules SEEDED_CIPHERTEXT_RULES =
      PolyCodec.Rules.of(PolyCodec.MODULI_Q, 1);

  private HeFormat() {}

  @FunctionalInterface
  private interface Writer {
    void write(Output out) throws IOException;
  }

  @FunctionalInterface
  private interface Reader<T> {
    T read(Input in) throws IOException;
  }

  private static byte[] toBytes(long size, Writer writer) {
    Output.OfArray out = Output.ofSize(size);
    try {
      writer.write(out);
      out.finish();
    } catch (IOException e) {
      throw new UncheckedIOException("unexpected I/O error writing to an array", e);
    }
    return out.result();
  }

  private static void toStream(OutputStream stream, boolean secret, Writer writer)
      throws IOException {
    Output out = Output.of(Objects.requireNonNull(stream, "out"));
    try {
      writer.write(out);
      out.finish();
    } finally {
      if (secret) {
        out.wipe();
      }
    }
  }

  private static <T> T fromBytes(byte[] bytes, Reader<T> reader) {
    try {
      return reader.read(Input.of(Objects.requireNonNull(bytes, "bytes")));
    } catch (IOException e) {
      throw new UncheckedIOException("unexpected I/O error reading from an array", e);
    }
  }

  private static <T> T fromStream(InputStream in, Reader<T> reader) throws IOException {
    return reader.read(Input.of(Objects.requireNonNull(in, "in")));
  }

  // ------------------------------------------------------------------------------ header

  /**
   * Reads and checks the header of a serialised object without reading its body: magic, version,
   * a known object type and flags allowed for it. Useful to dispatch on {@link Header#type()}.
   *
   * @throws HeFormatException on the first violation, or if fewer than {@value Header#BYTES} bytes
   */
  public static Header readHeader(byte[] bytes) {
    return fromBytes(bytes, in -> Header.read(in, null, null, null));
  }

  // ------------------------------------------------------------------------------ parameters

  /** Serialised size of {@code params}: {@code 48 + 16 + 8·(L+1+K)} bytes. */
  public static long serializedSize(CkksParameters params) {
    return Header.BYTES + ParametersCodec.bodyBytes(params.rlwe().qCount(), params.rlwe().pCount());
  }

  /** Serialises CKKS parameters (ring degree, primes, default scale). */
  public static byte[] write(CkksParameters params) {
    return toBytes(serializedSize(params), out -> ParametersCodec.write(out, params));
  }

  /** Streams CKKS parameters to {@code out}. */
  public static void write(CkksParameters params, OutputStream out) throws IOException {
    toStream(out, false, o -> ParametersCodec.write(o, params));
  }

  /**
   * Reads parameters and re-runs their full validation: every prime is a prime {@code ≡ 1 mod 2N}
   * in the supported range and distinct, the header hash equals the hash recomputed from the body,
   * the default scale is valid, and the parameters meet 128-bit security.
   *
   * @throws HeFormatException on any violation, including parameters below 128-bit security
   */
  public static CkksParameters readParameters(byte[] bytes) {
    return fromBytes(bytes, in -> ParametersCodec.read(in, false));
  }

  /** Stream variant of {@link #readParameters(byte[])}; reads exactly one object. */
  public static CkksParameters readParameters(InputStream in) throws IOException {
    return fromStream(in, i -> ParametersCodec.read(i, false));
  }

  /**
   * Like {@link #readParameters(byte[])} but accepts parameters below 128-bit security (returned
   * with {@link RlweParameters#isInsecure()} true). For tests only: data under such parameters is
   * not protected. Parameters that do meet the standard come back as secure ones.
   */
  public static CkksParameters readParametersInsecureForTestsOnly(byte[] bytes) {
    return fromBytes(bytes, in -> ParametersCodec.read(in, true));
  }

  /** Stream variant of {@link #readParametersInsecureForTestsOnly(byte[])}. For tests only. */
  public static CkksParameters readParametersInsecureForTestsOnly(InputStream in)
      throws IOException {
    return fromStream(in, i -> ParametersCodec.read(i, true));
  }

  // ------------------------------------------------------------------------------ plaintexts

  /** Serialised size of {@code pt}. */
  public static long serializedSize(Plaintext pt) {
    return Header.BYTES
        + PolyCodec.bodyBytes(pt.parameters(), pt.level(), PolyCodec.MODULI_Q, 1, false);
  }

  /** Serialises a plaintext (level, scale, one polynomial). */
  public static byte[] write(Plaintext pt) {
    return toBytes(serializedSize(pt), out -> writePlaintext(out, pt));
  }

  /** Streams a plaintext to {@code out}. */
  public static void write(Plaintext pt, OutputStream out) throws IOException {
    toStream(out, false, o -> writePlaintext(o, pt));
  }

  private static void writePlaintext(Output out, Plaintext pt) throws IOException {
    PolyCodec.write(
        out, ObjectType.PLAINTEXT, pt.parameters(), pt.level(), PolyCodec.MODULI_Q, pt.scale(),
        null, new RnsPoly[] {pt.poly()});
  }

  /**
   * Reads a plaintext of {@code context}'s parameters.
   *
   * @throws HeFormatException on the first violation
   */
  public static Plaintext readPlaintext(byte[] bytes, CkksContext context) {
    return fromBytes(bytes, in -> readPlaintext(in, context.rlwe()));
  }

  /** Stream variant of {@link #readPlaintext(byte[], CkksContext)}; reads exactly one object. */
  public static Plaintext readPlaintext(InputStream in, CkksContext context) throws IOException {
    return fromStream(in, i -> readPlaintext(i, context.rlwe()));
  }

  private static Plaintext readPlaintext(Input in, RlweContext context) throws IOException {
    Header header = readHeaderFor(in, ObjectType.PLAINTEXT, context);
    PolyCodec.Body body = PolyCodec.read(in, header, context, PLAINTEXT_RULES);
    return new Plaintext(context.parameters(), body.polys()[0], body.scale());
  }

  // ------------------------------------------------------------------------------ ciphertexts

  /** Serialised size of {@code ct}: with a seed if {@link Ciphertext#isSeeded()}. */
  public static long serializedSize(Ciphertext ct) {
    return ciphertextSize(ct.parameters(), ct.level(), ct.size(), ct.isSeeded());
  }

  /**
   * Serialised size of a ciphertext of {@code parts} (2 or 3) polynomials at {@code level}, seeded
   * or not (only 2-part ciphertexts can be seeded). Lets a receiver bound what it accepts.
   */
  public static long ciphertextSize(RlweParameters params, int level, int parts, boolean seeded) {
    if (level < 0 || level > params.maxLevel()) {
      throw new IllegalArgumentException(
          "level " + level + " out of range [0, " + params.maxLevel() + "]");
    }
    if (parts < 2 || parts > 3 || (seeded && parts != 2)) {
      throw new IllegalArgumentException(
          "a ciphertext has 2 or 3 parts, and only a 2-part one is seeded");
    }
    return Header.BYTES
        + PolyCodec.bodyBytes(params, level, PolyCodec.MODULI_Q, seeded ? 1 : parts, seeded);
  }

  /**
   * Serialises a ciphertext: all its polynomials, or {@code c_0} and the 32-byte seed of {@code
   * c_1} if it is seeded (about half the size).
   */
  public static byte[] write(Ciphertext ct) {
    return toBytes(serializedSize(ct), out -> writeCiphertext(out, ct));
  }

  /** Streams a ciphertext to {@code out}. */
  public static void write(Ciphertext ct, OutputStream out) throws IOException {
    toStream(out, false, o -> writeCiphertext(o, ct));
  }

  private static void writeCiphertext(Output out, Ciphertext ct) throws IOException {
    RnsPoly[] polys;
    byte[] seed = null;
    if (ct.isSeeded()) {
      seed = ct.c1Seed();
      polys = new RnsPoly[] {ct.poly(0)};
    } else {
      polys = new RnsPoly[ct.size()];
      for (int i = 0; i < polys.length; i++) {
        polys[i] = ct.poly(i);
      }
    }
    PolyCodec.write(
        out, ObjectType.CIPHERTEXT, ct.parameters(), ct.level(), PolyCodec.MODULI_Q, ct.scale(),
        seed, polys);
  }

  /**
   * Reads a ciphertext (2 or 3 parts, or seeded: {@code c_1} is re-expanded from the seed with
   * {@link SymmetricEncryptor#expandC1}, and the result is seeded again).
   *
   * @throws HeFormatException on the first violation
   */
  public static Ciphertext readCiphertext(byte[] bytes, CkksContext context) {
    return fromBytes(bytes, in -> readCiphertext(in, context.rlwe()));
  }

  /** Stream variant of {@link #readCiphertext(byte[], CkksContext)}; reads exactly one object. */
  public static Ciphertext readCiphertext(InputStream in, CkksContext context) throws IOException {
    return fromStream(in, i -> readCiphertext(i, context.rlwe()));
  }

  private static Ciphertext readCiphertext(Input in, RlweContext context) throws IOException {
    Header header = readHeaderFor(in, ObjectType.CIPHERTEXT, context);
    PolyCodec.Body body =
        PolyCodec.read(
            in, header, context, header.seeded() ? SEEDED_CIPHERTEXT_RULES : CIPHERTEXT_RULES);
    RnsPoly[] polys = body.polys();
    if (header.seeded()) {
      RnsPoly c1 = SymmetricEncryptor.expandC1(context, body.level(), body.seed());
      polys = new RnsPoly[] {polys[0], c1};
    }
    return new Ciphertext(context.parameters(), polys, body.scale(), body.seed());
  }

  // ------------------------------------------------------------------------------ public keys

  /**
   * Serialised size of {@code pk}: {@code b} over all ciphertext and special primes plus the seed of
   * {@code a}.
   */
  public static long serializedSize(PublicKey pk) {
    RlweParameters params = pk.parameters();
    return Header.BYTES
        + PolyCodec.bodyBytes(params, params.maxLevel(), PolyCodec.MODULI_QP, 1, true);
  }

  /**
   * Serialises a public key as {@code b} (over {@code q_0..q_L, p_0..p_{K-1}}) and the 32-byte seed
   * of {@code a}.
   */
  public static byte[] write(PublicKey pk) {
    return toBytes(serializedSize(pk), out -> writePublicKey(out, pk));
  }

  /** Streams a public key to {@code out}. */
  public static void write(PublicKey pk, OutputStream out) throws IOException {
    toStream(out, false, o -> writePublicKey(o, pk));
  }

  private static void writePublicKey(Output out, PublicKey pk) throws IOException {
    RlweParameters params = pk.parameters();
    PolyCodec.write(
        out, ObjectType.PUBLIC_KEY, params, params.maxLevel(), PolyCodec.MODULI_QP, 1.0,
        pk.seed(), new RnsPoly[] {pk.b()});
  }

  /**
   * Reads a public key; {@code a} is re-expanded from its seed ({@link PublicKey#fromSeed}).
   *
   * @throws HeFormatException on the first violation
   */
  public static PublicKey readPublicKey(byte[] bytes, CkksContext context) {
    return fromBytes(bytes, in -> readPublicKey(in, context.rlwe()));
  }

  /** Stream variant of {@link #readPublicKey(byte[], CkksContext)}; reads exactly one object. */
  public static PublicKey readPublicKey(InputStream in, CkksContext context) throws IOException {
    return fromStream(in, i -> readPublicKey(i, context.rlwe()));
  }

  private static PublicKey readPublicKey(Input in, RlweContext context) throws IOException {
    Header header = readHeaderFor(in, ObjectType.PUBLIC_KEY, context);
    PolyCodec.Rules rules =
        new PolyCodec.Rules(
            new int[] {1}, PolyCodec.MODULI_QP, context.parameters().maxLevel(), 1.0, false);
    PolyCodec.Body body = PolyCodec.read(in, header, context, rules);
    return PublicKey.fromSeed(context, body.polys()[0], body.seed());
  }

  // ------------------------------------------------------------------------------ switching keys

  /**
   * Serialised size of a key-switching key of {@code params} (relinearisation or Galois key): the
   * {@code dnum} polynomials {@code b_j} over {@code Q·P} and one seed for all {@code a_j}.
   */
  public static long switchingKeySize(RlweParameters params) {
    return Header.BYTES
        + PolyCodec.bodyBytes(params, params.maxLevel(), PolyCodec.MODULI_QP, params.dnum(), true);
  }

  public static long serializedSize(RelinearizationKey key) {
    return switchingKeySize(key.parameters());
  }

  public static long serializedSize(GaloisKey key) {
    return switchingKeySize(key.parameters());
  }

  /** Serialises a relinearisation key, seeded (about half the size of the expanded key). */
  public static byte[] write(RelinearizationKey key) {
    return toBytes(serializedSize(key), out -> writeSwitchingKey(
        out, ObjectType.RELINEARIZATION_KEY, key.switchingKey(), 0));
  }

  /** Streams a relinearisation key to {@code out}. */
  public static void write(RelinearizationKey key, OutputStream out) throws IOException {
    toStream(out, false, o -> writeSwitchingKey(
        o, ObjectType.RELINEARIZATION_KEY, key.switchingKey(), 0));
  }

  /** Serialises a Galois key, seeded; the Galois element travels in the body's tag. */
  public static byte[] write(GaloisKey key) {
    return toBytes(serializedSize(key), out -> writeSwitchingKey(
        out, ObjectType.GALOIS_KEY, key.switchingKey(), key.galoisElement()));
  }

  /** Streams a Galois key to {@code out}. */
  public static void write(GaloisKey key, OutputStream out) throws IOException {
    toStream(out, false, o -> writeSwitchingKey(
        o, ObjectType.GALOIS_KEY, key.switchingKey(), key.galoisElement()));
  }

  private static void writeSwitchingKey(Output out, ObjectType type, SwitchingKey key, int tag)
      throws IOException {
    RlweParameters params = key.parameters();
    RnsPoly[] polys = new RnsPoly[key.digits()];
    for (int j = 0; j < polys.length; j++) {
      polys[j] = key.b(j);
    }
    PolyCodec.write(
        out, type, params, params.maxLevel(), PolyCodec.MODULI_QP, 1.0, tag, key.seed(), polys);
  }

  /** Reads a relinearisation key; the {@code a_j} are re-expanded from the seed. */
  public static RelinearizationKey readRelinearizationKey(byte[] bytes, CkksContext context) {
    return fromBytes(bytes, in -> readRelinearizationKey(in, context.rlwe()));
  }

  /** Stream variant of {@link #readRelinearizationKey(byte[], CkksContext)}. */
  public static RelinearizationKey readRelinearizationKey(InputStream in, CkksContext context)
      throws IOException {
    return fromStream(in, i -> readRelinearizationKey(i, context.rlwe()));
  }

  private static RelinearizationKey readRelinearizationKey(Input in, RlweContext context)
      throws IOException {
    Header header = readHeaderFor(in, ObjectType.RELINEARIZATION_KEY, context);
    PolyCodec.Body body = PolyCodec.read(in, header, context, switchingKeyRules(context, false));
    return new RelinearizationKey(SwitchingKey.fromSeed(context, body.polys(), body.seed()));
  }

  /** Reads a Galois key; its element is checked to be odd and below 2N. */
  public static GaloisKey readGaloisKey(byte[] bytes, CkksContext context) {
    return fromBytes(bytes, in -> readGaloisKey(in, context.rlwe()));
  }

  /** Stream variant of {@link #readGaloisKey(byte[], CkksContext)}. */
  public static GaloisKey readGaloisKey(InputStream in, CkksContext context) throws IOException {
    return fromStream(in, i -> readGaloisKey(i, context.rlwe()));
  }

  private static GaloisKey readGaloisKey(Input in, RlweContext context) throws IOException {
    Header header = readHeaderFor(in, ObjectType.GALOIS_KEY, context);
    PolyCodec.Body body = PolyCodec.read(in, header, context, switchingKeyRules(context, true));
    int n = context.parameters().n();
    if ((body.tag() & 1) == 0 || body.tag() >= 2 * n) {
      throw new HeFormatException(
          "Galois element " + body.tag() + " is not odd and below 2N = " + 2 * n);
    }
    return new GaloisKey(body.tag(), SwitchingKey.fromSeed(context, body.polys(), body.seed()));
  }

  private static PolyCodec.Rules switchingKeyRules(RlweContext context, boolean tagged) {
    RlweParameters params = context.parameters();
    return new PolyCodec.Rules(
        new int[] {params.dnum()}, PolyCodec.MODULI_QP, params.maxLevel(), 1.0, tagged);
  }

  // ------------------------------------------------------------------------------ secret keys

  /** Serialised size of a secret key of {@code params}: {@code 48 + 8 + 8·ceil(N/32)} bytes. */
  public static long secretKeySize(RlweParameters params) {
    return Header.BYTES + SecretKeyCodec.bodyBytes(params);
  }

  /**
   * Serialises the secret key (ternary coefficients, 2 bits each). The result is secret: store it
   * encrypted and overwrite it when done.
   *
   * @throws SecurityException if {@code access} is null
   */
  public static byte[] writeSecretKey(SecretKey sk, SecretKeyAccess access) {
    requireAccess(access);
    return toBytes(secretKeySize(sk.parameters()), out -> SecretKeyCodec.write(out, sk, access));
  }

  /**
   * Streams the secret key to {@code out}; internal buffers are overwritten afterwards.
   *
   * @throws SecurityException if {@code access} is null
   */
  public static void writeSecretKey(SecretKey sk, SecretKeyAccess access, OutputStream out)
      throws IOException {
    requireAccess(access);
    toStream(out, true, o -> SecretKeyCodec.write(o, sk, access));
  }

  /**
   * Reads a secret key of {@code context}'s parameters. Exception messages name positions, never
   * key material.
   *
   * @throws SecurityException if {@code access} is null (before anything is read)
   * @throws HeFormatException on the first violation
   */
  public static SecretKey readSecretKey(byte[] bytes, CkksContext context, SecretKeyAccess access) {
    requireAccess(access);
    return fromBytes(bytes, in -> SecretKeyCodec.read(in, context.rlwe(), access));
  }

  /** Stream variant of {@link #readSecretKey(byte[], CkksContext, SecretKeyAccess)}. */
  public static SecretKey readSecretKey(
      InputStream in, CkksContext context, SecretKeyAccess access) throws IOException {
    requireAccess(access);
    return fromStream(in, i -> SecretKeyCodec.read(i, context.rlwe(), access));
  }

  private static void requireAccess(SecretKeyAccess access) {
    SecretKeyAccess.require(access);
  }

  // ------------------------------------------------------------------------------ helpers

  private static Header readHeaderFor(Input in, ObjectType type, RlweContext context)
      throws IOException {
    RlweParameters params = context.parameters();
    return Header.read(in, type, params.hash(), "the context's parameters " + params.shortHash());
  }
}
