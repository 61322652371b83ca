/*
 * Self-test and micro-benchmark of the native kernels, independent of Java:
 *   polyhe_selftest            every supported path against the scalar path (exit status 1 on a
 *                              mismatch), NTT round trips, for 30..61-bit primes and N = 2^5..2^16
 *   polyhe_selftest bench LOGN per-kernel timings of every path at one ring degree
 * The Java differential tests are the contract; this catches C mistakes without a JVM.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "polyhe_native.h"

typedef unsigned __int128 u128;

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t next64(void) { /* splitmix64 */
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static uint64_t mulmod(uint64_t a, uint64_t b, uint64_t q) { return (uint64_t)((u128)a * b % q); }
static uint64_t powmod(uint64_t b, uint64_t e, uint64_t q) {
  uint64_t r = 1;
  for (b %= q; e; e >>= 1, b = mulmod(b, b, q)) {
    if (e & 1) r = mulmod(r, b, q);
  }
  return r;
}

static int is_prime(uint64_t n) {
  static const uint64_t bases[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37};
  if (n < 2) return 0;
  uint64_t d = n - 1;
  int s = 0;
  while ((d & 1) == 0) d >>= 1, s++;
  for (int i = 0; i < 12; i++) {
    uint64_t a = bases[i] % n;
    if (a == 0) continue;
    uint64_t x = powmod(a, d, n);
    if (x == 1 || x == n - 1) continue;
    int composite = 1;
    for (int r = 1; r < s && composite; r++) {
      x = mulmod(x, x, n);
      if (x == n - 1) composite = 0;
    }
    if (composite) return 0;
  }
  return 1;
}

/* Largest prime below 2^bits that is 1 mod 2n. */
static uint64_t ntt_prime(int bits, size_t n) {
  uint64_t step = 2 * n, q = ((1ULL << bits) - 1) / step * step + 1;
  while (!is_prime(q)) q -= step;
  return q;
}

static int bitrev(size_t x, int bits) {
  size_t r = 0;
  for (int i = 0; i < bits; i++) r |= ((x >> i) & 1) << (bits - 1 - i);
  return (int)r;
}

static polyhe_ntt_plan *make_plan(uint64_t q, int log_n) {
  size_t n = (size_t)1 << log_n;
  uint64_t psi = 0;
  for (uint64_t g = 2;; g++) {
    psi = powmod(g, (q - 1) / (2 * n), q);
    if (powmod(psi, n, q) == q - 1) break;
  }
  uint64_t *w = malloc(n * 8), *wi = malloc(n * 8);
  uint64_t psi_inv = powmod(psi, q - 2, q), p = 1, pi = 1;
  for (size_t i = 0; i < n; i++) {
    w[bitrev(i, log_n)] = p;
    wi[bitrev(i, log_n)] = pi;
    p = mulmod(p, psi, q);
    pi = mulmod(pi, psi_inv, q);
  }
  polyhe_ntt_plan *plan = NULL;
  int rc = polyhe_ntt_plan_create(q, log_n, w, wi, powmod(n, q - 2, q), &plan);
  free(w);
  free(wi);
  if (rc != POLYHE_OK) {
    fprintf(stderr, "plan_create failed: %d\n", rc);
    exit(2);
  }
  return plan;
}

static void random_limb(uint64_t *a, size_t n, uint64_t q) {
  for (size_t j = 0; j < n; j++) a[j] = next64() % q;
  a[0] = q - 1;
  if (n > 1) a[1] = 0;
}

static int failures = 0;

static void expect_equal(const char *what, int path, const uint64_t *ref, const uint64_t *got,
                         size_t n, uint64_t q) {
  for (size_t j = 0; j < n; j++) {
    if (ref[j] != got[j] || got[j] >= q) {
      fprintf(stderr, "MISMATCH %s path=%s q=%llu n=%zu at %zu: %llu vs %llu\n", what,
              polyhe_path_name(path), (unsigned long long)q, n, j, (unsigned long long)ref[j],
              (unsigned long long)got[j]);
      failures++;
      return;
    }
  }
}

/* Runs every kernel on the current path into outs[] (KERNEL_OUTPUTS limbs of n). */
static void run_all(polyhe_ntt_plan *plan, const uint64_t *a, const uint64_t *b, size_t n,
                    uint64_t q, uint64_t **outs, const uint64_t *const *from, const uint64_t *fq,
                    const uint64_t *hi, const uint64_t *hat, uint64_t dmod, uint64_t *scratch) {
  memcpy(outs[0], a, n * 8);
  polyhe_ntt_forward(plan, outs[0]);
  memcpy(outs[1], a, n * 8);
  polyhe_ntt_inverse(plan, outs[1]);
  polyhe_add(a, b, outs[2], n, q);
  polyhe_sub(a, b, outs[3], n, q);
  polyhe_negate(a, outs[4], n, q);
  polyhe_mul(a, b, outs[5], n, q);
  memcpy(outs[6], b, n * 8);
  polyhe_mul_acc(a, a, outs[6], n, q);
  polyhe_mul_scalar(a, b[2], outs[7], n, q);
  polyhe_add_scalar(a, b[3], outs[8], n, q);
  polyhe_subtract_and_scale(a, b, b[4], outs[9], n, q);
  uint64_t *out_arr[1] = {outs[10]};
  int rc = polyhe_convert_basis(from, fq, hi, 3, hat, &dmod, out_arr, &q, 1, n, scratch);
  if (rc != POLYHE_OK) {
    fprintf(stderr, "convert_basis rc=%d\n", rc);
    failures++;
  }
  /* Three permuted terms accumulated onto b (the reversal is a permutation). */
  int32_t *perm = malloc(n * sizeof *perm);
  for (size_t j = 0; j < n; j++) perm[j] = (int32_t)(n - 1 - j);
  memcpy(outs[11], b, n * 8);
  rc = polyhe_mul_sum4(a, b, b, a, a, a, NULL, NULL, 3, perm, outs[11], n, q, 1);
  rc |= polyhe_mul_sum4(a, b, b, a, a, a, b, b, 4, NULL, outs[12], n, q, 0);
  if (rc != POLYHE_OK) {
    fprintf(stderr, "mul_sum4 rc=%d\n", rc);
    failures++;
  }
  free(perm);
}

#define KERNEL_OUTPUTS 13
static const char *const NAMES[KERNEL_OUTPUTS] = {
    "ntt_forward", "ntt_inverse", "add", "sub", "negate", "mul", "mul_acc", "mul_scalar",
    "add_scalar", "sub_scale", "convert", "mul_sum4 permuted", "mul_sum4"};

static int check(void) {
  const int bits_list[] = {30, 36, 40, 49, 50, 52, 55, 60, 61};
  int supported = polyhe_supported_paths();
  for (int log_n = 5; log_n <= 16; log_n += (log_n < 8 ? 1 : 4)) {
    size_t n = (size_t)1 << log_n;
    for (size_t bi = 0; bi < sizeof bits_list / sizeof bits_list[0]; bi++) {
      uint64_t q = ntt_prime(bits_list[bi], n);
      polyhe_ntt_plan *plan = make_plan(q, log_n);
      uint64_t *a = malloc(n * 8), *b = malloc(n * 8), *ref[KERNEL_OUTPUTS], *got[KERNEL_OUTPUTS];
      uint64_t *from[3], fq[3], hi[3], hat[3], *scratch = malloc((3 * n + n / 8 + 1) * 8);
      for (int k = 0; k < KERNEL_OUTPUTS; k++) ref[k] = malloc(n * 8), got[k] = malloc(n * 8);
      random_limb(a, n, q);
      random_limb(b, n, q);
      const int from_bits[3] = {bits_list[bi] > 45 ? 45 : 40, 60, 41};
      for (int i = 0; i < 3; i++) {
        fq[i] = ntt_prime(from_bits[i], n);
        from[i] = malloc(n * 8);
        random_limb(from[i], n, fq[i]);
        hi[i] = next64() % fq[i];
        hat[i] = next64() % q;
      }
      uint64_t dmod = next64() % q;
      polyhe_select_path(POLYHE_PATH_SCALAR);
      run_all(plan, a, b, n, q, ref, (const uint64_t *const *)from, fq, hi, hat, dmod, scratch);
      /* Round trip on the scalar path: inverse(forward(a)) == a. */
      polyhe_ntt_inverse(plan, ref[0]);
      expect_equal("roundtrip", 0, a, ref[0], n, q);
      polyhe_ntt_forward(plan, ref[0]);
      for (int path = 1; path < 4; path++) {
        if (!(supported & (1 << path))) continue;
        polyhe_select_path(path);
        run_all(plan, a, b, n, q, got, (const uint64_t *const *)from, fq, hi, hat, dmod, scratch);
        for (int k = 0; k < KERNEL_OUTPUTS; k++) expect_equal(NAMES[k], path, ref[k], got[k], n, q);
      }
      for (int k = 0; k < KERNEL_OUTPUTS; k++) free(ref[k]), free(got[k]);
      for (int i = 0; i < 3; i++) free(from[i]);
      free(a), free(b), free(scratch);
      polyhe_ntt_plan_destroy(plan);
    }
  }
  printf("selftest: paths 0x%x, %s\n", supported, failures ? "FAILED" : "ok");
  return failures ? 1 : 0;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The fastest of many runs: robust when other work shares the cores. */
#define TIME(label, stmt)                                                          \
  do {                                                                             \
    double best = 1e9, start = now();                                              \
    do {                                                                           \
      double t0 = now();                                                           \
      stmt;                                                                        \
      double dt = now() - t0;                                                      \
      if (dt < best) best = dt;                                                    \
    } while (now() - start < 0.3);                                                 \
    printf("  %-8s %-12s %2d-bit %9.2f us\n", polyhe_path_name(path), label, bits, best * 1e6); \
  } while (0)

static int bench(int log_n) {
  size_t n = (size_t)1 << log_n;
  int supported = polyhe_supported_paths();
  const int bits_list[] = {40, 60};
  for (int bi = 0; bi < 2; bi++) {
    int bits = bits_list[bi];
    uint64_t q = ntt_prime(bits, n);
    polyhe_ntt_plan *plan = make_plan(q, log_n);
    uint64_t *a = aligned_alloc(64, n * 8), *b = aligned_alloc(64, n * 8);
    uint64_t *c = aligned_alloc(64, n * 8);
    uint64_t *scratch = aligned_alloc(64, (3 * n + n / 8 + 8) * 8);
    uint64_t *from[3], fq[3], hi[3], hat[3], dmod = 5;
    for (int i = 0; i < 3; i++) {
      fq[i] = ntt_prime(bits, n) - 2 * n * (i + 1);
      while (!is_prime(fq[i])) fq[i] -= 2 * n;
      from[i] = aligned_alloc(64, n * 8);
      random_limb(from[i], n, fq[i]);
      hi[i] = 3 + i;
      hat[i] = 7 + i;
    }
    random_limb(a, n, q);
    random_limb(b, n, q);
    for (int path = 0; path < 4; path++) {
      if (!(supported & (1 << path))) continue;
      polyhe_select_path(path);
      TIME("ntt_fwd", polyhe_ntt_forward(plan, a));
      TIME("ntt_inv", polyhe_ntt_inverse(plan, a));
      TIME("mul", polyhe_mul(a, b, c, n, q));
      TIME("mul_acc", polyhe_mul_acc(a, b, c, n, q));
      TIME("mul_scalar", polyhe_mul_scalar(a, 12345, c, n, q));
      TIME("add", polyhe_add(a, b, c, n, q));
      uint64_t *outs[1] = {c};
      TIME("convert3>1", polyhe_convert_basis((const uint64_t *const *)from, fq, hi, 3, hat,
                                              &dmod, outs, &q, 1, n, scratch));
    }
    polyhe_ntt_plan_destroy(plan);
  }
  return 0;
}

int main(int argc, char **argv) {
  if (polyhe_init() < 0) {
    fprintf(stderr, "polyhe_init failed (POLYHE_NATIVE_PATH?)\n");
    return 2;
  }
  if (argc > 2 && strcmp(argv[1], "bench") == 0) return bench(atoi(argv[2]));
  return check();
}
