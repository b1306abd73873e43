// ISA bits, compile-time architecture macros and the runtime ISA mask.
#pragma once

#include <cstdint>
#include <string>

#if defined(__x86_64__) || defined(_M_X64)
#define MC_ARCH_X86_64 1
#else
#define MC_ARCH_X86_64 0
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
#define MC_ARCH_ARM64 1
#else
#define MC_ARCH_ARM64 0
#endif

#ifndef MC_ENABLE_AVX2
#define MC_ENABLE_AVX2 0
#endif
#ifndef MC_ENABLE_NEON
#define MC_ENABLE_NEON 0
#endif
#ifndef MC_ENABLE_AVX512VNNI
#define MC_ENABLE_AVX512VNNI 0
#endif
#ifndef MC_ENABLE_AVXVNNI
#define MC_ENABLE_AVXVNNI 0
#endif
#ifndef MC_ENABLE_NEONDOT
#define MC_ENABLE_NEONDOT 0
#endif

namespace mc {

// One bit per instruction-set level a kernel may require. kIsaScalar (0) is always supported.
enum IsaBits : uint64_t {
  kIsaScalar = 0,
  kIsaAvx2Fma3 = 1u << 0,
  kIsaNeon = 1u << 1,
  // Int8 dot-product extensions (the qgemm op): AVX-512 F/BW/VL/DQ + VNNI with the OS saving
  // ZMM state; AVX-VNNI (VEX vpdpbusd) with AVX2; AArch64 DotProd (HWCAP_ASIMDDP).
  kIsaAvx512Vnni = 1u << 3,
  kIsaAvxVnni = 1u << 4,
  kIsaNeonDot = 1u << 5,
  // The plain reference loops: always runnable, never chosen by dispatch.
  kIsaReference = 1u << 31,
};

constexpr uint64_t kIsaInt8Extensions = kIsaAvx512Vnni | kIsaAvxVnni | kIsaNeonDot;

// Features the CPU and OS support (detected once).
uint64_t detected_isa();
// detected_isa() capped by MOVICORE_MAX_ISA (scalar|avx2|neon|neondot|avx512vnni); what
// dispatch uses. avx2 and neon drop the int8 dot-product extensions too.
// Throws std::invalid_argument for an unknown MOVICORE_MAX_ISA value.
uint64_t cpu_isa();
// Name of the best ISA in a mask: "avx512vnni", "avxvnni", "avx2_fma3", "neondot", "neon" or
// "scalar".
const char* isa_name(uint64_t isa);
// Human-readable CPU model (from /proc/cpuinfo where available).
std::string cpu_model_name();

inline bool is_supported(uint64_t required, uint64_t isa) {
  if (required == kIsaReference) return true;
  return (required & isa) == required;
}

}  // namespace mc
