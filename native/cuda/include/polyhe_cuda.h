/*
 * polyhe CUDA kernels behind one C ABI (issue 9 first stage: staging; issue 22: resident).
 *
 * Two sets of entry points over the same kernels (src/polyhe_cuda.cu, arithmetic in
 * polyhe_cuda_math.h):
 *  - resident (polyhe_cuda_alloc ... polyhe_cuda_r_*): DEVICE pointers to `count` limbs of
 *    n = 2^logn words laid out one limb after another; operations queue on the library's one
 *    stream and return at once; a failure while queueing or running is sticky and returned by the
 *    next polyhe_cuda_synchronize or polyhe_cuda_download. Small per-call arrays (moduli, scalars,
 *    inverses: at most POLYHE_CUDA_MAX_LIMBS) are HOST arrays, passed to kernels by value.
 *  - staging (polyhe_cuda_ntt, _binary, ...): HOST buffers, copied to pooled device memory, run,
 *    and copied back before returning (the SPI backend of the first stage).
 * Results are canonical residues in [0, q), bit-identical to the Java and CPU backends.
 *
 * The same source also builds for the host with a C++ compiler (-DPOLYHE_CUDA_HOST_BUILD:
 * libpolyhe_cuda_host.so, a test library that is never packaged): "device" memory is host memory
 * and each kernel runs as a loop over its grid, so every entry point here can be tested without a
 * GPU; polyhe_cuda_host_build() tells the two apart.
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

#define POLYHE_CUDA_ABI_VERSION 2
/* Most limbs one call takes (per-limb constants travel as kernel parameters). */
#define POLYHE_CUDA_MAX_LIMBS 64
/* Most digits of one key-switching inner product. */
#define POLYHE_CUDA_MAX_TERMS 16

enum {
  POLYHE_CUDA_OK = 0,
  POLYHE_CUDA_ERR_NO_DEVICE = -1,
  POLYHE_CUDA_ERR_CUDA = -2,
  POLYHE_CUDA_ERR_ARGUMENT = -3,
  POLYHE_CUDA_ERR_NO_TABLES = -4
};

enum { POLYHE_CUDA_ADD = 0, POLYHE_CUDA_SUB = 1, POLYHE_CUDA_MUL = 2, POLYHE_CUDA_MUL_ACC = 3 };

enum { POLYHE_CUDA_SCALAR_ADD = 0, POLYHE_CUDA_SCALAR_MUL = 1, POLYHE_CUDA_SCALAR_MUL_ACC = 2 };

/** Version of this ABI (POLYHE_CUDA_ABI_VERSION). */
int polyhe_cuda_abi_version(void);

/** 1 in the host build of these sources (a test library), 0 in the CUDA build. */
int polyhe_cuda_host_build(void);

/** Number of CUDA devices (0 when the driver or a device is missing; 1 in the host build). */
int polyhe_cuda_device_count(void);

/** Selects a device and creates the stream; idempotent. */
int polyhe_cuda_init(int device);

/** Copies the last error message into buf (NUL-terminated, truncated to len). */
void polyhe_cuda_last_error(char *buf, int len);

/** The device's name, SM count and memory (after init). */
void polyhe_cuda_device_name(char *buf, int len);

/**
 * Registers the NTT tables of prime q for n = 2^logn (the arrays of io.polyhe.he.math.NttTables:
 * root powers in bit-reversed order and their Shoup constants, inverse ones, 1/n and the last
 * inverse twiddle with their Shoup constants). Once per (prime, n); later calls are no-ops.
 */
int polyhe_cuda_register_ntt(uint64_t q, int logn, const uint64_t *w, const uint64_t *w_shoup,
                             const uint64_t *iw, const uint64_t *iw_shoup, uint64_t n_inv,
                             uint64_t n_inv_shoup, uint64_t last_iw, uint64_t last_iw_shoup);

/* ---- resident: memory (stream-ordered) ------------------------------------------------------ */

int polyhe_cuda_alloc(uint64_t bytes, void **out);
int polyhe_cuda_free(void *p);
int polyhe_cuda_zero(void *p, uint64_t bytes);
/** Host to device; the host buffer may be reused when this returns. */
int polyhe_cuda_upload(void *dst, const void *src, uint64_t bytes);
/** Device to device. */
int polyhe_cuda_copy(void *dst, const void *src, uint64_t bytes);
/** Waits for the stream, then copies device to host; returns the sticky failure if any. */
int polyhe_cuda_download(void *dst, const void *src, uint64_t bytes);
/** Waits for the stream; returns (and clears) the first failure since the last synchronisation. */
int polyhe_cuda_synchronize(void);

/* ---- resident: kernels on device pointers ----------------------------------------------------- */

/** In-place forward (natural in, bit-reversed out) or inverse NTT of every limb (tables registered). */
int polyhe_cuda_r_ntt(uint64_t *a, int count, int logn, const uint64_t *moduli, int inverse);
/** out = a op b per limb (op: ADD, SUB, MUL; MUL_ACC: out += a*b). */
int polyhe_cuda_r_binary(int op, const uint64_t *a, const uint64_t *b, uint64_t *out, int count, int logn,
                         const uint64_t *moduli);
int polyhe_cuda_r_negate(const uint64_t *a, uint64_t *out, int count, int logn, const uint64_t *moduli);
/** out = a + s_i, a * s_i, or out += a * s_i per limb i (op: SCALAR_*), scalars reduced. */
int polyhe_cuda_r_scalar(int op, const uint64_t *a, const uint64_t *scalars, uint64_t *out, int count, int logn,
                         const uint64_t *moduli);
/** X -> X^galois in NTT form, the slot permutation computed on the device; out must not overlap in. */
int polyhe_cuda_r_automorphism_ntt(const uint64_t *in, int galois, uint64_t *out, int count, int logn);
/** X -> X^galois in coefficient form. */
int polyhe_cuda_r_automorphism_coeff(const uint64_t *in, int galois, uint64_t *out, int count, int logn,
                                     const uint64_t *moduli);
/** out = (a - last) * inverses[i] per limb (rescale / ModDown step). */
int polyhe_cuda_r_subtract_and_scale(const uint64_t *a, const uint64_t *last, const uint64_t *inverses,
                                     uint64_t *out, int count, int logn, const uint64_t *moduli);
/**
 * Centred fast base conversion (see ComputeBackend.convertBasis): in over from[i], out over to[k],
 * hat row-major [from_count][to_count]; out must not overlap in.
 */
int polyhe_cuda_r_convert_basis(const uint64_t *in, const uint64_t *from, const uint64_t *hat_inverse,
                                int from_count, const uint64_t *hat, const uint64_t *d_mod_to, uint64_t *out,
                                const uint64_t *to, int to_count, int logn);
/**
 * The fused key-switching inner product: out0 = sum_j digits[j] * key_b[j], out1 = sum_j digits[j] *
 * key_a[j] per limb (host arrays of `terms` device pointers to `count` limbs each).
 */
int polyhe_cuda_r_keyswitch_inner(const uint64_t *const *digits, const uint64_t *const *key_b,
                                  const uint64_t *const *key_a, int terms, uint64_t *out0, uint64_t *out1, int count,
                                  int logn, const uint64_t *moduli);

/* ---- staging (first stage): host buffers in and out --------------------------------------------- */

/** Forward or inverse negacyclic NTT of every limb, in place. */
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
/** Centred fast base conversion over host buffers (see polyhe_cuda_r_convert_basis). */
int polyhe_cuda_convert_basis(const uint64_t *in, const uint64_t *from, const uint64_t *hat_inverse,
                              int from_count, const uint64_t *hat, const uint64_t *d_mod_to, uint64_t *out,
                              const uint64_t *to, int to_count, int logn);

#ifdef __cplusplus
}
#endif

#endif
