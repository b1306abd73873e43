// CPU feature detection, done once; MOVICORE_MAX_ISA caps what dispatch may use.
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>

#include "base/arch.h"

#if MC_ARCH_ARM64 && defined(__linux__)
#include <sys/auxv.h>  // getauxval; Android (Termux) has it too
#if __has_include(<asm/hwcap.h>)
#include <asm/hwcap.h>  // HWCAP_CRC32
#endif
#endif

namespace mc {
namespace {

uint64_t detect() {
  uint64_t isa = kIsaScalar;
#if MC_ARCH_X86_64 && defined(__GNUC__)
  __builtin_cpu_init();
  // libgcc also checks that the OS saves the YMM state (XGETBV) for "avx2".
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) isa |= kIsaAvx2Fma3;
  if (__builtin_cpu_supports("sse4.2")) isa |= kIsaSse42;
#endif
#if MC_ARCH_ARM64
  isa |= kIsaNeon;  // Advanced SIMD is mandatory in ARMv8-A.
#if defined(__linux__) && defined(AT_HWCAP) && defined(HWCAP_CRC32)
  if (getauxval(AT_HWCAP) & HWCAP_CRC32) isa |= kIsaArmCrc;  // optional before ARMv8.1
#endif
#endif
  return isa;
}

uint64_t apply_cap(uint64_t isa) {
  const char* env = std::getenv("MOVICORE_MAX_ISA");
  if (env == nullptr || *env == '\0') return isa;
  std::string v(env);
  if (v == "scalar") return kIsaScalar;
  if (v == "avx2") return isa & (kIsaAvx2Fma3 | kIsaSse42);
  if (v == "neon") return isa & (kIsaNeon | kIsaArmCrc);
  throw std::invalid_argument("MOVICORE_MAX_ISA must be one of scalar, avx2, neon; got '" + v +
                              "'");
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
  if (isa & kIsaAvx2Fma3) return "avx2_fma3";
  if (isa & kIsaNeon) return "neon";
  if (isa & kIsaSse42) return "sse42";
  if (isa & kIsaArmCrc) return "arm_crc";
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
