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
        if (det & kIsaAvx2Fma3) {
          features.append("avx2");
          features.append("fma");
        }
        if (det & kIsaNeon) features.append("neon");
        if (det & kIsaAvx512Vnni) features.append("avx512vnni");
        if (det & kIsaAvxVnni) features.append("avxvnni");
        if (det & kIsaNeonDot) features.append("dotprod");
        d["features"] = features;
        // The float kernels' level; the int8 extensions are listed in features / int8_isa.
        d["isa"] = isa_name(cpu_isa() & ~kIsaInt8Extensions);
        d["detected_isa"] = isa_name(det & ~kIsaInt8Extensions);
        d["int8_isa"] = isa_name(cpu_isa());
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
