/*
 * polyhe CUDA kernels behind one C ABI (issue 9, first stage: staging).
 *
 * Every function takes HOST buffers of `count` limbs of n = 2^logn unsigned 64-bit words, laid
 * out one limb after another, copies them to device memory taken from a pool (allocated once,
 * grown when a call needs more: no cudaMalloc per operation once warm), runs the kernel on the
 * library's stream, and copies the result back. Results are canonical residues in [0, q) and
 * bit-identical to the Java and CPU backends. Device residency across operations (ciphertexts,
 * keys and weights staying in GPU memory) is the next stage; this ABI is what it will build on.
 *
 * Return value: 0 on success, a negative code on failure; polyhe_cuda_last_error() describes it.
 * Thread-safety: calls are serialised by a mutex inside the library.
 */
#ifndef POLYHE_CUDA_H
#define POLYHE_CUDA_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
  POLYHE_CUDA_OK = 0,
  POLYHE_CUDA_ERR_NO_DEVICE = -1,
  POLYHE_CUDA_ERR_CUDA = -2,
  POLYHE_CUDA_ERR_ARGUMENT = -3,
  POLYHE_CUDA_ERR_NO_TABLES = -4
};

enum {
  POLYHE_CUDA_ADD = 0,
  POLYHE_CUDA_SUB = 1,
  POLYHE_CUDA_MUL = 2,
  POLYHE_CUDA_MUL_ACC = 3
};

/** Version of this ABI. */
int polyhe_cuda_abi_version(void);

/** Number of CUDA devices (0 when the driver or a device is missing). */
int polyhe_cuda_device_count(void);

/** Selects a device and creates the stream; idempotent. */
int polyhe_cuda_init(int device);

/** Copies the last error message into buf (NUL-terminated, truncated to len). */
void polyhe_cuda_last_error(char *buf, int len);

/**
 * Registers the NTT tables of prime q for n = 2^logn (the arrays of io.polyhe.he.math.NttTables:
 * root powers in bit-reversed order and their Shoup constants, inverse ones, 1/n and the last
 * inverse twiddle with their Shoup constants). Once per prime; later calls for q are no-ops.
 */
int polyhe_cuda_register_ntt(uint64_t q, int logn, const uint64_t *w, const uint64_t *w_shoup,
                             const uint64_t *iw, const uint64_t *iw_shoup, uint64_t n_inv,
                             uint64_t n_inv_shoup, uint64_t last_iw, uint64_t last_iw_shoup);

/** Forward (natural in, bit-reversed out) or inverse negacyclic NTT of every limb, in place. */
int polyhe_cuda_ntt(uint64_t *limbs, int count, int logn, const uint64_t *moduli, int inverse);

/** out = a op b per limb (op: ADD, SUB, MUL; MUL_ACC: out += a*b). */
int polyhe_cuda_binary(int op, const uint64_t *a, const uint64_t *b, uint64_t *out, int count, int logn,
                       const uint64_t *moduli);

/** out = -a per limb. */
int polyhe_cuda_negate(const uint64_t *a, uint64_t *out, int count, int logn, const uint64_t *moduli);

/** out = a * scalars[i] (multiply != 0) or a + scalars[i] per limb i. */
int polyhe_cuda_scalar(int multiply, const uint64_t *a, const uint64_t *scalars, uint64_t *out, int count,
                       int logn, const uint64_t *moduli);

/** out[j] = in[permutation[j]] per limb (automorphism in NTT form). */
int polyhe_cuda_permute(const uint64_t *in, const int32_t *permutation, uint64_t *out, int count, int logn);

/** X -> X^galois in coefficient form per limb. */
int polyhe_cuda_automorphism(const uint64_t *in, int galois, uint64_t *out, int count, int logn,
                             const uint64_t *moduli);

/** out = (a - last) * inverses[i] per limb (the rescale step). */
int polyhe_cuda_subtract_and_scale(const uint64_t *a, const uint64_t *last, const uint64_t *inverses,
                                   uint64_t *out, int count, int logn, const uint64_t *moduli);

/**
 * Centred fast base conversion (see ComputeBackend.convertBasis): v_i = in_i * hat_inverse[i] mod
 * from[i]; negatives[j] = #{i : v_i[j] > (from[i]-1)/2}; out_k = sum_i v_i * hat[i*to_count + k] -
 * negatives * d_mod_to[k] mod to[k].
 */
int polyhe_cuda_convert_basis(const uint64_t *in, const uint64_t *from, const uint64_t *hat_inverse,
                              int from_count, const uint64_t *hat, const uint64_t *d_mod_to, uint64_t *out,
                              const uint64_t *to, int to_count, int logn);

#ifdef __cplusplus
}
#endif

#endif
