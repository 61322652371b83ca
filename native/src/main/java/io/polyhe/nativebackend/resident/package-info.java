/**
 * CKKS on a resident device (issue 22): {@link io.polyhe.nativebackend.resident.ResidentArithmetic}
 * runs every he-core circuit with ciphertexts, evaluation keys and encoded weights kept in device
 * memory ({@link io.polyhe.he.backend.ResidentDevice}: GPU memory through CUDA, or host memory
 * through the native CPU kernels, which is how every machine's test suite exercises this path), and
 * {@link io.polyhe.nativebackend.resident.ResidentPass} runs a pass with data crossing only at its
 * edges. Results are bit-identical to {@link io.polyhe.he.circuits.CiphertextArithmetic}.
 */
package io.polyhe.nativebackend.resident;
