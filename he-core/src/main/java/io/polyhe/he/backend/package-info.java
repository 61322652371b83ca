/**
 * The compute-backend SPI over raw limbs ({@code long[]} of N residues modulo one prime) and its
 * pure-Java implementation. A backend runs the hot loops — NTT/INTT, pointwise modular
 * arithmetic, automorphisms, base conversion — over batches of limbs, in parallel where it can.
 * Backends are stateless with respect to data and thread-safe; callers own the arrays. Native and
 * GPU backends plug in through {@link io.polyhe.he.backend.BackendProvider} ({@link
 * java.util.ServiceLoader}); the Java backend is always present.
 */
package io.polyhe.he.backend;
