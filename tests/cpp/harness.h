// Minimal self-registering test harness (no external dependency, so the same binary builds
// natively, with sanitizers, and cross-compiled for qemu-aarch64).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

namespace mc_test {

struct Context {
  int failures = 0;
  int checks = 0;
  bool skipped = false;
  std::string skip_reason;
  std::string scope;  // kernel name / shape printed with failures
  void fail(const std::string& msg) {
    if (failures < 8) std::printf("    FAIL [%s] %s\n", scope.c_str(), msg.c_str());
    ++failures;
  }
  void skip(const std::string& why) {
    skipped = true;
    skip_reason = why;
  }
};

using TestFn = void (*)(Context&);
struct TestCase {
  const char* name;
  TestFn fn;
};
std::vector<TestCase>& registry();
// Kernel-variant runs skipped because the CPU (or MOVICORE_MAX_ISA) lacks their ISA.
int& skipped_variants();
int add_test(const char* name, TestFn fn);

#define MC_TEST(name)                                                   \
  static void name(mc_test::Context& ctx);                              \
  static const int name##_registered = mc_test::add_test(#name, name); \
  static void name(mc_test::Context& ctx)

// |got - want| <= atol + rtol*|want|, NaN never passes (unless both are NaN when allowed).
inline bool close(float got, float want, float atol, float rtol) {
  if (std::isnan(want)) return std::isnan(got);
  return std::fabs(got - want) <= atol + rtol * std::fabs(want);
}

inline void check_close(Context& ctx, const float* got, const float* want, size_t n, float atol,
                        float rtol, const std::string& what) {
  ++ctx.checks;
  for (size_t i = 0; i < n; ++i) {
    if (!close(got[i], want[i], atol, rtol)) {
      char buf[256];
      std::snprintf(buf, sizeof buf, "%s: element %zu got %.9g want %.9g", what.c_str(), i,
                    double(got[i]), double(want[i]));
      ctx.fail(buf);
      return;
    }
  }
}

inline std::vector<float> random_vector(std::mt19937& gen, size_t n, float lo = -1.f,
                                        float hi = 1.f) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(gen);
  return v;
}

// Sizes that exercise a kernel tile t: 1..2t+1, then a few multiples and large odd sizes.
inline std::vector<size_t> tile_sizes(size_t t, size_t max_extra = 97) {
  std::vector<size_t> s;
  for (size_t i = 1; i <= 2 * t + 1; ++i) s.push_back(i);
  s.push_back(3 * t);
  s.push_back(4 * t - 1);
  s.push_back(max_extra);
  return s;
}

}  // namespace mc_test
