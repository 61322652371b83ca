package io.polyhe.models.forward;

/** Which arithmetic a plaintext forward pass uses for the non-polynomial functions. */
public enum Mode {
  /** True functions: softmax or power-softmax with exact division, exact 1/sqrt, exact GELU. */
  EXACT,
  /** The configured approximations, exactly as the encrypted pass evaluates them. */
  POLY_PLAIN
}
