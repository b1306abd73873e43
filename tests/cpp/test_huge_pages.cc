// The huge-page pool behind model weights, ring buffers and engine buffers: alignment, every
// byte usable, chunks returned to the OS when their last allocation goes, sizes past a chunk.
#include <cstdint>
#include <cstring>
#include <vector>

#include "base/huge_pages.h"
#include "harness.h"

namespace {

bool aligned64(const void* p) { return reinterpret_cast<uintptr_t>(p) % 64 == 0; }

}  // namespace

MC_TEST(huge_pages_pool_allocates_aligned_and_frees_chunks) {
  namespace hp = mc::huge_pages;
  const size_t before = hp::chunks();
  std::vector<std::pair<void*, size_t>> live;
  // Odd sizes, a zero-byte request, and one block larger than a chunk (32 MB).
  for (size_t bytes : {size_t(1), size_t(0), size_t(63), size_t(4097), size_t(3) << 20,
                       size_t(40) << 20, size_t(100), size_t(31) << 20}) {
    void* p = hp::allocate(bytes);
    ++ctx.checks;
    if (p == nullptr || !aligned64(p)) ctx.fail("allocation not 64-byte aligned");
    std::memset(p, 0xA5, bytes);  // every requested byte is writable (ASan checks it)
    live.emplace_back(p, bytes);
  }
  for (size_t i = 0; i < live.size(); ++i) {
    for (size_t j = i + 1; j < live.size(); ++j) {
      const char *a = static_cast<char*>(live[i].first), *b = static_cast<char*>(live[j].first);
      const size_t na = live[i].second, nb = live[j].second;
      ++ctx.checks;
      if (na && nb && a < b + nb && b < a + na) ctx.fail("allocations overlap");
    }
  }
  if (hp::pooled()) {  // (under AddressSanitizer each allocation stands alone)
    ++ctx.checks;
    if (hp::chunks() < before + 2) ctx.fail("a block past the chunk size shares a chunk");
  }
  for (auto& [p, n] : live) hp::deallocate(p, n);
  hp::deallocate(nullptr, 0);
  ++ctx.checks;
  if (hp::chunks() != before) ctx.fail("chunks not returned after their last allocation");
  // Containers on the pool behave as std::vector.
  mc::HugePageVector<float> v(1000, 1.5f);
  v.resize(300000, 2.f);
  ++ctx.checks;
  if (v[999] != 1.5f || v[299999] != 2.f || !aligned64(v.data())) ctx.fail("vector contents");
}
