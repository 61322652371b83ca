/*
 * The exported ABI: argument checks, path choice (CPUID or POLYHE_NATIVE_PATH), NTT plans, and
 * routing of each call to the active path's kernel. IFMA is a per-modulus decision: primes
 * below 2^50 take IFMA kernels, larger ones the AVX-512 kernels, so "ifma" is always a superset
 * of "avx512".
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *const PATH_NAMES[] = {"scalar", "avx2", "avx512", "ifma"};

static int supported_mask = -1;
static int active_path = -1;

/* Kernels for products modulo q and for the rest, for the active path. */
static const polyhe_kernels *base_kernels = &polyhe_kernels_scalar;
static int use_ifma = 0;

static int detect(void) {
  int mask = 1 << POLYHE_PATH_SCALAR;
#if defined(__x86_64__) && defined(POLYHE_HAVE_X86_PATHS)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2")) mask |= 1 << POLYHE_PATH_AVX2;
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")) {
    mask |= 1 << POLYHE_PATH_AVX512;
    if (__builtin_cpu_supports("avx512ifma")) mask |= 1 << POLYHE_PATH_IFMA;
  }
#endif
  return mask;
}

static void activate(int path) {
  active_path = path;
  use_ifma = path == POLYHE_PATH_IFMA;
#ifdef POLYHE_HAVE_X86_PATHS
  switch (path) {
    case POLYHE_PATH_AVX2: base_kernels = &polyhe_kernels_avx2; break;
    case POLYHE_PATH_AVX512:
    case POLYHE_PATH_IFMA: base_kernels = &polyhe_kernels_avx512; break;
    default: base_kernels = &polyhe_kernels_scalar; break;
  }
#else
  base_kernels = &polyhe_kernels_scalar;
#endif
}

int polyhe_abi_version(void) { return POLYHE_ABI_VERSION; }

int polyhe_init(void) {
  if (active_path >= 0) return active_path;
  supported_mask = detect();
  int path = POLYHE_PATH_SCALAR;
  for (int p = POLYHE_PATH_IFMA; p >= 0; p--) {
    if (supported_mask & (1 << p)) {
      path = p;
      break;
    }
  }
  const char *forced = getenv("POLYHE_NATIVE_PATH");
  if (forced != NULL && forced[0] != '\0') {
    int found = -1;
    for (int p = 0; p < 4; p++) {
      if (strcmp(forced, PATH_NAMES[p]) == 0) found = p;
    }
    if (found < 0 || !(supported_mask & (1 << found))) return POLYHE_E_PATH;
    path = found;
  }
  activate(path);
  return path;
}

int polyhe_supported_paths(void) {
  if (supported_mask < 0) supported_mask = detect();
  return supported_mask;
}

int polyhe_active_path(void) { return polyhe_init(); }

const char *polyhe_path_name(int path) {
  return path >= 0 && path < 4 ? PATH_NAMES[path] : NULL;
}

int polyhe_select_path(int path) {
  if (path < 0 || path > 3 || !(polyhe_supported_paths() & (1 << path))) return POLYHE_E_PATH;
  activate(path);
  return POLYHE_OK;
}

static inline int bad_modulus(uint64_t q) { return q < (1ULL << 16) || q >= (1ULL << 61); }

/* The kernels for operations with products modulo q. */
static inline const polyhe_kernels *mul_kernels(uint64_t q) {
  if (active_path < 0) polyhe_init();
#ifdef POLYHE_HAVE_X86_PATHS
  if (use_ifma && q < POLYHE_IFMA_BOUND) return &polyhe_kernels_ifma;
#else
  (void)q;
#endif
  return base_kernels;
}

static inline const polyhe_kernels *plain_kernels(void) {
  if (active_path < 0) polyhe_init();
  return base_kernels;
}

/* ---- NTT plans ---------------------------------------------------------------------------- */

static uint64_t *alloc_words(size_t n) {
  size_t bytes = (n * sizeof(uint64_t) + 63) & ~(size_t)63;
  return aligned_alloc(64, bytes);
}

void polyhe_ntt_plan_destroy(polyhe_ntt_plan *p) {
  if (p == NULL) return;
  free(p->w);
  free(p->ws);
  free(p->wi);
  free(p->wis);
  free(p->ws52);
  free(p->wis52);
  free(p);
}

static uint64_t mulmod(uint64_t a, uint64_t b, uint64_t q) { return (uint64_t)((u128)a * b % q); }

int polyhe_ntt_plan_create(uint64_t q, int log_n, const uint64_t *root_powers,
                           const uint64_t *inv_root_powers, uint64_t n_inv,
                           polyhe_ntt_plan **out) {
  if (root_powers == NULL || inv_root_powers == NULL || out == NULL) return POLYHE_E_NULL;
  if (bad_modulus(q)) return POLYHE_E_MODULUS;
  if (log_n < 1 || log_n > 17) return POLYHE_E_SIZE;
  const size_t n = (size_t)1 << log_n;
  if (n_inv >= q || mulmod(n_inv, n, q) != 1 || root_powers[0] != 1) return POLYHE_E_TABLES;
  polyhe_ntt_plan *p = calloc(1, sizeof *p);
  if (p == NULL) return POLYHE_E_NOMEM;
  p->q = q;
  p->log_n = log_n;
  p->n = n;
  p->w = alloc_words(n);
  p->ws = alloc_words(n);
  p->wi = alloc_words(n);
  p->wis = alloc_words(n);
  int ifma = q < POLYHE_IFMA_BOUND;
  if (ifma) {
    p->ws52 = alloc_words(n);
    p->wis52 = alloc_words(n);
  }
  if (!p->w || !p->ws || !p->wi || !p->wis || (ifma && (!p->ws52 || !p->wis52))) {
    polyhe_ntt_plan_destroy(p);
    return POLYHE_E_NOMEM;
  }
  for (size_t k = 0; k < n; k++) {
    uint64_t w = root_powers[k], wi = inv_root_powers[k];
    if (w >= q || wi >= q) {
      polyhe_ntt_plan_destroy(p);
      return POLYHE_E_TABLES;
    }
    p->w[k] = w;
    p->wi[k] = wi;
    p->ws[k] = polyhe_shoup(w, q);
    p->wis[k] = polyhe_shoup(wi, q);
    if (ifma) {
      p->ws52[k] = polyhe_shoup52(w, q);
      p->wis52[k] = polyhe_shoup52(wi, q);
    }
  }
  p->n_inv = n_inv;
  p->n_inv_s = polyhe_shoup(n_inv, q);
  p->last = mulmod(inv_root_powers[1], n_inv, q);
  p->last_s = polyhe_shoup(p->last, q);
  if (ifma) {
    p->n_inv_s52 = polyhe_shoup52(n_inv, q);
    p->last_s52 = polyhe_shoup52(p->last, q);
  }
  *out = p;
  return POLYHE_OK;
}

uint64_t polyhe_ntt_plan_modulus(const polyhe_ntt_plan *p) { return p == NULL ? 0 : p->q; }

int polyhe_ntt_plan_log_n(const polyhe_ntt_plan *p) { return p == NULL ? 0 : p->log_n; }

int polyhe_ntt_forward(const polyhe_ntt_plan *p, uint64_t *a) {
  if (p == NULL || a == NULL) return POLYHE_E_NULL;
  mul_kernels(p->q)->ntt_forward(p, a);
  return POLYHE_OK;
}

int polyhe_ntt_inverse(const polyhe_ntt_plan *p, uint64_t *a) {
  if (p == NULL || a == NULL) return POLYHE_E_NULL;
  mul_kernels(p->q)->ntt_inverse(p, a);
  return POLYHE_OK;
}

int polyhe_ntt_forward_batch(const polyhe_ntt_plan *const *plans, uint64_t *const *limbs,
                             int count) {
  if (count < 0) return POLYHE_E_SIZE;
  if (count > 0 && (plans == NULL || limbs == NULL)) return POLYHE_E_NULL;
  for (int i = 0; i < count; i++) {
    int rc = polyhe_ntt_forward(plans[i], limbs[i]);
    if (rc != POLYHE_OK) return rc;
  }
  return POLYHE_OK;
}

int polyhe_ntt_inverse_batch(const polyhe_ntt_plan *const *plans, uint64_t *const *limbs,
                             int count) {
  if (count < 0) return POLYHE_E_SIZE;
  if (count > 0 && (plans == NULL || limbs == NULL)) return POLYHE_E_NULL;
  for (int i = 0; i < count; i++) {
    int rc = polyhe_ntt_inverse(plans[i], limbs[i]);
    if (rc != POLYHE_OK) return rc;
  }
  return POLYHE_OK;
}

/* ---- pointwise ------------------------------------------------------------------------------ */

#define CHECK2(a, out, q)                                 \
  do {                                                    \
    if ((a) == NULL || (out) == NULL) return POLYHE_E_NULL; \
    if (bad_modulus(q)) return POLYHE_E_MODULUS;          \
  } while (0)

int polyhe_add(const uint64_t *a, const uint64_t *b, uint64_t *out, size_t n, uint64_t q) {
  CHECK2(a, out, q);
  if (b == NULL) return POLYHE_E_NULL;
  plain_kernels()->add(a, b, out, n, q);
  return POLYHE_OK;
}

int polyhe_sub(const uint64_t *a, const uint64_t *b, uint64_t *out, size_t n, uint64_t q) {
  CHECK2(a, out, q);
  if (b == NULL) return POLYHE_E_NULL;
  plain_kernels()->sub(a, b, out, n, q);
  return POLYHE_OK;
}

int polyhe_negate(const uint64_t *a, uint64_t *out, size_t n, uint64_t q) {
  CHECK2(a, out, q);
  plain_kernels()->negate(a, out, n, q);
  return POLYHE_OK;
}

int polyhe_add_scalar(const uint64_t *a, uint64_t s, uint64_t *out, size_t n, uint64_t q) {
  CHECK2(a, out, q);
  if (s >= q) return POLYHE_E_MODULUS;
  plain_kernels()->add_scalar(a, s, out, n, q);
  return POLYHE_OK;
}

int polyhe_mul(const uint64_t *a, const uint64_t *b, uint64_t *out, size_t n, uint64_t q) {
  CHECK2(a, out, q);
  if (b == NULL) return POLYHE_E_NULL;
  polyhe_mod m = polyhe_mod_make(q);
  mul_kernels(q)->mul(a, b, out, n, &m);
  return POLYHE_OK;
}

int polyhe_mul_acc(const uint64_t *a, const uint64_t *b, uint64_t *acc, size_t n, uint64_t q) {
  CHECK2(a, acc, q);
  if (b == NULL) return POLYHE_E_NULL;
  polyhe_mod m = polyhe_mod_make(q);
  mul_kernels(q)->mul_acc(a, b, acc, n, &m);
  return POLYHE_OK;
}

int polyhe_mul_scalar(const uint64_t *a, uint64_t s, uint64_t *out, size_t n, uint64_t q) {
  CHECK2(a, out, q);
  if (s >= q) return POLYHE_E_MODULUS;
  mul_kernels(q)->mul_scalar(a, s, out, n, q);
  return POLYHE_OK;
}

int polyhe_mul_scalar_acc(const uint64_t *a, uint64_t s, uint64_t *acc, size_t n, uint64_t q) {
  CHECK2(a, acc, q);
  if (s >= q) return POLYHE_E_MODULUS;
  /* The path's Shoup scalar product and its addition, block by block through an L1-sized buffer:
   * every path gets the fused form without a kernel per path, and nothing is allocated. */
  uint64_t tmp[512] __attribute__((aligned(64)));
  const polyhe_kernels *mk = mul_kernels(q), *pk = plain_kernels();
  for (size_t j = 0; j < n; j += 512) {
    size_t len = n - j < 512 ? n - j : 512;
    mk->mul_scalar(a + j, s, tmp, len, q);
    pk->add(acc + j, tmp, acc + j, len, q);
  }
  return POLYHE_OK;
}

int polyhe_permute(const uint64_t *in, const int32_t *perm, uint64_t *out, size_t n) {
  if (in == NULL || perm == NULL || out == NULL) return POLYHE_E_NULL;
  /* Validate first in a branch-free (vectorised) pass, so the gather loop has no exits. */
  uint32_t bad = 0;
  for (size_t j = 0; j < n; j++) bad |= (uint32_t)perm[j] >= n;
  if (bad) return POLYHE_E_SIZE;
  /* Scalar gather: vector gathers are no faster than scalar loads on current cores. */
  for (size_t j = 0; j < n; j++) out[j] = in[perm[j]];
  return POLYHE_OK;
}

/* x mod q for a 128-bit x, q < 2^61, with r = floor(2^128 / q) (Barrett, as SEAL's
 * barrett_reduce_128): r's truncation and the dropped low word each make the quotient at most one
 * short, so the remainder is below 3q before two conditional subtractions. */
static inline uint64_t reduce128(u128 x, uint64_t q, uint64_t r_lo, uint64_t r_hi) {
  uint64_t x_lo = (uint64_t)x, x_hi = (uint64_t)(x >> 64);
  u128 t = ((u128)x_lo * r_lo) >> 64;
  t += (u128)x_lo * r_hi;
  u128 u = (u128)x_hi * r_lo + (uint64_t)t;
  uint64_t quotient = x_hi * r_hi + (uint64_t)(t >> 64) + (uint64_t)(u >> 64);
  uint64_t rem = x_lo - quotient * q;
  rem = rem >= q ? rem - q : rem;
  return rem >= q ? rem - q : rem;
}

int polyhe_mul_sum4(const uint64_t *a0, const uint64_t *b0, const uint64_t *a1, const uint64_t *b1,
                    const uint64_t *a2, const uint64_t *b2, const uint64_t *a3, const uint64_t *b3,
                    int32_t terms, const int32_t *perm, uint64_t *out, size_t n, uint64_t q,
                    int32_t accumulate) {
  if (out == NULL) return POLYHE_E_NULL;
  if (terms < 1 || terms > 4) return POLYHE_E_SIZE;
  if (q < (1ULL << 17) || q >= (1ULL << 61)) return POLYHE_E_MODULUS;
  const uint64_t *a[4] = {a0, a1, a2, a3};
  const uint64_t *b[4] = {b0, b1, b2, b3};
  for (int t = 0; t < terms; t++) {
    if (a[t] == NULL || b[t] == NULL) return POLYHE_E_NULL;
  }
  if (perm != NULL) {
    uint32_t bad = 0;
    for (size_t j = 0; j < n; j++) bad |= (uint32_t)perm[j] >= n;
    if (bad) return POLYHE_E_SIZE;
  }
  const polyhe_kernels *k = mul_kernels(q);
  if (k->mul_sum4 != NULL) {
    k->mul_sum4(a, b, terms, perm, out, n, q, accumulate);
    return POLYHE_OK;
  }
  u128 ratio = (~(u128)0) / q; /* = floor(2^128 / q): q is odd, so it does not divide 2^128 */
  uint64_t r_lo = (uint64_t)ratio, r_hi = (uint64_t)(ratio >> 64);
  /* Four products below q^2 < 2^122 plus out < q fit in 128 bits. */
  for (size_t j = 0; j < n; j++) {
    size_t k = perm != NULL ? (size_t)perm[j] : j;
    u128 s = accumulate ? (u128)out[j] : 0;
    s += (u128)a[0][k] * b[0][j];
    if (terms > 1) s += (u128)a[1][k] * b[1][j];
    if (terms > 2) s += (u128)a[2][k] * b[2][j];
    if (terms > 3) s += (u128)a[3][k] * b[3][j];
    out[j] = reduce128(s, q, r_lo, r_hi);
  }
  return POLYHE_OK;
}

int polyhe_automorphism_coeff(const uint64_t *in, uint32_t galois, uint64_t *out, size_t n,
                              uint64_t q) {
  CHECK2(in, out, q);
  if (n == 0 || (n & (n - 1)) != 0) return POLYHE_E_SIZE;
  if ((galois & 1) == 0 || galois >= 2 * n) return POLYHE_E_SIZE;
  const size_t mask = 2 * n - 1;
  size_t k = 0;
  for (size_t i = 0; i < n; i++, k = (k + galois) & mask) {
    uint64_t x = in[i];
    if (k < n) {
      out[k] = x;
    } else {
      out[k - n] = x == 0 ? 0 : q - x;
    }
  }
  return POLYHE_OK;
}

int polyhe_subtract_and_scale(const uint64_t *a, const uint64_t *last, uint64_t inv,
                              uint64_t *out, size_t n, uint64_t q) {
  CHECK2(a, out, q);
  if (last == NULL) return POLYHE_E_NULL;
  if (inv >= q) return POLYHE_E_MODULUS;
  mul_kernels(q)->sub_scale(a, last, inv, out, n, q);
  return POLYHE_OK;
}

/* ---- base conversion ------------------------------------------------------------------------ */

int polyhe_convert_scale(const uint64_t *in, uint64_t hat_inv, uint64_t q, uint64_t *v,
                         uint8_t *neg, int first, size_t n) {
  CHECK2(in, v, q);
  if (neg == NULL) return POLYHE_E_NULL;
  if (hat_inv >= q) return POLYHE_E_MODULUS;
  mul_kernels(q)->mul_scalar(in, hat_inv, v, n, q);
  plain_kernels()->count_upper(v, (q - 1) >> 1, neg, first, n);
  return POLYHE_OK;
}

int polyhe_convert_limb(const uint64_t *v, size_t stride, int from_count, const uint64_t *from_q,
                        const uint64_t *hat, const uint8_t *neg, uint64_t d_mod, uint64_t *out,
                        size_t n, uint64_t t) {
  CHECK2(v, out, t);
  if (from_q == NULL || hat == NULL || neg == NULL) return POLYHE_E_NULL;
  if (from_count < 0 || from_count > 255 || (from_count > 0 && stride < n)) return POLYHE_E_SIZE;
  if (d_mod >= t) return POLYHE_E_MODULUS;
  uint64_t max_q = 0;
  for (int i = 0; i < from_count; i++) {
    if (hat[i] >= t) return POLYHE_E_MODULUS;
    if (from_q[i] > max_q) max_q = from_q[i];
  }
  const polyhe_kernels *k = mul_kernels(t);
#ifdef POLYHE_HAVE_X86_PATHS
  /* The 52-bit Shoup products need sources below 2^52. */
  if (k == &polyhe_kernels_ifma && max_q > (1ULL << 52)) k = base_kernels;
#endif
  k->convert_limb(v, stride, from_count, hat, neg, d_mod, out, n, t);
  return POLYHE_OK;
}

int polyhe_convert_basis(const uint64_t *const *in, const uint64_t *from_q,
                         const uint64_t *hat_inverse, int from_count, const uint64_t *hat,
                         const uint64_t *d_mod_to, uint64_t *const *out, const uint64_t *to_q,
                         int to_count, size_t n, uint64_t *scratch) {
  if (in == NULL || from_q == NULL || hat_inverse == NULL || hat == NULL || d_mod_to == NULL ||
      out == NULL || to_q == NULL || scratch == NULL) {
    return POLYHE_E_NULL;
  }
  if (from_count < 1 || from_count > 255 || to_count < 0) return POLYHE_E_SIZE;
  uint8_t *neg = (uint8_t *)(scratch + (size_t)from_count * n);
  for (int i = 0; i < from_count; i++) {
    int rc = polyhe_convert_scale(in[i], hat_inverse[i], from_q[i], scratch + (size_t)i * n, neg,
                                  i == 0, n);
    if (rc != POLYHE_OK) return rc;
  }
  uint64_t column[256];
  for (int k = 0; k < to_count; k++) {
    for (int i = 0; i < from_count; i++) column[i] = hat[(size_t)i * to_count + k];
    int rc = polyhe_convert_limb(scratch, n, from_count, from_q, column, neg, d_mod_to[k], out[k],
                                 n, to_q[k]);
    if (rc != POLYHE_OK) return rc;
  }
  return POLYHE_OK;
}
