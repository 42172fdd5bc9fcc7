/// \file
/// Elementwise kernels: broadcast arithmetic (Add ... Pow, Mod, variadic
/// Min/Max/Sum/Mean), comparisons and logic, Where, unary math, and Cast.
/// Float math runs in float32/float64; integer arithmetic wraps (two's
/// complement) like the C++ unsigned types, and integer Div truncates toward zero.

#include <cmath>
#include <concepts>
#include <limits>
#include <string>
#include <type_traits>

#include <unsupported/Eigen/SpecialFunctions>

#include "runtime/kernels/elementwise_util.h"
#include "runtime/op_registry.h"

namespace ptqc {

namespace {

/// The type integer arithmetic is done in so that it wraps modulo 2^bits instead of
/// overflowing: unsigned, and at least unsigned int (uint16 * uint16 would otherwise
/// be a signed int product). Floats and bool compute in their own type.
template <class T> struct Wrapping { using type = T; };
template <std::integral T>
  requires(!std::same_as<T, bool>)
struct Wrapping<T> { using type = std::common_type_t<std::make_unsigned_t<T>, unsigned>; };
template <class T> using Wrapped = typename Wrapping<T>::type;

template <class T> T add(T a, T b) { return static_cast<T>(Wrapped<T>(a) + Wrapped<T>(b)); }
template <class T> T subtract(T a, T b) { return static_cast<T>(Wrapped<T>(a) - Wrapped<T>(b)); }
template <class T> T multiply(T a, T b) { return static_cast<T>(Wrapped<T>(a) * Wrapped<T>(b)); }
template <class T> T negate(T a) { return static_cast<T>(Wrapped<T>(0) - Wrapped<T>(a)); }

/// a / b; integers truncate toward zero, and INT_MIN / -1 wraps to INT_MIN.
/// \pre b != 0 for integers (see check_nonzero_divisor).
template <class T> T divide(T a, T b) {
  if constexpr (std::is_signed_v<T> && std::is_integral_v<T>) {
    if (b == -1) return negate(a);
  }
  return static_cast<T>(a / b);
}

/// Mod with fmod = 1: the remainder of truncated division, with the sign of \p a
/// (C's % and fmod). \pre b != 0 for integers.
template <class T> T truncated_mod(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::fmod(a, b);
  } else {
    if constexpr (std::is_signed_v<T>) {
      if (b == -1) return 0;
    }
    return static_cast<T>(a % b);
  }
}

/// Mod with fmod = 0 (integers): the remainder of floored division, with the sign of
/// \p b (Python's %): r = a % b, plus b when r is non-zero and its sign differs from b's.
template <class T> T floored_mod(T a, T b) {
  const T r = truncated_mod(a, b);
  if constexpr (std::is_signed_v<T>) {
    if (r != 0 && (r < 0) != (b < 0)) return static_cast<T>(r + b);
  }
  return r;
}

template <class T> bool is_nan(T a) {
  if constexpr (std::is_floating_point_v<T>) return std::isnan(a);
  else return false;
}

/// max(a, b) that propagates NaN from either side, like numpy.maximum.
template <class T> T maximum(T a, T b) { return (a > b || is_nan(a)) ? a : b; }
/// min(a, b) that propagates NaN from either side, like numpy.minimum.
template <class T> T minimum(T a, T b) { return (a < b || is_nan(a)) ? a : b; }

void require_same_dtype(const OpContext& ctx, const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype()) {
    ctx.fail("inputs have different element types (" + dtype_name(a.dtype()) + " and " + dtype_name(b.dtype()) + ")");
  }
}

void require_bool(const OpContext& ctx, const Tensor& t) {
  if (t.dtype() != DataType::kBool) ctx.fail("expects bool inputs, got " + dtype_name(t.dtype()));
}

/// Integer division by zero has no value (and traps on x86), so the node fails instead.
template <class T>
void check_nonzero_divisor(const OpContext& ctx, const Tensor& divisor) {
  if constexpr (std::is_integral_v<T>) {
    for (T v : divisor.values<T>()) {
      if (v == 0) ctx.fail("integer division by zero");
    }
  }
}

/// Output 0 = op(input 0, input 1) over their broadcast. Both inputs share one
/// element type (numeric, and bool when \p with_bool); the output's type is op's
/// result type (the input type, or bool for comparisons).
template <class Op>
void binary_kernel(OpContext& ctx, Op op, bool with_bool = false) {
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  require_same_dtype(ctx, a, b);
  dispatch_numeric(
      ctx, a.dtype(),
      [&](auto tag) {
        using T = decltype(tag);
        using R = decltype(op(T{}, T{}));
        broadcast_output<T, R>(ctx, a, b, op);
      },
      with_bool);
}

/// Integer Div and Mod check their divisor before dividing.
template <class Op>
void division_kernel(OpContext& ctx, Op op) {
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  require_same_dtype(ctx, a, b);
  dispatch_numeric(ctx, a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    Tensor& y = ctx.make_output(0, a.dtype(), broadcast_shapes(ctx, a.shape(), b.shape()));
    check_nonzero_divisor<T>(ctx, b);
    broadcast_into<T, T>(ctx, a, b, y, op);
  });
}

/// Output 0 = op(...op(op(x0, x1), x2)..., xn) over the broadcast of all inputs, which share
/// T; with one input, a copy of it. Declared (with the broadcast of all shapes) before any
/// element is read; the last op writes straight into it.
template <class T, class Op>
Tensor& fold_inputs_to_output(OpContext& ctx, Op op) {
  const size_t n = ctx.num_inputs();
  Shape shape = ctx.input(0).shape();
  for (size_t k = 1; k < n; ++k) {
    require_same_dtype(ctx, ctx.input(0), ctx.input(k));
    shape = broadcast_shapes(ctx, shape, ctx.input(k).shape());
  }
  Tensor& y = ctx.make_output(0, ctx.input(0).dtype(), shape);
  if (n == 1) {
    map_into<T, T>(ctx, ctx.input(0), y, [](T v) { return v; });
    return y;
  }
  Tensor acc = ctx.input(0);
  for (size_t k = 1; k + 1 < n; ++k) acc = broadcast_elements<T, T>(ctx, acc, ctx.input(k), op);
  broadcast_into<T, T>(ctx, acc, ctx.input(n - 1), y, op);
  return y;
}

/// Variadic Min, Max and Sum over numeric inputs.
template <class Op>
void variadic_kernel(OpContext& ctx, Op op) {
  if (ctx.num_inputs() == 0) ctx.fail("needs at least one input");
  dispatch_numeric(ctx, ctx.input(0).dtype(), [&](auto tag) { fold_inputs_to_output<decltype(tag)>(ctx, op); });
}

/// Mean: y = (x0 + ... + x(n-1)) / n over the broadcast of the n inputs.
void mean_kernel(OpContext& ctx) {
  if (ctx.num_inputs() == 0) ctx.fail("needs at least one input");
  dispatch_float(ctx, ctx.input(0).dtype(), [&](auto tag) {
    using T = decltype(tag);
    Tensor& y = fold_inputs_to_output<T>(ctx, [](T a, T b) { return a + b; });
    const T n = static_cast<T>(ctx.num_inputs());
    map_into<T, T>(ctx, y, y, [n](T s) { return s / n; });
  });
}

/// Mod: fmod = 1 takes the remainder's sign from the dividend (C fmod), fmod = 0 from
/// the divisor (Python %); ONNX allows fmod = 0 for integer types only.
void mod_kernel(OpContext& ctx) {
  const bool fmod = ctx.node().attr_int("fmod", 0) != 0;
  if (!fmod && is_float(ctx.input(0).dtype())) ctx.fail("fmod must be 1 for floating-point inputs");
  if (fmod) {
    division_kernel(ctx, [](auto a, auto b) { return truncated_mod(a, b); });
  } else {
    division_kernel(ctx, [](auto a, auto b) { return floored_mod(a, b); });
  }
}

/// Pow: y = x^p with y of the base's element type. Float bases compute in their own
/// type (an exponent of another type is converted first); integer bases compute in
/// float64 and truncate back, exact while |y| < 2^53.
void pow_kernel(OpContext& ctx) {
  const Tensor& base = ctx.input(0);
  const Tensor& exponent = ctx.input(1);
  if (base.dtype() == DataType::kBool || exponent.dtype() == DataType::kBool) ctx.fail("Pow does not take bool inputs");
  if (is_float(base.dtype())) {
    dispatch_float(ctx, base.dtype(), [&](auto tag) {
      using T = decltype(tag);
      Tensor& y = ctx.make_output(0, base.dtype(), broadcast_shapes(ctx, base.shape(), exponent.shape()));
      const Tensor p = exponent.dtype() == base.dtype() ? exponent : cast_tensor(exponent, base.dtype(), ctx.allocator());
      // x^2 (variance in decomposed LayerNorms) is one multiplication, as exactly rounded as pow.
      if (p.numel() == 1 && p.data<T>()[0] == T{2} && p.rank() <= base.rank()) {
        map_into<T, T>(ctx, base, y, [](T x) { return x * x; });
        return;
      }
      broadcast_into<T, T>(ctx, base, p, y, [](T x, T e) { return std::pow(x, e); });
    });
    return;
  }
  const Tensor x = cast_tensor(base, DataType::kFloat64, ctx.allocator());
  const Tensor p = cast_tensor(exponent, DataType::kFloat64, ctx.allocator());
  const Tensor y = broadcast_elements<double, double>(ctx, x, p, [](double v, double e) { return std::pow(v, e); });
  ctx.set_output(0, cast_tensor(y, base.dtype(), ctx.allocator()));
}

/// BitShift on unsigned integers: x << s or x >> s; shifting by the bit width or
/// more gives 0.
void bit_shift_kernel(OpContext& ctx) {
  const std::string direction = ctx.node().attr_string("direction", "");
  if (direction != "LEFT" && direction != "RIGHT") ctx.fail("direction must be LEFT or RIGHT, got '" + direction + "'");
  const bool left = direction == "LEFT";
  const Tensor& x = ctx.input(0);
  const Tensor& s = ctx.input(1);
  require_same_dtype(ctx, x, s);
  dispatch_numeric(ctx, x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_unsigned_v<T> && !std::is_same_v<T, bool>) {
      broadcast_output<T, T>(ctx, x, s, [left](T v, T shift) {
        if (shift >= T{std::numeric_limits<T>::digits}) return T{0};
        return static_cast<T>(left ? v << shift : v >> shift);
      });
    } else {
      ctx.unsupported("BitShift on " + dtype_name(x.dtype()));
    }
  });
}

/// And, Or, Xor on bool inputs.
template <class Op>
void logical_kernel(OpContext& ctx, Op op) {
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  require_bool(ctx, a);
  require_bool(ctx, b);
  broadcast_output<bool, bool>(ctx, a, b, op);
}

/// Where: y = cond ? x : y over the broadcast of all three. Only bytes move, so any
/// element type (float16 included) is handled by its size.
void where_kernel(OpContext& ctx) {
  const Tensor& cond = ctx.input(0);
  const Tensor& x = ctx.input(1);
  const Tensor& y = ctx.input(2);
  require_bool(ctx, cond);
  require_same_dtype(ctx, x, y);
  const Shape out_shape = broadcast_shapes(ctx, broadcast_shapes(ctx, cond.shape(), x.shape()), y.shape());
  Tensor& out = ctx.make_output(0, x.dtype(), out_shape);
  const std::vector<int64_t> cond_strides = broadcast_strides(cond.shape(), out_shape);
  std::vector<char> take_x(static_cast<size_t>(out.numel()));
  const bool* c = cond.data<bool>();
  for_each_broadcast(out_shape, cond_strides, cond_strides, [&](int64_t o, int64_t ic, int64_t) { take_x[o] = c[ic]; });

  auto select = [&](auto tag) {
    using Bits = decltype(tag);
    const auto* px = reinterpret_cast<const Bits*>(x.raw());
    const auto* py = reinterpret_cast<const Bits*>(y.raw());
    auto* po = reinterpret_cast<Bits*>(out.raw());
    for_each_broadcast(out_shape, broadcast_strides(x.shape(), out_shape), broadcast_strides(y.shape(), out_shape),
                       [&](int64_t o, int64_t ix, int64_t iy) { po[o] = take_x[o] ? px[ix] : py[iy]; });
  };
  switch (dtype_size(x.dtype())) {
    case 1: select(uint8_t{}); break;
    case 2: select(uint16_t{}); break;
    case 4: select(uint32_t{}); break;
    case 8: select(uint64_t{}); break;
    default: ctx.unsupported("element type " + dtype_name(x.dtype()));
  }
}

/// Abs: |x| (unsigned values are their own absolute value; INT_MIN wraps to itself).
template <class T> T absolute(T x) {
  if constexpr (std::is_unsigned_v<T>) return x;
  else if constexpr (std::is_floating_point_v<T>) return std::abs(x);
  else return x < 0 ? negate(x) : x;
}

/// Sign: 1 for x > 0, -1 for x < 0, x itself for 0 and NaN.
template <class T> T sign(T x) {
  if constexpr (std::is_unsigned_v<T>) return x > 0 ? T{1} : T{0};
  else return x > 0 ? T{1} : x < 0 ? T{-1} : x;
}

/// IsNaN and IsInf: output 0 = pred(input 0) as bool, for float inputs.
template <class Pred>
void float_predicate_kernel(OpContext& ctx, Pred pred) {
  const Tensor& x = ctx.input(0);
  dispatch_float(ctx, x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    map_output<T, bool>(ctx, x, pred);
  });
}

/// IsInf: true for +inf when detect_positive, for -inf when detect_negative.
void is_inf_kernel(OpContext& ctx) {
  const bool positive = ctx.node().attr_int("detect_positive", 1) != 0;
  const bool negative = ctx.node().attr_int("detect_negative", 1) != 0;
  float_predicate_kernel(ctx, [=](auto x) { return std::isinf(x) && (x > 0 ? positive : negative); });
}

void not_kernel(OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  require_bool(ctx, x);
  map_output<bool, bool>(ctx, x, [](bool v) { return !v; });
}

/// Output 0 = input 0 converted to \p to (the input itself when it already has that type).
void cast_input_to(OpContext& ctx, DataType to) {
  const Tensor& x = ctx.input(0);
  if (x.dtype() == to) return ctx.set_output(0, x);
  cast_tensor_into(x, ctx.make_output(0, to, x.shape()));
}

/// Cast: converts to the ONNX element type of attribute 'to'.
void cast_kernel(OpContext& ctx) {
  if (!ctx.node().has_attr("to")) ctx.fail("attribute 'to' is missing");
  const int64_t to = ctx.node().attr_int("to", 0);
  if (to < 0 || to > std::numeric_limits<int32_t>::max() || !is_supported_dtype(static_cast<int32_t>(to))) {
    ctx.unsupported("cast to ONNX element type " + std::to_string(to));
  }
  cast_input_to(ctx, static_cast<DataType>(to));
}

/// CastLike: converts input 0 to the element type of input 1.
void cast_like_kernel(OpContext& ctx) { cast_input_to(ctx, ctx.input(1).dtype()); }

}  // namespace

void register_elementwise_ops(OpRegistry& registry) {
  registry.add("Add", [](OpContext& ctx) { binary_kernel(ctx, [](auto a, auto b) { return add(a, b); }); });
  registry.add("Sub", [](OpContext& ctx) { binary_kernel(ctx, [](auto a, auto b) { return subtract(a, b); }); });
  registry.add("Mul", [](OpContext& ctx) { binary_kernel(ctx, [](auto a, auto b) { return multiply(a, b); }); });
  registry.add("Div", [](OpContext& ctx) { division_kernel(ctx, [](auto a, auto b) { return divide(a, b); }); });
  registry.add("Mod", &mod_kernel);
  registry.add("Pow", &pow_kernel);
  registry.add("BitShift", &bit_shift_kernel);
  registry.add("Min", [](OpContext& ctx) { variadic_kernel(ctx, [](auto a, auto b) { return minimum(a, b); }); });
  registry.add("Max", [](OpContext& ctx) { variadic_kernel(ctx, [](auto a, auto b) { return maximum(a, b); }); });
  registry.add("Sum", [](OpContext& ctx) { variadic_kernel(ctx, [](auto a, auto b) { return add(a, b); }); });
  registry.add("Mean", &mean_kernel);

  registry.add("Equal", [](OpContext& ctx) { binary_kernel(ctx, [](auto a, auto b) { return a == b; }, true); });
  registry.add("Less", [](OpContext& ctx) { binary_kernel(ctx, [](auto a, auto b) { return a < b; }); });
  registry.add("Greater", [](OpContext& ctx) { binary_kernel(ctx, [](auto a, auto b) { return a > b; }); });
  registry.add("LessOrEqual", [](OpContext& ctx) { binary_kernel(ctx, [](auto a, auto b) { return a <= b; }); });
  registry.add("GreaterOrEqual", [](OpContext& ctx) { binary_kernel(ctx, [](auto a, auto b) { return a >= b; }); });
  registry.add("And", [](OpContext& ctx) { logical_kernel(ctx, [](bool a, bool b) { return a && b; }); });
  registry.add("Or", [](OpContext& ctx) { logical_kernel(ctx, [](bool a, bool b) { return a || b; }); });
  registry.add("Xor", [](OpContext& ctx) { logical_kernel(ctx, [](bool a, bool b) { return a != b; }); });
  registry.add("Not", &not_kernel);
  registry.add("Where", &where_kernel);

  registry.add("Abs", [](OpContext& ctx) { map_numeric_input(ctx, [](auto x) { return absolute(x); }); });
  registry.add("Neg", [](OpContext& ctx) { map_numeric_input(ctx, [](auto x) { return negate(x); }); });
  registry.add("Sign", [](OpContext& ctx) { map_numeric_input(ctx, [](auto x) { return sign(x); }); });
  registry.add("Reciprocal", [](OpContext& ctx) { map_float_input(ctx, []<class T>(T x) { return T{1} / x; }); });
  registry.add("Sqrt", [](OpContext& ctx) { map_float_input(ctx, [](auto x) { return std::sqrt(x); }); });
  registry.add("Exp", [](OpContext& ctx) {
    map_float_vectorized(ctx, [](const auto& x) { return x.exp(); }, [](auto x) { return std::exp(x); });
  });
  registry.add("Log", [](OpContext& ctx) { map_float_input(ctx, [](auto x) { return std::log(x); }); });
  registry.add("Erf", [](OpContext& ctx) {
    map_float_vectorized(ctx, [](const auto& x) { return x.erf(); }, [](auto x) { return std::erf(x); });
  });
  registry.add("Sin", [](OpContext& ctx) { map_float_input(ctx, [](auto x) { return std::sin(x); }); });
  registry.add("Cos", [](OpContext& ctx) { map_float_input(ctx, [](auto x) { return std::cos(x); }); });
  registry.add("Tan", [](OpContext& ctx) { map_float_input(ctx, [](auto x) { return std::tan(x); }); });
  registry.add("Asin", [](OpContext& ctx) { map_float_input(ctx, [](auto x) { return std::asin(x); }); });
  registry.add("Acos", [](OpContext& ctx) { map_float_input(ctx, [](auto x) { return std::acos(x); }); });
  registry.add("Atan", [](OpContext& ctx) { map_float_input(ctx, [](auto x) { return std::atan(x); }); });
  registry.add("Sinh", [](OpContext& ctx) { map_float_input(ctx, [](auto x) { return std::sinh(x); }); });
  registry.add("Cosh", [](OpContext& ctx) { map_float_input(ctx, [](auto x) { return std::cosh(x); }); });
  registry.add("Asinh", [](OpContext& ctx) { map_float_input(ctx, [](auto x) { return std::asinh(x); }); });
  registry.add("Acosh", [](OpContext& ctx) { map_float_input(ctx, [](auto x) { return std::acosh(x); }); });
  registry.add("Atanh", [](OpContext& ctx) { map_float_input(ctx, [](auto x) { return std::atanh(x); }); });
  registry.add("Floor", [](OpContext& ctx) { map_float_input(ctx, [](auto x) { return std::floor(x); }); });
  registry.add("Ceil", [](OpContext& ctx) { map_float_input(ctx, [](auto x) { return std::ceil(x); }); });
  // nearbyint rounds halves to even in the default rounding mode, as Round requires.
  registry.add("Round", [](OpContext& ctx) { map_float_input(ctx, [](auto x) { return std::nearbyint(x); }); });
  registry.add("IsNaN", [](OpContext& ctx) { float_predicate_kernel(ctx, [](auto x) { return std::isnan(x); }); });
  registry.add("IsInf", &is_inf_kernel);

  registry.add("Cast", &cast_kernel);
  registry.add("CastLike", &cast_like_kernel);
}

}  // namespace ptqc
