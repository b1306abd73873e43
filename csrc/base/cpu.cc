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
#include <sys/auxv.h>  // getauxval; Android (Termux) has it too
#if __has_include(<asm/hwcap.h>)
#include <asm/hwcap.h>  // HWCAP_CRC32
#endif
#endif

namespace mc {
namespace {

#if MC_ARCH_X86_64 && defined(__GNUC__)
// CPUID leaves 1 and 7.0 and XCR0 (the register state the OS saves on a context switch), read
// once. An ISA counts only when the CPU has it AND the OS saves its registers.
struct X86Regs {
  uint32_t l1_ecx = 0, l7_ebx = 0, l7_ecx = 0, l7_edx = 0, l7s1_eax = 0;
  uint64_t xcr0 = 0;
  X86Regs() {
    uint32_t a, b, c, d;
    if (__get_cpuid(1, &a, &b, &c, &d)) l1_ecx = c;
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
      l7_ebx = b, l7_ecx = c, l7_edx = d;
      const uint32_t max_sub = a;
      if (max_sub >= 1 && __get_cpuid_count(7, 1, &a, &b, &c, &d)) l7s1_eax = a;
    }
    if (l1_ecx & (1u << 27)) {  // OSXSAVE: XGETBV is usable
      uint32_t lo, hi;
      __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
      xcr0 = (uint64_t(hi) << 32) | lo;
    }
  }
  bool os_ymm() const { return (xcr0 & 0x6) == 0x6; }     // XMM + YMM state
  bool os_zmm() const { return (xcr0 & 0xe6) == 0xe6; }   // + opmask, ZMM0-15 hi, ZMM16-31
};
const X86Regs& x86() {
  static const X86Regs r;
  return r;
}
bool has_avx2_fma3() {
  const X86Regs& r = x86();
  const bool avx = r.l1_ecx & (1u << 28), fma = r.l1_ecx & (1u << 12);
  return avx && fma && (r.l7_ebx & (1u << 5)) && r.os_ymm();
}
bool has_avx512() {  // F (16), DQ (17), BW (30), VL (31)
  const X86Regs& r = x86();
  const uint32_t need = (1u << 16) | (1u << 17) | (1u << 30) | (1u << 31);
  return has_avx2_fma3() && (r.l7_ebx & need) == need && r.os_zmm();
}
bool has_sse42() { return x86().l1_ecx & (1u << 20); }  // CRC32 instruction
bool has_avx512vnni() { return has_avx512() && (x86().l7_ecx & (1u << 11)); }
bool has_avxvnni() { return has_avx2_fma3() && (x86().l7s1_eax & (1u << 4)); }
#endif

#if MC_ARCH_ARM64
bool has_neon() { return true; }  // Advanced SIMD is mandatory in ARMv8-A.
#if defined(__linux__)
bool has_neondot() { return getauxval(AT_HWCAP) & (1ul << 20); }  // HWCAP_ASIMDDP
#else
bool has_neondot() { return false; }
#endif
bool has_arm_crc() {
#if defined(__linux__) && defined(AT_HWCAP) && defined(HWCAP_CRC32)
  return getauxval(AT_HWCAP) & HWCAP_CRC32;
#else
  return false;
#endif
}
#endif

// A capped level: which detected bits MOVICORE_MAX_ISA=<name> keeps.
struct IsaLevel {
  const char* name;
  uint64_t keep;
};
const IsaLevel kIsaLevels[] = {
    {"avx512", kIsaAvx512 | kIsaAvx2Fma3 | kIsaSse42 | kIsaAvx512Vnni | kIsaAvxVnni},
    {"avx2", kIsaAvx2Fma3 | kIsaSse42},
    {"neon", kIsaNeon | kIsaArmCrc},
    {"neondot", kIsaNeon | kIsaArmCrc | kIsaNeonDot},
    {"scalar", kIsaScalar},
};

// Feature rows with their detection (only those of the build's architecture).
struct IsaProbe {
  uint64_t bit;
  bool (*present)();
};
const IsaProbe kIsaProbes[] = {
#if MC_ARCH_X86_64 && defined(__GNUC__)
    {kIsaAvx2Fma3, has_avx2_fma3},
    {kIsaAvx512, has_avx512},
    {kIsaSse42, has_sse42},
    {kIsaAvx512Vnni, has_avx512vnni},
    {kIsaAvxVnni, has_avxvnni},
#endif
#if MC_ARCH_ARM64
    {kIsaNeon, has_neon},
    {kIsaArmCrc, has_arm_crc},
    {kIsaNeonDot, has_neondot},
#endif
    {kIsaScalar, nullptr},
};

uint64_t detect() {
  uint64_t isa = kIsaScalar;
  for (const IsaProbe& p : kIsaProbes) {
    if (p.present != nullptr && p.present()) isa |= p.bit;
  }
  return isa;
}

uint64_t apply_cap(uint64_t isa) {
  const char* env = std::getenv("MOVICORE_MAX_ISA");
  if (env == nullptr || *env == '\0') return isa;
  std::string names;
  for (const IsaLevel& l : kIsaLevels) {
    if (std::strcmp(env, l.name) == 0) return isa & l.keep;
    names += names.empty() ? l.name : std::string(", ") + l.name;
  }
  throw std::invalid_argument("MOVICORE_MAX_ISA must be one of " + names + "; got '" +
                              std::string(env) + "'");
}

}  // namespace

// Best first: isa_name() reports the first row whose bit is set. The int8 extensions come last,
// so the name of a CPU mask is its float level; alone they name the int8 kernels' ISA.
const IsaFeature kIsaFeatures[] = {
    {kIsaAvx512, "avx512"},
    {kIsaAvx2Fma3, "avx2_fma3"},
    {kIsaNeon, "neon"},
    {kIsaAvx512Vnni, "avx512vnni"},
    {kIsaAvxVnni, "avxvnni"},
    {kIsaNeonDot, "neondot"},
    {kIsaSse42, "sse42"},  // checksum instructions only: after every SIMD level
    {kIsaArmCrc, "arm_crc"},
};
const size_t kIsaFeatureCount = sizeof(kIsaFeatures) / sizeof(kIsaFeatures[0]);

uint64_t detected_isa() {
  static const uint64_t isa = detect();
  return isa;
}

uint64_t cpu_isa() {
  static const uint64_t isa = apply_cap(detected_isa());
  return isa;
}

const char* isa_name(uint64_t isa) {
  for (const IsaFeature& f : kIsaFeatures) {
    if (isa & f.bit) return f.name;
  }
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
