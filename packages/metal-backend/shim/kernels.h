// The shim's kernel registry: every .metal kernel compiled as C++ through metal_shim.h, each bound
// by name (the host_name a pipeline is made from) to a launcher that binds buffers by
// [[buffer(i)]] index, as setBuffer(i) does on a GPU. Used by the harness (one step per process)
// and the fake-device addon (shim/fake_addon.cc).
#pragma once

#include "metal_shim.h"

// clang-format off: the kernel sources in the order their dependencies need.
#include "../kernels/elementwise.metal"
#include "../kernels/gather.metal"
#include "../kernels/matmul.metal"
#include "../kernels/random.metal"
#include "../kernels/reduce.metal"
#include "../kernels/scan.metal"
#include "../kernels/softmax.metal"
#include "../kernels/sort.metal"
// clang-format on

#undef device
#undef constant
#undef threadgroup
#undef thread
#undef kernel

#include <functional>
#include <iostream>
#include <map>

using metal_shim::ThreadPos;
using Launch = std::function<void(void* const* b, const ThreadPos& t)>;

namespace metal_shim_registry {

inline std::map<std::string, Launch>& registry() {
  static std::map<std::string, Launch> r;
  return r;
}

// Each family's binding of buffers to its kernel's parameters: what setBuffer(i) does on a GPU.
#define H_CPTR(T, i) static_cast<const T*>(b[i])
#define H_PTR(T, i) static_cast<T*>(b[i])
#define H_VAL(T, i) (*static_cast<const T*>(b[i]))

#define H_UNARY(dname, T, op, Op)                                                                          \
  registry()["unary_v_" #op "_" #dname] = [](void* const* b, const ThreadPos& t) {                         \
    unary_v<T, T, Op>(H_CPTR(T, 0), H_PTR(T, 1), t.gid.x);                                                 \
  };                                                                                                       \
  registry()["unary_g_" #op "_" #dname] = [](void* const* b, const ThreadPos& t) {                         \
    unary_g<T, T, Op>(H_CPTR(T, 0), H_PTR(T, 1), H_CPTR(int, 2), H_CPTR(long, 3), H_VAL(int, 4), t.gid.x); \
  };
#define H_UNARY_EACH(op, Op, _) MLX_TS_METAL_FLOATS(H_UNARY, op, Op)

#define H_BINARY(dname, T, op, Op, U)                                                                           \
  registry()["binary_vv_" #op "_" #dname] = [](void* const* b, const ThreadPos& t) {                            \
    binary_vv<T, U, Op>(H_CPTR(T, 0), H_CPTR(T, 1), H_PTR(U, 2), t.gid.x);                                      \
  };                                                                                                            \
  registry()["binary_sv_" #op "_" #dname] = [](void* const* b, const ThreadPos& t) {                            \
    binary_sv<T, U, Op>(H_CPTR(T, 0), H_CPTR(T, 1), H_PTR(U, 2), t.gid.x);                                      \
  };                                                                                                            \
  registry()["binary_vs_" #op "_" #dname] = [](void* const* b, const ThreadPos& t) {                            \
    binary_vs<T, U, Op>(H_CPTR(T, 0), H_CPTR(T, 1), H_PTR(U, 2), t.gid.x);                                      \
  };                                                                                                            \
  registry()["binary_g_" #op "_" #dname] = [](void* const* b, const ThreadPos& t) {                             \
    binary_g<T, U, Op>(H_CPTR(T, 0), H_CPTR(T, 1), H_PTR(U, 2), H_CPTR(int, 3), H_CPTR(long, 4), H_VAL(int, 5), \
                       t.gid.x);                                                                                \
  };
#define H_BINARY_SAME(dname, T, op, Op) H_BINARY(dname, T, op, Op, T)
#define H_BINARY_BOOL(dname, T, op, Op) H_BINARY(dname, T, op, Op, bool)
#define H_BINARY_EACH(op, Op, _) MLX_TS_METAL_FLOATS(H_BINARY_SAME, op, Op)
#define H_PREDICATE_EACH(op, Op, _) MLX_TS_METAL_FLOATS(H_BINARY_BOOL, op, Op)

#define H_WHERE(dname, T, _)                                                                              \
  registry()["where_g_" #dname] = [](void* const* b, const ThreadPos& t) {                                \
    where_g<T>(H_CPTR(bool, 0), H_CPTR(T, 1), H_CPTR(T, 2), H_PTR(T, 3), H_CPTR(int, 4), H_CPTR(long, 5), \
               H_VAL(int, 6), t.gid.x);                                                                   \
  };                                                                                                      \
  registry()["copy_g_" #dname] = [](void* const* b, const ThreadPos& t) {                                 \
    copy_g<T>(H_CPTR(T, 0), H_PTR(T, 1), H_CPTR(int, 2), H_CPTR(long, 3), H_VAL(int, 4), t.gid.x);        \
  };                                                                                                      \
  registry()["copy_into_g_" #dname] = [](void* const* b, const ThreadPos& t) {                            \
    copy_into_g<T>(H_CPTR(T, 0), H_PTR(T, 1), H_CPTR(int, 2), H_CPTR(long, 3), H_VAL(int, 4), t.gid.x);   \
  };                                                                                                      \
  registry()["fill_" #dname] = [](void* const* b, const ThreadPos& t) {                                   \
    fill<T>(H_PTR(T, 0), H_VAL(float, 1), t.gid.x);                                                       \
  };

#define H_ASTYPE_TO(dto, U, dfrom, T)                                                                   \
  registry()["astype_g_" #dfrom "_" #dto] = [](void* const* b, const ThreadPos& t) {                    \
    astype_g<T, U>(H_CPTR(T, 0), H_PTR(U, 1), H_CPTR(int, 2), H_CPTR(long, 3), H_VAL(int, 4), t.gid.x); \
  };
#define H_ASTYPE_FROM(dfrom, T, _) MLX_TS_ASTYPE_TARGETS(H_ASTYPE_TO, dfrom, T)

template <typename T, typename Op>
void reduce_launch(void* const* b, const ThreadPos& t) {
  reduce_row<T, Op>(H_CPTR(T, 0), H_PTR(T, 1), H_VAL(uint, 2), t.tgid.x, t.lindex, t.simd_lane, t.simd_group);
}
template <typename T, bool IsMax>
void argreduce_launch(void* const* b, const ThreadPos& t) {
  argreduce_row<T, IsMax>(H_CPTR(T, 0), H_PTR(uint, 1), H_VAL(uint, 2), t.tgid.x, t.lindex, t.simd_lane, t.simd_group);
}
template <typename T, bool Log>
void softmax_launch(void* const* b, const ThreadPos& t) {
  softmax_row<T, Log>(H_CPTR(T, 0), H_PTR(T, 1), H_VAL(uint, 2), t.tgid.x, t.lindex, t.simd_lane, t.simd_group);
}
template <typename T>
void sort_launch(void* const* b, const ThreadPos& t) {
  sort_row_values<T>(H_CPTR(T, 0), H_PTR(T, 1), H_VAL(uint, 2), t.tgid.x, t.lindex);
}
template <typename T>
void argsort_launch(void* const* b, const ThreadPos& t) {
  sort_row_indices<T>(H_CPTR(T, 0), H_PTR(uint, 1), H_VAL(uint, 2), t.tgid.x, t.lindex);
}
template <typename T>
void matmul_launch(void* const* b, const ThreadPos& t) {
  matmul_tiled<T>(H_CPTR(T, 0), H_CPTR(T, 1), H_PTR(T, 2), H_VAL(uint, 3), H_VAL(uint, 4), H_VAL(uint, 5), t.tgid,
                  t.lindex, t.simd_lane, t.simd_group);
}
template <typename T, typename Op>
void scan_launch(void* const* b, const ThreadPos& t) {
  scan_row<T, Op>(H_CPTR(T, 0), H_PTR(T, 1), H_VAL(uint, 2), H_VAL(uint, 3), H_VAL(uint, 4), H_VAL(uint, 5), t.gid.x);
}

#define H_REDUCE(dname, T, op, Op) registry()["reduce_row_" #op "_" #dname] = &reduce_launch<T, Op>;
#define H_REDUCE_EACH(op, Op, _) MLX_TS_METAL_FLOATS(H_REDUCE, op, Op)
#define H_SCAN(dname, T, op, Op) registry()["scan_row_" #op "_" #dname] = &scan_launch<T, Op>;
#define H_SCAN_EACH(op, Op, _) MLX_TS_METAL_FLOATS(H_SCAN, op, Op)
#define H_FLOAT_ROWS(dname, T, _)                                           \
  registry()["argreduce_row_argmax_" #dname] = &argreduce_launch<T, true>;  \
  registry()["argreduce_row_argmin_" #dname] = &argreduce_launch<T, false>; \
  registry()["softmax_row_softmax_" #dname] = &softmax_launch<T, false>;    \
  registry()["softmax_row_logsumexp_" #dname] = &softmax_launch<T, true>;   \
  registry()["matmul_tiled_" #dname] = &matmul_launch<T>;                   \
  registry()["sort_row_sort_" #dname] = &sort_launch<T>;                    \
  registry()["sort_row_argsort_" #dname] = &argsort_launch<T>;

#define H_GATHER(dname, T, _)                                                                                      \
  registry()["gather_g_" #dname "_int32"] = [](void* const* b, const ThreadPos& t) {                               \
    gather_g<T, int>(H_CPTR(T, 0), H_CPTR(int, 1), H_PTR(T, 2), H_CPTR(int, 3), H_CPTR(long, 4), H_CPTR(int, 5),   \
                     t.gid.x);                                                                                     \
  };                                                                                                               \
  registry()["gather_g_" #dname "_uint32"] = [](void* const* b, const ThreadPos& t) {                              \
    gather_g<T, uint>(H_CPTR(T, 0), H_CPTR(uint, 1), H_PTR(T, 2), H_CPTR(int, 3), H_CPTR(long, 4), H_CPTR(int, 5), \
                      t.gid.x);                                                                                    \
  };

inline void register_kernels() {
  MLX_TS_UNARY_OPS(H_UNARY_EACH, _)
  MLX_TS_BINARY_OPS(H_BINARY_EACH, _)
  MLX_TS_PREDICATE_OPS(H_PREDICATE_EACH, _)
  MLX_TS_METAL_FLOATS(H_WHERE, _)
  MLX_TS_METAL_INTS(H_WHERE, _)
  MLX_TS_METAL_FLOATS(H_ASTYPE_FROM, _)
  MLX_TS_METAL_INTS(H_ASTYPE_FROM, _)
  MLX_TS_REDUCE_OPS(H_REDUCE_EACH, _)
  MLX_TS_SCAN_OPS(H_SCAN_EACH, _)
  MLX_TS_METAL_FLOATS(H_FLOAT_ROWS, _)
  MLX_TS_METAL_FLOATS(H_GATHER, _)
  MLX_TS_METAL_INTS(H_GATHER, _)
  registry()["random_bits"] = [](void* const* b, const ThreadPos& t) {
    random_bits(H_CPTR(uint, 0), H_PTR(uint, 1), H_VAL(uint, 2), t.gid.x);
  };
}

}  // namespace metal_shim_registry
