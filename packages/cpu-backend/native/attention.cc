// scaledDotProductAttention: (q [B, Hq, Tq, D], k [B, Hkv, Tk, D], v [B, Hkv, Tk, Dv], mask?)
// -> [B, Hq, Tq, Dv], flash-attention style: each task is one block of queries of one head, which
// walks the keys and values once in blocks, keeping a running max and sum per query (an online
// softmax), so no [Tq, Tk] score matrix is ever stored: a task holds a block of scores and a block
// of output rows. Both products of a block run on the matmul kernel's GEMM, reading q, k and v in
// place through their strides (float16/bfloat16 are widened to float32 first). Causal attention
// skips the key blocks no query of the block can see. The mask is read through its strides
// (broadcast axes have stride 0).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "functors.h"
#include "gemm.h"
#include "kernels.h"
#include "parallel.h"
#include "scratch.h"
#include "strided.h"

namespace mlx_cpu {

namespace {

constexpr int64_t kQueryBlock = 64, kKeyBlock = 128;

// The dtype's lowest finite value: what a false bool mask (or causal masking) puts in a score, as MLX.
template <class T>
value_t<T> lowest() {
  if constexpr (std::is_same_v<T, f16_t>)
    return -65504.0f;
  else if constexpr (std::is_same_v<T, bf16_t>)
    return -3.38953139e38f;
  else
    return std::numeric_limits<T>::lowest();
}

// A [B, H, T, E] operand in the compute type: in place when it already is one, else widened
// into a contiguous copy.
template <class T>
struct Operand {
  using C = value_t<T>;
  const C* data;
  int64_t s[4];
  Scratch<C> owned;

  explicit Operand(const View& x) {
    if constexpr (std::is_same_v<T, C>) {
      data = x.at<C>();
      for (int d = 0; d < 4; ++d) s[d] = x.strides[d];
    } else {
      owned = Scratch<C>(size_t(x.size));
      NdIter<1> it(4, x.shape, {x.strides}, {0});
      const T* src = x.at<T>();
      C* dst = owned.get();
      it.for_all([&](const int64_t* o, int64_t n, const int64_t* st) {
        for (int64_t i = 0; i < n; ++i) *dst++ = load(src[o[0] + i * st[0]]);
      });
      data = owned.get();
      s[3] = 1;
      for (int d = 2; d >= 0; --d) s[d] = s[d + 1] * x.shape[d + 1];
    }
  }
};

struct Dims {
  int64_t b, hq, hkv, tq, tk, d, dv;
};

template <class T>
void attention_typed(const Step& s, const Dims& n, double scale_d, bool causal) {
  using C = value_t<T>;
  const Operand<T> q(s.input(0)), k(s.input(1)), v(s.input(2));
  const bool has_mask = s.nin == 4;
  const View* mask = has_mask ? &s.input(3) : nullptr;
  const bool bool_mask = has_mask && mask->dtype == Dt::Bool;
  const C scale = C(scale_d), low = lowest<T>();
  const int64_t off = n.tk - n.tq;  // query i sees keys j <= i + off when causal
  const int64_t blocks = (n.tq + kQueryBlock - 1) / kQueryBlock;
  const int64_t group = n.hq / n.hkv;
  T* out = s.out.at<T>();
  parallel_for(n.b * n.hq * blocks, 1, [&](int64_t first, int64_t last) {
    Scratch<C> qb(size_t(kQueryBlock * std::max<int64_t>(n.d, 1))), sc(size_t(kQueryBlock * kKeyBlock)),
        ob(size_t(kQueryBlock * std::max<int64_t>(n.dv, 1)));
    C m[kQueryBlock], l[kQueryBlock];
    for (int64_t task = first; task < last; ++task) {
      const int64_t bi = task / (n.hq * blocks), h = task / blocks % n.hq, i0 = task % blocks * kQueryBlock;
      const int64_t rows = std::min(kQueryBlock, n.tq - i0);
      const int64_t kh = h / group;
      const C* qp = q.data + bi * q.s[0] + h * q.s[1] + i0 * q.s[2];
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < n.d; ++c) qb[r * n.d + c] = qp[r * q.s[2] + c * q.s[3]] * scale;
      std::fill(ob.get(), ob.get() + rows * n.dv, C(0));
      std::fill(l, l + rows, C(0));
      std::fill(m, m + rows, -std::numeric_limits<C>::infinity());
      const C* kp = k.data + bi * k.s[0] + kh * k.s[1];
      const C* vp = v.data + bi * v.s[0] + kh * v.s[1];
      // A query with no visible key averages every value (its scores all `low`), so a block
      // holding one walks all keys.
      const int64_t kend = !causal || i0 + off < 0 ? n.tk : std::min(n.tk, i0 + rows + off);
      for (int64_t j0 = 0; j0 < kend; j0 += kKeyBlock) {
        const int64_t cols = std::min(kKeyBlock, kend - j0);
        C* S = sc.get();
        gemm_dense(rows, cols, n.d, qb.get(), n.d, 1, kp + j0 * k.s[2], k.s[3], k.s[2], S);
        if (causal) {
          for (int64_t r = 0; r < rows; ++r)
            for (int64_t jj = std::max<int64_t>(0, i0 + r + off + 1 - j0); jj < cols; ++jj) S[r * cols + jj] = low;
        } else if (has_mask) {
          const int64_t* ms = mask->strides;
          const int64_t mbase = bi * ms[0] + h * ms[1] + i0 * ms[2] + j0 * ms[3];
          if (bool_mask) {
            const bool_t* mp = mask->at<bool_t>() + mbase;
            for (int64_t r = 0; r < rows; ++r)
              for (int64_t jj = 0; jj < cols; ++jj)
                if (!mp[r * ms[2] + jj * ms[3]].v) S[r * cols + jj] = low;
          } else {
            const T* mp = mask->at<T>() + mbase;
            for (int64_t r = 0; r < rows; ++r)
              for (int64_t jj = 0; jj < cols; ++jj) S[r * cols + jj] += load(mp[r * ms[2] + jj * ms[3]]);
          }
        }
        for (int64_t r = 0; r < rows; ++r) {
          C* row = S + r * cols;
          C bm = -std::numeric_limits<C>::infinity();
          for (int64_t jj = 0; jj < cols; ++jj) bm = row[jj] > bm ? row[jj] : bm;
          const C old = m[r], now = std::max(old, bm);
          // As the softmax kernel, an infinite max counts as 0; nothing was summed while the
          // max was -inf, so the old partial results scale by 0 then.
          const C shift = std::isinf(now) ? C(0) : now;
          const C corr =
              old == -std::numeric_limits<C>::infinity() ? C(0) : fn::Exp{}(C((std::isinf(old) ? 0 : old) - shift));
          m[r] = now;
          C sum = 0;
          for (int64_t jj = 0; jj < cols; ++jj) {
            const C e = fn::Exp{}(C(row[jj] - shift));
            row[jj] = e;
            sum += e;
          }
          l[r] = l[r] * corr + sum;
          C* o = ob.get() + r * n.dv;
          for (int64_t c = 0; c < n.dv; ++c) o[c] *= corr;
        }
        gemm_dense(rows, n.dv, cols, S, cols, 1, vp + j0 * v.s[2], v.s[2], v.s[3], ob.get(), true);
      }
      T* op = out + ((bi * n.hq + h) * n.tq + i0) * n.dv;
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < n.dv; ++c) op[r * n.dv + c] = to<T>(ob[r * n.dv + c] / l[r]);
    }
  });
}

}  // namespace

void scaled_dot_product_attention(const Step& s) {
  if (s.nin != 3 && s.nin != 4)
    throw Error("expected 3 or 4 inputs (q, k, v and an optional mask), got " + std::to_string(s.nin));
  s.expect_params(2);
  const View &q = s.input(0), &k = s.input(1), &v = s.input(2), &out = s.out;
  if (q.ndim != 4 || k.ndim != 4 || v.ndim != 4 || out.ndim != 4)
    throw Error("expected q, k, v and the output of rank 4, got " + shape_string(q) + ", " + shape_string(k) + ", " +
                shape_string(v) + " and " + shape_string(out));
  const Dims n{q.shape[0], q.shape[1], k.shape[1], q.shape[2], k.shape[2], q.shape[3], v.shape[3]};
  const bool ok = k.shape[0] == n.b && v.shape[0] == n.b && k.shape[3] == n.d && v.shape[1] == n.hkv &&
                  v.shape[2] == n.tk && (n.hkv == 0 ? n.hq == 0 : n.hq % n.hkv == 0) && out.shape[0] == n.b &&
                  out.shape[1] == n.hq && out.shape[2] == n.tq && out.shape[3] == n.dv;
  if (!ok)
    throw Error("shapes q " + shape_string(q) + ", k " + shape_string(k) + ", v " + shape_string(v) + " and output " +
                shape_string(out) + " do not fit attention");
  if (q.dtype != out.dtype || k.dtype != out.dtype || v.dtype != out.dtype)
    throw Error("q, k, v and the output must share one dtype");
  if (s.nin == 4) {
    const View& m = s.input(3);
    bool fits = m.ndim == 4 && (m.dtype == Dt::Bool || m.dtype == out.dtype);
    for (int d = 0; fits && d < 4; ++d) fits = m.shape[d] == (d == 0 ? n.b : d == 1 ? n.hq : d == 2 ? n.tq : n.tk);
    if (!fits) throw Error("the mask " + shape_string(m) + " must be [B, Hq, Tq, Tk], bool or of the output's dtype");
  }
  if (out.size == 0) return;
  if (n.tk == 0) {  // no keys: zeros, as a softmax over nothing times no values
    std::memset(out.base + out.offset * itemsize(out.dtype), 0, size_t(out.size) * size_t(itemsize(out.dtype)));
    return;
  }
  const bool causal = s.int_param(1) != 0;
  dispatch_float(out.dtype, "scaledDotProductAttention",
                 [&](auto tag) { attention_typed<typename decltype(tag)::type>(s, n, s.float_param(0), causal); });
}

}  // namespace mlx_cpu
