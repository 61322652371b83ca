/*
 * The arithmetic of polyhe's CUDA kernels, one coefficient (or one butterfly) at a time, as
 * __host__ __device__ functions: the GPU kernels (src/polyhe_cuda.cu under nvcc) and the host
 * build of the same source (libpolyhe_cuda_host.so, g++; a test library only, never in the jar)
 * call exactly these, so the differential tests that run the host build against the Java backend
 * in CI check every formula here; only launch geometry and device memory stay untested without a
 * GPU.
 *
 * Reductions are Shoup (fixed operand with a precomputed floor(w * 2^64 / q)) or Barrett (as
 * he-core's Modulus.reduce128: shift = bits - 2, constant floor(2^(64 + shift) / q)); there is no
 * 128-bit division or remainder anywhere. 64x64 -> 128-bit products use __umul64hi on the device
 * and unsigned __int128 on the host. Inputs are residues in [0, q) unless a function says it takes
 * lazy values; 2^16 < q < 2^61, so lazy values below 4q fit in 63 bits.
 */
#ifndef POLYHE_CUDA_MATH_H
#define POLYHE_CUDA_MATH_H

#include <stddef.h>
#include <stdint.h>

#if defined(__CUDACC__)
#define PHC_HD __host__ __device__ __forceinline__
#else
#define PHC_HD static inline
#endif

/* High 64 bits of a * b. */
PHC_HD uint64_t phc_mulhi(uint64_t a, uint64_t b) {
#if defined(__CUDA_ARCH__)
  return __umul64hi(a, b);
#else
  return (uint64_t)(((unsigned __int128)a * b) >> 64);
#endif
}

/* x >= c ? x - c : x. */
PHC_HD uint64_t phc_csub(uint64_t x, uint64_t c) { return x >= c ? x - c : x; }

PHC_HD uint64_t phc_add(uint64_t a, uint64_t b, uint64_t q) { return phc_csub(a + b, q); }

PHC_HD uint64_t phc_sub(uint64_t a, uint64_t b, uint64_t q) { return a >= b ? a - b : a + q - b; }

PHC_HD uint64_t phc_neg(uint64_t a, uint64_t q) { return a == 0 ? 0 : q - a; }

/* a * w mod q in [0, 2q) for any a < 2^64, with ws = floor(w * 2^64 / q) (Shoup). */
PHC_HD uint64_t phc_shoup_lazy(uint64_t a, uint64_t w, uint64_t ws, uint64_t q) {
  return a * w - phc_mulhi(a, ws) * q;
}

/* a * w mod q in [0, q) (Shoup). */
PHC_HD uint64_t phc_shoup(uint64_t a, uint64_t w, uint64_t ws, uint64_t q) {
  return phc_csub(phc_shoup_lazy(a, w, ws, q), q);
}

/* Barrett constants of q, as he-core's Modulus. */
typedef struct {
  uint64_t q;
  uint64_t barrett; /* floor(2^(64 + shift) / q) */
  int shift;        /* bits(q) - 2 */
} phc_mod;

/* a * b mod q in [0, q) for a, b < q (Barrett on the 128-bit product, as Modulus.reduce128). */
PHC_HD uint64_t phc_mul(uint64_t a, uint64_t b, phc_mod m) {
  uint64_t lo = a * b, hi = phc_mulhi(a, b);
  uint64_t x1 = (lo >> m.shift) | (hi << (64 - m.shift));
  uint64_t r = lo - phc_mulhi(x1, m.barrett) * m.q;
  return phc_csub(phc_csub(phc_csub(r, 2 * m.q), m.q), m.q);
}

/* acc + a * b mod q. */
PHC_HD uint64_t phc_mul_add(uint64_t acc, uint64_t a, uint64_t b, phc_mod m) {
  return phc_add(acc, phc_mul(a, b, m), m.q);
}

/* ---- NTT butterflies (he-core's JavaKernels, stage by stage, lazy ranges < 4q) ---------------- */

/*
 * Butterfly k (< n/2) of the forward stage with m groups of distance t (m * t = n/2): x at
 * j = 2*i*t + k % t with i = k / t, y at j + t, twiddle w[m + i]. The last stage (t == 1) reduces
 * its outputs to [0, q).
 */
PHC_HD void phc_ntt_forward_butterfly(uint64_t *a, unsigned k, unsigned m, unsigned t, const uint64_t *w,
                                      const uint64_t *ws, uint64_t q) {
  const uint64_t two_q = 2 * q;
  unsigned i = k / t;
  unsigned j = 2 * i * t + (k % t);
  uint64_t x = phc_csub(a[j], two_q);
  uint64_t v = phc_shoup_lazy(a[j + t], w[m + i], ws[m + i], q);
  if (t > 1) {
    a[j] = x + v;
    a[j + t] = x - v + two_q;
  } else {
    a[j] = phc_csub(phc_csub(x + v, two_q), q);
    a[j + t] = phc_csub(phc_csub(x - v + two_q, two_q), q);
  }
}

/*
 * Butterfly k of the inverse stage with h groups of distance t (h > 1): Gentleman-Sande with
 * twiddle iw[h + i]; the last stage (h == 1) pairs k with k + n/2 and folds 1/n into both outputs
 * (n_inv and last = iw[1] * n_inv, with Shoup constants), reducing to [0, q).
 */
PHC_HD void phc_ntt_inverse_butterfly(uint64_t *a, unsigned k, unsigned h, unsigned t, unsigned n,
                                      const uint64_t *iw, const uint64_t *iws, uint64_t q, uint64_t n_inv,
                                      uint64_t n_inv_s, uint64_t last, uint64_t last_s) {
  const uint64_t two_q = 2 * q;
  if (h > 1) {
    unsigned i = k / t;
    unsigned j = 2 * i * t + (k % t);
    uint64_t x = a[j], y = a[j + t];
    a[j] = phc_csub(x + y, two_q);
    a[j + t] = phc_shoup_lazy(x - y + two_q, iw[h + i], iws[h + i], q);
  } else {
    unsigned half = n / 2;
    uint64_t x = a[k], y = a[k + half];
    uint64_t s = phc_csub(x + y, two_q), d = x - y + two_q;
    a[k] = phc_csub(phc_shoup_lazy(s, n_inv, n_inv_s, q), q);
    a[k + half] = phc_csub(phc_shoup_lazy(d, last, last_s, q), q);
  }
}

/* ---- automorphism index maps ------------------------------------------------------------------ */

PHC_HD unsigned phc_bitrev(unsigned x, int bits) {
  unsigned r = 0;
  for (int b = 0; b < bits; b++) {
    r = (r << 1) | ((x >> b) & 1u);
  }
  return r;
}

/*
 * X -> X^galois in coefficient form: coefficient i moves to index (i * galois) mod 2n, negated
 * when that index is >= n. Returns the target index in [0, n) and sets *negate.
 */
PHC_HD unsigned phc_automorphism_coeff_index(unsigned i, unsigned galois, unsigned n, int *negate) {
  unsigned k = (unsigned)(((unsigned long long)i * galois) & (2ull * n - 1));
  *negate = k >= n;
  return k >= n ? k - n : k;
}

/*
 * X -> X^galois in NTT form (bit-reversed slots, slot j = evaluation at psi^(2 bitrev(j) + 1)):
 * slot j of the image reads slot j' with 2 bitrev(j') + 1 = galois (2 bitrev(j) + 1) mod 2n,
 * as RnsRing.nttPermutation.
 */
PHC_HD unsigned phc_ntt_permutation_index(unsigned j, unsigned galois, int logn) {
  unsigned long long mask = (2ull << logn) - 1;
  unsigned long long e = 2ull * phc_bitrev(j, logn) + 1;
  unsigned long long image = (e * galois) & mask;
  return phc_bitrev((unsigned)((image - 1) >> 1), logn);
}

/* ---- centred fast base conversion, per coefficient ------------------------------------------- */

/* Step 1 for source limb i: v = x * hatInverse mod q_i; adds 1 to *negatives when v > (q_i-1)/2. */
PHC_HD uint64_t phc_convert_scale(uint64_t x, uint64_t hat_inv, uint64_t hat_inv_s, uint64_t q,
                                  unsigned *negatives) {
  uint64_t v = phc_shoup(x, hat_inv, hat_inv_s, q);
  *negatives += v > ((q - 1) >> 1);
  return v;
}

/*
 * Step 2 for target t: sum_i v_i * hat_i - negatives * D mod t, with v_i < 2^61 from the sources
 * (any size relative to t: Shoup's product takes any a < 2^64), hat_i < t with Shoup constants,
 * d_mod = D mod t. The running sum stays below 2t. Equal to JavaKernels' centred conversion.
 */
PHC_HD uint64_t phc_convert_accumulate(const uint64_t *v, size_t stride, int from_count, const uint64_t *hat,
                                       const uint64_t *hat_s, unsigned negatives, uint64_t d_mod, uint64_t d_mod_s,
                                       uint64_t t) {
  uint64_t s = 0;
  for (int i = 0; i < from_count; i++) {
    s = phc_csub(s + phc_shoup_lazy(v[(size_t)i * stride], hat[i], hat_s[i], t), 2 * t);
  }
  s = phc_csub(s, t);
  uint64_t c = phc_shoup(negatives, d_mod, d_mod_s, t);
  return s >= c ? s - c : s - c + t;
}

/* Shoup constant floor(w * 2^64 / q) on the host (set-up only). */
static inline uint64_t phc_shoup_constant(uint64_t w, uint64_t q) {
  return (uint64_t)(((unsigned __int128)w << 64) / q);
}

/* Barrett constants on the host (set-up only). */
static inline phc_mod phc_mod_make(uint64_t q) {
  phc_mod m;
  m.q = q;
  int bits = 64 - __builtin_clzll(q);
  m.shift = bits - 2;
  m.barrett = (uint64_t)(((unsigned __int128)1 << (64 + m.shift)) / q);
  return m;
}

#endif
