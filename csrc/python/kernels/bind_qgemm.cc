// qgemm bindings: weight packing, activation quantization and named-variant runs on NumPy
// arrays (tests and benchmarks; the engine packs and quantizes in C++).
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <limits>
#include <stdexcept>
#include <string>

#include "base/act_names.h"
#include "kernels/qgemm/qgemm.h"
#include "python/bind.h"
#include "python/kernels/guarded.h"

namespace mc {
namespace py_bind {
namespace {

using FArray = py::array_t<float, py::array::c_style | py::array::forcecast>;
using I8Array = py::array_t<int8_t, py::array::c_style>;
using U8Array = py::array_t<uint8_t, py::array::c_style>;
using I32Array = py::array_t<int32_t, py::array::c_style | py::array::forcecast>;
using kbind::require;

// w[k, n] int8 (-127..127), scale[n] (+ bias[n] or None) -> packed bytes.
py::array_t<uint8_t> pack_qgemm(I8Array w, FArray scale, py::object bias) {
  require(w.ndim() == 2 && w.shape(0) >= 1 && w.shape(1) >= 1,
          "pack_qgemm: w must be a non-empty int8 [k, n] array");
  const size_t k = size_t(w.shape(0)), n = size_t(w.shape(1));
  require(k <= kQGemmMaxK, "pack_qgemm: k exceeds kQGemmMaxK");
  for (py::ssize_t i = 0; i < w.size(); ++i) {
    require(w.data()[i] != -128, "pack_qgemm: weights must be within -127..127");
  }
  require(scale.ndim() == 1 && size_t(scale.shape(0)) == n, "pack_qgemm: scale must be [n]");
  FArray b;
  if (!bias.is_none()) {
    b = bias.cast<FArray>();
    require(b.ndim() == 1 && size_t(b.shape(0)) == n, "pack_qgemm: bias must be [n]");
  }
  py::array_t<uint8_t> packed(py::ssize_t(qgemm_packed_bytes(n, k)));
  pack_qgemm_weights(n, k, w.data(), scale.data(), bias.is_none() ? nullptr : b.data(),
                     packed.mutable_data());
  return packed;
}

// a[m, a_stride] uint8 (a_stride >= round_up(k, 4)), per-row zero points / scales, packed
// weights of n x k -> c[m, n + c_pad] (pad columns stay NaN; guard bands checked).
py::array_t<float> run_qgemm(const std::string& name, U8Array a, size_t k, I32Array zero_points,
                             FArray scales, U8Array packed, size_t n, py::object residual,
                             const std::string& act, size_t c_pad) {
  const auto& kern = require_kernel(qgemm_kernels(), name);
  const Act ac = parse_act(act);
  require(a.ndim() == 2 && a.shape(0) >= 1, "run_qgemm: a must be [m, a_stride] uint8");
  const size_t m = size_t(a.shape(0)), a_stride = size_t(a.shape(1));
  require(k >= 1 && n >= 1 && k <= kQGemmMaxK, "run_qgemm: need 1 <= k <= kQGemmMaxK, n >= 1");
  require(a_stride >= qgemm_round_k(k), "run_qgemm: a rows must hold round_up(k, 4) bytes");
  require(zero_points.ndim() == 1 && size_t(zero_points.shape(0)) == m &&
              scales.ndim() == 1 && size_t(scales.shape(0)) == m,
          "run_qgemm: zero_points and scales must be [m]");
  require(size_t(packed.size()) == qgemm_packed_bytes(n, k),
          "run_qgemm: packed size does not match n, k");
  std::vector<QuantParams> qp(m);
  for (size_t i = 0; i < m; ++i) qp[i] = {zero_points.data()[i], scales.data()[i]};
  const size_t c_stride = n + c_pad;
  FArray r;
  if (!residual.is_none()) {
    r = residual.cast<FArray>();
    require(r.ndim() == 2 && size_t(r.shape(0)) == m && size_t(r.shape(1)) == n,
            "run_qgemm: residual must be [m, n]");
  }
  kbind::GuardedOut out(m * c_stride);
  {
    py::gil_scoped_release release;
    kern.fn(m, n, k, a.data(), a_stride, qp.data(), packed.data(), out.data(), c_stride,
            residual.is_none() ? nullptr : r.data(), n, ac);
  }
  out.check(name);
  return out.to_array({py::ssize_t(m), py::ssize_t(c_stride)});
}

const int kRegistered = register_kernel_op(
    {"qgemm", []() { return describe_kernels(qgemm_kernels(), cpu_isa()); },
     [](py::module_& m) {
       m.attr("QGEMM_NR") = kQGemmNR;
       m.attr("QGEMM_KR") = kQGemmKR;
       m.def("pack_qgemm", &pack_qgemm, py::arg("w"), py::arg("scale"),
             py::arg("bias") = py::none());
       m.def("run_qgemm", &run_qgemm, py::arg("name"), py::arg("a"), py::arg("k"),
             py::arg("zero_points"), py::arg("scales"), py::arg("packed"), py::arg("n"),
             py::arg("residual") = py::none(), py::arg("act") = "identity",
             py::arg("c_pad") = 0);
     }});

}  // namespace
}  // namespace py_bind
}  // namespace mc
