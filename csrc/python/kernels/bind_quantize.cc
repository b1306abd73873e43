// quantize bindings: a named variant of the dynamic per-row quantizer, or the static one.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "kernels/quantize/quantize.h"
#include "python/bind.h"
#include "python/kernels/guarded.h"

namespace mc {
namespace py_bind {
namespace {

using FArray = py::array_t<float, py::array::c_style | py::array::forcecast>;
using kbind::require;

// x[m, k] -> (q[m, round_up(k, 4)] uint8, zero_points int32[m], scales float32[m]) by the named
// variant: dynamic (per-row ranges), or static with params=(scale, zero_point); col_scale
// (k floats) multiplies every row first.
std::tuple<py::array_t<uint8_t>, py::array_t<int32_t>, py::array_t<float>> run_quantize(
    const std::string& name, FArray x, py::object params, py::object col_scale) {
  const auto& kern = require_kernel(quantize_kernels(), name);
  require(x.ndim() == 2 && x.shape(0) >= 1 && x.shape(1) >= 1,
          "run_quantize: x must be a non-empty [m, k] array");
  const size_t m = size_t(x.shape(0)), k = size_t(x.shape(1)), kc = qgemm_round_k(k);
  for (py::ssize_t i = 0; i < x.size(); ++i) {
    require(std::isfinite(x.data()[i]), "run_quantize: x must be finite");
  }
  FArray g;
  const float* gp = nullptr;
  if (!col_scale.is_none()) {
    g = FArray::ensure(col_scale);
    require(g && g.ndim() == 1 && size_t(g.shape(0)) == k,
            "run_quantize: col_scale must be a float array of shape [k]");
    for (size_t j = 0; j < k; ++j) {
      require(std::isfinite(g.data()[j]), "run_quantize: col_scale must be finite");
    }
    gp = g.data();
  }
  py::array_t<uint8_t> q({m, kc});
  std::vector<QuantParams> qp(m);
  QuantParams fixed{0, 1.f};
  if (!params.is_none()) {
    const auto t = params.cast<std::tuple<float, int32_t>>();
    fixed = {std::get<1>(t), std::get<0>(t)};
    require(fixed.scale > 0.f && std::isfinite(fixed.scale) && fixed.zero_point >= 0 &&
                fixed.zero_point <= 255,
            "run_quantize: static params need scale > 0 and zero_point in 0..255");
  }
  {
    py::gil_scoped_release release;
    kern.fn(m, k, x.data(), k, gp, q.mutable_data(), kc,
            params.is_none() ? nullptr : &fixed, qp.data());
  }
  py::array_t<int32_t> zp(static_cast<py::ssize_t>(m));
  py::array_t<float> sc(static_cast<py::ssize_t>(m));
  for (size_t i = 0; i < m; ++i) {
    zp.mutable_data()[i] = qp[i].zero_point;
    sc.mutable_data()[i] = qp[i].scale;
  }
  return {q, zp, sc};
}

const int kRegistered = register_kernel_op(
    {"quantize", []() { return describe_kernels(quantize_kernels(), cpu_isa()); },
     [](py::module_& m) {
       m.def("run_quantize", &run_quantize, py::arg("name"), py::arg("x"),
             py::arg("params") = py::none(), py::arg("col_scale") = py::none());
     }});

}  // namespace
}  // namespace py_bind
}  // namespace mc
