#include <pybind11/numpy.h>

#include <limits>
#include <stdexcept>
#include <string>

#include "base/act_names.h"
#include "kernels/gemm/gemm.h"
#include "python/bind.h"

namespace mc {
namespace py_bind {
namespace {

using FArray = py::array_t<float, py::array::c_style | py::array::forcecast>;

size_t dim(const FArray& x, int i) { return static_cast<size_t>(x.shape(i)); }

// w[k, n] (+ bias[n] or None) -> packed panels (1-D, gemm_packed_size(n, k) floats).
py::array_t<float> pack_gemm(FArray w, py::object bias) {
  if (w.ndim() != 2 || w.shape(0) < 1 || w.shape(1) < 1) {
    throw std::invalid_argument("pack_gemm: w must be a non-empty [k, n] array");
  }
  const size_t k = dim(w, 0), n = dim(w, 1);
  FArray b;
  if (!bias.is_none()) {
    b = bias.cast<FArray>();
    if (b.ndim() != 1 || dim(b, 0) != n) {
      throw std::invalid_argument("pack_gemm: bias must be [n]");
    }
  }
  py::array_t<float> packed(static_cast<py::ssize_t>(gemm_packed_size(n, k)));
  pack_gemm_weights(n, k, w.data(), bias.is_none() ? nullptr : b.data(), packed.mutable_data());
  return packed;
}

// Contiguous convenience: c[m, n] = act(a @ w + bias) + residual.
py::array_t<float> run_gemm(const std::string& name, FArray a, FArray w, py::object bias,
                            py::object residual, const std::string& act) {
  const auto& kern = require_kernel(gemm_kernels(), name);
  const Act ac = parse_act(act);
  if (a.ndim() != 2 || w.ndim() != 2 || a.shape(1) != w.shape(0) || a.shape(0) < 1 ||
      a.shape(1) < 1 || w.shape(1) < 1) {
    throw std::invalid_argument("run_gemm: need a[m, k] and w[k, n] with m, n, k >= 1");
  }
  const size_t m = dim(a, 0), k = dim(a, 1), n = dim(w, 1);
  FArray r;
  if (!residual.is_none()) {
    r = residual.cast<FArray>();
    if (r.ndim() != 2 || dim(r, 0) != m || dim(r, 1) != n) {
      throw std::invalid_argument("run_gemm: residual must be [m, n]");
    }
  }
  py::array_t<float> packed = pack_gemm(w, bias);
  py::array_t<float> c({m, n});
  {
    py::gil_scoped_release release;
    kern.fn(m, n, k, a.data(), k, packed.data(), c.mutable_data(), n,
            residual.is_none() ? nullptr : r.data(), n, ac);
  }
  return c;
}

// Raw strided call on flat buffers (tests: rows embedded in wider buffers with canaries).
// a: >= (m-1)*a_stride + k floats; c (written in place): >= (m-1)*c_stride + n floats;
// residual (or None): >= (m-1)*r_stride + n floats; packed: gemm_packed_size(n, k) floats.
void run_gemm_strided(const std::string& name, size_t m, size_t n, size_t k, FArray a,
                      size_t a_stride, FArray packed, py::array c, size_t c_stride,
                      py::object residual, size_t r_stride, const std::string& act) {
  const auto& kern = require_kernel(gemm_kernels(), name);
  const Act ac = parse_act(act);
  if (m < 1 || n < 1 || k < 1) throw std::invalid_argument("run_gemm_strided: m, n, k >= 1");
  if (a_stride < k || c_stride < n) {
    throw std::invalid_argument("run_gemm_strided: a_stride >= k and c_stride >= n");
  }
  if (size_t(a.size()) < (m - 1) * a_stride + k) {
    throw std::invalid_argument("run_gemm_strided: a too small");
  }
  if (size_t(packed.size()) != gemm_packed_size(n, k)) {
    throw std::invalid_argument("run_gemm_strided: packed size mismatch");
  }
  if (!c.dtype().is(py::dtype::of<float>()) || !(c.flags() & py::array::c_style) ||
      !c.writeable() ||
      size_t(c.size()) < (m - 1) * c_stride + n) {
    throw std::invalid_argument(
          "run_gemm_strided: c must be a writeable contiguous float32 buffer");
  }
  FArray r;
  if (!residual.is_none()) {
    r = residual.cast<FArray>();
    if (r_stride < n || size_t(r.size()) < (m - 1) * r_stride + n) {
      throw std::invalid_argument("run_gemm_strided: residual too small");
    }
  }
  float* cp = static_cast<float*>(c.mutable_data());
  {
    py::gil_scoped_release release;
    kern.fn(m, n, k, a.data(), a_stride, packed.data(), cp, c_stride,
            residual.is_none() ? nullptr : r.data(), r_stride, ac);
  }
}

const int kRegistered = register_kernel_op(
    {"gemm", []() { return describe_kernels(gemm_kernels(), cpu_isa()); },
     [](py::module_& m) {
       m.attr("GEMM_NR") = kGemmNR;
       m.def("pack_gemm", &pack_gemm, py::arg("w"), py::arg("bias") = py::none());
       m.def("run_gemm", &run_gemm, py::arg("name"), py::arg("a"), py::arg("w"),
             py::arg("bias") = py::none(), py::arg("residual") = py::none(),
             py::arg("act") = "identity");
       m.def("run_gemm_strided", &run_gemm_strided, py::arg("name"), py::arg("m"),
             py::arg("n"), py::arg("k"), py::arg("a"), py::arg("a_stride"), py::arg("packed"),
             py::arg("c"), py::arg("c_stride"), py::arg("residual") = py::none(),
             py::arg("r_stride") = 0, py::arg("act") = "identity");
     }});

}  // namespace
}  // namespace py_bind
}  // namespace mc
