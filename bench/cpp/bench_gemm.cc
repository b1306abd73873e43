// Micro-benchmark (not a test) of the gemm/rowsum/scale variants on MoViNet shapes.
// Build: cmake -DMOVICORE_BUILD_BENCHES=ON ... (target bench_gemm), then build/dev/bench_gemm
// [name filter].
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "best_time.h"
#include "kernels/gemm/gemm.h"
#include "kernels/rowsum/rowsum.h"
#include "kernels/scale/scale.h"

int main(int argc, char** argv) {
  const char* filter = argc > 1 ? argv[1] : nullptr;
  std::mt19937 gen(1);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  struct Shape { size_t m, k, n; };
  const Shape shapes[] = {{484, 80, 32},  {121, 56, 184}, {36, 384, 104}, {1, 2048, 600},
                          {7396, 16, 40}, {1, 480, 120},  {3136, 48, 96}, {196, 192, 960}};
  for (const auto& s : shapes) {
    std::vector<float> a(s.m * s.k), w(s.k * s.n), b(s.n), c(s.m * s.n);
    for (auto& v : a) v = dist(gen);
    for (auto& v : w) v = dist(gen);
    for (auto& v : b) v = dist(gen);
    std::vector<float> packed(mc::gemm_packed_size(s.n, s.k));
    mc::pack_gemm_weights(s.n, s.k, w.data(), b.data(), packed.data());
    for (const auto& kern : mc::gemm_kernels()) {
      if (kern.isa == mc::kIsaReference) continue;
      if (filter && !std::strstr(kern.name, filter)) continue;
      const double t = mc_bench::best_seconds([&] {
        kern.fn(s.m, s.n, s.k, a.data(), s.k, packed.data(), c.data(), s.n, nullptr, 0,
                mc::Act::kHardSwish);
      });
      std::printf("%-28s m=%5zu k=%5zu n=%4zu  %8.2f us  %6.1f GFLOP/s\n", kern.name, s.m, s.k,
                  s.n, t * 1e6, 2.0 * s.m * s.n * s.k / t * 1e-9);
    }
  }
  const Shape pools[] = {{7396, 0, 16}, {121, 0, 184}, {36, 0, 600}};
  for (const auto& s : pools) {
    std::vector<float> x(s.m * s.n), sc(s.n), y(s.m * s.n);
    for (auto& v : x) v = dist(gen);
    for (auto& v : sc) v = dist(gen);
    for (const auto& kern : mc::rowsum_kernels()) {
      if (kern.isa == mc::kIsaReference) continue;
      const double t = mc_bench::best_seconds([&] { kern.fn(s.m, s.n, x.data(), y.data()); });
      std::printf("%-28s p=%5zu c=%4zu  %8.2f us  %6.2f GB/s\n", kern.name, s.m, s.n, t * 1e6,
                  4.0 * s.m * s.n / t * 1e-9);
    }
    for (const auto& kern : mc::scale_kernels()) {
      if (kern.isa == mc::kIsaReference) continue;
      const double t =
          mc_bench::best_seconds([&] { kern.fn(s.m, s.n, x.data(), sc.data(), y.data()); });
      std::printf("%-28s p=%5zu c=%4zu  %8.2f us  %6.2f GB/s\n", kern.name, s.m, s.n, t * 1e6,
                  8.0 * s.m * s.n / t * 1e-9);
    }
  }
  return 0;
}
