/*
 * polyhe native kernels: the C ABI.
 *
 * Every function works on raw limbs: arrays of n 64-bit residues modulo one prime q, with
 * 2^17 <= q < 2^61 (as he-core's Modulus). Inputs are reduced ([0, q)) and so are outputs; the
 * results are bit-identical to he-core's Java backend, whatever kernel path runs. No C++ types,
 * no allocation on the hot path (NTT plans are created once per prime and ring degree), no
 * global state except the path choice. Errors are negative return codes (POLYHE_E_*); 0 is
 * success.
 *
 * Paths: "ifma" (AVX-512 IFMA for primes below 2^50, AVX-512 for the others), "avx512"
 * (AVX-512F/DQ, 64-bit lanes), "avx2" and "scalar" (portable C with unsigned __int128). The best
 * path the CPU has is chosen when the library is first used; POLYHE_NATIVE_PATH=ifma|avx512|
 * avx2|scalar forces one (polyhe_init fails if the CPU lacks it), and polyhe_select_path switches
 * at run time (tests, benchmarks; not while other threads run kernels).
 *
 * Thread safety: every kernel may run concurrently on distinct output arrays; plans are
 * immutable after creation.
 */
#ifndef POLYHE_NATIVE_H
#define POLYHE_NATIVE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library builds with hidden visibility; only these declarations are exported. */
#if defined(__GNUC__)
#pragma GCC visibility push(default)
#endif

#define POLYHE_ABI_VERSION 3

#define POLYHE_OK 0
#define POLYHE_E_NULL (-1)        /* a required pointer is NULL */
#define POLYHE_E_MODULUS (-2)     /* modulus outside [2^17, 2^61) */
#define POLYHE_E_SIZE (-3)        /* length/log N/count out of range */
#define POLYHE_E_PATH (-4)        /* unknown path, or not supported by this CPU */
#define POLYHE_E_NOMEM (-5)       /* allocation failed */
#define POLYHE_E_TABLES (-6)      /* NTT tables inconsistent with the plan */

/* Kernel paths, also bit positions in polyhe_supported_paths(). */
#define POLYHE_PATH_SCALAR 0
#define POLYHE_PATH_AVX2 1
#define POLYHE_PATH_AVX512 2
#define POLYHE_PATH_IFMA 3

/* ABI version of the loaded library (POLYHE_ABI_VERSION when headers and library agree). */
int polyhe_abi_version(void);

/*
 * Chooses the path (from the CPU, or POLYHE_NATIVE_PATH when set). Idempotent. Returns the path
 * number, or POLYHE_E_PATH when the environment forces a path this CPU lacks.
 */
int polyhe_init(void);

/* Bit i set when path i runs on this CPU. */
int polyhe_supported_paths(void);

/* The path kernels use now. */
int polyhe_active_path(void);

/* Name of a path ("scalar", "avx2", "avx512", "ifma"), or NULL when out of range. */
const char *polyhe_path_name(int path);

/* Switches to the given path; POLYHE_E_PATH when the CPU lacks it. Not thread-safe. */
int polyhe_select_path(int path);

/* ---- NTT ---------------------------------------------------------------------------------- */

/* Immutable tables of one prime and ring degree, with the constants every path needs. */
typedef struct polyhe_ntt_plan polyhe_ntt_plan;

/*
 * Creates a plan from he-core's tables (NttTables): root_powers[k] = psi^bitrev(k),
 * inv_root_powers[k] = psi^-bitrev(k) for k < n = 2^log_n, n_inv = n^-1 mod q. The Shoup
 * constants of every width are derived here. *out receives the plan (free with
 * polyhe_ntt_plan_destroy).
 */
int polyhe_ntt_plan_create(uint64_t q, int log_n, const uint64_t *root_powers,
                           const uint64_t *inv_root_powers, uint64_t n_inv,
                           polyhe_ntt_plan **out);
void polyhe_ntt_plan_destroy(polyhe_ntt_plan *plan);
/* The prime and log2 of the ring degree of a plan (callers check they picked the right one). */
uint64_t polyhe_ntt_plan_modulus(const polyhe_ntt_plan *plan);
int polyhe_ntt_plan_log_n(const polyhe_ntt_plan *plan);

/* In-place forward negacyclic NTT: natural order in, bit-reversed order out (as he-core). */
int polyhe_ntt_forward(const polyhe_ntt_plan *plan, uint64_t *a);
/* In-place inverse negacyclic NTT including 1/n: bit-reversed in, natural order out. */
int polyhe_ntt_inverse(const polyhe_ntt_plan *plan, uint64_t *a);
/* Batched: limb i with plans[i], i < count. */
int polyhe_ntt_forward_batch(const polyhe_ntt_plan *const *plans, uint64_t *const *limbs,
                             int count);
int polyhe_ntt_inverse_batch(const polyhe_ntt_plan *const *plans, uint64_t *const *limbs,
                             int count);

/* ---- pointwise arithmetic (out may alias the inputs) ------------------------------------- */

int polyhe_add(const uint64_t *a, const uint64_t *b, uint64_t *out, size_t n, uint64_t q);
int polyhe_sub(const uint64_t *a, const uint64_t *b, uint64_t *out, size_t n, uint64_t q);
int polyhe_negate(const uint64_t *a, uint64_t *out, size_t n, uint64_t q);
/* out = a * b (Barrett; IFMA Barrett below 2^50). */
int polyhe_mul(const uint64_t *a, const uint64_t *b, uint64_t *out, size_t n, uint64_t q);
/* acc = acc + a * b. */
int polyhe_mul_acc(const uint64_t *a, const uint64_t *b, uint64_t *acc, size_t n, uint64_t q);
/* out = a * s for a reduced scalar s (Shoup). */
int polyhe_mul_scalar(const uint64_t *a, uint64_t s, uint64_t *out, size_t n, uint64_t q);
/* acc = acc + a * s for a reduced scalar s (fused: no temporary limb; since ABI 2). */
int polyhe_mul_scalar_acc(const uint64_t *a, uint64_t s, uint64_t *acc, size_t n, uint64_t q);
/* out = a + s for a reduced scalar s. */
int polyhe_add_scalar(const uint64_t *a, uint64_t s, uint64_t *out, size_t n, uint64_t q);

/* ---- automorphisms (out must not alias in) ------------------------------------------------ */

/* NTT form: out[j] = in[perm[j]], every perm[j] in [0, n). */
int polyhe_permute(const uint64_t *in, const int32_t *perm, uint64_t *out, size_t n);

/*
 * out = (accumulate ? out : 0) + sum_{t < terms} a_t[p(j)] * b_t[j] mod q for each j < n, where
 * p(j) = perm[j] (perm may be NULL: p(j) = j) and 1 <= terms <= 4 (unused a_t, b_t may be NULL).
 * Inputs must be reduced (< q), out too when accumulating. One pass: the products are summed
 * exactly in 128 bits and reduced once (key switching's inner product with its automorphism, and
 * ciphertext-times-plaintext sums, without temporaries; since ABI 3).
 */
int polyhe_mul_sum4(const uint64_t *a0, const uint64_t *b0, const uint64_t *a1, const uint64_t *b1,
                    const uint64_t *a2, const uint64_t *b2, const uint64_t *a3, const uint64_t *b3,
                    int32_t terms, const int32_t *perm, uint64_t *out, size_t n, uint64_t q,
                    int32_t accumulate);
/* Coefficient form: X -> X^galois (galois odd, < 2n), negacyclic sign flips modulo q. */
int polyhe_automorphism_coeff(const uint64_t *in, uint32_t galois, uint64_t *out, size_t n,
                              uint64_t q);

/* ---- rescale / ModDown step ---------------------------------------------------------------- */

/* out = (a - last) * inv mod q, inv = q_last^-1 mod q (reduced). */
int polyhe_subtract_and_scale(const uint64_t *a, const uint64_t *last, uint64_t inv,
                              uint64_t *out, size_t n, uint64_t q);

/* ---- centred fast base conversion (ModUp / ModDown) ----------------------------------------- */

/*
 * Step 1, once per source limb i (first = 1 for i = 0): v = in * hat_inv mod q (written to v,
 * which may alias in) and neg[j] += (v[j] > (q-1)/2), neg zeroed first when first != 0.
 */
int polyhe_convert_scale(const uint64_t *in, uint64_t hat_inv, uint64_t q, uint64_t *v,
                         uint8_t *neg, int first, size_t n);
/*
 * Step 2, once per target limb: out[j] = sum_i v[i*stride + j] * hat[i] - neg[j] * d_mod mod t,
 * for i < from_count (at most 255), with hat[i] = (D/q_i) mod t and d_mod = D mod t. from_q[i]
 * are the source primes (they bound v, which picks the kernel). out must not alias v.
 */
int polyhe_convert_limb(const uint64_t *v, size_t stride, int from_count, const uint64_t *from_q,
                        const uint64_t *hat, const uint8_t *neg, uint64_t d_mod, uint64_t *out,
                        size_t n, uint64_t t);
/*
 * Both steps over whole bases: in[i] (coefficient form) modulo from_q[i], i < from_count; hat is
 * row-major [from_count][to_count]; out[k] modulo to_q[k]. scratch holds from_count*n + n/8 + 1
 * words. Equal to he-core's ComputeBackend.convertBasis.
 */
int polyhe_convert_basis(const uint64_t *const *in, const uint64_t *from_q,
                         const uint64_t *hat_inverse, int from_count, const uint64_t *hat,
                         const uint64_t *d_mod_to, uint64_t *const *out, const uint64_t *to_q,
                         int to_count, size_t n, uint64_t *scratch);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif
#endif
