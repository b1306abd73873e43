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
#ifndef MC_ENABLE_AVX512
#define MC_ENABLE_AVX512 0
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
#ifndef MC_ENABLE_SSE42
#define MC_ENABLE_SSE42 0
#endif
#ifndef MC_ENABLE_ARM_CRC
#define MC_ENABLE_ARM_CRC 0
#endif

namespace mc {

// One bit per instruction-set feature a kernel may require. kIsaScalar (0) is always supported.
// A new feature: one bit here, one row in kIsaFeatures (cpu.cc: name + detection) and the
// MOVICORE_MAX_ISA levels that may use it (kIsaLevels, cpu.cc).
enum IsaBits : uint64_t {
  kIsaScalar = 0,
  kIsaAvx2Fma3 = 1u << 0,  // AVX2 + FMA3, OS saves YMM
  kIsaNeon = 1u << 1,      // AArch64 Advanced SIMD
  kIsaAvx512 = 1u << 2,    // AVX-512 F+BW+VL+DQ, OS saves opmask + ZMM state
  // CRC32C instructions (the model-file checksum only): SSE4.2 on x86-64, the ARMv8 CRC32
  // extension (optional before ARMv8.1).
  kIsaSse42 = 1u << 3,
  kIsaArmCrc = 1u << 4,
  // Int8 dot-product extensions (the qgemm op only):
  kIsaAvx512Vnni = 1u << 5,  // AVX-512 (as above) + VNNI
  kIsaAvxVnni = 1u << 6,     // AVX-VNNI (VEX vpdpbusd) + AVX2
  kIsaNeonDot = 1u << 7,     // AArch64 DotProd (HWCAP_ASIMDDP)
  // The plain reference loops: always runnable, never chosen by dispatch.
  kIsaReference = 1u << 31,
};

constexpr uint64_t kIsaInt8Extensions = kIsaAvx512Vnni | kIsaAvxVnni | kIsaNeonDot;

// Features the CPU and OS support (detected once).
uint64_t detected_isa();
// detected_isa() capped by MOVICORE_MAX_ISA (avx512|avx2|scalar|neon|neondot; avx512 keeps the
// x86 int8 extensions, avx2 and neon drop them): what dispatch uses and
// what the kernel tests treat as "this CPU" (a cap emulates a CPU without the higher levels).
// Throws std::invalid_argument for an unknown MOVICORE_MAX_ISA value.
uint64_t cpu_isa();
// Name of the best kernel ISA in a mask: "avx512", "avx2_fma3", "neon", "sse42", "arm_crc" or
// "scalar".
const char* isa_name(uint64_t isa);
// Names of every feature bit set in a mask (cpu_info()["features"]), e.g. "avx512".
struct IsaFeature {
  uint64_t bit;
  const char* name;
};
extern const IsaFeature kIsaFeatures[];
extern const size_t kIsaFeatureCount;
// Human-readable CPU model (from /proc/cpuinfo where available).
std::string cpu_model_name();

inline bool is_supported(uint64_t required, uint64_t isa) {
  if (required == kIsaReference) return true;
  return (required & isa) == required;
}

}  // namespace mc
