/*
 * AVX-512 IFMA kernels (vpmadd52luq / vpmadd52huq: 52x52-bit products added to 64-bit lanes),
 * the approach of Intel HEXL. Valid for primes q < 2^50 only: Harvey's lazy butterflies keep
 * values below 4q < 2^52, so every operand fits the 52-bit multiplier and a Shoup product
 * y*w - floor(y * floor(w*2^52/q) / 2^52) * q, which lies in [0, 2q), is exact modulo 2^52.
 * One Shoup product is three IFMA instructions and a mask, against ~15 instructions on the
 * 64-bit AVX-512 path. Larger primes (the 60-bit q_0 and special primes of the presets) are
 * routed to the AVX-512 kernels by the dispatcher.
 */
#include <immintrin.h>

#include "internal.h"

typedef __m512i V;

#define MASK52 ((1ULL << 52) - 1)
#define SET1(x) _mm512_set1_epi64((long long)(x))
#define LOAD(p) _mm512_loadu_si512((const void *)(p))
#define STORE(p, v) _mm512_storeu_si512((void *)(p), (v))

static inline V csub(V x, V c) { return _mm512_min_epu64(x, _mm512_sub_epi64(x, c)); }

/* y * w mod q in [0, 2q) for y < 2^52, ws = floor(w * 2^52 / q). */
static inline V shoup52(V y, V w, V ws, V q) {
  const V zero = _mm512_setzero_si512();
  V quot = _mm512_madd52hi_epu64(zero, y, ws);
  V lo = _mm512_madd52lo_epu64(zero, y, w);
  V qq = _mm512_madd52lo_epu64(zero, quot, q);
  return _mm512_and_si512(_mm512_sub_epi64(lo, qq), SET1(MASK52));
}

static inline __m512i idx8(int a, int b, int c, int d, int e, int f, int g, int h) {
  return _mm512_set_epi64(h, g, f, e, d, c, b, a);
}

/* As in kernels_vec.c: gather the x and y operands of stages with t < 8 into whole vectors. */
static inline void split(V v0, V v1, int t, V *x, V *y) {
  V ix, iy;
  if (t == 4) {
    ix = idx8(0, 1, 2, 3, 8, 9, 10, 11), iy = idx8(4, 5, 6, 7, 12, 13, 14, 15);
  } else if (t == 2) {
    ix = idx8(0, 1, 4, 5, 8, 9, 12, 13), iy = idx8(2, 3, 6, 7, 10, 11, 14, 15);
  } else {
    ix = idx8(0, 2, 4, 6, 8, 10, 12, 14), iy = idx8(1, 3, 5, 7, 9, 11, 13, 15);
  }
  *x = _mm512_permutex2var_epi64(v0, ix, v1);
  *y = _mm512_permutex2var_epi64(v0, iy, v1);
}

static inline void join(V x, V y, int t, V *v0, V *v1) {
  V i0, i1;
  if (t == 4) {
    i0 = idx8(0, 1, 2, 3, 8, 9, 10, 11), i1 = idx8(4, 5, 6, 7, 12, 13, 14, 15);
  } else if (t == 2) {
    i0 = idx8(0, 1, 8, 9, 2, 3, 10, 11), i1 = idx8(4, 5, 12, 13, 6, 7, 14, 15);
  } else {
    i0 = idx8(0, 8, 1, 9, 2, 10, 3, 11), i1 = idx8(4, 12, 5, 13, 6, 14, 7, 15);
  }
  *v0 = _mm512_permutex2var_epi64(x, i0, y);
  *v1 = _mm512_permutex2var_epi64(x, i1, y);
}

static inline V twiddles(const uint64_t *tw, int t) {
  if (t == 1) return LOAD(tw);
  V i = t == 2 ? idx8(0, 0, 1, 1, 2, 2, 3, 3) : idx8(0, 0, 0, 0, 1, 1, 1, 1);
  return _mm512_permutexvar_epi64(i, _mm512_maskz_loadu_epi64(0x0f, tw));
}

static void ntt_forward(const polyhe_ntt_plan *p, uint64_t *a) {
  const size_t n = p->n;
  if (n < 32) {
    polyhe_kernels_scalar.ntt_forward(p, a);
    return;
  }
  const V q = SET1(p->q), two_q = SET1(2 * p->q);
  const uint64_t *w = p->w, *ws = p->ws52;
  size_t t = n, m = 1;
  /* Two stages at a time while t >= 16 (radix-4): halves the passes over the limb. */
  for (; m < n / 2 && t >= 32; m <<= 2) {
    t >>= 2; /* t is the distance of the second stage */
    for (size_t i = 0; i < m; i++) {
      const V w1 = SET1(w[m + i]), w1s = SET1(ws[m + i]);
      const V w2 = SET1(w[2 * m + 2 * i]), w2s = SET1(ws[2 * m + 2 * i]);
      const V w3 = SET1(w[2 * m + 2 * i + 1]), w3s = SET1(ws[2 * m + 2 * i + 1]);
      uint64_t *x0 = a + 4 * i * t, *x1 = x0 + t, *x2 = x1 + t, *x3 = x2 + t;
      for (size_t j = 0; j < t; j += 8) {
        V a0 = LOAD(x0 + j), a1 = LOAD(x1 + j), a2 = LOAD(x2 + j), a3 = LOAD(x3 + j);
        /* stage 1: (a0, a2) and (a1, a3) with w1 */
        a0 = csub(a0, two_q);
        a1 = csub(a1, two_q);
        V v2 = shoup52(a2, w1, w1s, q), v3 = shoup52(a3, w1, w1s, q);
        V b0 = _mm512_add_epi64(a0, v2), b2 = _mm512_add_epi64(_mm512_sub_epi64(a0, v2), two_q);
        V b1 = _mm512_add_epi64(a1, v3), b3 = _mm512_add_epi64(_mm512_sub_epi64(a1, v3), two_q);
        /* stage 2: (b0, b1) with w2, (b2, b3) with w3 */
        b0 = csub(b0, two_q);
        b2 = csub(b2, two_q);
        V u1 = shoup52(b1, w2, w2s, q), u3 = shoup52(b3, w3, w3s, q);
        STORE(x0 + j, _mm512_add_epi64(b0, u1));
        STORE(x1 + j, _mm512_add_epi64(_mm512_sub_epi64(b0, u1), two_q));
        STORE(x2 + j, _mm512_add_epi64(b2, u3));
        STORE(x3 + j, _mm512_add_epi64(_mm512_sub_epi64(b2, u3), two_q));
      }
    }
  }
  for (; m < n / 2; m <<= 1) {
    t >>= 1;
    if (t >= 8) {
      for (size_t i = 0; i < m; i++) {
        const V wv = SET1(w[m + i]), wsv = SET1(ws[m + i]);
        uint64_t *x = a + 2 * i * t, *y = x + t;
        for (size_t j = 0; j < t; j += 8) {
          V u = csub(LOAD(x + j), two_q);
          V v = shoup52(LOAD(y + j), wv, wsv, q);
          STORE(x + j, _mm512_add_epi64(u, v));
          STORE(y + j, _mm512_add_epi64(_mm512_sub_epi64(u, v), two_q));
        }
      }
    } else {
      for (size_t k = 0; k < n; k += 16) {
        V x, y, v0, v1;
        split(LOAD(a + k), LOAD(a + k + 8), (int)t, &x, &y);
        size_t g = m + k / (2 * t);
        V u = csub(x, two_q);
        V v = shoup52(y, twiddles(w + g, (int)t), twiddles(ws + g, (int)t), q);
        join(_mm512_add_epi64(u, v), _mm512_add_epi64(_mm512_sub_epi64(u, v), two_q), (int)t,
             &v0, &v1);
        STORE(a + k, v0);
        STORE(a + k + 8, v1);
      }
    }
  }
  /* Last stage (t = 1), outputs reduced to [0, q). */
  const size_t half = n / 2;
  for (size_t k = 0; k < n; k += 16) {
    V x, y, v0, v1;
    split(LOAD(a + k), LOAD(a + k + 8), 1, &x, &y);
    V u = csub(x, two_q);
    V v = shoup52(y, LOAD(w + half + k / 2), LOAD(ws + half + k / 2), q);
    V r0 = csub(csub(_mm512_add_epi64(u, v), two_q), q);
    V r1 = csub(csub(_mm512_add_epi64(_mm512_sub_epi64(u, v), two_q), two_q), q);
    join(r0, r1, 1, &v0, &v1);
    STORE(a + k, v0);
    STORE(a + k + 8, v1);
  }
}

static void ntt_inverse(const polyhe_ntt_plan *p, uint64_t *a) {
  const size_t n = p->n;
  if (n < 32) {
    polyhe_kernels_scalar.ntt_inverse(p, a);
    return;
  }
  const V q = SET1(p->q), two_q = SET1(2 * p->q);
  const uint64_t *w = p->wi, *ws = p->wis52;
  size_t t = 1, h = n / 2;
  for (; h > 1 && t < 8; h >>= 1, t <<= 1) {
    for (size_t k = 0; k < n; k += 16) {
      V x, y, v0, v1;
      split(LOAD(a + k), LOAD(a + k + 8), (int)t, &x, &y);
      size_t g = h + k / (2 * t);
      V s = csub(_mm512_add_epi64(x, y), two_q);
      V d = _mm512_add_epi64(_mm512_sub_epi64(x, y), two_q);
      V r = shoup52(d, twiddles(w + g, (int)t), twiddles(ws + g, (int)t), q);
      join(s, r, (int)t, &v0, &v1);
      STORE(a + k, v0);
      STORE(a + k + 8, v1);
    }
  }
  /* Two stages at a time (radix-4) while both come before the last one (h = 1). */
  for (; h >= 4; h >>= 2, t <<= 2) {
    size_t h2 = h >> 1;
    for (size_t i = 0; i < h2; i++) {
      const V w1 = SET1(w[h + 2 * i]), w1s = SET1(ws[h + 2 * i]);
      const V w2 = SET1(w[h + 2 * i + 1]), w2s = SET1(ws[h + 2 * i + 1]);
      const V w3 = SET1(w[h2 + i]), w3s = SET1(ws[h2 + i]);
      uint64_t *x0 = a + 4 * i * t, *x1 = x0 + t, *x2 = x1 + t, *x3 = x2 + t;
      for (size_t j = 0; j < t; j += 8) {
        V a0 = LOAD(x0 + j), a1 = LOAD(x1 + j), a2 = LOAD(x2 + j), a3 = LOAD(x3 + j);
        V s0 = csub(_mm512_add_epi64(a0, a1), two_q);
        V d0 = shoup52(_mm512_add_epi64(_mm512_sub_epi64(a0, a1), two_q), w1, w1s, q);
        V s1 = csub(_mm512_add_epi64(a2, a3), two_q);
        V d1 = shoup52(_mm512_add_epi64(_mm512_sub_epi64(a2, a3), two_q), w2, w2s, q);
        STORE(x0 + j, csub(_mm512_add_epi64(s0, s1), two_q));
        STORE(x2 + j, shoup52(_mm512_add_epi64(_mm512_sub_epi64(s0, s1), two_q), w3, w3s, q));
        STORE(x1 + j, csub(_mm512_add_epi64(d0, d1), two_q));
        STORE(x3 + j, shoup52(_mm512_add_epi64(_mm512_sub_epi64(d0, d1), two_q), w3, w3s, q));
      }
    }
  }
  for (; h > 1; h >>= 1, t <<= 1) {
    for (size_t i = 0; i < h; i++) {
      const V wv = SET1(w[h + i]), wsv = SET1(ws[h + i]);
      uint64_t *x = a + 2 * i * t, *y = x + t;
      for (size_t j = 0; j < t; j += 8) {
        V xv = LOAD(x + j), yv = LOAD(y + j);
        STORE(x + j, csub(_mm512_add_epi64(xv, yv), two_q));
        STORE(y + j, shoup52(_mm512_add_epi64(_mm512_sub_epi64(xv, yv), two_q), wv, wsv, q));
      }
    }
  }
  const size_t half = n / 2;
  const V ni = SET1(p->n_inv), nis = SET1(p->n_inv_s52);
  const V wl = SET1(p->last), wls = SET1(p->last_s52);
  for (size_t j = 0; j < half; j += 8) {
    V x = LOAD(a + j), y = LOAD(a + j + half);
    V s = csub(_mm512_add_epi64(x, y), two_q);
    V d = _mm512_add_epi64(_mm512_sub_epi64(x, y), two_q);
    STORE(a + j, csub(shoup52(s, ni, nis, q), q));
    STORE(a + j + half, csub(shoup52(d, wl, wls, q), q));
  }
}

/*
 * a * b mod q for a, b < q < 2^50: the 100-bit product P = hi*2^52 + lo from two IFMAs, then
 * Barrett with c = floor(P / 2^(L-1)) < 2^51 and mu = floor(2^(L+51) / q) < 2^52 (L = bits of q):
 * the estimate floor(c*mu / 2^52) never exceeds floor(P/q) and is at most 2 below it, so
 * r = P - quot*q < 4q < 2^52 is exact modulo 2^52 and two conditional subtractions finish.
 */
typedef struct {
  V q, two_q, mu, mask;
  int l;
} barrett52;

static inline barrett52 barrett52_make(uint64_t q) {
  barrett52 b;
  b.l = 64 - __builtin_clzll(q);
  b.q = SET1(q);
  b.two_q = SET1(2 * q);
  b.mu = SET1((uint64_t)(((u128)1 << (b.l + 51)) / q));
  b.mask = SET1(MASK52);
  return b;
}

static inline V mulmod52(V a, V b, const barrett52 *m) {
  const V zero = _mm512_setzero_si512();
  V lo = _mm512_madd52lo_epu64(zero, a, b);
  V hi = _mm512_madd52hi_epu64(zero, a, b);
  V c = _mm512_or_si512(_mm512_slli_epi64(hi, 53 - m->l), _mm512_srli_epi64(lo, m->l - 1));
  V quot = _mm512_madd52hi_epu64(zero, c, m->mu);
  V r = _mm512_and_si512(_mm512_sub_epi64(lo, _mm512_madd52lo_epu64(zero, quot, m->q)), m->mask);
  return csub(csub(r, m->two_q), m->q);
}

#define TAIL_START(n) ((n) & ~(size_t)7)

static void mul(const uint64_t *a, const uint64_t *b, uint64_t *out, size_t n, const polyhe_mod *m) {
  const barrett52 bm = barrett52_make(m->q);
  size_t j = 0;
  for (; j < TAIL_START(n); j += 8) STORE(out + j, mulmod52(LOAD(a + j), LOAD(b + j), &bm));
  if (j < n) polyhe_kernels_scalar.mul(a + j, b + j, out + j, n - j, m);
}

static void mul_acc(const uint64_t *a, const uint64_t *b, uint64_t *acc, size_t n,
                    const polyhe_mod *m) {
  const barrett52 bm = barrett52_make(m->q);
  size_t j = 0;
  for (; j < TAIL_START(n); j += 8) {
    V r = _mm512_add_epi64(LOAD(acc + j), mulmod52(LOAD(a + j), LOAD(b + j), &bm));
    STORE(acc + j, csub(r, bm.q));
  }
  if (j < n) polyhe_kernels_scalar.mul_acc(a + j, b + j, acc + j, n - j, m);
}

/* Inputs must be below 2^52 (they are residues of primes below 2^52 here). */
static void mul_scalar(const uint64_t *a, uint64_t w, uint64_t *out, size_t n, uint64_t q) {
  const V qv = SET1(q), wv = SET1(w), wsv = SET1(polyhe_shoup52(w, q));
  size_t j = 0;
  for (; j < TAIL_START(n); j += 8) STORE(out + j, csub(shoup52(LOAD(a + j), wv, wsv, qv), qv));
  if (j < n) polyhe_kernels_scalar.mul_scalar(a + j, w, out + j, n - j, q);
}

static void sub_scale(const uint64_t *a, const uint64_t *last, uint64_t inv, uint64_t *out,
                      size_t n, uint64_t q) {
  const V qv = SET1(q), iv = SET1(inv), isv = SET1(polyhe_shoup52(inv, q));
  size_t j = 0;
  for (; j < TAIL_START(n); j += 8) {
    V d = csub(_mm512_sub_epi64(_mm512_add_epi64(LOAD(a + j), qv), LOAD(last + j)), qv);
    STORE(out + j, csub(shoup52(d, iv, isv, qv), qv));
  }
  if (j < n) polyhe_kernels_scalar.sub_scale(a + j, last + j, inv, out + j, n - j, q);
}

/* Sources below 2^52 and target t below 2^50: every term is a 52-bit Shoup product. */
static void convert_limb(const uint64_t *v, size_t stride, int from_count, const uint64_t *hat,
                         const uint8_t *neg, uint64_t d_mod, uint64_t *out, size_t n,
                         uint64_t t) {
  uint64_t hs[256];
  for (int i = 0; i < from_count; i++) hs[i] = polyhe_shoup52(hat[i], t);
  const V tv = SET1(t), two_t = SET1(2 * t), dv = SET1(d_mod), dsv = SET1(polyhe_shoup52(d_mod, t));
  size_t j = 0;
  /* Two vectors per step: the sum is a dependency chain, two chains keep the IFMA units busy. */
  for (; j + 16 <= n; j += 16) {
    V s0 = _mm512_setzero_si512(), s1 = s0;
    for (int i = 0; i < from_count; i++) {
      const V h = SET1(hat[i]), hsv = SET1(hs[i]);
      const uint64_t *vi = v + i * stride + j;
      s0 = csub(_mm512_add_epi64(s0, shoup52(LOAD(vi), h, hsv, tv)), two_t);
      s1 = csub(_mm512_add_epi64(s1, shoup52(LOAD(vi + 8), h, hsv, tv)), two_t);
    }
    V c0 = _mm512_cvtepu8_epi64(_mm_loadl_epi64((const __m128i *)(neg + j)));
    V c1 = _mm512_cvtepu8_epi64(_mm_loadl_epi64((const __m128i *)(neg + j + 8)));
    c0 = csub(shoup52(c0, dv, dsv, tv), tv);
    c1 = csub(shoup52(c1, dv, dsv, tv), tv);
    STORE(out + j, csub(_mm512_sub_epi64(_mm512_add_epi64(csub(s0, tv), tv), c0), tv));
    STORE(out + j + 8, csub(_mm512_sub_epi64(_mm512_add_epi64(csub(s1, tv), tv), c1), tv));
  }
  if (j < n) {
    polyhe_kernels_scalar.convert_limb(v + j, stride, from_count, hat, neg + j, d_mod, out + j,
                                       n - j, t);
  }
}

/*
 * Key switching's inner product: each product reduced by the 52-bit Barrett of mul (canonical
 * inputs below q < 2^50), the terms added with a conditional subtraction each, so the result is
 * the canonical residue, bit for bit the portable 128-bit loop's. The permuted operand is
 * gathered eight lanes at a time (hoisted rotations read the digits through the automorphism).
 */
static void mul_sum4(const uint64_t *const *a, const uint64_t *const *b, int terms, const int32_t *perm,
                     uint64_t *out, size_t n, uint64_t q, int accumulate) {
  const barrett52 bm = barrett52_make(q);
  size_t j = 0;
  for (; j < TAIL_START(n); j += 8) {
    V s = accumulate ? LOAD(out + j) : _mm512_setzero_si512();
    if (perm != NULL) {
      /* Scalar loads into a vector: vpgatherdq is microcoded on some CPUs (AMD Zen 4: 4x slower
       * here than eight loads). */
      const int32_t *pj = perm + j;
      for (int t = 0; t < terms; t++) {
        const uint64_t *at = a[t];
        V x = _mm512_set_epi64((long long)at[pj[7]], (long long)at[pj[6]], (long long)at[pj[5]],
                               (long long)at[pj[4]], (long long)at[pj[3]], (long long)at[pj[2]],
                               (long long)at[pj[1]], (long long)at[pj[0]]);
        s = csub(_mm512_add_epi64(s, mulmod52(x, LOAD(b[t] + j), &bm)), bm.q);
      }
    } else {
      for (int t = 0; t < terms; t++) {
        s = csub(_mm512_add_epi64(s, mulmod52(LOAD(a[t] + j), LOAD(b[t] + j), &bm)), bm.q);
      }
    }
    STORE(out + j, s);
  }
  for (; j < n; j++) {
    size_t k = perm != NULL ? (size_t)perm[j] : j;
    uint64_t s = accumulate ? out[j] : 0;
    for (int t = 0; t < terms; t++) {
      s += (uint64_t)((u128)a[t][k] * b[t][j] % q);
      s = s >= q ? s - q : s;
    }
    out[j] = s;
  }
}

/* Ops without products (NULL here) run on the AVX-512 table; the dispatcher routes them. */
const polyhe_kernels polyhe_kernels_ifma = {
    "ifma", ntt_forward, ntt_inverse, NULL, NULL, NULL, NULL,
    mul, mul_acc, mul_scalar, sub_scale, convert_limb, NULL, mul_sum4,
};
