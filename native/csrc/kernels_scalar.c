/*
 * Portable scalar kernels (any 64-bit GCC/Clang target): the fallback path and the reference
 * the vector paths are tested against. They follow he-core's JavaKernels step by step, with
 * unsigned __int128 for the high halves of products; lazy values stay below 4q < 2^63.
 */
#include "internal.h"

static inline uint64_t mulhi(uint64_t a, uint64_t b) { return (uint64_t)(((u128)a * b) >> 64); }

/* a * w mod q in [0, 2q) with w's Shoup constant; any a < 2^64. */
static inline uint64_t shoup_lazy(uint64_t a, uint64_t w, uint64_t ws, uint64_t q) {
  return a * w - mulhi(a, ws) * q;
}

static inline uint64_t csub(uint64_t x, uint64_t c) { return x >= c ? x - c : x; }

static void ntt_forward(const polyhe_ntt_plan *p, uint64_t *a) {
  const uint64_t q = p->q, two_q = 2 * q;
  const size_t n = p->n;
  size_t t = n;
  for (size_t m = 1; m < n / 2; m <<= 1) {
    t >>= 1;
    for (size_t i = 0; i < m; i++) {
      const uint64_t w = p->w[m + i], ws = p->ws[m + i];
      uint64_t *x = a + 2 * i * t, *y = x + t;
      for (size_t j = 0; j < t; j++) {
        uint64_t u = csub(x[j], two_q);
        uint64_t v = shoup_lazy(y[j], w, ws, q);
        x[j] = u + v;
        y[j] = u - v + two_q;
      }
    }
  }
  const size_t half = n / 2;
  for (size_t i = 0; i < half; i++) {
    uint64_t u = csub(a[2 * i], two_q);
    uint64_t v = shoup_lazy(a[2 * i + 1], p->w[half + i], p->ws[half + i], q);
    a[2 * i] = csub(csub(u + v, two_q), q);
    a[2 * i + 1] = csub(csub(u - v + two_q, two_q), q);
  }
}

static void ntt_inverse(const polyhe_ntt_plan *p, uint64_t *a) {
  const uint64_t q = p->q, two_q = 2 * q;
  const size_t n = p->n;
  size_t t = 1;
  for (size_t h = n / 2; h > 1; h >>= 1) {
    for (size_t i = 0; i < h; i++) {
      const uint64_t w = p->wi[h + i], ws = p->wis[h + i];
      uint64_t *x = a + 2 * i * t, *y = x + t;
      for (size_t j = 0; j < t; j++) {
        uint64_t s = x[j] + y[j], d = x[j] - y[j] + two_q;
        x[j] = csub(s, two_q);
        y[j] = shoup_lazy(d, w, ws, q);
      }
    }
    t <<= 1;
  }
  const size_t half = n / 2;
  for (size_t j = 0; j < half; j++) {
    uint64_t x = a[j], y = a[j + half];
    uint64_t s = csub(x + y, two_q), d = x - y + two_q;
    a[j] = csub(shoup_lazy(s, p->n_inv, p->n_inv_s, q), q);
    a[j + half] = csub(shoup_lazy(d, p->last, p->last_s, q), q);
  }
}

static void add(const uint64_t *a, const uint64_t *b, uint64_t *out, size_t n, uint64_t q) {
  for (size_t j = 0; j < n; j++) out[j] = csub(a[j] + b[j], q);
}

static void sub(const uint64_t *a, const uint64_t *b, uint64_t *out, size_t n, uint64_t q) {
  for (size_t j = 0; j < n; j++) {
    uint64_t d = a[j] - b[j];
    out[j] = a[j] < b[j] ? d + q : d;
  }
}

static void negate(const uint64_t *a, uint64_t *out, size_t n, uint64_t q) {
  for (size_t j = 0; j < n; j++) out[j] = a[j] == 0 ? 0 : q - a[j];
}

static void add_scalar(const uint64_t *a, uint64_t s, uint64_t *out, size_t n, uint64_t q) {
  for (size_t j = 0; j < n; j++) out[j] = csub(a[j] + s, q);
}

/* Barrett reduction of a 128-bit product below 2^(2*bits+2), as Modulus.reduce128. */
static inline uint64_t barrett(u128 x, const polyhe_mod *m) {
  uint64_t lo = (uint64_t)x;
  uint64_t x1 = (uint64_t)(x >> m->shift);
  uint64_t r = lo - mulhi(x1, m->barrett) * m->q;
  return csub(csub(csub(r, 2 * m->q), m->q), m->q);
}

static void mul(const uint64_t *a, const uint64_t *b, uint64_t *out, size_t n, const polyhe_mod *m) {
  for (size_t j = 0; j < n; j++) out[j] = barrett((u128)a[j] * b[j], m);
}

static void mul_acc(const uint64_t *a, const uint64_t *b, uint64_t *acc, size_t n,
                    const polyhe_mod *m) {
  for (size_t j = 0; j < n; j++) acc[j] = csub(acc[j] + barrett((u128)a[j] * b[j], m), m->q);
}

static void mul_scalar(const uint64_t *a, uint64_t w, uint64_t *out, size_t n, uint64_t q) {
  const uint64_t ws = polyhe_shoup(w, q);
  for (size_t j = 0; j < n; j++) out[j] = csub(shoup_lazy(a[j], w, ws, q), q);
}

static void sub_scale(const uint64_t *a, const uint64_t *last, uint64_t inv, uint64_t *out,
                      size_t n, uint64_t q) {
  const uint64_t is = polyhe_shoup(inv, q);
  for (size_t j = 0; j < n; j++) {
    uint64_t d = a[j] - last[j];
    d = a[j] < last[j] ? d + q : d;
    out[j] = csub(shoup_lazy(d, inv, is, q), q);
  }
}

static void convert_limb(const uint64_t *v, size_t stride, int from_count, const uint64_t *hat,
                         const uint8_t *neg, uint64_t d_mod, uint64_t *out, size_t n,
                         uint64_t t) {
  uint64_t hs[256];
  for (int i = 0; i < from_count; i++) hs[i] = polyhe_shoup(hat[i], t);
  const uint64_t ds = polyhe_shoup(d_mod, t), two_t = 2 * t;
  for (size_t j = 0; j < n; j++) {
    uint64_t s = 0;
    for (int i = 0; i < from_count; i++) {
      s = csub(s + shoup_lazy(v[i * stride + j], hat[i], hs[i], t), two_t);
    }
    s = csub(s, t);
    uint64_t c = csub(shoup_lazy(neg[j], d_mod, ds, t), t);
    out[j] = s >= c ? s - c : s - c + t;
  }
}

/* restrict: a uint8_t store could otherwise alias v and keep the loop from vectorising. */
static void count_upper(const uint64_t *restrict v, uint64_t half, uint8_t *restrict neg,
                        int first, size_t n) {
  if (first) {
    for (size_t j = 0; j < n; j++) neg[j] = (uint8_t)(v[j] > half);
  } else {
    for (size_t j = 0; j < n; j++) neg[j] = (uint8_t)(neg[j] + (v[j] > half));
  }
}

const polyhe_kernels polyhe_kernels_scalar = {
    "scalar", ntt_forward, ntt_inverse, add, sub, negate, add_scalar,
    mul, mul_acc, mul_scalar, sub_scale, convert_limb, count_upper, NULL,
};
