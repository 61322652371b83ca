/**
 * Polynomial approximations of the non-polynomial functions of the model, as the encrypted
 * pass evaluates them: Chebyshev series (Clenshaw) for the activation and for initial guesses,
 * Newton iterations for {@code 1/x} and {@code 1/sqrt(x)}, and the fitter that chooses degrees
 * and iteration counts over calibrated ranges. Everything here is pure double arithmetic and
 * mirrors {@code poly-models/training/approx.py} operation for operation.
 */
package io.polyhe.models.approx;
