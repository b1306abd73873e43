#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "harness.h"
#include "kernel_variants.h"
#include "kernels/resize/resize.h"
#include "kernels/yuv_resize/yuv_resize.h"

namespace {

// (in_h, in_w, out_h, out_w, top, left, rows, cols): down/up scaling, odd sizes, padding.
const mc::ResizeRegion kRegions[] = {
    {272, 640, 192, 451, 10, 139, 172, 172}, {481, 853, 192, 340, 10, 84, 172, 172},
    {7, 5, 3, 3, 0, 0, 3, 3},                {5, 7, 11, 15, -2, -1, 15, 17},
    {1, 1, 2, 2, 0, 0, 2, 2},                {33, 31, 33, 31, 1, 2, 30, 28}};

std::vector<uint8_t> random_bytes(std::mt19937& gen, size_t n) {
  std::uniform_int_distribution<int> d(0, 255);
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = static_cast<uint8_t>(d(gen));
  return v;
}

std::string describe(const mc::ResizeRegion& r) {
  return std::to_string(r.in_h) + "x" + std::to_string(r.in_w) + "->" +
         std::to_string(r.out_h) + "x" + std::to_string(r.out_w) + " @" +
         std::to_string(r.top) + "," + std::to_string(r.left);
}

// dst with 7 canary bytes after the region: the kernel must not touch them.
void check_same(mc_test::Context& ctx, const std::vector<uint8_t>& got,
                const std::vector<uint8_t>& want, size_t n, const std::string& what) {
  for (size_t i = 0; i < n; ++i) {
    if (got[i] != want[i]) {
      ctx.fail(what + ": byte " + std::to_string(i) + " differs");
      return;
    }
  }
  for (size_t i = n; i < got.size(); ++i) {
    if (got[i] != 0xA5) ctx.fail(what + ": wrote past the end");
  }
}

}  // namespace

MC_TEST(resize_all_variants_match_reference) {
  std::mt19937 gen(7);
  const auto& ref = mc_test::reference_of(mc::resize_kernels());
  mc_test::for_each_variant(ctx, mc::resize_kernels(), [&](const mc::ResizeKernel& k) {
    for (const auto& r : kRegions) {
      const size_t row_stride = static_cast<size_t>(r.in_w) * 3 + 5;  // padded rows
      const auto src = random_bytes(gen, row_stride * r.in_h);
      const size_t n = static_cast<size_t>(r.rows) * r.cols * 3;
      std::vector<uint8_t> want(n + 7, 0xA5), got(n + 7, 0xA5);
      ref.fn(r, src.data(), row_stride, 3, want.data());
      k.fn(r, src.data(), row_stride, 3, got.data());
      check_same(ctx, got, want, n, describe(r));
    }
  });
}

MC_TEST(yuv_resize_all_variants_match_reference) {
  std::mt19937 gen(8);
  const auto& ref = mc_test::reference_of(mc::yuv_resize_kernels());
  const mc::YuvToRgb bt601{16.f, 255.f / 219.f, 1.596027f, 0.391762f, 0.812968f, 2.017232f,
                           -0.5f};
  mc_test::for_each_variant(ctx, mc::yuv_resize_kernels(), [&](const mc::YuvResizeKernel& k) {
    for (const auto& r : kRegions) {
      const int ch = (r.in_h + 1) / 2, cw = (r.in_w + 1) / 2;
      const auto y = random_bytes(gen, static_cast<size_t>(r.in_h) * (r.in_w + 3));
      const auto u = random_bytes(gen, static_cast<size_t>(ch) * (cw + 1));
      const auto v = random_bytes(gen, static_cast<size_t>(ch) * (cw + 1));
      const mc::YuvPlanes p{y.data(), r.in_w + 3, u.data(), cw + 1, v.data(), cw + 1};
      const size_t n = static_cast<size_t>(r.rows) * r.cols * 3;
      std::vector<uint8_t> want(n + 7, 0xA5), got(n + 7, 0xA5);
      ref.fn(r, p, bt601, want.data());
      k.fn(r, p, bt601, got.data());
      check_same(ctx, got, want, n, describe(r));
    }
  });
}
