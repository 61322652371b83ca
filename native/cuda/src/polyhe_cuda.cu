// polyhe CUDA kernels (issue 9, first stage: staging). See include/polyhe_cuda.h for the ABI.
//
// Every kernel reproduces the Java backend's arithmetic exactly (results are canonical residues,
// so any exact reduction gives the same words); the NTT follows JavaKernels' loops stage by stage
// with the same tables and lazy ranges. Modular products use unsigned __int128 remainders:
// correct first; Shoup/Barrett and shared-memory NTT stages come with device residency.

#include "polyhe_cuda.h"

#include <cuda_runtime.h>

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace {

std::mutex g_lock;
char g_error[512] = "";
bool g_ready = false;
cudaStream_t g_stream = nullptr;

int fail(int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(g_error, sizeof g_error, fmt, ap);
  va_end(ap);
  return code;
}

#define CUDA_TRY(call)                                                                         \
  do {                                                                                         \
    cudaError_t e_ = (call);                                                                   \
    if (e_ != cudaSuccess) {                                                                   \
      return fail(POLYHE_CUDA_ERR_CUDA, "%s failed: %s", #call, cudaGetErrorString(e_));       \
    }                                                                                          \
  } while (0)

// A few scratch buffers, grown on demand and never shrunk: no cudaMalloc per call once warm.
struct Scratch {
  void *ptr = nullptr;
  size_t bytes = 0;
};
Scratch g_scratch[8];

int scratch(int slot, size_t bytes, void **out) {
  Scratch &s = g_scratch[slot];
  if (s.bytes < bytes) {
    if (s.ptr != nullptr) {
      CUDA_TRY(cudaFree(s.ptr));
    }
    s.ptr = nullptr;
    CUDA_TRY(cudaMalloc(&s.ptr, bytes));
    s.bytes = bytes;
  }
  *out = s.ptr;
  return POLYHE_CUDA_OK;
}

struct Tables {
  int logn;
  uint64_t *w, *ws, *iw, *iws;
  uint64_t n_inv, n_inv_shoup, last, last_shoup;
};
std::unordered_map<uint64_t, Tables> g_tables;

struct LimbTables {
  const uint64_t *w, *ws, *iw, *iws;
  uint64_t q, n_inv, n_inv_shoup, last, last_shoup;
};

int ready() {
  if (!g_ready) {
    int rc = polyhe_cuda_init(0);
    if (rc != POLYHE_CUDA_OK) {
      return rc;
    }
  }
  return POLYHE_CUDA_OK;
}

int upload(int slot, const void *host, size_t bytes, void **dev) {
  int rc = scratch(slot, bytes, dev);
  if (rc != POLYHE_CUDA_OK) {
    return rc;
  }
  CUDA_TRY(cudaMemcpyAsync(*dev, host, bytes, cudaMemcpyHostToDevice, g_stream));
  return POLYHE_CUDA_OK;
}

int finish(void *host, const void *dev, size_t bytes) {
  CUDA_TRY(cudaGetLastError());
  if (host != nullptr) {
    CUDA_TRY(cudaMemcpyAsync(host, dev, bytes, cudaMemcpyDeviceToHost, g_stream));
  }
  CUDA_TRY(cudaStreamSynchronize(g_stream));
  return POLYHE_CUDA_OK;
}

__device__ __forceinline__ uint64_t mulmod(uint64_t a, uint64_t b, uint64_t q) {
  return (uint64_t)(((unsigned __int128)a * b) % q);
}

// Shoup product as in JavaKernels: y*w - mulhi(y, w')*q, in [0, 2q) for the lazy ranges used.
__device__ __forceinline__ uint64_t shoup(uint64_t y, uint64_t w, uint64_t ws, uint64_t q) {
  return y * w - __umul64hi(y, ws) * q;
}

__global__ void ntt_forward_stage(uint64_t *a, const LimbTables *tables, int n, int m, int t) {
  int limb = blockIdx.y;
  int k = blockIdx.x * blockDim.x + threadIdx.x;
  if (k >= n / 2) {
    return;
  }
  const LimbTables tb = tables[limb];
  uint64_t q = tb.q, two_q = 2 * q;
  uint64_t *x_ = a + (size_t)limb * n;
  int i = k / t;
  int j = 2 * i * t + (k % t);
  uint64_t wi = tb.w[m + i], wsi = tb.ws[m + i];
  uint64_t x = x_[j];
  if (x >= two_q) x -= two_q;
  uint64_t v = shoup(x_[j + t], wi, wsi, q);
  if (t > 1) {
    x_[j] = x + v;
    x_[j + t] = x - v + two_q;
  } else {
    uint64_t u0 = x + v, u1 = x - v + two_q;
    if (u0 >= two_q) u0 -= two_q;
    if (u0 >= q) u0 -= q;
    if (u1 >= two_q) u1 -= two_q;
    if (u1 >= q) u1 -= q;
    x_[j] = u0;
    x_[j + 1] = u1;
  }
}

__global__ void ntt_inverse_stage(uint64_t *a, const LimbTables *tables, int n, int h, int t) {
  int limb = blockIdx.y;
  int k = blockIdx.x * blockDim.x + threadIdx.x;
  if (k >= n / 2) {
    return;
  }
  const LimbTables tb = tables[limb];
  uint64_t q = tb.q, two_q = 2 * q;
  uint64_t *x_ = a + (size_t)limb * n;
  if (h > 1) {
    int i = k / t;
    int j = 2 * i * t + (k % t);
    uint64_t x = x_[j], y = x_[j + t];
    uint64_t s = x + y;
    if (s >= two_q) s -= two_q;
    uint64_t d = x - y + two_q;
    x_[j] = s;
    x_[j + t] = shoup(d, tb.iw[h + i], tb.iws[h + i], q);
  } else {
    int half = n / 2;
    uint64_t x = x_[k], y = x_[k + half];
    uint64_t s = x + y;
    if (s >= two_q) s -= two_q;
    uint64_t d = x - y + two_q;
    uint64_t r0 = shoup(s, tb.n_inv, tb.n_inv_shoup, q);
    uint64_t r1 = shoup(d, tb.last, tb.last_shoup, q);
    x_[k] = r0 >= q ? r0 - q : r0;
    x_[k + half] = r1 >= q ? r1 - q : r1;
  }
}

__global__ void binary_kernel(int op, const uint64_t *a, const uint64_t *b, uint64_t *out, const uint64_t *moduli,
                              int n) {
  int limb = blockIdx.y;
  int j = blockIdx.x * blockDim.x + threadIdx.x;
  if (j >= n) {
    return;
  }
  size_t at = (size_t)limb * n + j;
  uint64_t q = moduli[limb];
  uint64_t x = a[at], y = b[at];
  switch (op) {
    case POLYHE_CUDA_ADD: {
      uint64_t s = x + y;
      out[at] = s >= q ? s - q : s;
      break;
    }
    case POLYHE_CUDA_SUB:
      out[at] = x >= y ? x - y : x + q - y;
      break;
    case POLYHE_CUDA_MUL:
      out[at] = mulmod(x, y, q);
      break;
    default: {  // MUL_ACC
      uint64_t s = out[at] + mulmod(x, y, q);
      out[at] = s >= q ? s - q : s;
    }
  }
}

__global__ void negate_kernel(const uint64_t *a, uint64_t *out, const uint64_t *moduli, int n) {
  int limb = blockIdx.y;
  int j = blockIdx.x * blockDim.x + threadIdx.x;
  if (j >= n) {
    return;
  }
  size_t at = (size_t)limb * n + j;
  uint64_t x = a[at];
  out[at] = x == 0 ? 0 : moduli[limb] - x;
}

__global__ void scalar_kernel(int multiply, const uint64_t *a, const uint64_t *scalars, uint64_t *out,
                              const uint64_t *moduli, int n) {
  int limb = blockIdx.y;
  int j = blockIdx.x * blockDim.x + threadIdx.x;
  if (j >= n) {
    return;
  }
  size_t at = (size_t)limb * n + j;
  uint64_t q = moduli[limb];
  if (multiply) {
    out[at] = mulmod(a[at], scalars[limb], q);
  } else {
    uint64_t s = a[at] + scalars[limb];
    out[at] = s >= q ? s - q : s;
  }
}

__global__ void permute_kernel(const uint64_t *in, const int32_t *perm, uint64_t *out, int n) {
  int limb = blockIdx.y;
  int j = blockIdx.x * blockDim.x + threadIdx.x;
  if (j >= n) {
    return;
  }
  out[(size_t)limb * n + j] = in[(size_t)limb * n + perm[j]];
}

__global__ void automorphism_kernel(const uint64_t *in, int galois, uint64_t *out, const uint64_t *moduli, int n) {
  int limb = blockIdx.y;
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) {
    return;
  }
  unsigned mask = 2u * n - 1u;
  unsigned k = (unsigned)(((unsigned long long)i * (unsigned)galois) & mask);
  uint64_t x = in[(size_t)limb * n + i];
  uint64_t *o = out + (size_t)limb * n;
  if (k < (unsigned)n) {
    o[k] = x;
  } else {
    o[k - n] = x == 0 ? 0 : moduli[limb] - x;
  }
}

__global__ void subtract_scale_kernel(const uint64_t *a, const uint64_t *last, const uint64_t *inverses,
                                      uint64_t *out, const uint64_t *moduli, int n) {
  int limb = blockIdx.y;
  int j = blockIdx.x * blockDim.x + threadIdx.x;
  if (j >= n) {
    return;
  }
  size_t at = (size_t)limb * n + j;
  uint64_t q = moduli[limb];
  uint64_t x = a[at], y = last[at];
  uint64_t d = x >= y ? x - y : x + q - y;
  out[at] = mulmod(d, inverses[limb], q);
}

// v_i = in_i * hat_inverse[i] mod from[i], in place; negatives[j] counted afterwards.
__global__ void convert_prepare_kernel(uint64_t *v, const uint64_t *from, const uint64_t *hat_inverse,
                                       int from_count, uint8_t *negatives, int n) {
  int j = blockIdx.x * blockDim.x + threadIdx.x;
  if (j >= n) {
    return;
  }
  uint8_t neg = 0;
  for (int i = 0; i < from_count; i++) {
    uint64_t q = from[i];
    uint64_t x = mulmod(v[(size_t)i * n + j], hat_inverse[i], q);
    v[(size_t)i * n + j] = x;
    neg += x > (q - 1) / 2 ? 1 : 0;
  }
  negatives[j] = neg;
}

__global__ void convert_output_kernel(const uint64_t *v, const uint64_t *hat, const uint64_t *d_mod_to,
                                      const uint8_t *negatives, const uint64_t *to, int from_count, int to_count,
                                      uint64_t *out, int n) {
  int k = blockIdx.y;
  int j = blockIdx.x * blockDim.x + threadIdx.x;
  if (j >= n) {
    return;
  }
  uint64_t t = to[k];
  uint64_t acc = 0;
  for (int i = 0; i < from_count; i++) {
    uint64_t s = acc + mulmod(v[(size_t)i * n + j], hat[(size_t)i * to_count + k], t);
    acc = s >= t ? s - t : s;
  }
  uint64_t sub = mulmod(negatives[j], d_mod_to[k], t);
  out[(size_t)k * n + j] = acc >= sub ? acc - sub : acc + t - sub;
}

constexpr int kThreads = 256;

dim3 grid(int n, int count) {
  return dim3((unsigned)((n + kThreads - 1) / kThreads), (unsigned)count);
}

bool valid(int count, int logn) {
  return count >= 1 && count <= 4096 && logn >= 1 && logn <= 17;
}

}  // namespace

extern "C" {

int polyhe_cuda_abi_version(void) {
  return 1;
}

int polyhe_cuda_device_count(void) {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky "no driver / no device" error
    return 0;
  }
  return count;
}

int polyhe_cuda_init(int device) {
  if (g_ready) {
    return POLYHE_CUDA_OK;
  }
  int count = polyhe_cuda_device_count();
  if (count <= device || device < 0) {
    return fail(POLYHE_CUDA_ERR_NO_DEVICE, "no CUDA device %d (%d found)", device, count);
  }
  CUDA_TRY(cudaSetDevice(device));
  CUDA_TRY(cudaStreamCreateWithFlags(&g_stream, cudaStreamNonBlocking));
  g_ready = true;
  return POLYHE_CUDA_OK;
}

void polyhe_cuda_last_error(char *buf, int len) {
  if (buf == nullptr || len <= 0) {
    return;
  }
  std::lock_guard<std::mutex> guard(g_lock);
  snprintf(buf, (size_t)len, "%s", g_error);
}

int polyhe_cuda_register_ntt(uint64_t q, int logn, const uint64_t *w, const uint64_t *w_shoup, const uint64_t *iw,
                             const uint64_t *iw_shoup, uint64_t n_inv, uint64_t n_inv_shoup, uint64_t last_iw,
                             uint64_t last_iw_shoup) {
  std::lock_guard<std::mutex> guard(g_lock);
  int rc = ready();
  if (rc != POLYHE_CUDA_OK) {
    return rc;
  }
  if (!valid(1, logn) || q == 0) {
    return fail(POLYHE_CUDA_ERR_ARGUMENT, "bad NTT table arguments (q %llu, logn %d)", (unsigned long long)q, logn);
  }
  if (g_tables.count(q) != 0) {
    return g_tables[q].logn == logn ? POLYHE_CUDA_OK
                                    : fail(POLYHE_CUDA_ERR_ARGUMENT, "prime %llu registered for another n",
                                           (unsigned long long)q);
  }
  size_t bytes = sizeof(uint64_t) << logn;
  Tables t{logn, nullptr, nullptr, nullptr, nullptr, n_inv, n_inv_shoup, last_iw, last_iw_shoup};
  uint64_t **ptrs[] = {&t.w, &t.ws, &t.iw, &t.iws};
  const uint64_t *src[] = {w, w_shoup, iw, iw_shoup};
  for (int i = 0; i < 4; i++) {
    CUDA_TRY(cudaMalloc(ptrs[i], bytes));
    CUDA_TRY(cudaMemcpy(*ptrs[i], src[i], bytes, cudaMemcpyHostToDevice));
  }
  g_tables[q] = t;
  return POLYHE_CUDA_OK;
}

int polyhe_cuda_ntt(uint64_t *limbs, int count, int logn, const uint64_t *moduli, int inverse) {
  std::lock_guard<std::mutex> guard(g_lock);
  int rc = ready();
  if (rc != POLYHE_CUDA_OK) {
    return rc;
  }
  if (!valid(count, logn)) {
    return fail(POLYHE_CUDA_ERR_ARGUMENT, "bad NTT arguments (count %d, logn %d)", count, logn);
  }
  std::vector<LimbTables> host((size_t)count);
  for (int i = 0; i < count; i++) {
    auto it = g_tables.find(moduli[i]);
    if (it == g_tables.end() || it->second.logn != logn) {
      return fail(POLYHE_CUDA_ERR_NO_TABLES, "no NTT tables registered for prime %llu at logn %d",
                  (unsigned long long)moduli[i], logn);
    }
    const Tables &t = it->second;
    host[i] = LimbTables{t.w, t.ws, t.iw, t.iws, moduli[i], t.n_inv, t.n_inv_shoup, t.last, t.last_shoup};
  }
  int n = 1 << logn;
  size_t bytes = (size_t)count * n * sizeof(uint64_t);
  void *d_limbs, *d_tables;
  if ((rc = upload(0, limbs, bytes, &d_limbs)) != POLYHE_CUDA_OK ||
      (rc = upload(1, host.data(), host.size() * sizeof(LimbTables), &d_tables)) != POLYHE_CUDA_OK) {
    return rc;
  }
  dim3 g = grid(n / 2, count);
  auto *a = (uint64_t *)d_limbs;
  auto *tb = (const LimbTables *)d_tables;
  if (!inverse) {
    int t = n;
    for (int m = 1; m < n; m <<= 1) {
      t >>= 1;
      ntt_forward_stage<<<g, kThreads, 0, g_stream>>>(a, tb, n, m, t);
    }
  } else {
    int t = 1;
    for (int h = n >> 1; h >= 1; h >>= 1) {
      ntt_inverse_stage<<<g, kThreads, 0, g_stream>>>(a, tb, n, h, t);
      t <<= 1;
    }
  }
  return finish(limbs, d_limbs, bytes);
}

int polyhe_cuda_binary(int op, const uint64_t *a, const uint64_t *b, uint64_t *out, int count, int logn,
                       const uint64_t *moduli) {
  std::lock_guard<std::mutex> guard(g_lock);
  int rc = ready();
  if (rc != POLYHE_CUDA_OK) {
    return rc;
  }
  if (!valid(count, logn) || op < POLYHE_CUDA_ADD || op > POLYHE_CUDA_MUL_ACC) {
    return fail(POLYHE_CUDA_ERR_ARGUMENT, "bad arguments (op %d, count %d, logn %d)", op, count, logn);
  }
  int n = 1 << logn;
  size_t bytes = (size_t)count * n * sizeof(uint64_t);
  void *da, *db, *dout, *dm;
  if ((rc = upload(0, a, bytes, &da)) != POLYHE_CUDA_OK || (rc = upload(1, b, bytes, &db)) != POLYHE_CUDA_OK ||
      (rc = upload(3, moduli, (size_t)count * sizeof(uint64_t), &dm)) != POLYHE_CUDA_OK) {
    return rc;
  }
  if (op == POLYHE_CUDA_MUL_ACC) {
    rc = upload(2, out, bytes, &dout);
  } else {
    rc = scratch(2, bytes, &dout);
  }
  if (rc != POLYHE_CUDA_OK) {
    return rc;
  }
  binary_kernel<<<grid(n, count), kThreads, 0, g_stream>>>(op, (const uint64_t *)da, (const uint64_t *)db,
                                                             (uint64_t *)dout, (const uint64_t *)dm, n);
  return finish(out, dout, bytes);
}

int polyhe_cuda_negate(const uint64_t *a, uint64_t *out, int count, int logn, const uint64_t *moduli) {
  std::lock_guard<std::mutex> guard(g_lock);
  int rc = ready();
  if (rc != POLYHE_CUDA_OK) {
    return rc;
  }
  if (!valid(count, logn)) {
    return fail(POLYHE_CUDA_ERR_ARGUMENT, "bad arguments (count %d, logn %d)", count, logn);
  }
  int n = 1 << logn;
  size_t bytes = (size_t)count * n * sizeof(uint64_t);
  void *da, *dout, *dm;
  if ((rc = upload(0, a, bytes, &da)) != POLYHE_CUDA_OK ||
      (rc = upload(3, moduli, (size_t)count * sizeof(uint64_t), &dm)) != POLYHE_CUDA_OK ||
      (rc = scratch(2, bytes, &dout)) != POLYHE_CUDA_OK) {
    return rc;
  }
  negate_kernel<<<grid(n, count), kThreads, 0, g_stream>>>((const uint64_t *)da, (uint64_t *)dout,
                                                             (const uint64_t *)dm, n);
  return finish(out, dout, bytes);
}

int polyhe_cuda_scalar(int multiply, const uint64_t *a, const uint64_t *scalars, uint64_t *out, int count, int logn,
                       const uint64_t *moduli) {
  std::lock_guard<std::mutex> guard(g_lock);
  int rc = ready();
  if (rc != POLYHE_CUDA_OK) {
    return rc;
  }
  if (!valid(count, logn)) {
    return fail(POLYHE_CUDA_ERR_ARGUMENT, "bad arguments (count %d, logn %d)", count, logn);
  }
  int n = 1 << logn;
  size_t bytes = (size_t)count * n * sizeof(uint64_t);
  size_t small = (size_t)count * sizeof(uint64_t);
  void *da, *ds, *dout, *dm;
  if ((rc = upload(0, a, bytes, &da)) != POLYHE_CUDA_OK || (rc = upload(1, scalars, small, &ds)) != POLYHE_CUDA_OK ||
      (rc = upload(3, moduli, small, &dm)) != POLYHE_CUDA_OK || (rc = scratch(2, bytes, &dout)) != POLYHE_CUDA_OK) {
    return rc;
  }
  scalar_kernel<<<grid(n, count), kThreads, 0, g_stream>>>(multiply, (const uint64_t *)da, (const uint64_t *)ds,
                                                             (uint64_t *)dout, (const uint64_t *)dm, n);
  return finish(out, dout, bytes);
}

int polyhe_cuda_permute(const uint64_t *in, const int32_t *permutation, uint64_t *out, int count, int logn) {
  std::lock_guard<std::mutex> guard(g_lock);
  int rc = ready();
  if (rc != POLYHE_CUDA_OK) {
    return rc;
  }
  if (!valid(count, logn)) {
    return fail(POLYHE_CUDA_ERR_ARGUMENT, "bad arguments (count %d, logn %d)", count, logn);
  }
  int n = 1 << logn;
  for (int j = 0; j < n; j++) {
    if (permutation[j] < 0 || permutation[j] >= n) {
      return fail(POLYHE_CUDA_ERR_ARGUMENT, "permutation entry %d out of range", permutation[j]);
    }
  }
  size_t bytes = (size_t)count * n * sizeof(uint64_t);
  void *din, *dp, *dout;
  if ((rc = upload(0, in, bytes, &din)) != POLYHE_CUDA_OK ||
      (rc = upload(1, permutation, (size_t)n * sizeof(int32_t), &dp)) != POLYHE_CUDA_OK ||
      (rc = scratch(2, bytes, &dout)) != POLYHE_CUDA_OK) {
    return rc;
  }
  permute_kernel<<<grid(n, count), kThreads, 0, g_stream>>>((const uint64_t *)din, (const int32_t *)dp,
                                                              (uint64_t *)dout, n);
  return finish(out, dout, bytes);
}

int polyhe_cuda_automorphism(const uint64_t *in, int galois, uint64_t *out, int count, int logn,
                             const uint64_t *moduli) {
  std::lock_guard<std::mutex> guard(g_lock);
  int rc = ready();
  if (rc != POLYHE_CUDA_OK) {
    return rc;
  }
  if (!valid(count, logn) || (galois & 1) == 0 || galois <= 0 || galois >= (2 << logn)) {
    return fail(POLYHE_CUDA_ERR_ARGUMENT, "bad arguments (galois %d, count %d, logn %d)", galois, count, logn);
  }
  int n = 1 << logn;
  size_t bytes = (size_t)count * n * sizeof(uint64_t);
  void *din, *dout, *dm;
  if ((rc = upload(0, in, bytes, &din)) != POLYHE_CUDA_OK ||
      (rc = upload(3, moduli, (size_t)count * sizeof(uint64_t), &dm)) != POLYHE_CUDA_OK ||
      (rc = scratch(2, bytes, &dout)) != POLYHE_CUDA_OK) {
    return rc;
  }
  automorphism_kernel<<<grid(n, count), kThreads, 0, g_stream>>>((const uint64_t *)din, galois, (uint64_t *)dout,
                                                                   (const uint64_t *)dm, n);
  return finish(out, dout, bytes);
}

int polyhe_cuda_subtract_and_scale(const uint64_t *a, const uint64_t *last, const uint64_t *inverses, uint64_t *out,
                                   int count, int logn, const uint64_t *moduli) {
  std::lock_guard<std::mutex> guard(g_lock);
  int rc = ready();
  if (rc != POLYHE_CUDA_OK) {
    return rc;
  }
  if (!valid(count, logn)) {
    return fail(POLYHE_CUDA_ERR_ARGUMENT, "bad arguments (count %d, logn %d)", count, logn);
  }
  int n = 1 << logn;
  size_t bytes = (size_t)count * n * sizeof(uint64_t);
  size_t small = (size_t)count * sizeof(uint64_t);
  void *da, *dl, *di, *dm, *dout;
  if ((rc = upload(0, a, bytes, &da)) != POLYHE_CUDA_OK || (rc = upload(1, last, bytes, &dl)) != POLYHE_CUDA_OK ||
      (rc = upload(4, inverses, small, &di)) != POLYHE_CUDA_OK || (rc = upload(3, moduli, small, &dm)) != POLYHE_CUDA_OK ||
      (rc = scratch(2, bytes, &dout)) != POLYHE_CUDA_OK) {
    return rc;
  }
  subtract_scale_kernel<<<grid(n, count), kThreads, 0, g_stream>>>((const uint64_t *)da, (const uint64_t *)dl,
                                                                     (const uint64_t *)di, (uint64_t *)dout,
                                                                     (const uint64_t *)dm, n);
  return finish(out, dout, bytes);
}

int polyhe_cuda_convert_basis(const uint64_t *in, const uint64_t *from, const uint64_t *hat_inverse, int from_count,
                              const uint64_t *hat, const uint64_t *d_mod_to, uint64_t *out, const uint64_t *to,
                              int to_count, int logn) {
  std::lock_guard<std::mutex> guard(g_lock);
  int rc = ready();
  if (rc != POLYHE_CUDA_OK) {
    return rc;
  }
  if (!valid(from_count, logn) || !valid(to_count, logn) || from_count > 127) {
    return fail(POLYHE_CUDA_ERR_ARGUMENT, "bad arguments (from %d, to %d, logn %d)", from_count, to_count, logn);
  }
  int n = 1 << logn;
  size_t in_bytes = (size_t)from_count * n * sizeof(uint64_t);
  size_t out_bytes = (size_t)to_count * n * sizeof(uint64_t);
  void *dv, *dfrom, *dhi, *dhat, *ddm, *dto, *dneg, *dout;
  if ((rc = upload(0, in, in_bytes, &dv)) != POLYHE_CUDA_OK ||
      (rc = upload(1, from, (size_t)from_count * sizeof(uint64_t), &dfrom)) != POLYHE_CUDA_OK ||
      (rc = upload(3, hat_inverse, (size_t)from_count * sizeof(uint64_t), &dhi)) != POLYHE_CUDA_OK ||
      (rc = upload(4, hat, (size_t)from_count * to_count * sizeof(uint64_t), &dhat)) != POLYHE_CUDA_OK ||
      (rc = upload(5, d_mod_to, (size_t)to_count * sizeof(uint64_t), &ddm)) != POLYHE_CUDA_OK ||
      (rc = upload(6, to, (size_t)to_count * sizeof(uint64_t), &dto)) != POLYHE_CUDA_OK ||
      (rc = scratch(7, (size_t)n, &dneg)) != POLYHE_CUDA_OK || (rc = scratch(2, out_bytes, &dout)) != POLYHE_CUDA_OK) {
    return rc;
  }
  convert_prepare_kernel<<<grid(n, 1), kThreads, 0, g_stream>>>((uint64_t *)dv, (const uint64_t *)dfrom,
                                                                  (const uint64_t *)dhi, from_count, (uint8_t *)dneg, n);
  convert_output_kernel<<<grid(n, to_count), kThreads, 0, g_stream>>>(
      (const uint64_t *)dv, (const uint64_t *)dhat, (const uint64_t *)ddm, (const uint8_t *)dneg,
      (const uint64_t *)dto, from_count, to_count, (uint64_t *)dout, n);
  return finish(out, dout, out_bytes);
}

}  // extern "C"
