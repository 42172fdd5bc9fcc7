// Microbenchmark of the INT8 GEMM behind QMatMul/QConv against the reference kernels and the FP32
// GEMM (src/runtime/kernels/gemm_util.h), on one thread. Not built by default; from the repo root:
//   g++ -std=c++20 -O3 -march=native -fopenmp -DEIGEN_NO_DEBUG -DEIGEN_DONT_PARALLELIZE -Iinclude -Isrc \
//     -I/usr/include/eigen3 bench/int8_gemm_bench.cpp $(ls src/runtime/kernels/int8/*.cpp | grep -v int8_ops) \
//     src/runtime/kernels/{gemm_util,conv_util,kernel_util}.cpp src/runtime/op_context.cpp \
//     src/ir/{error,tensor,graph}.cpp -ldnnl -o /tmp/int8_gemm_bench && /tmp/int8_gemm_bench
// Prints GOP/s = 2·M·N·K / seconds (one multiply-add = 2 ops), best of several runs.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <random>
#include <vector>

#include "runtime/kernels/gemm_util.h"
#include "runtime/kernels/int8/qconv.h"
#include "runtime/kernels/int8/qmatmul.h"

namespace {

using Clock = std::chrono::steady_clock;

/// Best time in seconds of \p fn over \p runs runs (after one warm-up run).
double best_seconds(const std::function<void()>& fn, int runs) {
  fn();
  double best = 1e30;
  for (int i = 0; i < runs; ++i) {
    const auto start = Clock::now();
    fn();
    best = std::min(best, std::chrono::duration<double>(Clock::now() - start).count());
  }
  return best;
}

void report(const char* what, double ops, double seconds) {
  std::printf("%-44s %9.3f ms %9.1f GOP/s\n", what, seconds * 1e3, ops / seconds * 1e-9);
}

template <class T>
std::vector<T> random_values(std::mt19937& rng, size_t n, int lo, int hi) {
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<T> v(n);
  for (T& x : v) x = static_cast<T>(d(rng));
  return v;
}

}  // namespace

int main() {
  using namespace ptqc;
  constexpr int64_t kM = 512, kN = 512, kK = 512;
  std::mt19937 rng(1);
  const std::vector<int8_t> x = random_values<int8_t>(rng, kM * kK, -128, 127);
  const std::vector<int8_t> w = random_values<int8_t>(rng, kK * kN, -128, 127);
  const std::vector<int32_t> bias = random_values<int32_t>(rng, kN, -1000, 1000);
  std::vector<int32_t> y(kM * kN), y_ref(kM * kN);
  QMatMulProblem p;
  p.rows = kM;
  p.depth = kK;
  p.cols = kN;
  p.x_offset = -3;
  p.x = x.data();
  p.w = w.data();
  p.bias = bias.data();
  const double ops = 2.0 * kM * kN * kK;

  std::printf("QMatMul %lldx%lldx%lld, 1 thread (fast paths pack w on every call)\n", static_cast<long long>(kM),
              static_cast<long long>(kN), static_cast<long long>(kK));
  report("QMatMul reference", ops, best_seconds([&] { qmatmul_reference(p, y_ref.data()); }, 2));
  for (Int8Isa isa : runnable_int8_isas()) {
    const Int8Run run{isa, 1, default_allocator()};
    const double s = best_seconds([&] { qmatmul_fast(p, run, y.data()); }, isa == Int8Isa::kScalar ? 2 : 20);
    report((std::string("QMatMul fast, ") + int8_isa_name(isa)).c_str(), ops, s);
    if (y != y_ref) std::printf("  MISMATCH against the reference\n");
  }

  std::vector<float> a(kM * kK), b(kK * kN), c(kM * kN);
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>(x[i]);
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<float>(w[i]);
  report("FP32 gemm (gemm_util.h)", ops,
         best_seconds(
             [&] {
               gemm<float>(kM, kN, kK, 1.0f, {a.data(), kK, false}, {b.data(), kN, false}, c.data(), kN, false, 1);
             },
             20));

  // A ResNet-style 3x3 convolution: 64 -> 64 channels on 56x56, pad 1.
  const std::vector<int8_t> cx = random_values<int8_t>(rng, 64 * 56 * 56, -128, 127);
  const std::vector<int8_t> cw = random_values<int8_t>(rng, 64 * 64 * 9, -128, 127);
  std::vector<int32_t> cy(64 * 56 * 56);
  QConvProblem conv;
  conv.batch = 1;
  conv.in_channels = conv.out_channels = 64;
  conv.x_offset = 5;
  conv.x = cx.data();
  conv.w = cw.data();
  conv.window.rank = 2;
  conv.window.input = conv.window.output = {1, 56, 56};
  conv.window.kernel = {1, 3, 3};
  conv.window.pad_begin = conv.window.pad_end = {0, 1, 1};
  const double conv_ops = 2.0 * 64 * 64 * 9 * 56 * 56;
  std::printf("QConv 1x64x56x56, 3x3, 64 out, pad 1, 1 thread\n");
  for (Int8Isa isa : runnable_int8_isas()) {
    if (isa == Int8Isa::kScalar) continue;
    const Int8Run run{isa, 1, default_allocator()};
    report((std::string("QConv fast, ") + int8_isa_name(isa)).c_str(), conv_ops,
           best_seconds([&] { qconv_fast(conv, run, cy.data()); }, 10));
  }
  return 0;
}
