/**
 * The polyhe client SDK: {@link io.polyhe.client.PolyheClient} (over any gRPC channel, deadlines
 * on every call), {@link io.polyhe.client.Keyring} (the secret key, encrypted at rest under a
 * passphrase), {@link io.polyhe.client.ClientModel} (packing inputs and reading logits from a
 * manifest alone) and {@link io.polyhe.client.ClientSession}, the one way to run encrypted inference
 * and greedy generation (client-aided refresh included). Results are SDK types ({@link
 * io.polyhe.client.ModelInfo}, {@link io.polyhe.client.SessionInfo}, {@link
 * io.polyhe.client.InferenceResult} with its {@link io.polyhe.client.LatencyBreakdown}); protocol
 * messages stay inside, except the manifest a {@link io.polyhe.client.ClientModel} is read from.
 * Depends on he-core and the proto only, never on model internals. See {@link
 * io.polyhe.client.PolyheClient} for a runnable example.
 */
package io.polyhe.client;
