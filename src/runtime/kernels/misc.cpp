/// \file
/// Ops that belong to no other group: Einsum, Shrink and Det.

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/reduce_util.h"
#include "runtime/op_registry.h"

namespace ptqc {

namespace {

/// Labels of an einsum term: letters map to 0-51 in ASCII order ('A'-'Z' then
/// 'a'-'z'); the dims an ellipsis covers get labels from kFirstEllipsisLabel on,
/// right-aligned so that they broadcast across operands.
constexpr int kLetterLabels = 52;
constexpr int kFirstEllipsisLabel = kLetterLabels;
constexpr int kEllipsis = -1;

/// The labels of one term, with kEllipsis where "..." stands.
std::vector<int> parse_term(const OpContext& ctx, const std::string& term) {
  std::vector<int> labels;
  for (size_t i = 0; i < term.size(); ++i) {
    const char c = term[i];
    if (c >= 'A' && c <= 'Z') {
      labels.push_back(c - 'A');
    } else if (c >= 'a' && c <= 'z') {
      labels.push_back(26 + (c - 'a'));
    } else if (term.compare(i, 3, "...") == 0) {
      if (std::find(labels.begin(), labels.end(), kEllipsis) != labels.end()) ctx.fail("a term has two ellipses");
      labels.push_back(kEllipsis);
      i += 2;
    } else {
      ctx.fail(std::string("unexpected character '") + c + "' in the equation");
    }
  }
  return labels;
}

/// \p labels with the ellipsis replaced by the last \p dims of the \p width ellipsis labels.
std::vector<int> expand_ellipsis(const std::vector<int>& labels, int64_t dims, int64_t width) {
  std::vector<int> out;
  for (int label : labels) {
    if (label != kEllipsis) {
      out.push_back(label);
      continue;
    }
    for (int64_t k = width - dims; k < width; ++k) out.push_back(kFirstEllipsisLabel + static_cast<int>(k));
  }
  return out;
}

/// A parsed equation: the labels of every operand axis and of the output axes.
struct EinsumSpec {
  std::vector<std::vector<int>> operands;
  std::vector<int> output;
};

/// Parses "ab,bc->ac" (explicit) or "ab,bc" (implicit: the output is the
/// ellipsis dims, then the labels used once, in ASCII order), spaces ignored.
EinsumSpec parse_equation(const OpContext& ctx, std::string equation, const std::vector<const Tensor*>& inputs) {
  std::erase(equation, ' ');
  const size_t arrow = equation.find("->");
  const std::string lhs = equation.substr(0, arrow);
  std::vector<std::vector<int>> terms;
  for (size_t begin = 0;;) {
    const size_t comma = lhs.find(',', begin);
    terms.push_back(parse_term(ctx, lhs.substr(begin, comma - begin)));
    if (comma == std::string::npos) break;
    begin = comma + 1;
  }
  if (terms.size() != inputs.size()) {
    ctx.fail("the equation has " + std::to_string(terms.size()) + " operands, the node " + std::to_string(inputs.size()));
  }
  int64_t width = 0;  // dims under the widest ellipsis
  std::vector<int64_t> ellipsis_dims(terms.size(), 0);
  for (size_t k = 0; k < terms.size(); ++k) {
    const bool has_ellipsis = std::find(terms[k].begin(), terms[k].end(), kEllipsis) != terms[k].end();
    const int64_t letters = static_cast<int64_t>(terms[k].size()) - (has_ellipsis ? 1 : 0);
    ellipsis_dims[k] = inputs[k]->rank() - letters;
    if (ellipsis_dims[k] < 0 || (!has_ellipsis && ellipsis_dims[k] != 0)) {
      ctx.fail("operand " + std::to_string(k) + " of shape " + shape_string(inputs[k]->shape()) +
               " does not match its term in the equation");
    }
    width = std::max(width, ellipsis_dims[k]);
  }
  EinsumSpec spec;
  std::vector<int> uses(kLetterLabels, 0);
  for (size_t k = 0; k < terms.size(); ++k) {
    spec.operands.push_back(expand_ellipsis(terms[k], ellipsis_dims[k], width));
    for (int label : terms[k]) {
      if (label != kEllipsis) ++uses[static_cast<size_t>(label)];
    }
  }
  if (arrow != std::string::npos) {
    spec.output = expand_ellipsis(parse_term(ctx, equation.substr(arrow + 2)), width, width);
    for (size_t i = 0; i < spec.output.size(); ++i) {
      const int label = spec.output[i];
      if (label < kLetterLabels && uses[static_cast<size_t>(label)] == 0) ctx.fail("an output label is not in any operand");
      if (std::find(spec.output.begin(), spec.output.begin() + static_cast<int64_t>(i), label) !=
          spec.output.begin() + static_cast<int64_t>(i)) {
        ctx.fail("an output label appears twice");
      }
    }
  } else {
    for (int64_t k = 0; k < width; ++k) spec.output.push_back(kFirstEllipsisLabel + static_cast<int>(k));
    for (int label = 0; label < kLetterLabels; ++label) {
      if (uses[static_cast<size_t>(label)] == 1) spec.output.push_back(label);
    }
  }
  return spec;
}

/// Einsum: y[output labels] = Σ over the other labels of Π_k x_k[its labels].
/// A label repeated within an operand takes its diagonal; dims of 1 broadcast.
void einsum_kernel(OpContext& ctx) {
  std::vector<const Tensor*> inputs;
  for (size_t k = 0; k < ctx.num_inputs(); ++k) inputs.push_back(&ctx.input(k));
  if (inputs.empty()) ctx.fail("needs at least one input");
  for (const Tensor* t : inputs) {
    if (t->dtype() != inputs[0]->dtype()) ctx.fail("inputs must share one element type");
  }
  const EinsumSpec spec = parse_equation(ctx, ctx.node().attr_string("equation", ""), inputs);

  // The size of every label: its dims must agree, except that dims of 1 broadcast.
  std::vector<int64_t> size(static_cast<size_t>(kFirstEllipsisLabel), -1);
  for (size_t k = 0; k < inputs.size(); ++k) {
    for (size_t a = 0; a < spec.operands[k].size(); ++a) {
      const auto label = static_cast<size_t>(spec.operands[k][a]);
      if (label >= size.size()) size.resize(label + 1, -1);
      const int64_t d = inputs[k]->dim(static_cast<int64_t>(a));
      if (size[label] == -1 || size[label] == 1) {
        size[label] = d;
      } else if (d != 1 && d != size[label]) {
        ctx.fail("a label has dims " + std::to_string(size[label]) + " and " + std::to_string(d));
      }
    }
  }
  // Loop labels: the output's first, then the summed ones; each operand steps by its strides along them.
  std::vector<int> loop = spec.output;
  for (const auto& labels : spec.operands) {
    for (int label : labels) {
      if (std::find(loop.begin(), loop.end(), label) == loop.end()) loop.push_back(label);
    }
  }
  std::vector<std::vector<int64_t>> steps(inputs.size(), std::vector<int64_t>(loop.size(), 0));
  for (size_t k = 0; k < inputs.size(); ++k) {
    const std::vector<int64_t> strides = strides_of(inputs[k]->shape());
    for (size_t a = 0; a < spec.operands[k].size(); ++a) {
      const size_t l = static_cast<size_t>(std::find(loop.begin(), loop.end(), spec.operands[k][a]) - loop.begin());
      if (inputs[k]->dim(static_cast<int64_t>(a)) != 1) steps[k][l] += strides[a];
    }
  }
  Shape out_shape, sum_shape;
  for (size_t l = 0; l < loop.size(); ++l) {
    (l < spec.output.size() ? out_shape : sum_shape).push_back(size[static_cast<size_t>(loop[l])]);
  }
  const int64_t sum_count = shape_numel(sum_shape);
  const size_t out_rank = out_shape.size();

  Tensor& y = ctx.make_output(0, inputs[0]->dtype(), out_shape);
  dispatch_numeric(ctx, inputs[0]->dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* out = y.data<T>();
    std::vector<const T*> data;
    for (const Tensor* t : inputs) data.push_back(t->data<T>());
    parallel_for(ctx.threads(), y.numel(), [&](int64_t begin, int64_t end) {
      std::vector<int64_t> offset(inputs.size()), index(sum_shape.size());
      for (int64_t o = begin; o < end; ++o) {
        std::fill(offset.begin(), offset.end(), 0);
        for (size_t l = out_rank, rest = static_cast<size_t>(o); l-- > 0;) {
          const auto i = static_cast<int64_t>(rest % static_cast<size_t>(out_shape[l]));
          rest /= static_cast<size_t>(out_shape[l]);
          for (size_t k = 0; k < inputs.size(); ++k) offset[k] += i * steps[k][l];
        }
        std::fill(index.begin(), index.end(), 0);
        AccumulatorOf<T> sum{0};
        for (int64_t s = 0; s < sum_count; ++s) {
          AccumulatorOf<T> product{1};
          for (size_t k = 0; k < inputs.size(); ++k) product *= static_cast<AccumulatorOf<T>>(data[k][offset[k]]);
          sum += product;
          // Odometer over the summed labels, moving every operand's offset with it.
          for (size_t d = index.size(); d-- > 0;) {
            for (size_t k = 0; k < inputs.size(); ++k) offset[k] += steps[k][out_rank + d];
            if (++index[d] < sum_shape[d]) break;
            for (size_t k = 0; k < inputs.size(); ++k) offset[k] -= index[d] * steps[k][out_rank + d];
            index[d] = 0;
          }
        }
        out[o] = static_cast<T>(sum);
      }
    });
  });
}

/// Shrink: y = x + bias if x < -lambd, x - bias if x > lambd, else 0
/// (lambd default 0.5, bias default 0).
void shrink_kernel(OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  const double lambd = ctx.node().attr_float("lambd", 0.5f);
  const double bias = ctx.node().attr_float("bias", 0.0f);
  Tensor& y = ctx.make_output(0, x.dtype(), x.shape());
  dispatch_numeric(ctx, x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* in = x.data<T>();
    T* out = y.data<T>();
    parallel_for(ctx.threads(), x.numel(), [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        const auto v = static_cast<double>(in[i]);
        out[i] = static_cast<T>(v < -lambd ? v + bias : v > lambd ? v - bias : 0.0);
      }
    });
  });
}

/// The determinant of the n×n row-major matrix \p m (overwritten), by LU
/// decomposition with partial pivoting: det = ±Π u_ii.
double determinant(std::vector<double>& m, int64_t n) {
  double det = 1;
  for (int64_t c = 0; c < n; ++c) {
    int64_t pivot = c;
    for (int64_t r = c + 1; r < n; ++r) {
      if (std::fabs(m[static_cast<size_t>(r * n + c)]) > std::fabs(m[static_cast<size_t>(pivot * n + c)])) pivot = r;
    }
    const double p = m[static_cast<size_t>(pivot * n + c)];
    if (p == 0) return 0;
    if (pivot != c) {
      for (int64_t j = 0; j < n; ++j) std::swap(m[static_cast<size_t>(c * n + j)], m[static_cast<size_t>(pivot * n + j)]);
      det = -det;
    }
    det *= p;
    for (int64_t r = c + 1; r < n; ++r) {
      const double f = m[static_cast<size_t>(r * n + c)] / p;
      for (int64_t j = c + 1; j < n; ++j) m[static_cast<size_t>(r * n + j)] -= f * m[static_cast<size_t>(c * n + j)];
    }
  }
  return det;
}

/// Det: the determinant of each trailing n×n matrix of an [..., n, n] input.
void det_kernel(OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  if (x.rank() < 2 || x.dim(x.rank() - 1) != x.dim(x.rank() - 2)) {
    ctx.fail("input must have shape [..., n, n], got " + shape_string(x.shape()));
  }
  const int64_t n = x.dim(x.rank() - 1);
  Tensor& y = ctx.make_output(0, x.dtype(), Shape(x.shape().begin(), x.shape().end() - 2));
  dispatch_float(ctx, x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* in = x.data<T>();
    T* out = y.data<T>();
    parallel_for(ctx.threads(), y.numel(), [&](int64_t begin, int64_t end) {
      std::vector<double> m(static_cast<size_t>(n * n));
      for (int64_t b = begin; b < end; ++b) {
        for (int64_t i = 0; i < n * n; ++i) m[static_cast<size_t>(i)] = static_cast<double>(in[b * n * n + i]);
        out[b] = static_cast<T>(determinant(m, n));
      }
    });
  });
}

}  // namespace

void register_misc_ops(OpRegistry& registry) {
  registry.add("Einsum", &einsum_kernel);
  registry.add("Shrink", &shrink_kernel);
  registry.add("Det", &det_kernel);
}

}  // namespace ptqc
