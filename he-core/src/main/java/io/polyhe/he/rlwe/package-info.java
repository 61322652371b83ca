/**
 * Ring-LWE: validated ring parameters and their 128-bit security check ({@link
 * io.polyhe.he.rlwe.RlweParameters}), the context that binds them to a backend, keys, plaintexts and
 * ciphertexts with their metadata (level, scale, parameter hash), public-key and seeded symmetric
 * encryption, and decryption.
 */
package io.polyhe.he.rlwe;
