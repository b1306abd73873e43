#include "base/huge_pages.h"

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <string>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace mc {
namespace huge_pages {
namespace {

// Under AddressSanitizer every allocation stands alone, so that ASan knows each buffer's
// bounds (a pool chunk would hide an overrun into the next buffer).
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MC_UNDER_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(MC_UNDER_ASAN)
constexpr bool kUnderAsan = true;
#else
constexpr bool kUnderAsan = false;
#endif

// MOVICORE_HUGE_PAGES=0 turns the pool off (each allocation its own operator new, 4 KB pages),
// e.g. to compare or where memory is tight; read once, so that every buffer is freed the way
// it was allocated. Anything but 0 / 1 / unset is an error at the first allocation.
const std::string& env_value() {
  static const std::string value = [] {
    const char* e = std::getenv("MOVICORE_HUGE_PAGES");
    return std::string(e == nullptr ? "" : e);
  }();
  return value;
}

bool env_valid() { return env_value().empty() || env_value() == "0" || env_value() == "1"; }

constexpr size_t kHugePage = size_t(2) << 20;
constexpr size_t kChunkBytes = size_t(32) << 20;
constexpr size_t kAlign = 64;

size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

struct Chunk {
  char* base;
  size_t size, used, live;
  bool holds(const void* p) const {
    return static_cast<const char*>(p) >= base && static_cast<const char*>(p) < base + size;
  }
};

struct Pool {
  std::mutex mutex;
  std::vector<Chunk> chunks;  // the last one is where new allocations go
};

// Never destroyed: a model held by Python may be freed after static destructors ran.
Pool& pool() {
  static Pool* p = new Pool;
  return *p;
}

Chunk new_chunk(size_t bytes) {
  const size_t size = std::max(kChunkBytes, round_up(bytes, kHugePage));
  void* base = nullptr;
  if (posix_memalign(&base, kHugePage, size) != 0) throw std::bad_alloc();
#if defined(MADV_HUGEPAGE)
  madvise(base, size, MADV_HUGEPAGE);  // advice only: where refused, 4 KB pages serve
#endif
  return {static_cast<char*>(base), size, 0, 0};
}

}  // namespace

bool pooled() { return env_value() != "0" && !kUnderAsan; }

void* allocate(size_t bytes) {
  const size_t size = round_up(std::max<size_t>(bytes, 1), kAlign);
  if (size < bytes) throw std::bad_alloc();
  if (!env_valid()) {
    throw std::invalid_argument("MOVICORE_HUGE_PAGES must be 0 or 1; got '" + env_value() + "'");
  }
  if (!pooled()) return ::operator new(size, std::align_val_t(kAlign));
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  if (p.chunks.empty() || p.chunks.back().size - p.chunks.back().used < size) {
    p.chunks.push_back(new_chunk(size));
  }
  Chunk& c = p.chunks.back();
  void* out = c.base + c.used;
  c.used += size;
  ++c.live;
  return out;
}

void deallocate(void* ptr, size_t) {
  if (ptr == nullptr) return;
  if (!pooled()) return ::operator delete(ptr, std::align_val_t(kAlign));
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  for (size_t i = p.chunks.size(); i-- > 0;) {
    Chunk& c = p.chunks[i];
    if (!c.holds(ptr)) continue;
    if (--c.live == 0) {
      std::free(c.base);
      p.chunks.erase(p.chunks.begin() + ptrdiff_t(i));
    }
    return;
  }
}

size_t chunks() {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  return p.chunks.size();
}

}  // namespace huge_pages
}  // namespace mc
