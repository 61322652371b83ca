package io.polyhe.models.weights;

/**
 * The weights of one pre-norm block.
 *
 * @param attnNorm norm before attention
 * @param q query projection {@code [d, d]}
 * @param k key projection {@code [d, d]}
 * @param v value projection {@code [d, d]}
 * @param o output projection {@code [d, d]}
 * @param ffnNorm norm before the FFN
 * @param up FFN expansion {@code [d_ff, d]}
 * @param down FFN contraction {@code [d, d_ff]}
 */
public record LayerWeights(
    NormWeights attnNorm, Linear q, Linear k, Linear v, Linear o, NormWeights ffnNorm, Linear up, Linear down) {}
