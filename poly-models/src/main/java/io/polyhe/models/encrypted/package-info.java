/**
 * Encrypted execution of the polynomial transformer (docs/encrypted.md): the slot layout as data
 * ({@link io.polyhe.models.encrypted.SlotLayout}, {@link io.polyhe.models.encrypted.SlotCodec}),
 * exact weight folding ({@link io.polyhe.models.encrypted.FoldedWeights}), the layers on
 * ciphertexts, refresh points and the level planner ({@link
 * io.polyhe.models.encrypted.RefreshPoints}, {@link io.polyhe.models.encrypted.LevelPlanner}), and
 * one pass as the server and local runs both run it ({@link io.polyhe.models.encrypted.PassRunner}):
 * primitive timing ({@link io.polyhe.models.encrypted.ProfilingArithmetic}, {@link
 * io.polyhe.models.encrypted.NttTimingBackend}), cancellation ({@link
 * io.polyhe.models.encrypted.CancellableArithmetic}) and the bootstrap's sub-step spans.
 *
 * <h2>The pass</h2>
 *
 * {@link io.polyhe.models.encrypted.EncryptedTransformer} is the compiled model (layout,
 * approximations, level needs, weights as linear transforms), written once against {@link
 * io.polyhe.he.circuits.Arithmetic} so plan and run take the same steps. Its package-private parts:
 * a {@code Pass} per forward pass (arithmetic, the {@code RowPlaintexts} of each ciphertext with
 * their {@code LayerBiases}, refresh points, recorder); one class per {@code Block} ({@code
 * NormBlock}, {@code AttentionBlock}, {@code FeedForwardBlock}, {@code HeadBlock}); a {@code Layer}
 * listing its {@code ResidualBlock}s (sequential, or GPT-NeoX's parallel residual); and what the blocks share ({@code BlockContext}, {@code
 * CompiledApproximations}, {@code ScoreMasks}).
 *
 * <p>Nothing here holds a secret key: the in-process client (keys, encryption, client-aided
 * refresh) is the {@code local} module's {@code io.polyhe.local}, which the server cannot depend on.
 */
package io.polyhe.models.encrypted;
