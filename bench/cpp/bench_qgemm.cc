// Micro-benchmark (not a test) of the int8 path against the float gemm on MoViNet shapes:
// per-row activation quantization, every qgemm variant, the float gemm of the same layer, and
// for GEMV shapes the bfloat16-weight gemm.
// Build: cmake -DMOVICORE_BUILD_BENCHES=ON ... (target bench_qgemm), then build/dev/bench_qgemm
// [name filter].
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "best_time.h"
#include "kernels/bf16w_gemm/bf16w_gemm.h"
#include "kernels/gemm/gemm.h"
#include "kernels/qgemm/qgemm.h"
#include "kernels/quantize/quantize.h"

int main(int argc, char** argv) {
  const char* filter = argc > 1 ? argv[1] : nullptr;
  std::mt19937 gen(1);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  std::uniform_int_distribution<int> wdist(-127, 127);
  struct Shape { size_t m, k, n; };
  // A0 pointwise layers (1 thread, one frame): int8 ones (expansions, projections, head,
  // classifier), then the narrow ones the scheme keeps float (MIN_CHANNELS).
  const Shape shapes[] = {{121, 56, 184}, {121, 184, 56}, {36, 104, 344}, {36, 344, 104},
                          {36, 104, 480}, {1, 480, 2048}, {1, 2048, 600},   {484, 32, 184},
                          {484, 32, 80},  {484, 80, 32},  {1849, 8, 80},    {7396, 8, 24},
                          // A2 at 224: block 3 and 4 expansion / projection, block 1
                          {196, 72, 240}, {196, 240, 72}, {49, 144, 480},   {49, 480, 144},
                          {784, 40, 120}, {784, 120, 40},
                          // large and L1-resident shapes (the kernel's own ceiling)
                          {784, 512, 512}, {192, 240, 64}, {192, 240, 96}, {200, 240, 72},
                          {64, 256, 64},   {64, 1024, 32}};
  for (const auto& s : shapes) {
    const size_t kc = mc::qgemm_round_k(s.k);
    std::vector<float> a(s.m * s.k), w(s.k * s.n), b(s.n), sc(s.n, 0.01f), c(s.m * s.n);
    std::vector<int8_t> qw(s.k * s.n);
    std::vector<uint8_t> qa(s.m * kc);
    std::vector<mc::QuantParams> qp(s.m);
    for (auto& v : a) v = dist(gen);
    for (auto& v : w) v = dist(gen);
    for (auto& v : b) v = dist(gen);
    for (auto& v : qw) v = int8_t(wdist(gen));
    std::vector<float> packed(mc::gemm_packed_size(s.n, s.k));
    mc::pack_gemm_weights(s.n, s.k, w.data(), b.data(), packed.data());
    std::vector<uint8_t> qpacked(mc::qgemm_packed_bytes(s.n, s.k));
    mc::pack_qgemm_weights(s.n, s.k, qw.data(), sc.data(), b.data(), qpacked.data());
    const double ops = 2.0 * s.m * s.n * s.k;
    const auto& gk = mc::get_gemm_kernel();
    if (!filter || std::strstr(gk.name, filter)) {
      const double t = mc_bench::best_seconds([&] {
        gk.fn(s.m, s.n, s.k, a.data(), s.k, packed.data(), c.data(), s.n, nullptr, 0,
              mc::Act::kHardSwish);
      });
      std::printf("%-40s m=%5zu k=%5zu n=%4zu  %8.2f us  %6.1f GOP/s\n", gk.name, s.m, s.k, s.n,
                  t * 1e6, ops / t * 1e-9);
    }
    if (s.m <= 4) {  // weight-bound GEMV rows: the bfloat16-weight kernel too
      std::vector<uint16_t> bpacked(mc::bf16w_packed_elems(s.n, s.k));
      mc::pack_bf16w_weights(s.n, s.k, w.data(), b.data(), bpacked.data());
      const auto& bk = mc::get_bf16w_gemm_kernel();
      const double t = mc_bench::best_seconds([&] {
        bk.fn(s.m, s.n, s.k, a.data(), s.k, bpacked.data(), c.data(), s.n, mc::Act::kHardSwish);
      });
      std::printf("%-40s m=%5zu k=%5zu n=%4zu  %8.2f us  %6.1f GOP/s\n", bk.name, s.m, s.k, s.n,
                  t * 1e6, ops / t * 1e-9);
    }
    for (const auto& kern : mc::quantize_kernels()) {
      if (kern.isa == mc::kIsaReference || (kern.isa & ~mc::cpu_isa())) continue;
      if (filter && !std::strstr(kern.name, filter)) continue;
      const double t = mc_bench::best_seconds(
          [&] { kern.fn(s.m, s.k, a.data(), s.k, nullptr, qa.data(), kc, nullptr, qp.data()); });
      std::printf("%-40s m=%5zu k=%5zu         %8.2f us\n", kern.name, s.m, s.k, t * 1e6);
    }
    mc::get_quantize_kernel().fn(s.m, s.k, a.data(), s.k, nullptr, qa.data(), kc, nullptr,
                                 qp.data());
    for (const auto& kern : mc::qgemm_kernels()) {
      if (kern.isa == mc::kIsaReference || (kern.isa & ~mc::cpu_isa())) continue;
      if (filter && !std::strstr(kern.name, filter)) continue;
      const double t = mc_bench::best_seconds([&] {
        kern.fn(s.m, s.n, s.k, qa.data(), kc, qp.data(), qpacked.data(), c.data(), s.n, nullptr,
                0, mc::Act::kHardSwish);
      });
      std::printf("%-40s m=%5zu k=%5zu n=%4zu  %8.2f us  %6.1f GOP/s\n", kern.name, s.m, s.k,
                  s.n, t * 1e6, ops / t * 1e-9);
    }
  }
  return 0;
}
