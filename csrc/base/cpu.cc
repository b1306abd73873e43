// CPU feature detection, done once; MOVICORE_MAX_ISA caps what dispatch may use.
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>

#include "base/arch.h"

#if MC_ARCH_X86_64 && defined(__GNUC__)
#include <cpuid.h>
#endif
#if MC_ARCH_ARM64 && defined(__linux__)
#include <sys/auxv.h>
#endif

namespace mc {
namespace {

#if MC_ARCH_X86_64 && defined(__GNUC__)
// Int8 extensions from CPUID leaf 7 and XCR0 (an ISA counts only if the OS saves its registers).
uint64_t detect_x86_int8(bool avx2) {
  uint32_t a, b, c, d;
  if (!avx2 || !__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
  const uint32_t max_sub = a, l7_ebx = b, l7_ecx = c;
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));  // avx2 implies OSXSAVE
  const bool os_zmm = (lo & 0xe6) == 0xe6;
  const uint32_t avx512 = (1u << 16) | (1u << 17) | (1u << 30) | (1u << 31);  // F DQ BW VL
  uint64_t isa = 0;
  if (os_zmm && (l7_ebx & avx512) == avx512 && (l7_ecx & (1u << 11))) isa |= kIsaAvx512Vnni;
  if (max_sub >= 1 && __get_cpuid_count(7, 1, &a, &b, &c, &d) && (a & (1u << 4))) {
    isa |= kIsaAvxVnni;
  }
  return isa;
}
#endif

uint64_t detect() {
  uint64_t isa = kIsaScalar;
#if MC_ARCH_X86_64 && defined(__GNUC__)
  __builtin_cpu_init();
  // libgcc also checks that the OS saves the YMM state (XGETBV) for "avx2".
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) isa |= kIsaAvx2Fma3;
  isa |= detect_x86_int8(isa & kIsaAvx2Fma3);
#endif
#if MC_ARCH_ARM64
  isa |= kIsaNeon;  // Advanced SIMD is mandatory in ARMv8-A.
#if defined(__linux__)
  if (getauxval(AT_HWCAP) & (1ul << 20)) isa |= kIsaNeonDot;  // HWCAP_ASIMDDP
#endif
#endif
  return isa;
}

uint64_t apply_cap(uint64_t isa) {
  const char* env = std::getenv("MOVICORE_MAX_ISA");
  if (env == nullptr || *env == '\0') return isa;
  std::string v(env);
  if (v == "scalar") return kIsaScalar;
  if (v == "avx2") return isa & kIsaAvx2Fma3;
  if (v == "avx512vnni") return isa & (kIsaAvx2Fma3 | kIsaAvxVnni | kIsaAvx512Vnni);
  if (v == "neon") return isa & kIsaNeon;
  if (v == "neondot") return isa & (kIsaNeon | kIsaNeonDot);
  throw std::invalid_argument(
      "MOVICORE_MAX_ISA must be one of scalar, avx2, avx512vnni, neon, neondot; got '" + v + "'");
}

}  // namespace

uint64_t detected_isa() {
  static const uint64_t isa = detect();
  return isa;
}

uint64_t cpu_isa() {
  static const uint64_t isa = apply_cap(detected_isa());
  return isa;
}

const char* isa_name(uint64_t isa) {
  if (isa & kIsaAvx512Vnni) return "avx512vnni";
  if (isa & kIsaAvxVnni) return "avxvnni";
  if (isa & kIsaAvx2Fma3) return "avx2_fma3";
  if (isa & kIsaNeonDot) return "neondot";
  if (isa & kIsaNeon) return "neon";
  return "scalar";
}

std::string cpu_model_name() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("model name", 0) == 0 || line.rfind("Model", 0) == 0 ||
        line.rfind("CPU part", 0) == 0) {
      auto pos = line.find(':');
      if (pos != std::string::npos) return line.substr(pos + 2);
    }
  }
  return "unknown";
}

}  // namespace mc
