// Micro-benchmark (not a test): the FMA peak of one core and the fraction of it the gemm
// variants reach on cache-resident shapes (the register tile alone, and a block whose A rows
// and packed panels stay in L1/L2). Peak: 12 independent FMA chains in registers, which hides
// the FMA latency on 2 FMA ports (needs >= 8 in flight).
// Build: cmake -DMOVICORE_BUILD_BENCHES=ON ... (target bench_fma_peak), or tools/bench_avx512.sh.
// Usage: bench_fma_peak [seconds per measurement, default 0.3]
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "base/arch.h"
#include "best_time.h"
#include "kernels/gemm/gemm.h"


namespace {

double g_budget = 0.3;

constexpr int kChains = 12;  // >= 2 ports x 4 cycles latency
constexpr long kIters = 1 << 20;

#if MC_ARCH_X86_64
// kChains independent FMA chains in registers, kIters rounds, as one asm loop (the compiler
// can neither fold nor spill it). REG: "xmm" (AVX2 ymm) or "zmm".
#define MC_FMA12(R)                                                                             \
  "vfmadd231ps %%" R "14, %%" R "15, %%" R "0\n vfmadd231ps %%" R "14, %%" R "15, %%" R "1\n"   \
  "vfmadd231ps %%" R "14, %%" R "15, %%" R "2\n vfmadd231ps %%" R "14, %%" R "15, %%" R "3\n"   \
  "vfmadd231ps %%" R "14, %%" R "15, %%" R "4\n vfmadd231ps %%" R "14, %%" R "15, %%" R "5\n"   \
  "vfmadd231ps %%" R "14, %%" R "15, %%" R "6\n vfmadd231ps %%" R "14, %%" R "15, %%" R "7\n"   \
  "vfmadd231ps %%" R "14, %%" R "15, %%" R "8\n vfmadd231ps %%" R "14, %%" R "15, %%" R "9\n"   \
  "vfmadd231ps %%" R "14, %%" R "15, %%" R "10\n vfmadd231ps %%" R "14, %%" R "15, %%" R "11\n"

__attribute__((target("avx2,fma"))) void fma_avx2(long iters) {
  __asm__ volatile(
      "vxorps %%ymm14, %%ymm14, %%ymm14\n vxorps %%ymm15, %%ymm15, %%ymm15\n"
      "1:\n" MC_FMA12("ymm") "dec %0\n jnz 1b\n"
      : "+r"(iters)
      :
      : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
        "xmm10", "xmm11", "xmm14", "xmm15", "cc");
}

__attribute__((target("avx512f"))) void fma_avx512(long iters) {
  __asm__ volatile(
      "vxorps %%zmm14, %%zmm14, %%zmm14\n vxorps %%zmm15, %%zmm15, %%zmm15\n"
      "1:\n" MC_FMA12("zmm") "dec %0\n jnz 1b\n"
      : "+r"(iters)
      :
      : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
        "xmm10", "xmm11", "xmm14", "xmm15", "cc");
}
#endif

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1) g_budget = std::atof(argv[1]);
  const uint64_t isa = mc::cpu_isa();
  std::printf("cpu: %s; dispatch isa %s\n", mc::cpu_model_name().c_str(), mc::isa_name(isa));
  double peak = 0;
  const char* peak_name = "none";
#if MC_ARCH_X86_64
  if (isa & mc::kIsaAvx2Fma3) {
    const double t = mc_bench::best_seconds([] { fma_avx2(kIters); }, g_budget);
    peak = 2.0 * 8 * kChains * kIters / t * 1e-9;
    peak_name = "avx2";
    std::printf("FMA peak avx2    %7.1f GFLOP/s\n", peak);
  }
  if (isa & mc::kIsaAvx512) {
    const double t = mc_bench::best_seconds([] { fma_avx512(kIters); }, g_budget);
    peak = 2.0 * 16 * kChains * kIters / t * 1e-9;
    peak_name = "avx512";
    std::printf("FMA peak avx512  %7.1f GFLOP/s\n", peak);
  }
#endif
  // Cache-resident gemm shapes: {m, k, n}. The first ones are one register tile row block
  // (A and the panels in L1); the others a block of rows over a few panels (L1/L2).
  struct Shape { size_t m, k, n; const char* what; };
  const Shape shapes[] = {{7, 256, 32, "1 tile, L1"},     {6, 256, 32, "1 tile, L1"},
                          {84, 128, 64, "block, L1/L2"},  {120, 256, 64, "block, L2"},
                          {196, 96, 128, "block, L2"},    {126, 64, 96, "block, L1/L2"}};
  std::mt19937 gen(1);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  for (const auto& s : shapes) {
    std::vector<float> a(s.m * s.k), w(s.k * s.n), b(s.n), c(s.m * s.n);
    for (auto& v : a) v = dist(gen);
    for (auto& v : w) v = dist(gen);
    for (auto& v : b) v = dist(gen);
    std::vector<float> packed(mc::gemm_packed_size(s.n, s.k));
    mc::pack_gemm_weights(s.n, s.k, w.data(), b.data(), packed.data());
    // Repeat inside the timed call so one call is well above the timer resolution.
    const int reps = int(1 + 2e7 / double(s.m * s.n * s.k));
    for (const auto& kern : mc::gemm_kernels()) {
      if (kern.isa == mc::kIsaReference || !mc::is_supported(kern.isa, isa)) continue;
      const double t = mc_bench::best_seconds([&] {
        for (int r = 0; r < reps; ++r) {
          kern.fn(s.m, s.n, s.k, a.data(), s.k, packed.data(), c.data(), s.n, nullptr, 0,
                  mc::Act::kIdentity);
        }
      }, g_budget);
      const double gflops = 2.0 * s.m * s.n * s.k * reps / t * 1e-9;
      std::printf("%-26s m=%4zu k=%4zu n=%4zu (%-12s) %7.1f GFLOP/s  %5.1f%% of %s peak\n",
                  kern.name, s.m, s.k, s.n, s.what, gflops, peak > 0 ? 100 * gflops / peak : 0.,
                  peak_name);
    }
  }
  return 0;
}
