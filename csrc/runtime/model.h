// Immutable, shareable model: architecture flags plus weights folded (BN, ReZero) and packed
// into kernel layouts at load. Built once from NumPy arrays by the binding; read-only after,
// so any number of engines (threads) can share it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/huge_pages.h"
#include "base/activation.h"
#include "base/arch.h"
#include "kernels/qgemm/qgemm.h"

namespace mc {

enum class SeType : uint8_t { kNone, k3d, k2d, k2plus3d };
enum class SkipType : uint8_t { kIdentity, kProject, kPoolProject };

// A pointwise layer packed for the float gemm kernels (kernels/gemm/gemm.h) or, for an int8
// layer, for the qgemm kernels (kernels/qgemm/qgemm.h): then `qpacked` holds the int8 panels and
// the layer's input is quantized per row at run time (dynamic) or with the calibrated
// `input` params (static).
//
// A weight-bound layer of an int8 file (the classifier) may instead hold bfloat16 weights in
// `bpacked` (kernels/bf16w_gemm: float activations, half the weight bytes of float32).
struct PackedGemm {
  uint32_t n = 0, k = 0;  // out, in
  HugePageVector<float> packed;
  HugePageVector<uint8_t> qpacked;
  HugePageVector<uint16_t> bpacked;
  bool static_input = false;
  QuantParams input{0, 1.f};
  bool empty() const { return n == 0; }
  bool int8() const { return !qpacked.empty(); }
  bool bf16() const { return !bpacked.empty(); }
  size_t bytes() const {
    return packed.size() * sizeof(float) + qpacked.size() + bpacked.size() * sizeof(uint16_t);
  }
};

struct LayerModel {
  std::string name;
  uint32_t in_c = 0, out_c = 0, expand = 0;
  uint32_t kt = 1, kh = 1, kw = 1, stride = 1;
  SkipType skip = SkipType::kIdentity;
  uint32_t se_in = 0, se_hidden = 0;

  PackedGemm expand_w;
  HugePageVector<float> feat_w;  // [kh][kw][E] ((2+1)D) or [kt][kh][kw][E] (3d)
  HugePageVector<float> feat_b;  // [E]
  HugePageVector<float> temp_w;  // [kt][E] ((2+1)D, kt > 1)
  HugePageVector<float> temp_b;  // [E]
  PackedGemm se_reduce, se_expand;
  float pos_scale = 0.f;
  PackedGemm project;  // ReZero scale folded in
  PackedGemm skip_w;
};

struct ModelConfig {
  std::string model_id;
  bool causal = true;
  bool split_2plus1d = true;  // conv_type 2plus1d / 3d_2plus1d
  SeType se = SeType::k2plus3d;
  Act act = Act::kHardSwish;
  Act gate = Act::kHardSigmoid;
  Act classifier_act = Act::kSwish;
  bool positional_encoding = false;
  uint32_t num_classes = 0;
};

struct Model {
  ModelConfig config;
  uint32_t stem_c = 0;
  HugePageVector<float> stem_w;  // [3][3][3][F]
  HugePageVector<float> stem_b;  // [F]
  std::vector<LayerModel> layers;
  PackedGemm head, cls_hidden, cls_logits;
  // Ring buffers hold bfloat16 (int8 files, (2+1)D stream models): the temporal convs' past
  // frames are the largest per-frame memory stream of A1-A3 after the weights.
  bool bf16_ring = false;

  uint32_t head_c() const { return head.n; }
};

void pack_gemm(PackedGemm* g, uint32_t n, uint32_t k, const float* w_kn, const float* bias);
// Int8 layer: w_kn int8 in -127..127, per-channel scale (n); static_input null = dynamic.
void pack_qgemm(PackedGemm* g, uint32_t n, uint32_t k, const int8_t* w_kn, const float* scale,
                const float* bias, const QuantParams* static_input);
// Float weights rounded to bfloat16 for the bf16w_gemm kernels.
void pack_bf16w(PackedGemm* g, uint32_t n, uint32_t k, const float* w_kn, const float* bias);
// The same int8 layer for the float gemm: weights dequantized (w * scale), activations stay float.
void pack_qgemm_as_float(PackedGemm* g, uint32_t n, uint32_t k, const int8_t* w_kn,
                         const float* scale, const float* bias);

// How an int8 file's layers run. kAuto: int8 kernels when the CPU has an int8 dot-product
// extension (AVX-512 VNNI, AVX-VNNI, NEON DotProd), else the float kernels on dequantized
// weights: without one the int8 GEMM is slower than the float GEMM (AVX2: vpmaddwd int16
// products, NEON: smull/sadalp), so int8 files are never slower than float there.
enum class Int8Gemm : uint8_t { kAuto, kInt8, kFloat };
// kAuto resolved for an ISA mask: true = int8 kernels.
bool use_int8_kernels(Int8Gemm mode, uint64_t isa);
// MOVICORE_INT8_GEMM=auto|int8|float (unset: auto); throws std::invalid_argument otherwise.
Int8Gemm int8_gemm_from_env();

}  // namespace mc
