/*
 * Internal interface between the dispatcher (polyhe.c) and the kernel paths. Each path file
 * fills one polyhe_kernels table; a path compiled for an instruction set is only called after
 * CPUID said the CPU has it.
 */
#ifndef POLYHE_INTERNAL_H
#define POLYHE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "polyhe_native.h"

typedef unsigned __int128 u128;

/* Primes below this bound take the IFMA kernels: lazy values stay below 4q < 2^52. */
#define POLYHE_IFMA_BOUND (1ULL << 50)

struct polyhe_ntt_plan {
  uint64_t q;
  int log_n;
  size_t n;
  /* Forward twiddles psi^bitrev(k) and their Shoup constants floor(w * 2^64 / q). */
  uint64_t *w, *ws;
  /* Inverse twiddles psi^-bitrev(k) and Shoup constants. */
  uint64_t *wi, *wis;
  /* 52-bit Shoup constants floor(w * 2^52 / q) for the IFMA path (NULL when q >= 2^50). */
  uint64_t *ws52, *wis52;
  /* 1/n and the last inverse twiddle with 1/n folded in, with 64- and 52-bit Shoup constants. */
  uint64_t n_inv, n_inv_s, n_inv_s52;
  uint64_t last, last_s, last_s52;
};

/* Barrett constants of a modulus, exactly as he-core's Modulus (shift = bits - 2). */
typedef struct {
  uint64_t q;
  uint64_t barrett; /* floor(2^(64 + shift) / q) */
  int shift;
  int bits;
} polyhe_mod;

static inline polyhe_mod polyhe_mod_make(uint64_t q) {
  polyhe_mod m;
  m.q = q;
  m.bits = 64 - __builtin_clzll(q);
  m.shift = m.bits - 2;
  m.barrett = (uint64_t)(((u128)1 << (64 + m.shift)) / q);
  return m;
}

/* Shoup constant floor(w * 2^64 / q) for w < q. */
static inline uint64_t polyhe_shoup(uint64_t w, uint64_t q) {
  return (uint64_t)(((u128)w << 64) / q);
}

/* 52-bit Shoup constant floor(w * 2^52 / q) for w < q. */
static inline uint64_t polyhe_shoup52(uint64_t w, uint64_t q) {
  return (uint64_t)(((u128)w << 52) / q);
}

typedef struct {
  const char *name;
  void (*ntt_forward)(const polyhe_ntt_plan *p, uint64_t *a);
  void (*ntt_inverse)(const polyhe_ntt_plan *p, uint64_t *a);
  void (*add)(const uint64_t *a, const uint64_t *b, uint64_t *out, size_t n, uint64_t q);
  void (*sub)(const uint64_t *a, const uint64_t *b, uint64_t *out, size_t n, uint64_t q);
  void (*negate)(const uint64_t *a, uint64_t *out, size_t n, uint64_t q);
  void (*add_scalar)(const uint64_t *a, uint64_t s, uint64_t *out, size_t n, uint64_t q);
  void (*mul)(const uint64_t *a, const uint64_t *b, uint64_t *out, size_t n, const polyhe_mod *m);
  void (*mul_acc)(const uint64_t *a, const uint64_t *b, uint64_t *acc, size_t n,
                  const polyhe_mod *m);
  /* out = a * w mod q for a constant w < q; a may be any value below 2^63 (below 2^52 for IFMA). */
  void (*mul_scalar)(const uint64_t *a, uint64_t w, uint64_t *out, size_t n, uint64_t q);
  void (*sub_scale)(const uint64_t *a, const uint64_t *last, uint64_t inv, uint64_t *out,
                    size_t n, uint64_t q);
  /* Step 2 of base conversion (see polyhe_convert_limb). */
  void (*convert_limb)(const uint64_t *v, size_t stride, int from_count, const uint64_t *hat,
                       const uint8_t *neg, uint64_t d_mod, uint64_t *out, size_t n, uint64_t t);
  /* neg[j] = (first ? 0 : neg[j]) + (v[j] > half): the centring count of base conversion. */
  void (*count_upper)(const uint64_t *v, uint64_t half, uint8_t *neg, int first, size_t n);
  /* out (+)= sum_{t<terms} a[t][perm ? perm[j] : j] * b[t][j] mod q, canonical inputs, terms 1..4.
   * NULL: polyhe_mul_sum4's portable 128-bit loop (as fast as any AVX2 emulation, since AVX2 has
   * no 64-bit multiply); IFMA vectorises it. */
  void (*mul_sum4)(const uint64_t *const *a, const uint64_t *const *b, int terms, const int32_t *perm,
                   uint64_t *out, size_t n, uint64_t q, int accumulate);
} polyhe_kernels;

extern const polyhe_kernels polyhe_kernels_scalar;
extern const polyhe_kernels polyhe_kernels_avx2;
extern const polyhe_kernels polyhe_kernels_avx512;
/* IFMA kernels: valid only for moduli below POLYHE_IFMA_BOUND (and, for convert_limb, sources
 * below 2^52); the dispatcher routes other moduli to polyhe_kernels_avx512. */
extern const polyhe_kernels polyhe_kernels_ifma;

#endif
