// Model (immutable, built from NumPy arrays prepared by movicore.model) and Engine bindings.
// Every check on user input happens here or in the core, before any kernel runs.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cmath>
#include <memory>
#include <mutex>
#include <string>

#include "base/act_names.h"
#include "base/errors.h"
#include "python/bind.h"
#include "runtime/engine.h"
#include "runtime/model.h"

namespace mc {
namespace py_bind {
namespace {

using FArray = py::array_t<float, py::array::c_style | py::array::forcecast>;

FArray get_array(const py::dict& d, const char* key, std::vector<py::ssize_t> shape,
                 const std::string& where) {
  if (!d.contains(key)) throw std::invalid_argument(where + ": missing array '" + key + "'");
  FArray a = FArray::ensure(d[key]);
  if (!a) throw std::invalid_argument(where + "." + key + ": not convertible to float32");
  bool ok = a.ndim() == py::ssize_t(shape.size());
  for (size_t i = 0; ok && i < shape.size(); ++i) ok = a.shape(i) == shape[i];
  if (!ok) {
    std::string want, got;
    for (auto s : shape) want += std::to_string(s) + ",";
    for (py::ssize_t i = 0; i < a.ndim(); ++i) got += std::to_string(a.shape(i)) + ",";
    throw std::invalid_argument(where + "." + key + ": expected shape (" + want + ") got (" +
                                got + ")");
  }
  return a;
}

HugePageVector<float> to_vector(const FArray& a) {
  return HugePageVector<float>(a.data(), a.data() + a.size());
}

// Float layer: w[k, n] + b[n] (with "bf16": true, packed as bfloat16 weights). Int8 layer
// (movicore.quant): qw[k, n] int8 in -127..127, w_scale[n], b[n], and for static activation
// quantization input_scale + input_zero_point.
// `int8_kernels` false: an int8 layer is dequantized into a float one (use_int8_kernels).
void load_gemm(PackedGemm* g, const py::dict& d, uint32_t k, uint32_t n,
               const std::string& where, bool int8_kernels) {
  FArray b = get_array(d, "b", {n}, where);
  if (!d.contains("qw")) {
    FArray w = get_array(d, "w", {k, n}, where);
    if (d.contains("bf16") && d["bf16"].cast<bool>()) {
      pack_bf16w(g, n, k, w.data(), b.data());
    } else {
      pack_gemm(g, n, k, w.data(), b.data());
    }
    return;
  }
  using I8Array = py::array_t<int8_t, py::array::c_style>;
  I8Array qw = py::cast<py::array>(d["qw"]).dtype().is(py::dtype::of<int8_t>())
                   ? py::cast<I8Array>(d["qw"])
                   : I8Array();
  if (!qw || qw.ndim() != 2 || qw.shape(0) != py::ssize_t(k) || qw.shape(1) != py::ssize_t(n)) {
    throw std::invalid_argument(where + ".qw: expected an int8 array of shape (" +
                                std::to_string(k) + "," + std::to_string(n) + ")");
  }
  if (k > kQGemmMaxK) throw std::invalid_argument(where + ": int8 layer too wide");
  for (py::ssize_t i = 0; i < qw.size(); ++i) {
    if (qw.data()[i] == -128) throw std::invalid_argument(where + ".qw: -128 is not allowed");
  }
  FArray scale = get_array(d, "w_scale", {n}, where);
  for (uint32_t j = 0; j < n; ++j) {
    if (!std::isfinite(scale.data()[j])) {
      throw std::invalid_argument(where + ".w_scale: not finite");
    }
  }
  QuantParams input{0, 1.f};
  const bool is_static = d.contains("input_scale");
  if (is_static) {
    if (!d.contains("input_zero_point")) {
      throw std::invalid_argument(where + ": missing 'input_zero_point'");
    }
    input.scale = d["input_scale"].cast<float>();
    input.zero_point = d["input_zero_point"].cast<int32_t>();
    if (!(input.scale > 0.f) || !std::isfinite(input.scale) || input.zero_point < 0 ||
        input.zero_point > 255) {
      throw std::invalid_argument(where + ": static input needs scale > 0, zero point 0..255");
    }
  }
  if (!int8_kernels) {
    pack_qgemm_as_float(g, n, k, qw.data(), scale.data(), b.data());
    return;
  }
  pack_qgemm(g, n, k, qw.data(), scale.data(), b.data(), is_static ? &input : nullptr);
}

template <typename T>
T get(const py::dict& d, const char* key, const std::string& where) {
  if (!d.contains(key)) throw std::invalid_argument(where + ": missing '" + key + "'");
  return d[key].cast<T>();
}

SeType parse_se(const std::string& s) {
  if (s == "none") return SeType::kNone;
  if (s == "3d") return SeType::k3d;
  if (s == "2d") return SeType::k2d;
  if (s == "2plus3d") return SeType::k2plus3d;
  throw std::invalid_argument("unknown se_type '" + s + "'");
}

std::shared_ptr<Model> build_model(const py::dict& spec) {
  auto m = std::make_shared<Model>();
  const bool q8 = use_int8_kernels(int8_gemm_from_env(), cpu_isa());
  const py::dict cfg = get<py::dict>(spec, "config", "model");
  ModelConfig& c = m->config;
  c.model_id = get<std::string>(cfg, "model_id", "config");
  c.causal = get<bool>(cfg, "causal", "config");
  const std::string conv = get<std::string>(cfg, "conv_type", "config");
  if (conv != "3d" && conv != "2plus1d" && conv != "3d_2plus1d") {
    throw std::invalid_argument("unknown conv_type '" + conv + "'");
  }
  c.split_2plus1d = conv != "3d";
  c.se = parse_se(get<std::string>(cfg, "se_type", "config"));
  c.act = parse_act(get<std::string>(cfg, "activation", "config"));
  c.gate = parse_act(get<std::string>(cfg, "gate", "config"));
  c.classifier_act = parse_act(get<std::string>(cfg, "classifier_activation", "config"));
  c.positional_encoding = get<bool>(cfg, "positional_encoding", "config");
  c.num_classes = get<uint32_t>(cfg, "num_classes", "config");

  const py::dict stem = get<py::dict>(spec, "stem", "model");
  m->stem_c = get<uint32_t>(stem, "channels", "stem");
  m->stem_w = to_vector(get_array(stem, "w", {3, 3, 3, m->stem_c}, "stem"));
  m->stem_b = to_vector(get_array(stem, "b", {m->stem_c}, "stem"));

  uint32_t prev_c = m->stem_c;
  for (auto item : get<py::list>(spec, "layers", "model")) {
    const py::dict d = item.cast<py::dict>();
    LayerModel l;
    l.name = get<std::string>(d, "name", "layer");
    const std::string w = "layer " + l.name;
    l.in_c = get<uint32_t>(d, "in_c", w);
    l.out_c = get<uint32_t>(d, "out_c", w);
    l.expand = get<uint32_t>(d, "expand", w);
    l.kt = get<uint32_t>(d, "kt", w);
    l.kh = get<uint32_t>(d, "kh", w);
    l.kw = get<uint32_t>(d, "kw", w);
    l.stride = get<uint32_t>(d, "stride", w);
    if (l.in_c != prev_c) throw std::invalid_argument(w + ": in_c does not chain");
    if (l.kt < 1 || l.kt > 7 || l.kh < 1 || l.kh > 7 || l.kw < 1 || l.kw > 7 ||
        (l.stride != 1 && l.stride != 2) || l.expand == 0 || l.out_c == 0) {
      throw std::invalid_argument(w + ": unsupported kernel/stride/channels");
    }
    const std::string skip = get<std::string>(d, "skip", w);
    l.skip = skip == "identity"  ? SkipType::kIdentity
             : skip == "project" ? SkipType::kProject
                                 : SkipType::kPoolProject;
    if (skip != "identity" && skip != "project" && skip != "pool_project") {
      throw std::invalid_argument(w + ": unknown skip '" + skip + "'");
    }
    if ((l.stride != 1) != (l.skip == SkipType::kPoolProject) ||
        (l.skip == SkipType::kIdentity && l.in_c != l.out_c)) {
      throw std::invalid_argument(w + ": skip type does not match stride/channels");
    }
    load_gemm(&l.expand_w, get<py::dict>(d, "expand_w", w), l.in_c, l.expand, w + ".expand",
              q8);
    const py::dict feat = get<py::dict>(d, "feature", w);
    if (c.split_2plus1d) {
      l.feat_w = to_vector(get_array(feat, "w", {l.kh, l.kw, l.expand}, w + ".feature"));
      if (l.kt > 1) {
        const py::dict tmp = get<py::dict>(d, "temporal", w);
        l.temp_w = to_vector(get_array(tmp, "w", {l.kt, l.expand}, w + ".temporal"));
        l.temp_b = to_vector(get_array(tmp, "b", {l.expand}, w + ".temporal"));
      }
    } else {
      l.feat_w = to_vector(get_array(feat, "w", {l.kt, l.kh, l.kw, l.expand}, w + ".feature"));
    }
    l.feat_b = to_vector(get_array(feat, "b", {l.expand}, w + ".feature"));
    if (c.se != SeType::kNone) {
      l.se_in = get<uint32_t>(d, "se_in", w);
      l.se_hidden = get<uint32_t>(d, "se_hidden", w);
      const uint32_t want_in = c.se == SeType::k2plus3d ? 2 * l.expand : l.expand;
      if (l.se_in != want_in || l.se_hidden == 0) {
        throw std::invalid_argument(w + ": SE widths do not match the SE type");
      }
      load_gemm(&l.se_reduce, get<py::dict>(d, "se_reduce", w), l.se_in, l.se_hidden,
                w + ".se_reduce", q8);
      load_gemm(&l.se_expand, get<py::dict>(d, "se_expand", w), l.se_hidden, l.expand,
                w + ".se_expand", q8);
      if (c.positional_encoding) l.pos_scale = get<float>(d, "pos_scale", w);
    }
    load_gemm(&l.project, get<py::dict>(d, "project", w), l.expand, l.out_c, w + ".project",
              q8);
    if (l.skip != SkipType::kIdentity) {
      load_gemm(&l.skip_w, get<py::dict>(d, "skip_w", w), l.in_c, l.out_c, w + ".skip", q8);
    }
    prev_c = l.out_c;
    m->layers.push_back(std::move(l));
  }
  if (m->layers.empty()) throw std::invalid_argument("model has no layers");
  const py::dict head = get<py::dict>(spec, "head", "model");
  const uint32_t head_c = get<uint32_t>(head, "channels", "head");
  load_gemm(&m->head, head, prev_c, head_c, "head", q8);
  const py::dict hid = get<py::dict>(spec, "cls_hidden", "model");
  const uint32_t hidden = get<uint32_t>(hid, "channels", "cls_hidden");
  load_gemm(&m->cls_hidden, hid, head_c, hidden, "cls_hidden", q8);
  load_gemm(&m->cls_logits, get<py::dict>(spec, "cls_logits", "model"), hidden, c.num_classes,
            "cls_logits", q8);
  if (spec.contains("bf16_ring") && spec["bf16_ring"].cast<bool>()) {
    if (!c.causal || !c.split_2plus1d) {
      throw std::invalid_argument("bf16_ring needs a causal (2+1)D model");
    }
    m->bf16_ring = true;
  }
  return m;
}

// One engine per stream; the mutex makes concurrent calls on the same engine safe (they
// serialize), while different engines run in parallel with the GIL released.
struct PyEngine {
  std::unique_ptr<Engine> engine;
  std::mutex mutex;
};

size_t check_stream(PyEngine& pe, int64_t stream) {
  if (stream < 0 || stream >= int64_t(pe.engine->streams())) {
    throw std::out_of_range("stream " + std::to_string(stream) + " out of range (engine has " +
                            std::to_string(pe.engine->streams()) + ")");
  }
  return size_t(stream);
}

py::array_t<float> engine_call(PyEngine& pe, const py::array& frames, bool all_frames, bool run,
                               bool streams = false) {
  Engine& e = *pe.engine;
  const Geometry& g = e.geometry();
  if (frames.ndim() != 4 || frames.shape(1) != py::ssize_t(g.height) ||
      frames.shape(2) != py::ssize_t(g.width) || frames.shape(3) != 3) {
    std::string got;
    for (py::ssize_t i = 0; i < frames.ndim(); ++i) got += std::to_string(frames.shape(i)) + ",";
    throw std::invalid_argument("frames: expected shape (T, " + std::to_string(g.height) + ", " +
                                std::to_string(g.width) + ", 3), got (" + got + ")");
  }
  const size_t t = size_t(frames.shape(0));
  if (t == 0) throw std::invalid_argument("frames: need at least one frame");
  if (streams && t != e.streams()) {
    throw std::invalid_argument("frames: expected one frame per stream (" +
                                std::to_string(e.streams()) + "), got " + std::to_string(t));
  }
  // Equivalent dtypes, not the same dtype object: arrays unpickled (e.g. sent through Ray's
  // object store) carry their own descriptor instances.
  const bool is_u8 = py::isinstance<py::array_t<uint8_t>>(frames);
  if (!is_u8 && !py::isinstance<py::array_t<float>>(frames)) {
    throw std::invalid_argument("frames: dtype must be uint8 or float32");
  }
  if (!(frames.flags() & py::array::c_style)) {
    throw std::invalid_argument("frames: must be C-contiguous");
  }
  const size_t classes = e.model().config.num_classes;
  py::array_t<float> out = (all_frames && !run) || streams
                               ? py::array_t<float>({py::ssize_t(t), py::ssize_t(classes)})
                               : py::array_t<float>(py::ssize_t(classes));
  const void* data = frames.data();
  float* dst = out.mutable_data();
  {
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(pe.mutex);
    const size_t frame_values = size_t(g.height) * g.width * 3;
    if (!is_u8) e.check_input(static_cast<const float*>(data), t * frame_values, frame_values);
    if (streams) {
      e.step_streams(data, is_u8, dst);
    } else if (run) {
      e.run_clip(data, is_u8, t, dst);
    } else {
      e.step(data, is_u8, t, all_frames, dst);
    }
  }
  return out;
}

}  // namespace

void bind_engine(py::module_& m) {
  m.def(
      "check_frames",
      [](const py::array_t<float, py::array::c_style>& frames) {
        const size_t frame_values =
            frames.ndim() >= 3 ? size_t(frames.shape(frames.ndim() - 3)) *
                                     size_t(frames.shape(frames.ndim() - 2)) *
                                     size_t(frames.shape(frames.ndim() - 1))
                               : size_t(frames.size());
        const float* data = frames.data();
        const size_t count = size_t(frames.size());
        py::gil_scoped_release release;
        Engine::check_frames(data, count, frame_values);
      },
      py::arg("frames"),
      "Raise ValueError unless float32 frames (..., H, W, 3) are finite and in [0, 1] (the "
      "engine's own check, for callers that must validate before feeding several engines).");
  py::class_<Model, std::shared_ptr<Model>>(m, "Model")
      .def(py::init(&build_model), py::arg("spec"))
      .def_property_readonly("num_layers", [](const Model& mo) { return mo.layers.size(); })
      .def_property_readonly("causal", [](const Model& mo) { return mo.config.causal; })
      .def_property_readonly("int8_layers",
                             [](const Model& mo) {
                               size_t q = 0;
                               auto c = [&q](const PackedGemm& p) { q += p.int8(); };
                               for (const auto& l : mo.layers) {
                                 c(l.expand_w), c(l.se_reduce), c(l.se_expand), c(l.project),
                                     c(l.skip_w);
                               }
                               c(mo.head), c(mo.cls_hidden), c(mo.cls_logits);
                               return q;
                             })
      .def_property_readonly("packed_bytes", [](const Model& mo) {
        size_t b = (mo.stem_w.size() + mo.stem_b.size()) * 4;
        auto g = [](const PackedGemm& p) { return p.bytes(); };
        for (const auto& l : mo.layers) {
          b += g(l.expand_w) + g(l.se_reduce) + g(l.se_expand) + g(l.project) + g(l.skip_w);
          b += (l.feat_w.size() + l.feat_b.size() + l.temp_w.size() + l.temp_b.size()) * 4;
        }
        return b + g(mo.head) + g(mo.cls_hidden) + g(mo.cls_logits);
      });

  py::class_<PyEngine>(m, "Engine")
      .def(py::init([](std::shared_ptr<Model> model, int64_t height, int64_t width,
                       int64_t threads, int64_t streams) {
             // Signed parameters: a negative value gets the same message as 0, not pybind11's
             // signature dump.
             if (threads < 1 || threads > 256) {
               throw std::invalid_argument("threads must be in 1..256, got " +
                                           std::to_string(threads));
             }
             if (height < 8 || width < 8 || height > 4096 || width > 4096) {
               throw std::invalid_argument("input size must be within 8..4096 pixels, got " +
                                           std::to_string(height) + "x" + std::to_string(width));
             }
             if (streams < 1 || streams > 4096) {
               throw std::invalid_argument("streams must be within 1..4096, got " +
                                           std::to_string(streams));
             }
             auto pe = std::make_unique<PyEngine>();
             pe->engine = std::make_unique<Engine>(std::move(model), uint32_t(height),
                                                   uint32_t(width), uint32_t(threads),
                                                   uint32_t(streams));
             return pe;
           }),
           py::arg("model"), py::arg("height"), py::arg("width"), py::arg("threads") = 1,
           py::arg("streams") = 1)
      .def_property_readonly("streams", [](PyEngine& pe) { return pe.engine->streams(); })
      .def(
          "step_streams",
          [](PyEngine& pe, const py::array& frames) {
            return engine_call(pe, frames, false, false, true);
          },
          py::arg("frames"))
      .def(
          "step",
          [](PyEngine& pe, const py::array& frames, bool all_frames) {
            return engine_call(pe, frames, all_frames, false);
          },
          py::arg("frames"), py::arg("all_frames") = false)
      .def(
          "run", [](PyEngine& pe, const py::array& frames) {
            return engine_call(pe, frames, false, true);
          },
          py::arg("frames"))
      .def(
          "reset",
          [](PyEngine& pe, int64_t stream) {
            if (stream >= 0) check_stream(pe, stream);
            py::gil_scoped_release release;
            std::lock_guard<std::mutex> lock(pe.mutex);
            if (stream < 0) {
              pe.engine->reset();
            } else {
              pe.engine->state(size_t(stream)).reset();
            }
          },
          py::arg("stream") = -1)
      .def_property_readonly("threads", [](PyEngine& pe) { return pe.engine->threads(); })
      .def(
          "set_profiling",
          [](PyEngine& pe, bool on) {
            std::lock_guard<std::mutex> lock(pe.mutex);
            pe.engine->profiler().set_enabled(on);
            pe.engine->profiler().clear();
          },
          py::arg("enabled"))
      .def("profile",
           [](PyEngine& pe) {
             std::lock_guard<std::mutex> lock(pe.mutex);
             const Profiler& prof = pe.engine->profiler();
             const Model& mo = pe.engine->model();
             py::list rows;
             for (size_t r = 0; r <= mo.layers.size(); ++r) {
               for (size_t o = 0; o < size_t(ProfOp::kCount); ++o) {
                 const auto& e = prof.at(r, ProfOp(o));
                 if (e.calls == 0) continue;
                 py::dict d;
                 d["layer"] = r == 0 ? std::string("network") : mo.layers[r - 1].name;
                 d["op"] = kProfOpNames[o];
                 d["seconds"] = e.seconds;
                 d["calls"] = e.calls;
                 rows.append(d);
               }
             }
             return rows;
           })
      .def(
          "set_observing_ranges",
          [](PyEngine& pe, bool on) {
            if (pe.engine->lanes() != 0) {
              throw std::invalid_argument("range observation needs a single-lane engine");
            }
            std::lock_guard<std::mutex> lock(pe.mutex);
            pe.engine->range_observer().set_enabled(on);
          },
          py::arg("enabled"))
      .def("input_ranges",
           [](PyEngine& pe) {
             // Canonical weight name (movicore/fold.py) -> (lo, hi) of the layer's input.
             std::lock_guard<std::mutex> lock(pe.mutex);
             const RangeObserver& obs = pe.engine->range_observer();
             py::dict out;
             auto put = [&](const PackedGemm& g, const std::string& name) {
               float lo, hi;
               if (!g.empty() && obs.range(g, &lo, &hi)) {
                 out[py::str(name)] = py::make_tuple(lo, hi);
               }
             };
             for (const auto& l : pe.engine->model().layers) {
               const std::string p = "blocks." + l.name;
               put(l.expand_w, p + ".expand.conv.weight");
               put(l.project, p + ".project.conv.weight");
               put(l.skip_w, p + ".skip.conv.weight");
               put(l.se_reduce, p + ".se.reduce.weight");
               put(l.se_expand, p + ".se.expand.weight");
             }
             const Model& mo = pe.engine->model();
             put(mo.head, "head.conv.weight");
             put(mo.cls_hidden, "classifier.hidden.weight");
             put(mo.cls_logits, "classifier.logits.weight");
             return out;
           })
      .def_property_readonly("state_bytes",
                             [](PyEngine& pe) { return pe.engine->state().bytes(); })
      .def_property_readonly("gemm_kernel",
                             [](PyEngine& pe) { return pe.engine->kernels().gemm_name; })
      .def_property_readonly("qgemm_kernel",
                             [](PyEngine& pe) { return pe.engine->kernels().qgemm_name; })
      .def("state_spec",
           [](PyEngine& pe) {
             py::list out;
             for (const auto& t : pe.engine->state().tensors()) {
               out.append(py::make_tuple(t.name, py::cast(t.shape),
                                         t.is_int32 ? "int32" : "float32"));
             }
             return out;
           })
      .def(
          "get_state",
           [](PyEngine& pe, int64_t stream) {
             const size_t b = check_stream(pe, stream);
             std::lock_guard<std::mutex> lock(pe.mutex);
             StreamState& s = pe.engine->state(b);
             py::dict out;
             for (size_t j = 0; j < s.tensors().size(); ++j) {
               const auto& t = s.tensors()[j];
               std::vector<py::ssize_t> shape(t.shape.begin(), t.shape.end());
               if (t.is_int32) {
                 py::array_t<int32_t> a(shape);
                 s.export_tensor(j, a.mutable_data());
                 out[py::str(t.name)] = a;
               } else {
                 py::array_t<float> a(shape);
                 s.export_tensor(j, a.mutable_data());
                 out[py::str(t.name)] = a;
               }
             }
             return out;
           },
           py::arg("stream") = 0)
      .def(
          "set_state",
          [](PyEngine& pe, const py::dict& state, int64_t stream) {
            const size_t b = check_stream(pe, stream);
            std::lock_guard<std::mutex> lock(pe.mutex);
            StreamState& s = pe.engine->state(b);
            const auto& specs = s.tensors();
            if (state.size() != specs.size()) {
              throw StateError("state has " + std::to_string(state.size()) +
                               " tensors, this engine expects " + std::to_string(specs.size()) +
                               " (another model or input size?)");
            }
            // Validate everything before changing anything.
            std::vector<py::array> arrays;
            for (const auto& t : specs) {
              if (!state.contains(py::str(t.name))) {
                throw StateError("state is missing '" + t.name +
                                 "' (state of another model or input size?)");
              }
              py::array a = py::array::ensure(state[py::str(t.name)]);
              if (!a) throw StateError("state '" + t.name + "' is not an array");
              bool ok = a.ndim() == py::ssize_t(t.shape.size());
              for (size_t i = 0; ok && i < t.shape.size(); ++i) ok = a.shape(i) == t.shape[i];
              if (!ok) {
                throw StateError("state '" + t.name +
                                 "' has the wrong shape for this model and input size");
              }
              // Same kind as the engine's tensor (floats for activations and sums, integers for
              // the frame count): a cast across kinds would silently change the values.
              const char kind = a.dtype().kind();
              const bool same_kind = t.is_int32 ? (kind == 'i' || kind == 'u') : kind == 'f';
              if (!same_kind) {
                throw StateError("state '" + t.name + "' has dtype " +
                                 py::str(a.dtype()).cast<std::string>() + ", expected " +
                                 (t.is_int32 ? "int32" : "float32") +
                                 " (pass the arrays of state_dict() unchanged)");
              }
              if (t.is_int32) {
                auto c = py::array_t<int32_t, py::array::c_style | py::array::forcecast>::ensure(a);
                if (!c || c.at(0) < 0) {
                  throw StateError("state '" + t.name + "' must be a non-negative int32 count");
                }
                arrays.push_back(c);
              } else {
                auto c = py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(a);
                if (!c) throw StateError("state '" + t.name + "' must be float32");
                const float* p = c.data();
                for (py::ssize_t i = 0; i < c.size(); ++i) {
                  if (!std::isfinite(p[i])) {
                    throw StateError("state '" + t.name + "' contains NaN or infinity");
                  }
                }
                arrays.push_back(c);
              }
            }
            for (size_t j = 0; j < specs.size(); ++j) s.import_tensor(j, arrays[j].data());
          },
          py::arg("state"), py::arg("stream") = 0);
}

}  // namespace py_bind
}  // namespace mc
