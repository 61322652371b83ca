/**
 * polyhe's binary format, version 1: one self-checking encoding for every HE object (CKKS
 * parameters, plaintexts, ciphertexts, seeded ciphertexts, public keys, secret keys), read and
 * written by {@link io.polyhe.he.io.HeFormat}. This page is the specification; other
 * implementations (native code, other languages) follow it.
 *
 * <h2>Conventions</h2>
 *
 * <ul>
 *   <li>All integers are unsigned and <b>little-endian</b>; {@code f64} is an IEEE 754 binary64
 *       stored as its bit pattern in a little-endian {@code u64}.
 *   <li>An object is a 48-byte header followed by a body of exactly {@code body length} bytes.
 *       Nothing follows: a byte array holding one object has no trailing bytes. In a stream,
 *       objects may follow each other back to back.
 *   <li>Every field marked <i>reserved</i> must be zero, and readers reject anything else.
 *   <li>{@code N = 2^logN}; {@code q_0..q_L} are the ciphertext primes, {@code p_0..p_{K-1}} the
 *       special primes; {@code b_i = bits(q_i)} is the bit length of {@code q_i} (e.g. 40 for a
 *       40-bit prime).
 * </ul>
 *
 * <h2>Header (48 bytes)</h2>
 *
 * <table class="striped">
 * <caption>Header</caption>
 * <thead><tr><th>offset</th><th>size</th><th>field</th><th>value</th></tr></thead>
 * <tbody>
 * <tr><td>0</td><td>4</td><td>magic</td><td>{@code 50 4C 48 45} ("PLHE")</td></tr>
 * <tr><td>4</td><td>2</td><td>format version</td><td>{@code u16} = 1</td></tr>
 * <tr><td>6</td><td>1</td><td>object type</td><td>{@code u8}, see {@link io.polyhe.he.io.ObjectType}:
 *     1 parameters, 2 plaintext, 3 ciphertext, 4 public key, 5 secret key, 6 relinearisation
 *     key, 7 Galois key; 0 never used</td></tr>
 * <tr><td>7</td><td>1</td><td>flags</td><td>{@code u8}; bit 0 = SEEDED (uniform polynomials stored
 *     as 32-byte seeds). Optional for ciphertexts, required for public, relinearisation and
 *     Galois keys, zero for the other types. Bit 1 = SEAL_PROFILE, parameters only: the
 *     parameters follow {@code Profile.SEAL} (their hash then ends in {@code ";profile=seal"}).
 *     Bits 2..7 reserved.</td></tr>
 * <tr><td>8</td><td>32</td><td>parameter hash</td><td>{@code RlweParameters.hash()} (below). An
 *     object must carry the hash of the context it is read into; a parameters object must carry the
 *     hash recomputed from its own body.</td></tr>
 * <tr><td>40</td><td>8</td><td>body length</td><td>{@code u64}, bytes after the header; must equal
 *     the length implied by the header and the fixed part of the body (formulas below).</td></tr>
 * </tbody>
 * </table>
 *
 * <p>The parameter hash is {@code SHA-256("polyhe.rlwe.v1" || u8 logN || u8 (L+1) || q_0..q_L ||
 * u8 K || p_0..p_{K-1} || u8 α || "ternary-uniform;sigma=3.2;bound=19")}, α the key-switching
 * digit size (for a sparse secret of Hamming weight h the last string is {@code
 * "ternary-sparse;h=<h>;sigma=3.2;bound=19"}, h in decimal; parameters in the SEAL profile append
 * {@code ";profile=seal"}), strings in ASCII without
 * terminator and the primes as <b>big-endian</b> {@code u64} (the one big-endian encoding here;
 * it is defined by {@link io.polyhe.he.rlwe.RlweParameters}). It does not cover the default scale.
 *
 * <p>New object types and flag bits can be added without changing the version (old readers refuse
 * codes and bits they do not know). The version changes only if an existing layout changes.
 *
 * <h2>Packed limbs</h2>
 *
 * <p>A limb of {@code N} residues modulo {@code q_i} takes {@code W_i = ceil(N·b_i/64)} 64-bit
 * little-endian words ({@code 8·W_i} bytes). Bit {@code j} of residue {@code k} is bit {@code t =
 * k·b_i + j} of the limb's bit stream; bit {@code t} of the stream is bit {@code t mod 8} (counting
 * from the least significant) of byte {@code t / 8} of the limb, which is the same as bit {@code t
 * mod 64} of word {@code t / 64}. Every residue must be below {@code q_i}; the bits after the last
 * residue in the last word are padding and must be zero. Because every limb is a whole number of
 * words and the header and body prefixes are multiples of 8 bytes, every limb starts at a multiple
 * of 8 bytes from the start of the object. (For {@code N >= 64} there is never padding.)
 *
 * <p>Example: 8 residues of 5 bits {@code 1, 2, 3, 31, 0, 17, 8, 30} form the word {@code
 * 0x000000F2220F8C41}, i.e. the bytes {@code 41 8C 0F 22 F2 00 00 00} (the top 24 bits are
 * padding).
 *
 * <p>A polynomial is its limbs in the order of its primes: {@code q_0..q_l} (moduli code 0), or
 * {@code q_0..q_l} then {@code p_0..p_{K-1}} (moduli code 1), so it takes {@code P = sum 8·W_i}
 * bytes over those primes. Polynomials are in NTT (evaluation) form, with the NTT of {@code
 * io.polyhe.he.math.NttTables}.
 *
 * <h2>Body of type 1, PARAMETERS</h2>
 *
 * <table class="striped">
 * <caption>Parameters body, length 16 + 8·(L+1+K)</caption>
 * <thead><tr><th>offset</th><th>size</th><th>field</th></tr></thead>
 * <tbody>
 * <tr><td>0</td><td>1</td><td>logN ({@code u8})</td></tr>
 * <tr><td>1</td><td>1</td><td>number of ciphertext primes L+1 ({@code u8}, at least 1)</td></tr>
 * <tr><td>2</td><td>1</td><td>number of special primes K ({@code u8})</td></tr>
 * <tr><td>3</td><td>1</td><td>key-switching digit size α ({@code u8}, 1..L+1): primes per digit</td></tr>
 * <tr><td>4</td><td>4</td><td>secret Hamming weight h ({@code u32}): 0 for a uniform ternary
 *     secret (this field was reserved, and files written before sparse secrets read unchanged),
 *     else the exact number of non-zero secret coefficients, at most N</td></tr>
 * <tr><td>8</td><td>8</td><td>default scale ({@code f64}; finite, at least 2, below q_0)</td></tr>
 * <tr><td>16</td><td>8·(L+1)</td><td>q_0..q_L ({@code u64} each)</td></tr>
 * <tr><td>16+8·(L+1)</td><td>8·K</td><td>p_0..p_{K-1} ({@code u64} each)</td></tr>
 * </tbody>
 * </table>
 *
 * <p>Reading re-runs the full validation of the parameters: each prime in {@code [2^16, 2^60)},
 * prime, {@code ≡ 1 mod 2N}, all distinct; the header hash equal to the hash of the body; and
 * 128-bit security (HomomorphicEncryption.org table) unless read through {@code
 * readParametersInsecureForTestsOnly}.
 *
 * <h2>Body of types 2, 3, 4, 6, 7: PLAINTEXT, CIPHERTEXT, PUBLIC_KEY, RELINEARIZATION_KEY,
 * GALOIS_KEY</h2>
 *
 * <table class="striped">
 * <caption>Polynomial body, length 16 + 32·seeded + k·P</caption>
 * <thead><tr><th>offset</th><th>size</th><th>field</th></tr></thead>
 * <tbody>
 * <tr><td>0</td><td>2</td><td>level l ({@code u16}, at most L)</td></tr>
 * <tr><td>2</td><td>1</td><td>number k of stored polynomials ({@code u8})</td></tr>
 * <tr><td>3</td><td>1</td><td>form ({@code u8}): 0 = NTT, the only one defined</td></tr>
 * <tr><td>4</td><td>1</td><td>moduli ({@code u8}): 0 = {@code q_0..q_l}; 1 = {@code q_0..q_l,
 *     p_0..p_{K-1}}</td></tr>
 * <tr><td>5</td><td>3</td><td>tag ({@code u24}): the Galois element of a GALOIS_KEY; reserved (0)
 *     for every other type</td></tr>
 * <tr><td>8</td><td>8</td><td>scale ({@code f64}; finite and at least 1; exactly 1.0 for a public
 *     key)</td></tr>
 * <tr><td>16</td><td>32 if SEEDED, else 0</td><td>seed of the uniform polynomial</td></tr>
 * <tr><td>16 or 48</td><td>k·P</td><td>the k polynomials, each a packed limb per prime</td></tr>
 * </tbody>
 * </table>
 *
 * <ul>
 *   <li>PLAINTEXT: moduli 0, not seeded, k = 1.
 *   <li>CIPHERTEXT: moduli 0; not seeded, k = 2 or 3 ({@code c_0, c_1[, c_2]}); or SEEDED, k = 1
 *       ({@code c_0}) and {@code c_1 = SymmetricEncryptor.expandC1(context, l, seed)}: SHAKE-256
 *       of {@code seed || 0x00 || "polyhe.ct.c1"} sampled uniformly per limb in NTT form.
 *   <li>PUBLIC_KEY: moduli 1, SEEDED, k = 1 ({@code b}), l = L, scale 1.0; {@code a} is expanded
 *       from the seed as {@code KeyGenerator} does (label {@link io.polyhe.he.rlwe.KeyGenerator#PUBLIC_KEY_A_LABEL}, over {@code
 *       q_0..q_L, p_0..p_{K-1}}).
 *   <li>RELINEARIZATION_KEY and GALOIS_KEY: moduli 1, SEEDED, k = dnum (digits at level L, from
 *       the parameters' digit size), l = L, scale 1.0; the polynomials are {@code b_0..b_{dnum-1}}
 *       and {@code a_j} is SHAKE-256 of {@code seed || 0x00 || "polyhe.swk.a/" || j} sampled
 *       uniformly per limb over {@code q_0..q_L, p_0..p_{K-1}} ({@code SwitchingKey.fromSeed}).
 *       A GALOIS_KEY's tag is its element, odd and below 2N.
 * </ul>
 *
 * <h2>Body of type 5, SECRET_KEY</h2>
 *
 * <table class="striped">
 * <caption>Secret key body, length 8 + 8·ceil(N/32)</caption>
 * <thead><tr><th>offset</th><th>size</th><th>field</th></tr></thead>
 * <tbody>
 * <tr><td>0</td><td>1</td><td>encoding ({@code u8}): 0 = ternary, 2 bits per coefficient</td></tr>
 * <tr><td>1</td><td>7</td><td>reserved</td></tr>
 * <tr><td>8</td><td>8·ceil(N/32)</td><td>the N coefficients of s in coefficient form, packed as a
 *     limb of 2-bit codes: 0 → 0, 1 → +1, 2 → −1; code 3 is invalid</td></tr>
 * </tbody>
 * </table>
 *
 * <p>Secret keys are read and written only through methods that take a {@link
 * io.polyhe.he.rlwe.SecretKeyAccess} token, and no exception message contains key material.
 *
 * <h2>Reading</h2>
 *
 * <p>Readers validate in byte order and throw {@link io.polyhe.he.io.HeFormatException} (an {@link
 * IllegalArgumentException}) at the first violation: magic, version, type (the one asked for),
 * flags, parameter hash (of the context), body length against the implied length (before anything
 * large is allocated), then for byte arrays truncated input or trailing bytes, then each body field
 * and each residue (naming limb and index), and padding.
 */
package io.polyhe.he.io;
