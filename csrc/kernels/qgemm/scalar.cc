// Portable fallback: the shared body with a plain-int32 dot (16 column accumulators the
// compiler keeps in vector registers at baseline) and a 1-lane float epilogue. Tile 2x16.
#include <cstring>

#include "kernels/qgemm/impl.h"
#include "kernels/simd/scalar_act.h"

namespace mc {
namespace {

struct ScalarDot {
  struct Acc {
    int32_t v[kQGemmNR];
  };
  using W = const int8_t*;
  struct Av {
    int32_t v[kQGemmKR];
  };
  static void zero(Acc& acc) {
    for (size_t j = 0; j < kQGemmNR; ++j) acc.v[j] = 0;
  }
  static W load_w(const int8_t* w) { return w; }
  static Av load_a(const uint8_t* a) {
    Av r;
    for (size_t p = 0; p < kQGemmKR; ++p) r.v[p] = a[p];
    return r;
  }
  static void dot(Acc& acc, const Av& a, W w) {
    for (size_t j = 0; j < kQGemmNR; ++j) {
      int32_t s = 0;
      for (size_t p = 0; p < kQGemmKR; ++p) s += a.v[p] * int32_t(w[j * kQGemmKR + p]);
      acc.v[j] += s;
    }
  }
  static void reduce(const Acc& acc, const int32_t* colsum, int32_t zp, int32_t* out) {
    for (size_t j = 0; j < kQGemmNR; ++j) out[j] = acc.v[j] - zp * colsum[j];
  }
};

struct ScalarVec {
  using V = float;
  static constexpr size_t kWidth = 1;
  struct Tail {};
  static Tail tail(size_t) { return {}; }
  static V load(const float* p) { return *p; }
  static V load_tail(const float* p, const Tail&) { return *p; }
  static void store(float* p, V v) { *p = v; }
  static void store_tail(float* p, V v, const Tail&) { *p = v; }
  static V add(V a, V b) { return a + b; }
  static V mul(V a, V b) { return a * b; }
  template <Act A>
  static V act(V v) {
    return scalar::act<A>(v);
  }
};

}  // namespace

void qd8_f32_qc8w_gemm_2x16c4__scalar(size_t m, size_t n, size_t k, const uint8_t* a,
                                      size_t a_stride, const QuantParams* qa,
                                      const void* packed_w, float* c, size_t c_stride,
                                      const float* residual, size_t r_stride, Act act) {
  qgemm_impl::run<ScalarDot, ScalarVec, 2>(m, n, k, a, a_stride, qa, packed_w, c, c_stride,
                                           residual, r_stride, act);
}

}  // namespace mc
