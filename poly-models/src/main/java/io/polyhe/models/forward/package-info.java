/**
 * Plaintext forward passes in double precision: <em>exact</em> (true softmax, exact division,
 * exact {@code 1/sqrt}, exact tanh-GELU) and <em>poly-plain</em> (every approximation of the
 * configuration applied as the encrypted pass will), one token at a time with a key/value cache,
 * plus greedy generation.
 */
package io.polyhe.models.forward;
