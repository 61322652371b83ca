/**
 * The polyhe client SDK: {@link io.polyhe.client.PolyheClient} (over any gRPC channel, deadlines
 * on every call), {@link io.polyhe.client.Keyring} (the secret key, encrypted at rest under a
 * passphrase), {@link io.polyhe.client.ClientModel} (packing inputs and reading logits from a
 * manifest alone) and {@link io.polyhe.client.ClientSession} (encrypted inference and greedy
 * generation with client-aided refresh). Depends on he-core and the proto only, never on model
 * internals. See {@link io.polyhe.client.PolyheClient} for a runnable example.
 */
package io.polyhe.client;
