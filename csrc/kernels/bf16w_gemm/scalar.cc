// Portable fallback: the shared body with a 1-lane float trait (16 column accumulators per row
// that the compiler keeps in vector registers at baseline). Tile 2x16.
#include "kernels/bf16w_gemm/impl.h"
#include "kernels/simd/scalar_act.h"

namespace mc {
namespace {

struct ScalarBf16 {
  using V = float;
  static constexpr size_t kWidth = 1;
  struct Tail {};
  static Tail tail(size_t) { return {}; }
  static V zero() { return 0.f; }
  static V load(const float* p) { return *p; }
  static void store(float* p, V v) { *p = v; }
  static void store_tail(float* p, V v, const Tail&) { *p = v; }
  static V bcast(const float* p) { return *p; }
  static V fma(V a, V b, V acc) { return a * b + acc; }
  static V add(V a, V b) { return a + b; }
  static V load_bf16(const uint16_t* p) { return from_bf16(*p); }
  template <Act A>
  static V act(V v) {
    return scalar::act<A>(v);
  }
};

}  // namespace

void f32_bf16w_gemm_2x16__scalar(size_t m, size_t n, size_t k, const float* a, size_t a_stride,
                                 const uint16_t* packed_w, float* c, size_t c_stride, Act act) {
  bf16w_impl::run<ScalarBf16, 2>(m, n, k, a, a_stride, packed_w, c, c_stride, act);
}

}  // namespace mc
