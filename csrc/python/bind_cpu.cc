#include "base/arch.h"
#include "python/bind.h"

namespace mc {
namespace py_bind {

void bind_cpu(py::module_& m) {
  m.def(
      "cpu_info",
      []() {
        py::dict d;
        const uint64_t det = detected_isa();
        py::list features;
        for (size_t i = 0; i < kIsaFeatureCount; ++i) {
          if (det & kIsaFeatures[i].bit) features.append(kIsaFeatures[i].name);
        }
        d["features"] = features;
        d["isa"] = isa_name(cpu_isa());
        d["detected_isa"] = isa_name(det);
        // The int8 kernels' level (an int8 extension if one is usable, else the float level).
        const uint64_t int8 = cpu_isa() & kIsaInt8Extensions;
        d["int8_isa"] = isa_name(int8 != 0 ? int8 : cpu_isa());
        d["cpu"] = cpu_model_name();
#if MC_ARCH_X86_64
        d["arch"] = "x86_64";
#elif MC_ARCH_ARM64
        d["arch"] = "aarch64";
#else
        d["arch"] = "other";
#endif
        d["compiler"] = MC_COMPILER;
        d["build_type"] = MC_BUILD_TYPE;
        py::list built;
        built.append("scalar");
        if (MC_ENABLE_AVX2) built.append("avx2_fma3");
        if (MC_ENABLE_AVX512) built.append("avx512");
        if (MC_ENABLE_NEON) built.append("neon");
        if (MC_ENABLE_AVX512VNNI) built.append("avx512vnni");
        if (MC_ENABLE_AVXVNNI) built.append("avxvnni");
        if (MC_ENABLE_NEONDOT) built.append("neondot");
        d["built_isas"] = built;
        return d;
      },
      "Detected CPU features, the ISA dispatch uses, compiler and build type.");
}

}  // namespace py_bind
}  // namespace mc
