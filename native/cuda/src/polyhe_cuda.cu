// polyhe CUDA kernels. See include/polyhe_cuda.h for the ABI and include/polyhe_cuda_math.h for
// the arithmetic, which is all here is: every kernel body is a __host__ __device__ function of its
// thread index calling the math header, and PHC_LAUNCH runs it as a grid on the GPU (nvcc) or as
// a loop over the same indices in the host build (g++ -DPOLYHE_CUDA_HOST_BUILD, a test library
// that the differential tests load in CI). Only launch geometry and device memory differ.
//
// One stream; operations queue on it and errors are sticky until polyhe_cuda_synchronize (or a
// download) reports them. Device memory comes from cudaMallocAsync (stream-ordered); the staging
// entry points of the first stage upload into pooled scratch, run the resident kernel, and copy
// back.

#include "polyhe_cuda.h"
#include "polyhe_cuda_math.h"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <map>
#include <utility>
#include <vector>

#ifndef POLYHE_CUDA_HOST_BUILD
#include <cuda_runtime.h>
#endif

namespace {

std::mutex g_lock;
char g_error[512] = "";
int g_sticky = POLYHE_CUDA_OK;
bool g_ready = false;

int fail(int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(g_error, sizeof g_error, fmt, ap);
  va_end(ap);
  return code;
}

// ---- the device layer: CUDA, or host memory and loops ------------------------------------------

#define PHC_UNPACK(...) __VA_ARGS__
constexpr unsigned kThreads = 256;

#ifdef POLYHE_CUDA_HOST_BUILD

#define PHC_KERNEL(name, params, args)
#define PHC_LAUNCH(name, nx, ny, args)                 \
  do {                                                 \
    for (unsigned y_ = 0; y_ < (unsigned)(ny); y_++) { \
      for (unsigned x_ = 0; x_ < (unsigned)(nx); x_++) { \
        name(x_, y_, PHC_UNPACK args);                 \
      }                                                \
    }                                                  \
  } while (0)

int dev_count() { return 1; }
int dev_init(int) { return POLYHE_CUDA_OK; }
int dev_alloc(size_t bytes, void **out) {
  *out = aligned_alloc(64, (bytes + 63) & ~(size_t)63);
  return *out == nullptr ? fail(POLYHE_CUDA_ERR_CUDA, "host allocation of %zu bytes failed", bytes) : POLYHE_CUDA_OK;
}
int dev_free(void *p) {
  free(p);
  return POLYHE_CUDA_OK;
}
int dev_memset0(void *p, size_t bytes) {
  memset(p, 0, bytes);
  return POLYHE_CUDA_OK;
}
int dev_h2d(void *dst, const void *src, size_t bytes) {
  memcpy(dst, src, bytes);
  return POLYHE_CUDA_OK;
}
int dev_d2h(void *dst, const void *src, size_t bytes) {
  memcpy(dst, src, bytes);
  return POLYHE_CUDA_OK;
}
int dev_d2d(void *dst, const void *src, size_t bytes) {
  memmove(dst, src, bytes);
  return POLYHE_CUDA_OK;
}
int dev_launched() { return POLYHE_CUDA_OK; }
int dev_sync() { return POLYHE_CUDA_OK; }
const char *dev_description() { return "host build of the CUDA sources (test library, no GPU)"; }

#else

cudaStream_t g_stream = nullptr;
char g_name[512] = "";

#define PHC_KERNEL(name, params, args)                                   \
  __global__ void name##_kernel params {                                 \
    unsigned x_ = blockIdx.x * blockDim.x + threadIdx.x;                 \
    name(x_, blockIdx.y, PHC_UNPACK args);                               \
  }
#define PHC_LAUNCH(name, nx, ny, args) \
  name##_kernel<<<dim3(((unsigned)(nx) + kThreads - 1) / kThreads, (unsigned)(ny)), kThreads, 0, g_stream>>> args

#define CUDA_TRY(call)                                                                   \
  do {                                                                                   \
    cudaError_t e_ = (call);                                                             \
    if (e_ != cudaSuccess) {                                                             \
      return fail(POLYHE_CUDA_ERR_CUDA, "%s failed: %s", #call, cudaGetErrorString(e_)); \
    }                                                                                    \
  } while (0)

int dev_count() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky "no driver / no device" error
    return 0;
  }
  return count;
}
int dev_init(int device) {
  CUDA_TRY(cudaSetDevice(device));
  CUDA_TRY(cudaStreamCreateWithFlags(&g_stream, cudaStreamNonBlocking));
  cudaDeviceProp prop;
  if (cudaGetDeviceProperties(&prop, device) == cudaSuccess) {
    snprintf(g_name, sizeof g_name, "%s (%d SMs, %.1f GiB)", prop.name, prop.multiProcessorCount,
             prop.totalGlobalMem / 1073741824.0);
  }
  return POLYHE_CUDA_OK;
}
int dev_alloc(size_t bytes, void **out) {
  CUDA_TRY(cudaMallocAsync(out, bytes, g_stream));
  return POLYHE_CUDA_OK;
}
int dev_free(void *p) {
  CUDA_TRY(cudaFreeAsync(p, g_stream));
  return POLYHE_CUDA_OK;
}
int dev_memset0(void *p, size_t bytes) {
  CUDA_TRY(cudaMemsetAsync(p, 0, bytes, g_stream));
  return POLYHE_CUDA_OK;
}
int dev_h2d(void *dst, const void *src, size_t bytes) {
  CUDA_TRY(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, g_stream));
  return POLYHE_CUDA_OK;
}
int dev_d2h(void *dst, const void *src, size_t bytes) {
  CUDA_TRY(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, g_stream));
  CUDA_TRY(cudaStreamSynchronize(g_stream));
  return POLYHE_CUDA_OK;
}
int dev_d2d(void *dst, const void *src, size_t bytes) {
  CUDA_TRY(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, g_stream));
  return POLYHE_CUDA_OK;
}
int dev_launched() {
  CUDA_TRY(cudaGetLastError());
  return POLYHE_CUDA_OK;
}
int dev_sync() {
  CUDA_TRY(cudaStreamSynchronize(g_stream));
  return POLYHE_CUDA_OK;
}
const char *dev_description() { return g_name; }

#endif

// ---- per-call constants, passed by value (kernel parameters, no transfer) -----------------------

constexpr int kMaxLimbs = POLYHE_CUDA_MAX_LIMBS;

struct Mods {
  phc_mod m[kMaxLimbs];
};
struct Words {
  uint64_t v[kMaxLimbs];
};
struct Indices {
  int v[kMaxLimbs];
};
constexpr int kMaxTerms = POLYHE_CUDA_MAX_TERMS;
struct Terms {
  const uint64_t *d[kMaxTerms];
  const uint64_t *b[kMaxTerms];
  const uint64_t *a[kMaxTerms];
};

Mods mods(const uint64_t *moduli, int count) {
  Mods m;
  for (int i = 0; i < count; i++) m.m[i] = phc_mod_make(moduli[i]);
  return m;
}

// NTT tables of every registered prime, in one device array indexed by registration order.
struct LimbTables {
  const uint64_t *w, *ws, *iw, *iws;
  uint64_t q, n_inv, n_inv_s, last, last_s;
  int logn;
};
std::vector<LimbTables> g_tables;            // host copy
std::map<std::pair<uint64_t, int>, int> g_index;  // (prime, logn) -> index
LimbTables *g_tables_dev = nullptr;          // device copy (grown on registration)
size_t g_tables_cap = 0;

// Pooled scratch for staging and conversion temporaries; stream-ordered reuse.
struct Scratch {
  void *ptr = nullptr;
  size_t bytes = 0;
};
Scratch g_scratch[12];

int scratch(int slot, size_t bytes, void **out) {
  Scratch &s = g_scratch[slot];
  if (s.bytes < bytes) {
    int rc;
    if (s.ptr != nullptr && (rc = dev_free(s.ptr)) != POLYHE_CUDA_OK) return rc;
    s.ptr = nullptr;
    if ((rc = dev_alloc(bytes, &s.ptr)) != POLYHE_CUDA_OK) return rc;
    s.bytes = bytes;
  }
  *out = s.ptr;
  return POLYHE_CUDA_OK;
}

int ready() {
  if (!g_ready) return polyhe_cuda_init(0);
  return POLYHE_CUDA_OK;
}

bool valid(int count, int logn) {
  return count >= 1 && count <= kMaxLimbs && logn >= 1 && logn <= 17;
}

// Records a launch (or queueing) failure as sticky.
int queued(int rc) {
  if (rc == POLYHE_CUDA_OK) rc = dev_launched();
  if (rc != POLYHE_CUDA_OK && g_sticky == POLYHE_CUDA_OK) g_sticky = rc;
  return rc;
}

// ---- kernel bodies: x = coefficient (or butterfly) index, y = limb ------------------------------

PHC_HD void ntt_forward_stage(unsigned k, unsigned limb, uint64_t *a, const LimbTables *all, Indices idx, unsigned n,
                              unsigned m, unsigned t) {
  if (k >= n / 2) return;
  const LimbTables &tb = all[idx.v[limb]];
  phc_ntt_forward_butterfly(a + (size_t)limb * n, k, m, t, tb.w, tb.ws, tb.q);
}
PHC_KERNEL(ntt_forward_stage, (uint64_t * a, const LimbTables *all, Indices idx, unsigned n, unsigned m, unsigned t),
           (a, all, idx, n, m, t))

PHC_HD void ntt_inverse_stage(unsigned k, unsigned limb, uint64_t *a, const LimbTables *all, Indices idx, unsigned n,
                              unsigned h, unsigned t) {
  if (k >= n / 2) return;
  const LimbTables &tb = all[idx.v[limb]];
  phc_ntt_inverse_butterfly(a + (size_t)limb * n, k, h, t, n, tb.iw, tb.iws, tb.q, tb.n_inv, tb.n_inv_s, tb.last,
                            tb.last_s);
}
PHC_KERNEL(ntt_inverse_stage, (uint64_t * a, const LimbTables *all, Indices idx, unsigned n, unsigned h, unsigned t),
           (a, all, idx, n, h, t))

PHC_HD void binary_op(unsigned j, unsigned limb, int op, const uint64_t *a, const uint64_t *b, uint64_t *out, Mods m,
                      unsigned n) {
  if (j >= n) return;
  size_t at = (size_t)limb * n + j;
  const phc_mod md = m.m[limb];
  uint64_t x = a[at], y = b[at];
  switch (op) {
    case POLYHE_CUDA_ADD: out[at] = phc_add(x, y, md.q); break;
    case POLYHE_CUDA_SUB: out[at] = phc_sub(x, y, md.q); break;
    case POLYHE_CUDA_MUL: out[at] = phc_mul(x, y, md); break;
    default: out[at] = phc_mul_add(out[at], x, y, md); break;
  }
}
PHC_KERNEL(binary_op, (int op, const uint64_t *a, const uint64_t *b, uint64_t *out, Mods m, unsigned n),
           (op, a, b, out, m, n))

PHC_HD void negate_op(unsigned j, unsigned limb, const uint64_t *a, uint64_t *out, Words q, unsigned n) {
  if (j >= n) return;
  size_t at = (size_t)limb * n + j;
  out[at] = phc_neg(a[at], q.v[limb]);
}
PHC_KERNEL(negate_op, (const uint64_t *a, uint64_t *out, Words q, unsigned n), (a, out, q, n))

// op: 0 add, 1 multiply, 2 multiply-accumulate; s are the scalars, ss their Shoup constants.
PHC_HD void scalar_op(unsigned j, unsigned limb, int op, const uint64_t *a, Words s, Words ss, uint64_t *out, Words q,
                      unsigned n) {
  if (j >= n) return;
  size_t at = (size_t)limb * n + j;
  uint64_t ql = q.v[limb];
  if (op == POLYHE_CUDA_SCALAR_ADD) {
    out[at] = phc_add(a[at], s.v[limb], ql);
  } else {
    uint64_t p = phc_shoup(a[at], s.v[limb], ss.v[limb], ql);
    out[at] = op == POLYHE_CUDA_SCALAR_MUL ? p : phc_add(out[at], p, ql);
  }
}
PHC_KERNEL(scalar_op, (int op, const uint64_t *a, Words s, Words ss, uint64_t *out, Words q, unsigned n),
           (op, a, s, ss, out, q, n))

PHC_HD void permute_table(unsigned j, unsigned limb, const uint64_t *in, const int32_t *perm, uint64_t *out,
                          unsigned n) {
  if (j >= n) return;
  out[(size_t)limb * n + j] = in[(size_t)limb * n + perm[j]];
}
PHC_KERNEL(permute_table, (const uint64_t *in, const int32_t *perm, uint64_t *out, unsigned n), (in, perm, out, n))

PHC_HD void automorphism_ntt(unsigned j, unsigned limb, const uint64_t *in, unsigned galois, uint64_t *out,
                             unsigned n, int logn) {
  if (j >= n) return;
  out[(size_t)limb * n + j] = in[(size_t)limb * n + phc_ntt_permutation_index(j, galois, logn)];
}
PHC_KERNEL(automorphism_ntt, (const uint64_t *in, unsigned galois, uint64_t *out, unsigned n, int logn),
           (in, galois, out, n, logn))

PHC_HD void automorphism_coeff(unsigned i, unsigned limb, const uint64_t *in, unsigned galois, uint64_t *out, Words q,
                               unsigned n) {
  if (i >= n) return;
  int negate;
  unsigned k = phc_automorphism_coeff_index(i, galois, n, &negate);
  uint64_t x = in[(size_t)limb * n + i];
  out[(size_t)limb * n + k] = negate ? phc_neg(x, q.v[limb]) : x;
}
PHC_KERNEL(automorphism_coeff, (const uint64_t *in, unsigned galois, uint64_t *out, Words q, unsigned n),
           (in, galois, out, q, n))

PHC_HD void subtract_scale(unsigned j, unsigned limb, const uint64_t *a, const uint64_t *last, Words inv,
                           Words inv_s, uint64_t *out, Words q, unsigned n) {
  if (j >= n) return;
  size_t at = (size_t)limb * n + j;
  uint64_t ql = q.v[limb];
  out[at] = phc_shoup(phc_sub(a[at], last[at], ql), inv.v[limb], inv_s.v[limb], ql);
}
PHC_KERNEL(subtract_scale,
           (const uint64_t *a, const uint64_t *last, Words inv, Words inv_s, uint64_t *out, Words q, unsigned n),
           (a, last, inv, inv_s, out, q, n))

// Step 1 for all sources at coefficient j: v (scratch, from_count limbs) and the negative count.
PHC_HD void convert_scale(unsigned j, unsigned, const uint64_t *in, uint64_t *v, uint8_t *negatives, Words from,
                          Words hat_inv, Words hat_inv_s, int from_count, unsigned n) {
  if (j >= n) return;
  unsigned neg = 0;
  for (int i = 0; i < from_count; i++) {
    v[(size_t)i * n + j] = phc_convert_scale(in[(size_t)i * n + j], hat_inv.v[i], hat_inv_s.v[i], from.v[i], &neg);
  }
  negatives[j] = (uint8_t)neg;
}
PHC_KERNEL(convert_scale,
           (const uint64_t *in, uint64_t *v, uint8_t *negatives, Words from, Words hat_inv, Words hat_inv_s,
            int from_count, unsigned n),
           (in, v, negatives, from, hat_inv, hat_inv_s, from_count, n))

// Step 2 for target limb k at coefficient j; hat and its Shoup constants are [k][i] rows in device memory.
PHC_HD void convert_output(unsigned j, unsigned k, const uint64_t *v, const uint8_t *negatives, const uint64_t *hat,
                           const uint64_t *hat_s, int from_count, Words d_mod, Words d_mod_s, Words to, uint64_t *out,
                           unsigned n) {
  if (j >= n) return;
  out[(size_t)k * n + j] = phc_convert_accumulate(v + j, n, from_count, hat + (size_t)k * from_count,
                                                  hat_s + (size_t)k * from_count, negatives[j], d_mod.v[k],
                                                  d_mod_s.v[k], to.v[k]);
}
PHC_KERNEL(convert_output,
           (const uint64_t *v, const uint8_t *negatives, const uint64_t *hat, const uint64_t *hat_s, int from_count,
            Words d_mod, Words d_mod_s, Words to, uint64_t *out, unsigned n),
           (v, negatives, hat, hat_s, from_count, d_mod, d_mod_s, to, out, n))

// The fused key-switching inner product: each digit word read once for both key parts.
PHC_HD void keyswitch_inner(unsigned j, unsigned limb, Terms terms, int count, uint64_t *out0, uint64_t *out1, Mods m,
                            unsigned n) {
  if (j >= n) return;
  size_t at = (size_t)limb * n + j;
  const phc_mod md = m.m[limb];
  uint64_t s0 = 0, s1 = 0;
  for (int t = 0; t < count; t++) {
    uint64_t d = terms.d[t][at];
    s0 = phc_mul_add(s0, d, terms.b[t][at], md);
    s1 = phc_mul_add(s1, d, terms.a[t][at], md);
  }
  out0[at] = s0;
  out1[at] = s1;
}
PHC_KERNEL(keyswitch_inner, (Terms terms, int count, uint64_t *out0, uint64_t *out1, Mods m, unsigned n),
           (terms, count, out0, out1, m, n))

Words words(const uint64_t *v, int count) {
  Words w;
  for (int i = 0; i < count; i++) w.v[i] = v[i];
  return w;
}

Words shoups(const uint64_t *v, const uint64_t *moduli, int count) {
  Words w;
  for (int i = 0; i < count; i++) w.v[i] = phc_shoup_constant(v[i], moduli[i]);
  return w;
}

bool reduced(const uint64_t *v, const uint64_t *moduli, int count) {
  for (int i = 0; i < count; i++) {
    if (v[i] >= moduli[i]) return false;
  }
  return true;
}

}  // namespace

// ---- the ABI -------------------------------------------------------------------------------------

#define ENTER()                                          \
  std::lock_guard<std::mutex> guard_(g_lock);            \
  do {                                                   \
    int rc_ = ready();                                   \
    if (rc_ != POLYHE_CUDA_OK) return rc_;               \
  } while (0)

extern "C" {

int polyhe_cuda_abi_version(void) { return POLYHE_CUDA_ABI_VERSION; }

int polyhe_cuda_host_build(void) {
#ifdef POLYHE_CUDA_HOST_BUILD
  return 1;
#else
  return 0;
#endif
}

int polyhe_cuda_device_count(void) { return dev_count(); }

int polyhe_cuda_init(int device) {
  if (g_ready) return POLYHE_CUDA_OK;
  int count = dev_count();
  if (count <= device || device < 0) {
    return fail(POLYHE_CUDA_ERR_NO_DEVICE, "no CUDA device %d (%d found)", device, count);
  }
  int rc = dev_init(device);
  if (rc != POLYHE_CUDA_OK) return rc;
  g_ready = true;
  return POLYHE_CUDA_OK;
}

void polyhe_cuda_last_error(char *buf, int len) {
  if (buf == nullptr || len <= 0) return;
  std::lock_guard<std::mutex> guard(g_lock);
  snprintf(buf, (size_t)len, "%s", g_error);
}

void polyhe_cuda_device_name(char *buf, int len) {
  if (buf == nullptr || len <= 0) return;
  std::lock_guard<std::mutex> guard(g_lock);
  snprintf(buf, (size_t)len, "%s", g_ready ? dev_description() : "(not initialised)");
}

int polyhe_cuda_register_ntt(uint64_t q, int logn, const uint64_t *w, const uint64_t *w_shoup, const uint64_t *iw,
                             const uint64_t *iw_shoup, uint64_t n_inv, uint64_t n_inv_shoup, uint64_t last_iw,
                             uint64_t last_iw_shoup) {
  ENTER();
  if (!valid(1, logn) || q == 0) {
    return fail(POLYHE_CUDA_ERR_ARGUMENT, "bad NTT table arguments (q %llu, logn %d)", (unsigned long long)q, logn);
  }
  if (g_index.count({q, logn}) != 0) return POLYHE_CUDA_OK;
  size_t bytes = sizeof(uint64_t) << logn;
  LimbTables t{nullptr, nullptr, nullptr, nullptr, q, n_inv, n_inv_shoup, last_iw, last_iw_shoup, logn};
  const uint64_t *src[] = {w, w_shoup, iw, iw_shoup};
  const uint64_t **dst[] = {&t.w, &t.ws, &t.iw, &t.iws};
  for (int i = 0; i < 4; i++) {
    void *p;
    int rc;
    if ((rc = dev_alloc(bytes, &p)) != POLYHE_CUDA_OK || (rc = dev_h2d(p, src[i], bytes)) != POLYHE_CUDA_OK) return rc;
    *dst[i] = (const uint64_t *)p;
  }
  g_tables.push_back(t);
  g_index[{q, logn}] = (int)g_tables.size() - 1;
  if (g_tables.size() > g_tables_cap) {
    size_t cap = g_tables_cap == 0 ? 64 : 2 * g_tables_cap;
    void *p;
    int rc;
    if (g_tables_dev != nullptr && (rc = dev_free(g_tables_dev)) != POLYHE_CUDA_OK) return rc;
    if ((rc = dev_alloc(cap * sizeof(LimbTables), &p)) != POLYHE_CUDA_OK) return rc;
    g_tables_dev = (LimbTables *)p;
    g_tables_cap = cap;
  }
  int rc = dev_h2d(g_tables_dev, g_tables.data(), g_tables.size() * sizeof(LimbTables));
  if (rc != POLYHE_CUDA_OK) return rc;
  return dev_sync();  // the host arrays may go once this returns
}

// ---- memory ---------------------------------------------------------------------------------------

int polyhe_cuda_alloc(uint64_t bytes, void **out) {
  ENTER();
  if (out == nullptr || bytes == 0) return fail(POLYHE_CUDA_ERR_ARGUMENT, "bad allocation arguments");
  return queued(dev_alloc((size_t)bytes, out));
}

int polyhe_cuda_free(void *p) {
  ENTER();
  return p == nullptr ? POLYHE_CUDA_OK : queued(dev_free(p));
}

int polyhe_cuda_zero(void *p, uint64_t bytes) {
  ENTER();
  return queued(dev_memset0(p, (size_t)bytes));
}

int polyhe_cuda_upload(void *dst, const void *src, uint64_t bytes) {
  ENTER();
  return queued(dev_h2d(dst, src, (size_t)bytes));
}

int polyhe_cuda_copy(void *dst, const void *src, uint64_t bytes) {
  ENTER();
  return queued(dev_d2d(dst, src, (size_t)bytes));
}

int polyhe_cuda_synchronize(void) {
  ENTER();
  int rc = dev_sync();
  int sticky = g_sticky;
  g_sticky = POLYHE_CUDA_OK;
  return sticky != POLYHE_CUDA_OK ? sticky : rc;
}

int polyhe_cuda_download(void *dst, const void *src, uint64_t bytes) {
  ENTER();
  int rc = dev_d2h(dst, src, (size_t)bytes);
  int sticky = g_sticky;
  g_sticky = POLYHE_CUDA_OK;
  return sticky != POLYHE_CUDA_OK ? sticky : rc;
}

// ---- resident kernels (device pointers) -----------------------------------------------------------

static int ntt_locked(uint64_t *a, int count, int logn, const uint64_t *moduli, int inverse) {
  if (!valid(count, logn)) return fail(POLYHE_CUDA_ERR_ARGUMENT, "bad NTT arguments (count %d, logn %d)", count, logn);
  Indices idx;
  for (int i = 0; i < count; i++) {
    auto it = g_index.find({moduli[i], logn});
    if (it == g_index.end()) {
      return fail(POLYHE_CUDA_ERR_NO_TABLES, "no NTT tables registered for prime %llu at logn %d",
                  (unsigned long long)moduli[i], logn);
    }
    idx.v[i] = it->second;
  }
  unsigned n = 1u << logn;
  if (!inverse) {
    unsigned t = n;
    for (unsigned m = 1; m < n; m <<= 1) {
      t >>= 1;
      PHC_LAUNCH(ntt_forward_stage, n / 2, count, (a, g_tables_dev, idx, n, m, t));
    }
  } else {
    unsigned t = 1;
    for (unsigned h = n >> 1; h >= 1; h >>= 1) {
      PHC_LAUNCH(ntt_inverse_stage, n / 2, count, (a, g_tables_dev, idx, n, h, t));
      t <<= 1;
    }
  }
  return queued(POLYHE_CUDA_OK);
}

int polyhe_cuda_r_ntt(uint64_t *a, int count, int logn, const uint64_t *moduli, int inverse) {
  ENTER();
  return ntt_locked(a, count, logn, moduli, inverse);
}

static int binary_locked(int op, const uint64_t *a, const uint64_t *b, uint64_t *out, int count, int logn,
                         const uint64_t *moduli) {
  if (!valid(count, logn) || op < POLYHE_CUDA_ADD || op > POLYHE_CUDA_MUL_ACC) {
    return fail(POLYHE_CUDA_ERR_ARGUMENT, "bad arguments (op %d, count %d, logn %d)", op, count, logn);
  }
  unsigned n = 1u << logn;
  PHC_LAUNCH(binary_op, n, count, (op, a, b, out, mods(moduli, count), n));
  return queued(POLYHE_CUDA_OK);
}

int polyhe_cuda_r_binary(int op, const uint64_t *a, const uint64_t *b, uint64_t *out, int count, int logn,
                         const uint64_t *moduli) {
  ENTER();
  return binary_locked(op, a, b, out, count, logn, moduli);
}

static int negate_locked(const uint64_t *a, uint64_t *out, int count, int logn, const uint64_t *moduli) {
  if (!valid(count, logn)) return fail(POLYHE_CUDA_ERR_ARGUMENT, "bad arguments (count %d, logn %d)", count, logn);
  unsigned n = 1u << logn;
  PHC_LAUNCH(negate_op, n, count, (a, out, words(moduli, count), n));
  return queued(POLYHE_CUDA_OK);
}

int polyhe_cuda_r_negate(const uint64_t *a, uint64_t *out, int count, int logn, const uint64_t *moduli) {
  ENTER();
  return negate_locked(a, out, count, logn, moduli);
}

static int scalar_locked(int op, const uint64_t *a, const uint64_t *scalars, uint64_t *out, int count, int logn,
                         const uint64_t *moduli) {
  if (!valid(count, logn) || op < POLYHE_CUDA_SCALAR_ADD || op > POLYHE_CUDA_SCALAR_MUL_ACC ||
      !reduced(scalars, moduli, count)) {
    return fail(POLYHE_CUDA_ERR_ARGUMENT, "bad scalar arguments (op %d, count %d, logn %d, or unreduced)", op, count,
                logn);
  }
  unsigned n = 1u << logn;
  PHC_LAUNCH(scalar_op, n, count,
             (op, a, words(scalars, count), shoups(scalars, moduli, count), out, words(moduli, count), n));
  return queued(POLYHE_CUDA_OK);
}

int polyhe_cuda_r_scalar(int op, const uint64_t *a, const uint64_t *scalars, uint64_t *out, int count, int logn,
                         const uint64_t *moduli) {
  ENTER();
  return scalar_locked(op, a, scalars, out, count, logn, moduli);
}

int polyhe_cuda_r_automorphism_ntt(const uint64_t *in, int galois, uint64_t *out, int count, int logn) {
  ENTER();
  if (!valid(count, logn) || (galois & 1) == 0 || galois <= 0 || galois >= (2 << logn)) {
    return fail(POLYHE_CUDA_ERR_ARGUMENT, "bad arguments (galois %d, count %d, logn %d)", galois, count, logn);
  }
  unsigned n = 1u << logn;
  PHC_LAUNCH(automorphism_ntt, n, count, (in, (unsigned)galois, out, n, logn));
  return queued(POLYHE_CUDA_OK);
}

static int automorphism_coeff_locked(const uint64_t *in, int galois, uint64_t *out, int count, int logn,
                                     const uint64_t *moduli) {
  if (!valid(count, logn) || (galois & 1) == 0 || galois <= 0 || galois >= (2 << logn)) {
    return fail(POLYHE_CUDA_ERR_ARGUMENT, "bad arguments (galois %d, count %d, logn %d)", galois, count, logn);
  }
  unsigned n = 1u << logn;
  PHC_LAUNCH(automorphism_coeff, n, count, (in, (unsigned)galois, out, words(moduli, count), n));
  return queued(POLYHE_CUDA_OK);
}

int polyhe_cuda_r_automorphism_coeff(const uint64_t *in, int galois, uint64_t *out, int count, int logn,
                                     const uint64_t *moduli) {
  ENTER();
  return automorphism_coeff_locked(in, galois, out, count, logn, moduli);
}

static int subtract_scale_locked(const uint64_t *a, const uint64_t *last, const uint64_t *inverses, uint64_t *out,
                                 int count, int logn, const uint64_t *moduli) {
  if (!valid(count, logn) || !reduced(inverses, moduli, count)) {
    return fail(POLYHE_CUDA_ERR_ARGUMENT, "bad arguments (count %d, logn %d, or unreduced inverses)", count, logn);
  }
  unsigned n = 1u << logn;
  PHC_LAUNCH(subtract_scale, n, count,
             (a, last, words(inverses, count), shoups(inverses, moduli, count), out, words(moduli, count), n));
  return queued(POLYHE_CUDA_OK);
}

int polyhe_cuda_r_subtract_and_scale(const uint64_t *a, const uint64_t *last, const uint64_t *inverses, uint64_t *out,
                                     int count, int logn, const uint64_t *moduli) {
  ENTER();
  return subtract_scale_locked(a, last, inverses, out, count, logn, moduli);
}

static int convert_locked(const uint64_t *in, const uint64_t *from, const uint64_t *hat_inverse, int from_count,
                          const uint64_t *hat, const uint64_t *d_mod_to, uint64_t *out, const uint64_t *to,
                          int to_count, int logn) {
  if (!valid(from_count, logn) || !valid(to_count, logn) || !reduced(hat_inverse, from, from_count) ||
      !reduced(d_mod_to, to, to_count)) {
    return fail(POLYHE_CUDA_ERR_ARGUMENT, "bad conversion arguments (from %d, to %d, logn %d)", from_count, to_count,
                logn);
  }
  unsigned n = 1u << logn;
  // The factor matrix transposed to [target][source] rows with Shoup constants: one upload of a
  // few kB per call (registered once per converter in the GPU stage, see DESIGN.md).
  std::vector<uint64_t> rows((size_t)2 * from_count * to_count);
  for (int k = 0; k < to_count; k++) {
    for (int i = 0; i < from_count; i++) {
      uint64_t h = hat[(size_t)i * to_count + k];
      if (h >= to[k]) return fail(POLYHE_CUDA_ERR_ARGUMENT, "conversion factor not reduced");
      rows[(size_t)k * from_count + i] = h;
      rows[(size_t)(to_count + k) * from_count + i] = phc_shoup_constant(h, to[k]);
    }
  }
  void *dv, *dneg, *dhat;
  int rc;
  if ((rc = scratch(8, (size_t)from_count * n * sizeof(uint64_t), &dv)) != POLYHE_CUDA_OK ||
      (rc = scratch(9, n, &dneg)) != POLYHE_CUDA_OK ||
      (rc = scratch(10, rows.size() * sizeof(uint64_t), &dhat)) != POLYHE_CUDA_OK ||
      (rc = dev_h2d(dhat, rows.data(), rows.size() * sizeof(uint64_t))) != POLYHE_CUDA_OK) {
    return queued(rc);
  }
  const uint64_t *hat_rows = (const uint64_t *)dhat;
  PHC_LAUNCH(convert_scale, n, 1,
             (in, (uint64_t *)dv, (uint8_t *)dneg, words(from, from_count), words(hat_inverse, from_count),
              shoups(hat_inverse, from, from_count), from_count, n));
  PHC_LAUNCH(convert_output, n, to_count,
             ((const uint64_t *)dv, (const uint8_t *)dneg, hat_rows, hat_rows + (size_t)to_count * from_count,
              from_count, words(d_mod_to, to_count), shoups(d_mod_to, to, to_count), words(to, to_count), out, n));
  return queued(POLYHE_CUDA_OK);
}

int polyhe_cuda_r_convert_basis(const uint64_t *in, const uint64_t *from, const uint64_t *hat_inverse, int from_count,
                                const uint64_t *hat, const uint64_t *d_mod_to, uint64_t *out, const uint64_t *to,
                                int to_count, int logn) {
  ENTER();
  return convert_locked(in, from, hat_inverse, from_count, hat, d_mod_to, out, to, to_count, logn);
}

int polyhe_cuda_r_keyswitch_inner(const uint64_t *const *digits, const uint64_t *const *key_b,
                                  const uint64_t *const *key_a, int terms, uint64_t *out0, uint64_t *out1, int count,
                                  int logn, const uint64_t *moduli) {
  ENTER();
  if (!valid(count, logn) || terms < 1 || terms > kMaxTerms) {
    return fail(POLYHE_CUDA_ERR_ARGUMENT, "bad inner product arguments (terms %d, count %d, logn %d)", terms, count,
                logn);
  }
  Terms t;
  for (int j = 0; j < terms; j++) {
    t.d[j] = digits[j];
    t.b[j] = key_b[j];
    t.a[j] = key_a[j];
  }
  unsigned n = 1u << logn;
  PHC_LAUNCH(keyswitch_inner, n, count, (t, terms, out0, out1, mods(moduli, count), n));
  return queued(POLYHE_CUDA_OK);
}

// ---- the staging entry points of the first stage: host buffers in and out ------------------------

static int stage_in(int slot, const void *host, size_t bytes, void **dev) {
  int rc = scratch(slot, bytes, dev);
  return rc != POLYHE_CUDA_OK ? rc : dev_h2d(*dev, host, bytes);
}

static int stage_out(void *host, const void *dev, size_t bytes) {
  int rc = dev_launched();
  if (rc == POLYHE_CUDA_OK) rc = dev_d2h(host, dev, bytes);
  if (rc == POLYHE_CUDA_OK) rc = dev_sync();
  int sticky = g_sticky;
  g_sticky = POLYHE_CUDA_OK;
  return sticky != POLYHE_CUDA_OK ? sticky : rc;
}

#define LIMB_BYTES(count, logn) ((size_t)(count) << (logn)) * sizeof(uint64_t)

int polyhe_cuda_ntt(uint64_t *limbs, int count, int logn, const uint64_t *moduli, int inverse) {
  ENTER();
  if (!valid(count, logn)) return fail(POLYHE_CUDA_ERR_ARGUMENT, "bad NTT arguments (count %d, logn %d)", count, logn);
  size_t bytes = LIMB_BYTES(count, logn);
  void *d;
  int rc;
  if ((rc = stage_in(0, limbs, bytes, &d)) != POLYHE_CUDA_OK ||
      (rc = ntt_locked((uint64_t *)d, count, logn, moduli, inverse)) != POLYHE_CUDA_OK) {
    return rc;
  }
  return stage_out(limbs, d, bytes);
}

int polyhe_cuda_binary(int op, const uint64_t *a, const uint64_t *b, uint64_t *out, int count, int logn,
                       const uint64_t *moduli) {
  ENTER();
  if (!valid(count, logn)) return fail(POLYHE_CUDA_ERR_ARGUMENT, "bad arguments (count %d, logn %d)", count, logn);
  size_t bytes = LIMB_BYTES(count, logn);
  void *da, *db, *dout;
  int rc;
  if ((rc = stage_in(0, a, bytes, &da)) != POLYHE_CUDA_OK || (rc = stage_in(1, b, bytes, &db)) != POLYHE_CUDA_OK ||
      (rc = op == POLYHE_CUDA_MUL_ACC ? stage_in(2, out, bytes, &dout) : scratch(2, bytes, &dout)) != POLYHE_CUDA_OK ||
      (rc = binary_locked(op, (const uint64_t *)da, (const uint64_t *)db, (uint64_t *)dout, count, logn, moduli)) !=
          POLYHE_CUDA_OK) {
    return rc;
  }
  return stage_out(out, dout, bytes);
}

int polyhe_cuda_negate(const uint64_t *a, uint64_t *out, int count, int logn, const uint64_t *moduli) {
  ENTER();
  if (!valid(count, logn)) return fail(POLYHE_CUDA_ERR_ARGUMENT, "bad arguments (count %d, logn %d)", count, logn);
  size_t bytes = LIMB_BYTES(count, logn);
  void *da, *dout;
  int rc;
  if ((rc = stage_in(0, a, bytes, &da)) != POLYHE_CUDA_OK || (rc = scratch(2, bytes, &dout)) != POLYHE_CUDA_OK ||
      (rc = negate_locked((const uint64_t *)da, (uint64_t *)dout, count, logn, moduli)) != POLYHE_CUDA_OK) {
    return rc;
  }
  return stage_out(out, dout, bytes);
}

int polyhe_cuda_scalar(int multiply, const uint64_t *a, const uint64_t *scalars, uint64_t *out, int count, int logn,
                       const uint64_t *moduli) {
  ENTER();
  if (!valid(count, logn)) return fail(POLYHE_CUDA_ERR_ARGUMENT, "bad arguments (count %d, logn %d)", count, logn);
  size_t bytes = LIMB_BYTES(count, logn);
  void *da, *dout;
  int rc;
  if ((rc = stage_in(0, a, bytes, &da)) != POLYHE_CUDA_OK || (rc = scratch(2, bytes, &dout)) != POLYHE_CUDA_OK ||
      (rc = scalar_locked(multiply ? POLYHE_CUDA_SCALAR_MUL : POLYHE_CUDA_SCALAR_ADD, (const uint64_t *)da, scalars,
                          (uint64_t *)dout, count, logn, moduli)) != POLYHE_CUDA_OK) {
    return rc;
  }
  return stage_out(out, dout, bytes);
}

int polyhe_cuda_permute(const uint64_t *in, const int32_t *permutation, uint64_t *out, int count, int logn) {
  ENTER();
  if (!valid(count, logn)) return fail(POLYHE_CUDA_ERR_ARGUMENT, "bad arguments (count %d, logn %d)", count, logn);
  unsigned n = 1u << logn;
  for (unsigned j = 0; j < n; j++) {
    if (permutation[j] < 0 || (unsigned)permutation[j] >= n) {
      return fail(POLYHE_CUDA_ERR_ARGUMENT, "permutation entry %d out of range", permutation[j]);
    }
  }
  size_t bytes = LIMB_BYTES(count, logn);
  void *din, *dp, *dout;
  int rc;
  if ((rc = stage_in(0, in, bytes, &din)) != POLYHE_CUDA_OK ||
      (rc = stage_in(1, permutation, n * sizeof(int32_t), &dp)) != POLYHE_CUDA_OK ||
      (rc = scratch(2, bytes, &dout)) != POLYHE_CUDA_OK) {
    return rc;
  }
  PHC_LAUNCH(permute_table, n, count, ((const uint64_t *)din, (const int32_t *)dp, (uint64_t *)dout, n));
  return stage_out(out, dout, bytes);
}

int polyhe_cuda_automorphism(const uint64_t *in, int galois, uint64_t *out, int count, int logn,
                             const uint64_t *moduli) {
  ENTER();
  if (!valid(count, logn)) return fail(POLYHE_CUDA_ERR_ARGUMENT, "bad arguments (count %d, logn %d)", count, logn);
  size_t bytes = LIMB_BYTES(count, logn);
  void *din, *dout;
  int rc;
  if ((rc = stage_in(0, in, bytes, &din)) != POLYHE_CUDA_OK || (rc = scratch(2, bytes, &dout)) != POLYHE_CUDA_OK ||
      (rc = automorphism_coeff_locked((const uint64_t *)din, galois, (uint64_t *)dout, count, logn, moduli)) !=
          POLYHE_CUDA_OK) {
    return rc;
  }
  return stage_out(out, dout, bytes);
}

int polyhe_cuda_subtract_and_scale(const uint64_t *a, const uint64_t *last, const uint64_t *inverses, uint64_t *out,
                                   int count, int logn, const uint64_t *moduli) {
  ENTER();
  if (!valid(count, logn)) return fail(POLYHE_CUDA_ERR_ARGUMENT, "bad arguments (count %d, logn %d)", count, logn);
  size_t bytes = LIMB_BYTES(count, logn);
  void *da, *dl, *dout;
  int rc;
  if ((rc = stage_in(0, a, bytes, &da)) != POLYHE_CUDA_OK || (rc = stage_in(1, last, bytes, &dl)) != POLYHE_CUDA_OK ||
      (rc = scratch(2, bytes, &dout)) != POLYHE_CUDA_OK ||
      (rc = subtract_scale_locked((const uint64_t *)da, (const uint64_t *)dl, inverses, (uint64_t *)dout, count, logn,
                                  moduli)) != POLYHE_CUDA_OK) {
    return rc;
  }
  return stage_out(out, dout, bytes);
}

int polyhe_cuda_convert_basis(const uint64_t *in, const uint64_t *from, const uint64_t *hat_inverse, int from_count,
                              const uint64_t *hat, const uint64_t *d_mod_to, uint64_t *out, const uint64_t *to,
                              int to_count, int logn) {
  ENTER();
  if (!valid(from_count, logn) || !valid(to_count, logn)) {
    return fail(POLYHE_CUDA_ERR_ARGUMENT, "bad arguments (from %d, to %d, logn %d)", from_count, to_count, logn);
  }
  void *din, *dout;
  int rc;
  if ((rc = stage_in(0, in, LIMB_BYTES(from_count, logn), &din)) != POLYHE_CUDA_OK ||
      (rc = scratch(2, LIMB_BYTES(to_count, logn), &dout)) != POLYHE_CUDA_OK ||
      (rc = convert_locked((const uint64_t *)din, from, hat_inverse, from_count, hat, d_mod_to, (uint64_t *)dout, to,
                           to_count, logn)) != POLYHE_CUDA_OK) {
    return rc;
  }
  return stage_out(out, dout, LIMB_BYTES(to_count, logn));
}

}  // extern "C"
