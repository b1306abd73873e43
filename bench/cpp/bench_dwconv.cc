// Micro-benchmark (not a test) of the depthwise variants on MoViNet A0-A2 stream shapes (one
// frame, spatial k x k; and kt = 3 frames). Build: cmake -DMOVICORE_BUILD_BENCHES=ON ...
// (target bench_dwconv), then bench_dwconv [name filter].
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "best_time.h"
#include "kernels/dwconv/dwconv.h"

int main(int argc, char** argv) {
  const char* filter = argc > 1 ? argv[1] : nullptr;
  std::mt19937 gen(1);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  struct Shape { uint32_t h, c, k, stride, kt; };
  // square planes of one channel block first (per-pixel cost without channel tails)
  const Shape shapes[] = {{16, 16, 3, 1, 1},  {32, 16, 3, 1, 1}, {32, 32, 3, 1, 1},
                          {64, 16, 3, 1, 1},  {32, 16, 5, 1, 1}, {32, 16, 3, 2, 1},
                          {86, 24, 5, 2, 1}, {43, 80, 3, 2, 1}, {22, 80, 3, 1, 1},
                          {11, 184, 3, 1, 1}, {6, 280, 5, 1, 1}, {6, 344, 5, 1, 1},
                          {22, 80, 3, 1, 3},  {11, 184, 3, 1, 3}};
  for (const auto& s : shapes) {
    mc::DwConvParams p{};
    p.in_h = p.in_w = s.h;
    p.channels = s.c;
    p.out_h = p.out_w = (s.h + s.stride - 1) / s.stride;
    p.kt = s.kt, p.kh = p.kw = s.k, p.stride = s.stride;
    const uint32_t pad = ((p.out_h - 1) * s.stride + s.k > s.h ? (p.out_h - 1) * s.stride + s.k - s.h : 0);
    p.pad_top = p.pad_left = pad / 2;
    p.oy_begin = 0, p.oy_end = p.out_h;
    p.act = mc::Act::kHardSwish;
    std::vector<std::vector<float>> frames(s.kt, std::vector<float>(size_t(s.h) * s.h * s.c));
    std::vector<const float*> fp;
    for (auto& f : frames) {
      for (auto& v : f) v = dist(gen);
      fp.push_back(f.data());
    }
    std::vector<float> w(size_t(s.kt) * s.k * s.k * s.c), b(s.c), out(size_t(p.out_h) * p.out_w * s.c),
        sum(s.c);
    for (auto& v : w) v = dist(gen);
    for (auto& v : b) v = dist(gen);
    const double macs = double(p.out_h) * p.out_w * s.c * s.k * s.k * s.kt;
    for (const auto& kern : mc::dwconv_kernels()) {
      if (kern.isa == mc::kIsaReference || !mc::is_supported(kern.isa, mc::cpu_isa())) continue;
      if (filter && !std::strstr(kern.name, filter)) continue;
      const double t = mc_bench::best_seconds(
          [&] { kern.fn(&p, fp.data(), w.data(), b.data(), out.data(), sum.data()); });
      std::printf("%-26s %3ux%3ux%3u %ux%ux%u/s%u  %8.2f us  %6.1f GFLOP/s\n", kern.name, s.h, s.h,
                  s.c, s.kt, s.k, s.k, s.stride, t * 1e6, 2 * macs / t * 1e-9);
    }
  }
  return 0;
}
