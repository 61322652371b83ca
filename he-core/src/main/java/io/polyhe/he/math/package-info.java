/**
 * Word-level modular arithmetic: {@link io.polyhe.he.math.Modulus} (Barrett and Shoup constants),
 * deterministic NTT-friendly prime generation ({@link io.polyhe.he.math.Primes}) and negacyclic NTT
 * tables ({@link io.polyhe.he.math.NttTables}). Everything here is immutable and thread-safe; the
 * compute backends need nothing above this package.
 */
package io.polyhe.he.math;
