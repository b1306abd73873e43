// Would an int8 depthwise conv pay on AVX-512 VNNI? (dev experiment, not part of the build)
//
// The int8 files keep the depthwise convs in float32 (docs/quantization.md). This program
// times the best case of the alternative on the shapes of A0 (11x11, 22x22, 6x6, 43x43) and
// A2 (56x56 .. 7x7): a 3x3 stride-1 depthwise conv over a zero-padded NHWC frame, no border
// path, no epilogue, the same loop nest (one output row -> 16 channels -> 8 pixels, weights in
// registers) three ways:
//   float      vfmadd231ps, one per tap and pixel (the arithmetic of kernels/dwconv);
//   int16      two taps' u8 values widened into the 16-bit halves of each 32-bit lane, vpdpwssd;
//   u8 quads   four taps' u8 values packed into the bytes of each lane, vpdpbusd.
// The integer ones need one scale per channel for all taps: the only accurate scheme of that
// kind is one range per channel per frame (tools/sim_activation_quant.py), known only once the
// whole frame's expansion output exists. So the program also times what that costs first: the
// per-channel range pass and the quantization to u8. The three convs are checked equal
// (integer inputs and weights, exact in float32) before they are timed.
//
//   g++ -O3 -march=native -std=c++17 tools/int8_dwconv_experiment.cc -o /tmp/dw_int8 && /tmp/dw_int8
#if !defined(__AVX512F__) || !defined(__AVX512BW__) || !defined(__AVX512VNNI__)
#error "needs AVX-512 F/BW/VNNI: build with -march=native on such a CPU"
#endif

#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

namespace {

constexpr int kPixels = 8;  // output pixels per step, as the float kernel's P

struct Shape {
  int h, w, c;  // output rows, columns, channels (a multiple of 16)
  int padded_w() const { return (w + kPixels - 1) / kPixels * kPixels + 2; }
  size_t in_size() const { return size_t(h + 2) * padded_w() * c; }
  size_t out_size() const { return size_t(h) * w * c; }
};

// u8 value of tap t (row t / 3, column t % 3) for 16 channels, widened to 32-bit lanes
inline __m512i tap_u8(const uint8_t* in, Shape s, int y, int x, int c, int t) {
  const uint8_t* q = in + (size_t(y + t / 3) * s.padded_w() + x + t % 3) * s.c + c;
  return _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(q)));
}

void dw_float(const float* in, const float* w, float* out, Shape s) {
  for (int y = 0; y < s.h; ++y) {
    for (int c = 0; c < s.c; c += 16) {
      __m512 wv[9];
      for (int t = 0; t < 9; ++t) wv[t] = _mm512_loadu_ps(w + t * s.c + c);
      for (int x = 0; x < s.w; x += kPixels) {
        __m512 acc[kPixels];
        for (auto& a : acc) a = _mm512_setzero_ps();
        for (int t = 0; t < 9; ++t) {
          const float* q = in + (size_t(y + t / 3) * s.padded_w() + x + t % 3) * s.c + c;
          for (int k = 0; k < kPixels; ++k) {
            acc[k] = _mm512_fmadd_ps(wv[t], _mm512_loadu_ps(q + k * s.c), acc[k]);
          }
        }
        for (int k = 0; k < kPixels && x + k < s.w; ++k) {
          _mm512_storeu_ps(out + (size_t(y) * s.w + x + k) * s.c + c, acc[k]);
        }
      }
    }
  }
}

// GROUP taps per 32-bit lane (2: int16 halves and vpdpwssd, 4: bytes and vpdpbusd); the
// weights come packed the same way, GROUP taps per lane, zero past tap 8.
template <int GROUP>
void dw_int(const uint8_t* in, const int32_t* w, int32_t* out, Shape s) {
  constexpr int kGroups = (9 + GROUP - 1) / GROUP, kShift = 32 / GROUP;
  for (int y = 0; y < s.h; ++y) {
    for (int c = 0; c < s.c; c += 16) {
      __m512i wv[kGroups];
      for (int g = 0; g < kGroups; ++g) wv[g] = _mm512_loadu_si512(w + g * s.c + c);
      for (int x = 0; x < s.w; x += kPixels) {
        __m512i acc[kPixels];
        for (auto& a : acc) a = _mm512_setzero_si512();
        for (int g = 0; g < kGroups; ++g) {
          for (int k = 0; k < kPixels; ++k) {
            __m512i a = tap_u8(in, s, y, x + k, c, g * GROUP);
            for (int j = 1; j < GROUP && g * GROUP + j < 9; ++j) {
              a = _mm512_or_si512(a, _mm512_slli_epi32(tap_u8(in, s, y, x + k, c, g * GROUP + j),
                                                       unsigned(j * kShift)));
            }
            acc[k] = GROUP == 2 ? _mm512_dpwssd_epi32(acc[k], a, wv[g])
                                : _mm512_dpbusd_epi32(acc[k], a, wv[g]);
          }
        }
        for (int k = 0; k < kPixels && x + k < s.w; ++k) {
          _mm512_storeu_si512(out + (size_t(y) * s.w + x + k) * s.c + c, acc[k]);
        }
      }
    }
  }
}

// The integer convs' input: this frame's range per channel (a pass over every pixel), then
// u8 = round(x / scale) + zero point.
void quantize_per_channel(const float* x, size_t pixels, int channels, float* inv_scale,
                          float* zero_point, uint8_t* q) {
  for (int c = 0; c < channels; c += 16) {
    __m512 lo = _mm512_setzero_ps(), hi = _mm512_setzero_ps();
    for (size_t p = 0; p < pixels; ++p) {
      const __m512 v = _mm512_loadu_ps(x + p * channels + c);
      lo = _mm512_min_ps(lo, v);
      hi = _mm512_max_ps(hi, v);
    }
    const __m512 scale = _mm512_max_ps(
        _mm512_mul_ps(_mm512_sub_ps(hi, lo), _mm512_set1_ps(1.f / 255)), _mm512_set1_ps(1e-12f));
    const __m512 inv = _mm512_div_ps(_mm512_set1_ps(1.f), scale);
    _mm512_storeu_ps(inv_scale + c, inv);
    _mm512_storeu_ps(zero_point + c, _mm512_roundscale_ps(
                                         _mm512_mul_ps(_mm512_sub_ps(_mm512_setzero_ps(), lo), inv),
                                         _MM_FROUND_TO_NEAREST_INT));
  }
  for (size_t p = 0; p < pixels; ++p) {
    for (int c = 0; c < channels; c += 16) {
      const __m512 v = _mm512_fmadd_ps(_mm512_loadu_ps(x + p * channels + c),
                                       _mm512_loadu_ps(inv_scale + c),
                                       _mm512_loadu_ps(zero_point + c));
      const __m512i i = _mm512_max_epi32(_mm512_cvtps_epi32(v), _mm512_setzero_si512());
      _mm_storeu_si128(reinterpret_cast<__m128i*>(q + p * channels + c),
                       _mm512_cvtusepi32_epi8(i));
    }
  }
}

template <class F>
double best_us(F f) {
  double best = 1e30;
  for (int r = 0; r < 200; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 20; ++i) f();
    const std::chrono::duration<double, std::micro> d = std::chrono::steady_clock::now() - t0;
    best = std::min(best, d.count() / 20);
  }
  return best;
}

// tap weights packed GROUP per 32-bit lane, little end first, zero past tap 8
template <int GROUP>
std::vector<int32_t> pack_weights(const std::vector<int8_t>& w, int channels) {
  constexpr int kGroups = (9 + GROUP - 1) / GROUP, kShift = 32 / GROUP;
  constexpr uint32_t kMask = GROUP == 2 ? 0xFFFFu : 0xFFu;
  std::vector<int32_t> p(size_t(kGroups) * channels);
  for (int c = 0; c < channels; ++c) {
    for (int g = 0; g < kGroups; ++g) {
      uint32_t v = 0;
      for (int j = 0; j < GROUP && g * GROUP + j < 9; ++j) {
        v |= (uint32_t(int32_t(w[size_t(g * GROUP + j) * channels + c])) & kMask) << (j * kShift);
      }
      p[size_t(g) * channels + c] = int32_t(v);
    }
  }
  return p;
}

}  // namespace

int main() {
  const Shape shapes[] = {{11, 11, 192}, {22, 22, 80},  {6, 6, 288},   {43, 43, 32},
                          {56, 56, 48},  {28, 28, 128}, {14, 14, 240}, {7, 7, 480}};
  std::mt19937 gen(1);
  std::printf("3x3 depthwise, us (best of 200 x 20 calls); saving = float - u8 quads\n");
  for (const Shape& s : shapes) {
    std::vector<uint8_t> in_u8(s.in_size());
    std::vector<float> in_f(s.in_size()), w_f(9 * size_t(s.c)), out_f(s.out_size());
    std::vector<int8_t> w8(9 * size_t(s.c));
    for (size_t i = 0; i < in_u8.size(); ++i) in_f[i] = in_u8[i] = uint8_t(gen() & 255);
    for (size_t i = 0; i < w8.size(); ++i) w_f[i] = w8[i] = int8_t(int(gen() % 255) - 127);
    const std::vector<int32_t> w2 = pack_weights<2>(w8, s.c), w4 = pack_weights<4>(w8, s.c);
    std::vector<int32_t> out2(s.out_size()), out4(s.out_size());
    dw_float(in_f.data(), w_f.data(), out_f.data(), s);
    dw_int<2>(in_u8.data(), w2.data(), out2.data(), s);
    dw_int<4>(in_u8.data(), w4.data(), out4.data(), s);
    size_t mismatches = 0;
    for (size_t i = 0; i < out_f.size(); ++i) {
      mismatches += out_f[i] != float(out2[i]) || out2[i] != out4[i];
    }
    if (mismatches != 0) {
      std::printf("%dx%dx%d: %zu outputs differ between the three convs\n", s.h, s.w, s.c,
                  mismatches);
      return 1;
    }
    std::vector<float> expansion(s.out_size()), inv(s.c), zp(s.c);
    for (auto& v : expansion) v = float(int(gen() % 2001) - 1000) * 1e-3f;
    std::vector<uint8_t> q(s.out_size());
    const double t_f = best_us([&] { dw_float(in_f.data(), w_f.data(), out_f.data(), s); });
    const double t_2 = best_us([&] { dw_int<2>(in_u8.data(), w2.data(), out2.data(), s); });
    const double t_4 = best_us([&] { dw_int<4>(in_u8.data(), w4.data(), out4.data(), s); });
    const double t_q = best_us([&] {
      quantize_per_channel(expansion.data(), size_t(s.h) * s.w, s.c, inv.data(), zp.data(),
                           q.data());
    });
    std::printf("%2dx%2dx%3d  float %6.2f  int16 %6.2f (%.2fx)  u8 quads %6.2f (%.2fx)  "
                "saving %5.2f  per-channel quantization first %5.2f  net %+6.2f\n",
                s.h, s.w, s.c, t_f, t_2, t_f / t_2, t_4, t_f / t_4, t_f - t_4, t_q,
                t_f - t_4 - t_q);
  }
  return 0;
}
