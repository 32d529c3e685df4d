// The host logic above the Metal calls: which kernels a step needs, with which buffers, constants
// and grid. Plain C++17 with no Metal type, so the same plan is executed by the Metal host
// (metal_host.cpp: setBuffer/setBytes/dispatchThreadgroups) and, on Linux, by the shim's harness
// (shim/harness.cc), which runs the kernels over the CPU grid: the tests check plan and kernels
// together against the CPU backend.
#pragma once

#include <cstdint>
#include <cstring>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

namespace mlx_metal {

/** A strided window onto an input buffer (elements; strides may be 0 or negative). */
struct ViewDesc {
  std::string dtype;
  std::vector<int64_t> shape;
  std::vector<int64_t> strides;
  int64_t offset = 0;
};

struct StepDesc {
  std::string prim;
  std::vector<ViewDesc> inputs;
  std::string out_dtype;
  std::vector<int64_t> out_shape;
  /** The primitive's integer params, in the order program.ts encodes them (axes, axis, reverse, ...). */
  std::vector<int64_t> params;
};

/** What a kernel argument [[buffer(i)]] binds: a step input, the output, a scratch buffer, or bytes. */
struct Arg {
  enum Kind { Input, Output, Temp, Bytes } kind;
  int index = 0;            // the input or temp number
  int64_t byte_offset = 0;  // into that buffer
  std::vector<uint8_t> bytes;
};

struct Dim3 {
  uint32_t x = 1, y = 1, z = 1;
};

struct Dispatch {
  std::string kernel;
  std::vector<Arg> args;
  Dim3 groups{};
  Dim3 threads{};  // per threadgroup
  /** Threads per grid (dispatchThreads: the last group is partial); 0 means groups * threads. */
  uint64_t grid_threads = 0;
};

struct Plan {
  std::vector<int64_t> temp_bytes;
  std::vector<Dispatch> dispatches;
};

/** Thrown for a step the GPU kernels do not cover; the backend runs it on the CPU over the same buffers. */
struct Unsupported : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline int64_t dtype_size(const std::string& d) {
  if (d == "float32" || d == "int32" || d == "uint32") return 4;
  if (d == "float16" || d == "bfloat16") return 2;
  if (d == "bool") return 1;
  throw Unsupported("dtype " + d + " has no Metal kernels");
}

inline bool is_metal_float(const std::string& d) { return d == "float32" || d == "float16" || d == "bfloat16"; }

inline int64_t numel(const std::vector<int64_t>& s) {
  return std::accumulate(s.begin(), s.end(), int64_t(1), std::multiplies<int64_t>());
}

inline std::vector<int64_t> row_major(const std::vector<int64_t>& shape) {
  std::vector<int64_t> s(shape.size());
  int64_t n = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    s[i] = n;
    n *= shape[i];
  }
  return s;
}

inline bool contiguous(const ViewDesc& v) {
  const auto rm = row_major(v.shape);
  for (size_t i = 0; i < v.shape.size(); ++i)
    if (v.shape[i] != 1 && v.strides[i] != rm[i]) return false;
  return true;
}

inline bool all_zero_strides(const ViewDesc& v) {
  for (auto s : v.strides)
    if (s != 0) return false;
  return true;
}

template <typename T>
Arg bytes_arg(const T* p, size_t n) {
  Arg a{Arg::Bytes, 0, 0, {}};
  a.bytes.resize(sizeof(T) * n);
  if (n > 0) std::memcpy(a.bytes.data(), p, sizeof(T) * n);
  return a;
}
template <typename T>
Arg scalar_arg(T v) {
  return bytes_arg(&v, 1);
}
inline Arg input_arg(int i, const ViewDesc& v) { return Arg{Arg::Input, i, v.offset * dtype_size(v.dtype), {}}; }
inline Arg output_arg() { return Arg{Arg::Output, 0, 0, {}}; }
inline Arg temp_arg(int i) { return Arg{Arg::Temp, i, 0, {}}; }

constexpr uint32_t kElementwiseThreads = 256;

inline Dispatch elementwise(const std::string& kernel, std::vector<Arg> args, int64_t n) {
  if (n > int64_t(UINT32_MAX)) throw Unsupported("more than 2^32 elements in one kernel");
  Dispatch d{kernel, std::move(args)};
  d.threads.x = kElementwiseThreads;
  d.groups.x = uint32_t((n + kElementwiseThreads - 1) / kElementwiseThreads);
  d.grid_threads = uint64_t(n);
  return d;
}

/** shape, strides (one set per view, `ndim` each) and ndim as the _g kernels take them. */
inline void push_strided(std::vector<Arg>& args, const std::vector<int64_t>& shape,
                         const std::vector<const ViewDesc*>& views) {
  std::vector<int32_t> sh(shape.begin(), shape.end());
  std::vector<int64_t> st;
  for (auto* v : views) st.insert(st.end(), v->strides.begin(), v->strides.end());
  // Metal's setBytes refuses a zero length: a 0-d view still passes one element.
  if (sh.empty()) sh.push_back(1), st.assign(views.size(), 0);
  args.push_back(bytes_arg(sh.data(), sh.size()));
  args.push_back(bytes_arg(st.data(), st.size()));
  args.push_back(scalar_arg(int32_t(shape.empty() ? 1 : shape.size())));
}

/** Copies view `v` (of input or temp `src`) permuted by `perm` into contiguous temp `dst`. */
inline Dispatch copy_permuted(const Arg& src, const ViewDesc& v, const std::vector<int64_t>& perm, int dst) {
  ViewDesc p{v.dtype, {}, {}, 0};
  for (auto a : perm) p.shape.push_back(v.shape[size_t(a)]), p.strides.push_back(v.strides[size_t(a)]);
  std::vector<Arg> args{src, temp_arg(dst)};
  push_strided(args, p.shape, {&p});
  return elementwise("copy_g_" + v.dtype, std::move(args), numel(p.shape));
}

inline int64_t norm_axis(int64_t a, size_t ndim) { return a < 0 ? a + int64_t(ndim) : a; }

/** The axes moved last (in order), the others first: the permutation that makes `axes` the rows. */
inline std::vector<int64_t> axes_last(size_t ndim, const std::vector<int64_t>& axes) {
  std::vector<int64_t> perm;
  std::vector<bool> red(ndim, false);
  for (auto a : axes) red[size_t(norm_axis(a, ndim))] = true;
  for (size_t i = 0; i < ndim; ++i)
    if (!red[i]) perm.push_back(int64_t(i));
  for (size_t i = 0; i < ndim; ++i)
    if (red[i]) perm.push_back(int64_t(i));
  return perm;
}

inline bool identity(const std::vector<int64_t>& perm) {
  for (size_t i = 0; i < perm.size(); ++i)
    if (perm[i] != int64_t(i)) return false;
  return true;
}

/** The source of a row kernel: the input itself when its rows already lie contiguous, else a temp copy. */
inline Arg rows_source(Plan& plan, const ViewDesc& v, const std::vector<int64_t>& perm) {
  if (identity(perm) && contiguous(v)) return input_arg(0, v);
  plan.temp_bytes.push_back(numel(v.shape) * dtype_size(v.dtype));
  const int t = int(plan.temp_bytes.size()) - 1;
  plan.dispatches.push_back(copy_permuted(input_arg(0, v), v, perm, t));
  return temp_arg(t);
}

constexpr uint32_t kRowThreads = 256;

inline Dispatch row_kernel(const std::string& kernel, Arg src, uint32_t rows, uint32_t n) {
  Dispatch d{kernel, {src, output_arg(), scalar_arg(n)}};
  d.threads.x = kRowThreads;
  d.groups.x = rows;
  return d;
}

inline const std::vector<std::string>& unary_float_ops() {
  static const std::vector<std::string> ops{
      "exp",  "log",   "sin",     "cos", "tan",   "tanh", "sinh",  "cosh", "arcsin",   "arccos", "arctan",
      "sqrt", "rsqrt", "sigmoid", "erf", "floor", "ceil", "round", "abs",  "negative", "square", "sign"};
  return ops;
}
inline const std::vector<std::string>& binary_float_ops() {
  static const std::vector<std::string> ops{"add",   "subtract", "multiply", "divide",
                                            "power", "arctan2",  "maximum",  "minimum"};
  return ops;
}
inline const std::vector<std::string>& predicate_ops() {
  static const std::vector<std::string> ops{"equal", "notEqual", "greater", "greaterEqual", "less", "lessEqual"};
  return ops;
}
inline bool among(const std::vector<std::string>& v, const std::string& s) {
  for (auto& x : v)
    if (x == s) return true;
  return false;
}

/** The kernels for one step; Unsupported when they do not cover it (dtype or primitive). */
inline Plan plan_step(const StepDesc& s) {
  Plan plan;
  const int64_t n = numel(s.out_shape);
  const auto need_float = [&](const std::string& d) {
    if (!is_metal_float(d)) throw Unsupported(s.prim + " on " + d + " has no Metal kernel");
  };
  if (among(unary_float_ops(), s.prim)) {
    const ViewDesc& x = s.inputs.at(0);
    need_float(x.dtype);
    if (contiguous(x)) {
      plan.dispatches.push_back(elementwise("unary_v_" + s.prim + "_" + x.dtype, {input_arg(0, x), output_arg()}, n));
    } else {
      std::vector<Arg> args{input_arg(0, x), output_arg()};
      push_strided(args, x.shape, {&x});
      plan.dispatches.push_back(elementwise("unary_g_" + s.prim + "_" + x.dtype, std::move(args), n));
    }
    return plan;
  }
  if (among(binary_float_ops(), s.prim) || among(predicate_ops(), s.prim)) {
    const ViewDesc &a = s.inputs.at(0), &b = s.inputs.at(1);
    need_float(a.dtype);
    const std::string suffix = s.prim + "_" + a.dtype;
    std::vector<Arg> args{input_arg(0, a), input_arg(1, b), output_arg()};
    const bool ca = contiguous(a), cb = contiguous(b), sa = all_zero_strides(a), sb = all_zero_strides(b);
    if (ca && cb)
      plan.dispatches.push_back(elementwise("binary_vv_" + suffix, std::move(args), n));
    else if (sa && cb)
      plan.dispatches.push_back(elementwise("binary_sv_" + suffix, std::move(args), n));
    else if (ca && sb)
      plan.dispatches.push_back(elementwise("binary_vs_" + suffix, std::move(args), n));
    else {
      push_strided(args, s.out_shape, {&a, &b});
      plan.dispatches.push_back(elementwise("binary_g_" + suffix, std::move(args), n));
    }
    return plan;
  }
  if (s.prim == "where") {
    const ViewDesc &c = s.inputs.at(0), &x = s.inputs.at(1), &y = s.inputs.at(2);
    dtype_size(x.dtype);
    if (x.dtype == "bool") throw Unsupported("where on bool has no Metal kernel");
    std::vector<Arg> args{input_arg(0, c), input_arg(1, x), input_arg(2, y), output_arg()};
    push_strided(args, s.out_shape, {&c, &x, &y});
    plan.dispatches.push_back(elementwise("where_g_" + x.dtype, std::move(args), n));
    return plan;
  }
  if (s.prim == "astype") {
    const ViewDesc& x = s.inputs.at(0);
    if (x.dtype == "bool" || s.out_dtype == "bool") throw Unsupported("astype from or to bool has no Metal kernel");
    dtype_size(x.dtype);
    dtype_size(s.out_dtype);
    std::vector<Arg> args{input_arg(0, x), output_arg()};
    push_strided(args, x.shape, {&x});
    plan.dispatches.push_back(elementwise("astype_g_" + x.dtype + "_" + s.out_dtype, std::move(args), n));
    return plan;
  }
  const bool reduce = s.prim == "sum" || s.prim == "prod" || s.prim == "max" || s.prim == "min";
  const bool argreduce = s.prim == "argmax" || s.prim == "argmin";
  const bool softmax = s.prim == "softmax" || s.prim == "logsumexp";
  if (reduce || argreduce || softmax) {
    const ViewDesc& x = s.inputs.at(0);
    need_float(x.dtype);
    const std::vector<int64_t> axes = reduce ? s.params : std::vector<int64_t>{s.params.at(0)};
    const auto perm = axes_last(x.shape.size(), axes);
    int64_t len = 1;
    for (auto a : axes) len *= x.shape[size_t(norm_axis(a, x.shape.size()))];
    const int64_t rows = len == 0 ? numel(s.out_shape) : numel(x.shape) / len;
    if (len == 0) throw Unsupported(s.prim + " over an empty axis: the CPU fills the identity");
    if (rows == 0) return plan;
    // softmax writes its rows in the permuted order, so only the last axis (the identity) is planned.
    if (s.prim == "softmax" && !identity(perm)) throw Unsupported("softmax over an axis other than the last");
    const Arg src = rows_source(plan, x, perm);
    const std::string family = reduce ? "reduce_row_" : argreduce ? "argreduce_row_" : "softmax_row_";
    plan.dispatches.push_back(row_kernel(family + s.prim + "_" + x.dtype, src, uint32_t(rows), uint32_t(len)));
    return plan;
  }
  if (s.prim == "cumsum" || s.prim == "cumprod" || s.prim == "cummax" || s.prim == "cummin") {
    const ViewDesc& x = s.inputs.at(0);
    need_float(x.dtype);
    const int64_t axis = norm_axis(s.params.at(0), x.shape.size());
    if (axis != int64_t(x.shape.size()) - 1) throw Unsupported(s.prim + " over an axis other than the last");
    const int64_t len = x.shape.empty() ? 1 : x.shape.back();
    const int64_t rows = len == 0 ? 0 : numel(x.shape) / len;
    if (rows == 0) return plan;
    std::vector<int64_t> perm(x.shape.size());
    std::iota(perm.begin(), perm.end(), 0);
    const Arg src = rows_source(plan, x, perm);
    Dispatch d{"scan_row_" + s.prim + "_" + x.dtype,
               {src, output_arg(), scalar_arg(uint32_t(len)), scalar_arg(uint32_t(rows)),
                scalar_arg(uint32_t(s.params.at(1))), scalar_arg(uint32_t(s.params.at(2)))}};
    d.threads.x = 64;
    d.groups.x = uint32_t((rows + 63) / 64);
    d.grid_threads = uint64_t(rows);
    plan.dispatches.push_back(std::move(d));
    return plan;
  }
  if (s.prim == "matmul") {
    const ViewDesc &a = s.inputs.at(0), &b = s.inputs.at(1);
    need_float(a.dtype);
    if (a.shape.size() < 2 || b.shape.size() < 2) throw Unsupported("matmul of a vector: the op reshapes it first");
    const size_t nd = s.out_shape.size();
    const int64_t M = s.out_shape[nd - 2], N = s.out_shape[nd - 1], K = a.shape.back();
    const int64_t batch = numel(s.out_shape) / std::max<int64_t>(M * N, 1);
    if (M * N == 0) return plan;
    if (K == 0) throw Unsupported("matmul with K = 0: the CPU writes zeros");
    // Both operands as contiguous [batch, rows, cols]: broadcast batch dims become stride-0 reads of a copy.
    const auto operand = [&](int i, const ViewDesc& v, int64_t r, int64_t c) -> Arg {
      ViewDesc full{v.dtype, s.out_shape, {}, v.offset};
      full.shape[nd - 2] = r;
      full.shape[nd - 1] = c;
      full.strides.assign(nd, 0);
      const size_t off = nd - v.shape.size();
      for (size_t k = 0; k < v.shape.size(); ++k) full.strides[off + k] = v.shape[k] == 1 ? 0 : v.strides[k];
      full.strides[nd - 2] = v.strides[v.shape.size() - 2];
      full.strides[nd - 1] = v.strides[v.shape.size() - 1];
      if (contiguous(full) && numel(v.shape) == numel(full.shape)) return input_arg(i, v);
      plan.temp_bytes.push_back(numel(full.shape) * dtype_size(v.dtype));
      const int t = int(plan.temp_bytes.size()) - 1;
      std::vector<int64_t> perm(nd);
      std::iota(perm.begin(), perm.end(), 0);
      plan.dispatches.push_back(copy_permuted(input_arg(i, v), full, perm, t));
      return temp_arg(t);
    };
    const Arg pa = operand(0, a, M, K), pb = operand(1, b, K, N);
    Dispatch d{"matmul_tiled_" + a.dtype,
               {pa, pb, output_arg(), scalar_arg(uint32_t(M)), scalar_arg(uint32_t(N)), scalar_arg(uint32_t(K))}};
    d.threads.x = 128;
    d.groups = {uint32_t((N + 31) / 32), uint32_t((M + 31) / 32), uint32_t(batch)};
    plan.dispatches.push_back(std::move(d));
    return plan;
  }
  if (s.prim == "concatenate" || s.prim == "pad") {
    const std::string& dt = s.out_dtype;
    if (dt == "bool") throw Unsupported(s.prim + " on bool has no Metal kernel");
    const int64_t size = dtype_size(dt);
    const auto out_strides = row_major(s.out_shape);
    // Where input `i` lands: an element offset into the output, the copy reading through the output's strides.
    const auto copy_in = [&](int i, const ViewDesc& v, int64_t at) {
      if (numel(v.shape) == 0) return;
      ViewDesc o{dt, v.shape, out_strides, 0};
      std::vector<Arg> args{input_arg(i, v), Arg{Arg::Output, 0, at * size, {}}};
      push_strided(args, v.shape, {&v, &o});
      plan.dispatches.push_back(elementwise("copy_into_g_" + dt, std::move(args), numel(v.shape)));
    };
    if (s.prim == "concatenate") {
      const size_t axis = size_t(norm_axis(s.params.at(0), s.out_shape.size()));
      int64_t start = 0;
      for (size_t i = 0; i < s.inputs.size(); ++i) {
        copy_in(int(i), s.inputs[i], start * out_strides[axis]);
        start += s.inputs[i].shape[axis];
      }
      return plan;
    }
    // pad's params: low per axis, high per axis, then the value's float32 bits.
    const size_t nd = s.out_shape.size();
    if (s.params.size() != 2 * nd + 1) throw std::invalid_argument("pad: expected 2 * ndim + 1 params");
    int64_t at = 0;
    for (size_t d = 0; d < nd; ++d) {
      if (s.params[d] < 0 || s.params[nd + d] < 0) throw Unsupported("pad with a negative width (a crop)");
      at += s.params[d] * out_strides[d];
    }
    const uint32_t bits = uint32_t(s.params[2 * nd]);
    float value;
    std::memcpy(&value, &bits, 4);
    if (n > 0) plan.dispatches.push_back(elementwise("fill_" + dt, {output_arg(), scalar_arg(value)}, n));
    copy_in(0, s.inputs.at(0), at);
    return plan;
  }
  if (s.prim == "sort" || s.prim == "argsort") {
    const ViewDesc& x = s.inputs.at(0);
    need_float(x.dtype);
    const int64_t axis = norm_axis(s.params.at(0), x.shape.size());
    if (axis != int64_t(x.shape.size()) - 1) throw Unsupported(s.prim + " over an axis other than the last");
    const int64_t len = x.shape.back();
    if (len > 512)
      throw Unsupported(s.prim + " of rows longer than 512 (the merge across threadgroups is not written)");
    const int64_t rows = len == 0 ? 0 : numel(x.shape) / len;
    if (rows == 0) return plan;
    std::vector<int64_t> perm(x.shape.size());
    std::iota(perm.begin(), perm.end(), 0);
    const Arg src = rows_source(plan, x, perm);
    plan.dispatches.push_back(row_kernel("sort_row_" + s.prim + "_" + x.dtype, src, uint32_t(rows), uint32_t(len)));
    return plan;
  }
  if (s.prim == "gather") {
    const ViewDesc &a = s.inputs.at(0), &idx = s.inputs.at(1);
    if (a.dtype == "bool") throw Unsupported("gather of bool has no Metal kernel");
    if (idx.dtype != "int32" && idx.dtype != "uint32")
      throw Unsupported("gather with " + idx.dtype + " indices has no Metal kernel");
    dtype_size(a.dtype);
    if (n == 0) return plan;
    const int64_t axis = norm_axis(s.params.at(0), a.shape.size());
    std::vector<int32_t> shape(s.out_shape.begin(), s.out_shape.end());
    shape.insert(shape.end(), a.shape.begin(), a.shape.end());
    std::vector<int64_t> strides(a.strides);
    strides.insert(strides.end(), idx.strides.begin(), idx.strides.end());
    if (shape.empty()) shape.push_back(1);
    if (strides.empty()) strides.push_back(0);
    const int32_t dims[3] = {int32_t(a.shape.size()), int32_t(idx.shape.size()), int32_t(axis)};
    plan.dispatches.push_back(
        elementwise("gather_g_" + a.dtype + "_" + idx.dtype,
                    {input_arg(0, a), input_arg(1, idx), output_arg(), bytes_arg(shape.data(), shape.size()),
                     bytes_arg(strides.data(), strides.size()), bytes_arg(dims, 3)},
                    n));
    return plan;
  }
  if (s.prim == "randomBits") {
    const ViewDesc& key = s.inputs.at(0);
    if (!contiguous(key)) throw Unsupported("randomBits of a strided key");
    if (n == 0) return plan;
    const int64_t pairs = (n + 1) / 2;
    plan.dispatches.push_back(
        elementwise("random_bits", {input_arg(0, key), output_arg(), scalar_arg(uint32_t(n))}, pairs));
    return plan;
  }
  throw Unsupported(s.prim + " has no Metal kernel");
}

}  // namespace mlx_metal
