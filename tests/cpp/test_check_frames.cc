#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness.h"
#include "runtime/engine.h"

namespace {

// "" when check_frames accepts, else its message.
std::string verdict(const std::vector<float>& v, size_t frame_values) {
  try {
    mc::Engine::check_frames(v.data(), v.size(), frame_values);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

}  // namespace

MC_TEST(check_frames_range_and_finiteness) {
  const size_t per_frame = 12 * 11 * 3, n = 3 * per_frame + 4096;  // tails of the 4096 blocks
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = float(i % 97) / 96.f;
  ++ctx.checks;
  if (!verdict(v, per_frame).empty()) ctx.fail("valid frames rejected");
  const float slack = mc::Engine::kFrameSlack;
  for (float ok : {-slack * 0.99f, 1.f + slack * 0.99f, 0.f, 1.f}) {
    std::vector<float> w = v;
    w[n - 1] = ok;
    if (!verdict(w, per_frame).empty()) ctx.fail("rejected " + std::to_string(ok));
  }
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (size_t at : {size_t(0), size_t(4095), size_t(4096), n - 1}) {
    for (float bad : {255.f, 1.2f, -0.2f, nan, inf, -inf}) {
      std::vector<float> w = v;
      w[at] = bad;
      const std::string msg = verdict(w, per_frame);
      const bool finite = std::isfinite(bad);
      const std::string want = finite ? "divide float frames by 255" : "NaN or infinity";
      const std::string where = "flat index " + std::to_string(at) + ", frame " +
                                std::to_string(at / per_frame);
      if (msg.find(want) == std::string::npos || msg.find(where) == std::string::npos) {
        ctx.fail("value " + std::to_string(bad) + " at " + std::to_string(at) + ": '" + msg +
                 "'");
      }
    }
  }
}
