// Memory for what every frame streams through (packed weights, ring buffers, activations) from
// transparent huge pages (2 MB) where the OS offers them through madvise, as Linux does by
// default. A stream step touches tens of MB (A2: 29 MB of weights, 11 MB of rings); on 4 KB
// pages every page is a TLB miss and the hardware prefetchers stop at every page edge.
// Measured on Zen 5 (glibc's malloc put on huge pages, A2-stream, 1 thread): 4.0-4.4 ->
// 3.84-3.89 ms per frame, the temporal convs and the SE / classifier GEMVs gaining most.
//
// Allocations are carved from 2 MB-aligned chunks (32 MB, or one larger block) by bumping a
// cursor, and a chunk goes back to the OS when its last allocation is freed: a model's and an
// engine's buffers are made and dropped together, so little space stays dead. Thread-safe.
#pragma once

#include <cstddef>
#include <new>
#include <vector>

namespace mc {
namespace huge_pages {

// 64-byte aligned; throws std::bad_alloc, or std::invalid_argument for a bad
// MOVICORE_HUGE_PAGES.
void* allocate(size_t bytes);
void deallocate(void* p, size_t bytes);  // p from allocate(), or null
// False under AddressSanitizer or with MOVICORE_HUGE_PAGES=0: then each allocation is its own
// operator new.
bool pooled();
// Chunks currently held (for tests).
size_t chunks();

}  // namespace huge_pages

template <class T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() = default;
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>&) {}
  T* allocate(size_t n) {
    if (n > size_t(-1) / sizeof(T)) throw std::bad_alloc();
    return static_cast<T*>(huge_pages::allocate(n * sizeof(T)));
  }
  void deallocate(T* p, size_t n) { huge_pages::deallocate(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const HugePageAllocator<U>&) const { return true; }
  template <class U>
  bool operator!=(const HugePageAllocator<U>&) const { return false; }
};

// A std::vector whose storage comes from huge pages.
template <class T>
using HugePageVector = std::vector<T, HugePageAllocator<T>>;

}  // namespace mc
