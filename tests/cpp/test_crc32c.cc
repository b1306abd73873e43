#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "harness.h"
#include "kernel_variants.h"
#include "kernels/crc32c/crc32c.h"

MC_TEST(crc32c_all_variants_match_reference) {
  std::mt19937 gen(7);
  std::vector<uint8_t> buf(70000);
  for (auto& b : buf) b = uint8_t(gen());
  const auto& ref = mc_test::reference_of(mc::crc32c_kernels());
  const char* check = "123456789";
  if (ref.fn(0, reinterpret_cast<const uint8_t*>(check), 9) != 0xE3069283u) {
    ctx.fail("reference: wrong check value");
  }
  mc_test::for_each_variant(ctx, mc::crc32c_kernels(), [&](const mc::Crc32cKernel& k) {
    ++ctx.checks;
    if (k.fn(0, reinterpret_cast<const uint8_t*>(check), 9) != 0xE3069283u) {
      ctx.fail("check value of \"123456789\"");
    }
    std::vector<size_t> sizes;
    for (size_t s = 0; s <= 33; ++s) sizes.push_back(s);
    for (size_t s : {63, 64, 65, 1000, 4099, 69991}) sizes.push_back(s);
    for (size_t size : sizes) {
      for (size_t start = 0; start < 8; ++start) {  // every alignment of the 8-byte loads
        const uint8_t* p = buf.data() + start;
        const uint32_t want = ref.fn(0, p, size);
        if (k.fn(0, p, size) != want) {
          ctx.fail("size=" + std::to_string(size) + " start=" + std::to_string(start));
        }
        const size_t cut = size / 3;  // continuation: crc(b, crc(a)) == crc(a + b)
        if (k.fn(k.fn(0, p, cut), p + cut, size - cut) != want) {
          ctx.fail("in two pieces, size=" + std::to_string(size));
        }
      }
    }
  });
}
