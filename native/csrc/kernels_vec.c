/*
 * 64-bit-lane vector kernels, written once with GCC vector extensions and compiled twice:
 * VW = 8 (AVX-512F/DQ, symbol polyhe_kernels_avx512) and VW = 4 (AVX2, polyhe_kernels_avx2).
 *
 * Neither instruction set multiplies 64x64 -> 128 bits, so the high half of a product is
 * assembled from four 32x32 -> 64 products (vpmuludq); the low half is vpmullq on AVX-512DQ
 * (one instruction on Zen 4) and an emulation on AVX2. That makes a Shoup product ~15 vector
 * instructions for 8 (or 4) lanes, against ~5 scalar instructions per lane with mulx: the gain
 * is real on AVX-512 and modest on AVX2. These kernels serve every prime below 2^61; primes
 * below 2^50 go to the IFMA kernels when that path is active.
 *
 * Lazy values stay below 4q < 2^63, so signed lane comparisons are exact.
 */
#include <immintrin.h>
#include <string.h>

#include "internal.h"

#if VW == 8
typedef uint64_t vu __attribute__((vector_size(64)));
typedef int64_t vi __attribute__((vector_size(64)));
#define KERNELS polyhe_kernels_avx512
#define PATH_NAME "avx512"
#elif VW == 4
typedef uint64_t vu __attribute__((vector_size(32)));
typedef int64_t vi __attribute__((vector_size(32)));
#define KERNELS polyhe_kernels_avx2
#define PATH_NAME "avx2"
#else
#error "VW must be 4 or 8"
#endif

#define SPLAT(x) ((vu){} + (uint64_t)(x))

static inline vu load(const uint64_t *p) {
  vu v;
  memcpy(&v, p, sizeof v);
  return v;
}

static inline void store(uint64_t *p, vu v) { memcpy(p, &v, sizeof v); }

/* Even 32-bit halves multiplied into 64-bit lanes. */
static inline vu mul32(vu a, vu b) {
#if VW == 8
  return (vu)_mm512_mul_epu32((__m512i)a, (__m512i)b);
#else
  return (vu)_mm256_mul_epu32((__m256i)a, (__m256i)b);
#endif
}

/* High 64 bits of the 128-bit lane products (exact). */
static inline vu mulhi(vu a, vu b) {
  const vu m32 = SPLAT(0xffffffffu);
  vu ah = a >> 32, bh = b >> 32;
  vu ll = mul32(a, b), lh = mul32(a, bh), hl = mul32(ah, b), hh = mul32(ah, bh);
  vu mid = (ll >> 32) + (lh & m32) + (hl & m32);
  return hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
}

/* x >= c ? x - c : x, for lanes below 2^63. */
static inline vu csub(vu x, vu c) {
#if VW == 8
  return (vu)_mm512_min_epu64((__m512i)x, (__m512i)(x - c));
#else
  return x - (c & (vu)((vi)x >= (vi)c));
#endif
}

/* a * w mod q in [0, 2q) with Shoup constant ws. */
static inline vu shoup_lazy(vu a, vu w, vu ws, vu q) { return a * w - mulhi(a, ws) * q; }

/*
 * Stages with butterfly distance t < VW: two vectors hold 2*VW consecutive values; split
 * gathers the butterflies' x operands into one vector and their y operands into another, pair p
 * having twiddle index p / t within the block; join undoes it.
 */
#if VW == 8
static inline __m512i idx8(int a, int b, int c, int d, int e, int f, int g, int h) {
  return _mm512_set_epi64(h, g, f, e, d, c, b, a);
}
static inline void split(vu v0, vu v1, int t, vu *x, vu *y) {
  __m512i ix, iy;
  if (t == 4) {
    ix = idx8(0, 1, 2, 3, 8, 9, 10, 11), iy = idx8(4, 5, 6, 7, 12, 13, 14, 15);
  } else if (t == 2) {
    ix = idx8(0, 1, 4, 5, 8, 9, 12, 13), iy = idx8(2, 3, 6, 7, 10, 11, 14, 15);
  } else {
    ix = idx8(0, 2, 4, 6, 8, 10, 12, 14), iy = idx8(1, 3, 5, 7, 9, 11, 13, 15);
  }
  *x = (vu)_mm512_permutex2var_epi64((__m512i)v0, ix, (__m512i)v1);
  *y = (vu)_mm512_permutex2var_epi64((__m512i)v0, iy, (__m512i)v1);
}
static inline void join(vu x, vu y, int t, vu *v0, vu *v1) {
  __m512i i0, i1;
  if (t == 4) {
    i0 = idx8(0, 1, 2, 3, 8, 9, 10, 11), i1 = idx8(4, 5, 6, 7, 12, 13, 14, 15);
  } else if (t == 2) {
    i0 = idx8(0, 1, 8, 9, 2, 3, 10, 11), i1 = idx8(4, 5, 12, 13, 6, 7, 14, 15);
  } else {
    i0 = idx8(0, 8, 1, 9, 2, 10, 3, 11), i1 = idx8(4, 12, 5, 13, 6, 14, 7, 15);
  }
  *v0 = (vu)_mm512_permutex2var_epi64((__m512i)x, i0, (__m512i)y);
  *v1 = (vu)_mm512_permutex2var_epi64((__m512i)x, i1, (__m512i)y);
}
/* VW twiddles for a block: tw[base + p / t], p < VW. */
static inline vu twiddles(const uint64_t *tw, int t) {
  if (t == 1) return load(tw);
  __m512i i = t == 2 ? idx8(0, 0, 1, 1, 2, 2, 3, 3) : idx8(0, 0, 0, 0, 1, 1, 1, 1);
  return (vu)_mm512_permutexvar_epi64(i, _mm512_maskz_loadu_epi64(0x0f, tw));
}
#else
static inline void split(vu v0, vu v1, int t, vu *x, vu *y) {
  if (t == 2) {
    *x = (vu)_mm256_permute2x128_si256((__m256i)v0, (__m256i)v1, 0x20);
    *y = (vu)_mm256_permute2x128_si256((__m256i)v0, (__m256i)v1, 0x31);
  } else {
    /* x = (a0, a4, a2, a6), y = (a1, a5, a3, a7): pair order 0, 2, 1, 3. */
    *x = (vu)_mm256_unpacklo_epi64((__m256i)v0, (__m256i)v1);
    *y = (vu)_mm256_unpackhi_epi64((__m256i)v0, (__m256i)v1);
  }
}
static inline void join(vu x, vu y, int t, vu *v0, vu *v1) {
  if (t == 2) {
    *v0 = (vu)_mm256_permute2x128_si256((__m256i)x, (__m256i)y, 0x20);
    *v1 = (vu)_mm256_permute2x128_si256((__m256i)x, (__m256i)y, 0x31);
  } else {
    *v0 = (vu)_mm256_unpacklo_epi64((__m256i)x, (__m256i)y);
    *v1 = (vu)_mm256_unpackhi_epi64((__m256i)x, (__m256i)y);
  }
}
static inline vu twiddles(const uint64_t *tw, int t) {
  if (t == 1) return (vu)_mm256_permute4x64_epi64((__m256i)load(tw), 0xd8); /* 0, 2, 1, 3 */
  __m128i two = _mm_loadu_si128((const __m128i *)tw);
  return (vu)_mm256_permute4x64_epi64(_mm256_castsi128_si256(two), 0x50); /* 0, 0, 1, 1 */
}
#endif

/* Forward butterflies of one stage with t >= VW. */
static inline void fwd_stage_wide(uint64_t *a, size_t m, size_t t, const uint64_t *w,
                                  const uint64_t *ws, vu q, vu two_q) {
  for (size_t i = 0; i < m; i++) {
    const vu wv = SPLAT(w[m + i]), wsv = SPLAT(ws[m + i]);
    uint64_t *x = a + 2 * i * t, *y = x + t;
    for (size_t j = 0; j < t; j += VW) {
      vu u = csub(load(x + j), two_q);
      vu v = shoup_lazy(load(y + j), wv, wsv, q);
      store(x + j, u + v);
      store(y + j, u - v + two_q);
    }
  }
}

/* Forward butterflies of one stage with t < VW; last != 0 reduces outputs to [0, q). */
static inline void fwd_stage_narrow(uint64_t *a, size_t n, size_t m, int t, const uint64_t *w,
                                    const uint64_t *ws, vu q, vu two_q, int last) {
  for (size_t k = 0; k < n; k += 2 * VW) {
    vu x, y, v0, v1;
    split(load(a + k), load(a + k + VW), t, &x, &y);
    size_t g = m + k / (2 * t);
    vu u = csub(x, two_q);
    vu v = shoup_lazy(y, twiddles(w + g, t), twiddles(ws + g, t), q);
    vu r0 = u + v, r1 = u - v + two_q;
    if (last) {
      r0 = csub(csub(r0, two_q), q);
      r1 = csub(csub(r1, two_q), q);
    }
    join(r0, r1, t, &v0, &v1);
    store(a + k, v0);
    store(a + k + VW, v1);
  }
}

static void ntt_forward(const polyhe_ntt_plan *p, uint64_t *a) {
  const size_t n = p->n;
  if (n < 4 * VW) {
    polyhe_kernels_scalar.ntt_forward(p, a);
    return;
  }
  const vu q = SPLAT(p->q), two_q = SPLAT(2 * p->q);
  size_t t = n, m = 1;
  /* Two stages per pass (radix-4) while both have t >= VW: half the passes through L2. */
  for (; m < n / 2 && t >= 4 * VW; m <<= 2) {
    t >>= 2;
    for (size_t i = 0; i < m; i++) {
      const vu w1 = SPLAT(p->w[m + i]), w1s = SPLAT(p->ws[m + i]);
      const vu w2 = SPLAT(p->w[2 * m + 2 * i]), w2s = SPLAT(p->ws[2 * m + 2 * i]);
      const vu w3 = SPLAT(p->w[2 * m + 2 * i + 1]), w3s = SPLAT(p->ws[2 * m + 2 * i + 1]);
      uint64_t *x0 = a + 4 * i * t, *x1 = x0 + t, *x2 = x1 + t, *x3 = x2 + t;
      for (size_t j = 0; j < t; j += VW) {
        vu a0 = csub(load(x0 + j), two_q), a1 = csub(load(x1 + j), two_q);
        vu v2 = shoup_lazy(load(x2 + j), w1, w1s, q), v3 = shoup_lazy(load(x3 + j), w1, w1s, q);
        vu b0 = csub(a0 + v2, two_q), b2 = csub(a0 - v2 + two_q, two_q);
        vu b1 = a1 + v3, b3 = a1 - v3 + two_q;
        vu u1 = shoup_lazy(b1, w2, w2s, q), u3 = shoup_lazy(b3, w3, w3s, q);
        store(x0 + j, b0 + u1);
        store(x1 + j, b0 - u1 + two_q);
        store(x2 + j, b2 + u3);
        store(x3 + j, b2 - u3 + two_q);
      }
    }
  }
  for (; m < n / 2; m <<= 1) {
    t >>= 1;
    if (t >= VW) {
      fwd_stage_wide(a, m, t, p->w, p->ws, q, two_q);
    } else {
      fwd_stage_narrow(a, n, m, (int)t, p->w, p->ws, q, two_q, 0);
    }
  }
  fwd_stage_narrow(a, n, n / 2, 1, p->w, p->ws, q, two_q, 1);
}

static inline void inv_stage_narrow(uint64_t *a, size_t n, size_t h, int t, const uint64_t *w,
                                    const uint64_t *ws, vu q, vu two_q) {
  for (size_t k = 0; k < n; k += 2 * VW) {
    vu x, y, v0, v1;
    split(load(a + k), load(a + k + VW), t, &x, &y);
    size_t g = h + k / (2 * t);
    vu s = csub(x + y, two_q), d = x - y + two_q;
    vu r = shoup_lazy(d, twiddles(w + g, t), twiddles(ws + g, t), q);
    join(s, r, t, &v0, &v1);
    store(a + k, v0);
    store(a + k + VW, v1);
  }
}

static void ntt_inverse(const polyhe_ntt_plan *p, uint64_t *a) {
  const size_t n = p->n;
  if (n < 4 * VW) {
    polyhe_kernels_scalar.ntt_inverse(p, a);
    return;
  }
  const vu q = SPLAT(p->q), two_q = SPLAT(2 * p->q);
  size_t t = 1, h = n / 2;
  for (; h > 1 && t < VW; h >>= 1, t <<= 1) inv_stage_narrow(a, n, h, (int)t, p->wi, p->wis, q, two_q);
  /* Two stages per pass (radix-4) while both come before the last stage (h = 1). */
  for (; h >= 4; h >>= 2, t <<= 2) {
    const size_t h2 = h >> 1;
    for (size_t i = 0; i < h2; i++) {
      const vu w1 = SPLAT(p->wi[h + 2 * i]), w1s = SPLAT(p->wis[h + 2 * i]);
      const vu w2 = SPLAT(p->wi[h + 2 * i + 1]), w2s = SPLAT(p->wis[h + 2 * i + 1]);
      const vu w3 = SPLAT(p->wi[h2 + i]), w3s = SPLAT(p->wis[h2 + i]);
      uint64_t *x0 = a + 4 * i * t, *x1 = x0 + t, *x2 = x1 + t, *x3 = x2 + t;
      for (size_t j = 0; j < t; j += VW) {
        vu a0 = load(x0 + j), a1 = load(x1 + j), a2 = load(x2 + j), a3 = load(x3 + j);
        vu s0 = csub(a0 + a1, two_q), d0 = shoup_lazy(a0 - a1 + two_q, w1, w1s, q);
        vu s1 = csub(a2 + a3, two_q), d1 = shoup_lazy(a2 - a3 + two_q, w2, w2s, q);
        store(x0 + j, csub(s0 + s1, two_q));
        store(x2 + j, shoup_lazy(s0 - s1 + two_q, w3, w3s, q));
        store(x1 + j, csub(d0 + d1, two_q));
        store(x3 + j, shoup_lazy(d0 - d1 + two_q, w3, w3s, q));
      }
    }
  }
  for (; h > 1; h >>= 1, t <<= 1) {
    for (size_t i = 0; i < h; i++) {
      const vu wv = SPLAT(p->wi[h + i]), wsv = SPLAT(p->wis[h + i]);
      uint64_t *x = a + 2 * i * t, *y = x + t;
      for (size_t j = 0; j < t; j += VW) {
        vu xv = load(x + j), yv = load(y + j);
        store(x + j, csub(xv + yv, two_q));
        store(y + j, shoup_lazy(xv - yv + two_q, wv, wsv, q));
      }
    }
  }
  const size_t half = n / 2;
  const vu ni = SPLAT(p->n_inv), nis = SPLAT(p->n_inv_s);
  const vu wl = SPLAT(p->last), wls = SPLAT(p->last_s);
  for (size_t j = 0; j < half; j += VW) {
    vu x = load(a + j), y = load(a + j + half);
    vu s = csub(x + y, two_q), d = x - y + two_q;
    store(a + j, csub(shoup_lazy(s, ni, nis, q), q));
    store(a + j + half, csub(shoup_lazy(d, wl, wls, q), q));
  }
}

/* Elementwise loops: a vector body and a scalar tail with the same arithmetic. */
#define TAIL_START(n) ((n) & ~(size_t)(VW - 1))

static void add(const uint64_t *a, const uint64_t *b, uint64_t *out, size_t n, uint64_t q) {
  const vu qv = SPLAT(q);
  size_t j = 0;
  for (; j < TAIL_START(n); j += VW) store(out + j, csub(load(a + j) + load(b + j), qv));
  if (j < n) polyhe_kernels_scalar.add(a + j, b + j, out + j, n - j, q);
}

static void sub(const uint64_t *a, const uint64_t *b, uint64_t *out, size_t n, uint64_t q) {
  const vu qv = SPLAT(q);
  size_t j = 0;
  for (; j < TAIL_START(n); j += VW) store(out + j, csub(load(a + j) + qv - load(b + j), qv));
  if (j < n) polyhe_kernels_scalar.sub(a + j, b + j, out + j, n - j, q);
}

static void negate(const uint64_t *a, uint64_t *out, size_t n, uint64_t q) {
  const vu qv = SPLAT(q);
  size_t j = 0;
  /* q - 0 = q reduces to 0. */
  for (; j < TAIL_START(n); j += VW) store(out + j, csub(qv - load(a + j), qv));
  if (j < n) polyhe_kernels_scalar.negate(a + j, out + j, n - j, q);
}

static void add_scalar(const uint64_t *a, uint64_t s, uint64_t *out, size_t n, uint64_t q) {
  const vu qv = SPLAT(q), sv = SPLAT(s);
  size_t j = 0;
  for (; j < TAIL_START(n); j += VW) store(out + j, csub(load(a + j) + sv, qv));
  if (j < n) polyhe_kernels_scalar.add_scalar(a + j, s, out + j, n - j, q);
}

/* Barrett reduction of the 128-bit products a*b, as Modulus.reduce128. */
static inline vu mulmod(vu a, vu b, const polyhe_mod *m, vu q, vu two_q) {
  vu lo = a * b, hi = mulhi(a, b);
  vu x1 = (lo >> m->shift) | (hi << (64 - m->shift));
  vu r = lo - mulhi(x1, SPLAT(m->barrett)) * q;
  return csub(csub(r, two_q), q);
}

static void mul(const uint64_t *a, const uint64_t *b, uint64_t *out, size_t n, const polyhe_mod *m) {
  const vu q = SPLAT(m->q), two_q = SPLAT(2 * m->q);
  size_t j = 0;
  for (; j < TAIL_START(n); j += VW) store(out + j, mulmod(load(a + j), load(b + j), m, q, two_q));
  if (j < n) polyhe_kernels_scalar.mul(a + j, b + j, out + j, n - j, m);
}

static void mul_acc(const uint64_t *a, const uint64_t *b, uint64_t *acc, size_t n,
                    const polyhe_mod *m) {
  const vu q = SPLAT(m->q), two_q = SPLAT(2 * m->q);
  size_t j = 0;
  for (; j < TAIL_START(n); j += VW) {
    store(acc + j, csub(load(acc + j) + mulmod(load(a + j), load(b + j), m, q, two_q), q));
  }
  if (j < n) polyhe_kernels_scalar.mul_acc(a + j, b + j, acc + j, n - j, m);
}

static void mul_scalar(const uint64_t *a, uint64_t w, uint64_t *out, size_t n, uint64_t q) {
  const vu qv = SPLAT(q), wv = SPLAT(w), wsv = SPLAT(polyhe_shoup(w, q));
  size_t j = 0;
  for (; j < TAIL_START(n); j += VW) store(out + j, csub(shoup_lazy(load(a + j), wv, wsv, qv), qv));
  if (j < n) polyhe_kernels_scalar.mul_scalar(a + j, w, out + j, n - j, q);
}

static void sub_scale(const uint64_t *a, const uint64_t *last, uint64_t inv, uint64_t *out,
                      size_t n, uint64_t q) {
  const vu qv = SPLAT(q), iv = SPLAT(inv), isv = SPLAT(polyhe_shoup(inv, q));
  size_t j = 0;
  for (; j < TAIL_START(n); j += VW) {
    vu d = csub(load(a + j) + qv - load(last + j), qv);
    store(out + j, csub(shoup_lazy(d, iv, isv, qv), qv));
  }
  if (j < n) polyhe_kernels_scalar.sub_scale(a + j, last + j, inv, out + j, n - j, q);
}

static void convert_limb(const uint64_t *v, size_t stride, int from_count, const uint64_t *hat,
                         const uint8_t *neg, uint64_t d_mod, uint64_t *out, size_t n,
                         uint64_t t) {
  uint64_t hs[256];
  for (int i = 0; i < from_count; i++) hs[i] = polyhe_shoup(hat[i], t);
  const vu tv = SPLAT(t), two_t = SPLAT(2 * t), dv = SPLAT(d_mod);
  const vu dsv = SPLAT(polyhe_shoup(d_mod, t));
  size_t j = 0;
  /* Two vectors per step: two independent dependency chains through the sums. */
  for (; j + 2 * VW <= n; j += 2 * VW) {
    vu s0 = SPLAT(0), s1 = SPLAT(0);
    for (int i = 0; i < from_count; i++) {
      const vu h = SPLAT(hat[i]), hsv = SPLAT(hs[i]);
      const uint64_t *vi = v + i * stride + j;
      s0 = csub(s0 + shoup_lazy(load(vi), h, hsv, tv), two_t);
      s1 = csub(s1 + shoup_lazy(load(vi + VW), h, hsv, tv), two_t);
    }
    vu c0, c1;
    for (int l = 0; l < VW; l++) c0[l] = neg[j + l], c1[l] = neg[j + VW + l];
    c0 = csub(shoup_lazy(c0, dv, dsv, tv), tv);
    c1 = csub(shoup_lazy(c1, dv, dsv, tv), tv);
    store(out + j, csub(csub(s0, tv) + tv - c0, tv));
    store(out + j + VW, csub(csub(s1, tv) + tv - c1, tv));
  }
  if (j < n) {
    polyhe_kernels_scalar.convert_limb(v + j, stride, from_count, hat, neg + j, d_mod, out + j,
                                       n - j, t);
  }
}

#if VW == 8
/* 64 comparisons per step; their mask bits add one to the selected bytes (AVX-512BW). */
static void count_upper(const uint64_t *v, uint64_t half, uint8_t *neg, int first, size_t n) {
  const __m512i h = _mm512_set1_epi64((long long)half), one = _mm512_set1_epi8(1);
  size_t j = 0;
  for (; j + 64 <= n; j += 64) {
    uint64_t bits = 0;
    for (int k = 0; k < 8; k++) {
      __m512i x = _mm512_loadu_si512((const void *)(v + j + 8 * k));
      bits |= (uint64_t)_mm512_cmpgt_epu64_mask(x, h) << (8 * k);
    }
    __m512i c = first ? _mm512_setzero_si512() : _mm512_loadu_si512((const void *)(neg + j));
    _mm512_storeu_si512((void *)(neg + j), _mm512_mask_add_epi8(c, (__mmask64)bits, c, one));
  }
  if (j < n) polyhe_kernels_scalar.count_upper(v + j, half, neg + j, first, n - j);
}
#else
/* Values are below 2^61, so the signed comparison the compiler vectorises to is exact. */
static void count_upper(const uint64_t *restrict v, uint64_t half, uint8_t *restrict neg,
                        int first, size_t n) {
  const int64_t *sv = (const int64_t *)v, sh = (int64_t)half;
  if (first) {
    for (size_t j = 0; j < n; j++) neg[j] = (uint8_t)(sv[j] > sh);
  } else {
    for (size_t j = 0; j < n; j++) neg[j] = (uint8_t)(neg[j] + (sv[j] > sh));
  }
}
#endif

const polyhe_kernels KERNELS = {
    PATH_NAME, ntt_forward, ntt_inverse, add, sub, negate, add_scalar,
    mul, mul_acc, mul_scalar, sub_scale, convert_limb, count_upper, NULL,
};
