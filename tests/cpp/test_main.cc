// Runs every registered test; prints "N passed, N failed, N skipped; ..." as the closing line.
#include <cstdio>
#include <cstring>

#include "base/arch.h"
#include "harness.h"

namespace mc_test {

std::vector<TestCase>& registry() {
  static std::vector<TestCase> tests;
  return tests;
}

int& skipped_variants() {
  static int n = 0;
  return n;
}

int add_test(const char* name, TestFn fn) {
  registry().push_back({name, fn});
  return 0;
}

}  // namespace mc_test

int main(int argc, char** argv) {
  const char* filter = argc > 1 ? argv[1] : nullptr;
  std::printf("movicore C++ tests: cpu isa %s (detected %s), cpu '%s'\n",
              mc::isa_name(mc::cpu_isa()), mc::isa_name(mc::detected_isa()),
              mc::cpu_model_name().c_str());
  int passed = 0, failed = 0, skipped = 0;
  for (const auto& t : mc_test::registry()) {
    if (filter && !std::strstr(t.name, filter)) continue;
    mc_test::Context ctx;
    t.fn(ctx);
    if (ctx.skipped && ctx.failures == 0) {
      std::printf("[ SKIP ] %s (%s)\n", t.name, ctx.skip_reason.c_str());
      ++skipped;
    } else if (ctx.failures == 0) {
      std::printf("[  OK  ] %s (%d checks)\n", t.name, ctx.checks);
      ++passed;
    } else {
      std::printf("[ FAIL ] %s (%d failures)\n", t.name, ctx.failures);
      ++failed;
    }
  }
  std::printf("%d passed, %d failed, %d skipped; %d kernel-variant runs skipped (ISA not "
              "available)\n", passed, failed, skipped, mc_test::skipped_variants());
  return failed == 0 && passed > 0 ? 0 : 1;
}
