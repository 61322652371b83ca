/**
 * Encrypted execution of the polynomial transformer (docs/encrypted.md): the slot layout as data
 * ({@link io.polyhe.models.encrypted.SlotLayout}, {@link io.polyhe.models.encrypted.SlotCodec}),
 * exact weight folding ({@link io.polyhe.models.encrypted.FoldedWeights}), the layers on
 * ciphertexts ({@link io.polyhe.models.encrypted.EncryptedTransformer}, written once against
 * {@link io.polyhe.he.circuits.Arithmetic} so plan and run take the same steps), refresh points and
 * the level planner ({@link io.polyhe.models.encrypted.RefreshPoints}, {@link
 * io.polyhe.models.encrypted.LevelPlanner}), and primitive timing ({@link
 * io.polyhe.models.encrypted.ProfilingArithmetic}, {@link
 * io.polyhe.models.encrypted.NttTimingBackend}).
 *
 * <p>{@link io.polyhe.models.encrypted.ClientAidedRefresher} and {@link
 * io.polyhe.models.encrypted.LocalInference} hold a secret key: they are the in-process client of
 * tests and of {@code polyhe run}; the server never constructs them (it sends refresh requests to
 * the client instead).
 */
package io.polyhe.models.encrypted;
