/**
 * Client and server in one process: {@link io.polyhe.local.LocalInference} makes the keys, encrypts
 * the input, runs the encrypted pass with the same {@link io.polyhe.models.encrypted.PassRunner} as
 * the server, refreshes in process ({@link io.polyhe.local.ClientAidedRefresher}, over he-core's
 * {@link io.polyhe.he.ckks.Reencryptor}) or by bootstrapping, and decrypts and checks the logits.
 * Used by {@code polyhe run}, the model benchmarks and the end-to-end tests.
 *
 * <p>This package holds a secret key. It is a module of its own ({@code local}, depending on
 * {@code he-core} and {@code poly-models}) so that the Maven module graph keeps it off the server's
 * class path: the server depends on neither this module nor anything that depends on it, and its
 * architecture test checks that these classes cannot be loaded there.
 */
package io.polyhe.local;
