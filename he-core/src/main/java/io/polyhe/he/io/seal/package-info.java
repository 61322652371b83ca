/**
 * Microsoft SEAL 4.x's serialization of CKKS objects, so that any SEAL program (C++, node-seal,
 * SEAL's other wrappers) can exchange parameters, keys and ciphertexts with polyhe.
 *
 * <h2>API (for the service and the SDKs)</h2>
 *
 * <ul>
 *   <li>{@link io.polyhe.he.io.seal.SealFormat}: static readers and writers.
 *       {@code readParameters(byte[])} returns secure {@link io.polyhe.he.rlwe.RlweParameters} in
 *       the {@link io.polyhe.he.rlwe.Profile#SEAL SEAL profile} ({@code
 *       readParametersInsecureForTestsOnly} skips the 128-bit check); wrap them with {@code
 *       CkksParameters.of(rlwe, scale)} (SEAL's parameters carry no scale) and build a {@code
 *       CkksContext} as usual. {@code writeParameters(params, mode)} gives the bytes a SEAL client
 *       loads with {@code EncryptionParameters::load}. Every object reader takes the {@link
 *       io.polyhe.he.rlwe.RlweContext} the object must belong to: {@code readCiphertext}, {@code
 *       readPublicKey}, {@code readRelinKeys}, {@code readGaloisKeys(context, bytes, maxKeys)},
 *       {@code readSecretKey(context, bytes, access)}; writers: {@code writeCiphertext(ct, mode)},
 *       {@code writePublicKey}, {@code writeRelinKeys}, {@code writeGaloisKeys(keys, mode)}, {@code
 *       writeSecretKey(context, sk, mode, access)}. Readers throw {@link
 *       io.polyhe.he.io.HeFormatException} (an {@code IllegalArgumentException}) whose message names
 *       the field, e.g. {@code "Ciphertext.parms_id … is not a ciphertext level of these
 *       parameters"}; given a context of another profile they throw {@code
 *       IllegalArgumentException}.
 *   <li>{@link io.polyhe.he.io.seal.ComprMode}: {@code NONE} or {@code ZSTD}; readers accept both.
 *   <li>{@link io.polyhe.he.io.seal.SealParmsId}: SEAL's parms_id of a level ({@code ofLevel}),
 *       of the key level ({@code ofKeyLevel}), and SEAL's hex spelling.
 *   <li>Galois elements of a SEAL-profile context: {@code GaloisElements.forRotation(step, params)}
 *       (3^step mod 2N, as SEAL's {@code GaloisTool}); {@code readGaloisKeys} returns keys by
 *       element, so a server can refuse a key for an element its model does not use.
 * </ul>
 *
 * <h2>Layouts (SEAL 4.1; all integers little-endian)</h2>
 *
 * <p>Every object starts with SEAL's 16-byte header: u16 magic {@code 0xA15E}, u8 header size 16,
 * u8 major 4, u8 minor 1, u8 compression mode (0 none, 2 zstd), u16 reserved 0, u64 total size
 * (header included; compressed size when compressed). With zstd, everything after the outer header
 * is one zstd stream of the members below; nested objects are never compressed.
 *
 * <ul>
 *   <li>EncryptionParameters: u8 scheme (2 = CKKS), u64 N, u64 count, count × Modulus, Modulus
 *       plain modulus (0). A Modulus is a header (size 24) and its u64 value. The coefficient
 *       modulus is {@code q_0..q_L, P}.
 *   <li>Ciphertext: 32-byte parms_id, u8 is_ntt_form (1), u64 size, u64 N, u64 prime count, f64
 *       scale, u64 correction factor (1), then the data as a nested DynArray (header, u64 count,
 *       count × u64: part by part, prime by prime, N coefficients each). Seeded (SEAL's symmetric
 *       {@code *Serializable}): the array holds c_0 only and is followed by a PRNG record (header of
 *       size 81, u8 type 1 blake2xb or 2 shake256, 64-byte seed) from which c_1 is drawn.
 *   <li>PublicKey: a 2-part Ciphertext at the key level ({@code (b, a)}), seeded or not.
 *   <li>RelinKeys and GaloisKeys (SEAL's KSwitchKeys): 32-byte key-level parms_id, u64 entry count,
 *       per entry u64 digit count and that many PublicKeys (each with its own header): digit j is
 *       polyhe's {@code (b_j, a_j)}. RelinKeys have one entry (s²); GaloisKeys put element g at
 *       entry {@code (g-1)/2}, empty entries having digit count 0.
 *   <li>SecretKey: key-level parms_id, u64 coefficient count, f64 scale (1), DynArray of s in NTT
 *       form over all primes.
 * </ul>
 *
 * <p>Seeded expansion and the profile's conventions are described in docs/decisions.md (issue 19).
 */
package io.polyhe.he.io.seal;
