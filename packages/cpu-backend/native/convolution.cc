// convolution: channels-last, input [N, ...spatial, Cin] and weight [Cout, ...k, Cin/groups] ->
// [N, ...spatial', Cout], 1 to 3 spatial axes, any stride, padding (negative crops), kernel and
// input dilation, groups and flip. As an im2col GEMM: each output pixel's receptive field (kernel
// taps x the group's channels, contiguous in NHWC) is gathered into a row of a scratch block, and
// the block times the weight (viewed [K, Cout/groups]) is one GEMM (BLAS when loaded). K is cut
// into blocks of whole kernel taps so a block stays in cache; float16/bfloat16 are gathered into
// float32 and rounded once on store. Three configurations take their own paths (below): a
// receptive field of at most kDirectMaxK values (a first layer on 1 to 3 channels) is multiplied
// in place without im2col (Conv::direct_rows); stride 1 without dilation or groups (a "same"
// forward, a stride-1 input gradient) runs as an implicit GEMM over a padded slab read in place
// (conv_stride1), and the weight gradient (the forward's input and cotangent as transposed views)
// as one GEMM over the forward's patches (weight_gradient), with no transposed copies.
//
// Parallelism: blocks of output rows run one per thread (each GEMM single-threaded). When there
// are too few rows to share, as in a weight gradient (rows = Cin x taps, K = N x pixels), the
// threads split K instead, each summing into a private partial, and the partials are added in
// chunk order, so results do not depend on timing.
#include <algorithm>
#include <array>
#include <cstring>
#include <string>

#include "blas.h"
#include "gemm.h"
#include "kernels.h"
#include "parallel.h"
#include "scratch.h"
#include "strided.h"

namespace mlx_cpu {

namespace {

constexpr int kMaxSpatial = 3;
// The im2col block: its width in elements (whole kernel taps; narrower when threads split K) and
// up to kMaxRowBlock rows, fewer when a block would pass kBlockBytes (so it stays in L2 between
// im2col and GEMM) or when there would be too few blocks to keep every thread busy. Larger
// blocks mean fewer, more efficient GEMM calls (512 rows took ~9% less CPU than 128 on a conv
// forward and backward here).
constexpr int64_t kMaxRowBlock = 512;
constexpr int64_t kMinRowBlock = 16;
constexpr int64_t kBlockBytes = int64_t(2) << 20;
constexpr int64_t kColBlock = 4096;
constexpr int64_t kSplitColBlock = 1024;
// Receptive fields of at most this many values (taps x channels) skip im2col (Conv::direct_rows).
constexpr int64_t kDirectMaxK = 32;

// A pixel's channels (often 1 to 64 values) are copied and zeroed thousands of times per call,
// where a call into libc's memcpy/memset costs more than the move: fixed-size pieces inline.
template <class A>
inline void copy_small(A* dst, const A* src, int64_t n) {
  char* d = reinterpret_cast<char*>(dst);
  const char* s = reinterpret_cast<const char*>(src);
  size_t bytes = size_t(n) * sizeof(A);
  for (; bytes >= 64; bytes -= 64, d += 64, s += 64) std::memcpy(d, s, 64);
  if (bytes & 32) {
    std::memcpy(d, s, 32);
    d += 32;
    s += 32;
  }
  if (bytes & 16) {
    std::memcpy(d, s, 16);
    d += 16;
    s += 16;
  }
  if (bytes & 8) {
    std::memcpy(d, s, 8);
    d += 8;
    s += 8;
  }
  if (bytes & 4) {
    std::memcpy(d, s, 4);
    d += 4;
    s += 4;
  }
  if (bytes & 2) std::memcpy(d, s, 2);
}

template <class A>
inline void zero_small(A* dst, int64_t n) {
  static const A zeros[64 / sizeof(A)] = {};
  for (; n > 0; n -= 64 / int64_t(sizeof(A)), dst += 64 / sizeof(A))
    copy_small(dst, zeros, std::min<int64_t>(n, 64 / int64_t(sizeof(A))));
}

struct ConvShape {
  int nsp = 0;
  int64_t n = 0, cin_g = 0, cout = 0, cout_g = 0, groups = 1;
  std::array<int64_t, kMaxSpatial> in{}, k{}, out{};
  std::array<int64_t, kMaxSpatial> stride{}, lo{}, kd{}, id{};
  bool flip = false;
  int64_t taps = 1, pixels = 1;  // kernel taps and output pixels per image
};

// Copies a [d0, ...mid, dl] view into a contiguous buffer of A (reversing the mid axes when
// `flip`), in 16 x 16 tiles of (d0, dl), so a view with its first and last axes swapped (the
// operands of a weight gradient) reads and writes whole cache lines.
template <class T, class A>
void pack(const View& v, bool flip, A* dst) {
  const int nd = v.ndim;
  const int64_t d0 = v.shape[0], dl = v.shape[nd - 1];
  int64_t mid = 1;
  for (int d = 1; d < nd - 1; ++d) mid *= v.shape[d];
  const T* src = v.at<T>();
  const int64_t s0 = v.strides[0], sl = v.strides[nd - 1];
  constexpr int64_t kTile = 16;
  parallel_for(mid, std::max<int64_t>(1, 16384 / std::max<int64_t>(d0 * dl, 1)), [&](int64_t m0, int64_t m1) {
    for (int64_t m = m0; m < m1; ++m) {
      // The mid axes' offset in the source, flipped or not.
      int64_t off = 0, rest = m;
      for (int d = nd - 2; d >= 1; --d) {
        const int64_t i = rest % v.shape[d];
        rest /= v.shape[d];
        off += (flip ? v.shape[d] - 1 - i : i) * v.strides[d];
      }
      const T* s = src + off;
      A* o = dst + m * dl;
      for (int64_t a0 = 0; a0 < d0; a0 += kTile) {
        const int64_t a1 = std::min(d0, a0 + kTile);
        for (int64_t c0 = 0; c0 < dl; c0 += kTile) {
          const int64_t c1 = std::min(dl, c0 + kTile);
          for (int64_t a = a0; a < a1; ++a) {
            const T* sa = s + a * s0;
            A* oa = o + a * mid * dl;
            for (int64_t c = c0; c < c1; ++c) oa[c] = A(load(sa[c * sl]));
          }
        }
      }
    }
  });
}

template <class T, class A>
class Conv {
 public:
  Conv(const ConvShape& cs, const T* x, const A* w, A* c) : s_(cs), x_(x), w_(w), c_(c) {
    // Input strides (contiguous NHWC) and, per spatial axis, the input index each (output
    // position, tap) pair reads, or -1 where it falls in padding or between dilated elements.
    int64_t stride = s_.cin_g * s_.groups;
    for (int d = s_.nsp - 1; d >= 0; --d) {
      xs_[d] = stride;
      stride *= s_.in[d];
    }
    xs_n_ = stride;
    for (int d = 0; d < s_.nsp; ++d) {
      tap_[d] = Scratch<int64_t>(size_t(s_.out[d] * s_.k[d]));
      for (int64_t o = 0; o < s_.out[d]; ++o) {
        for (int64_t t = 0; t < s_.k[d]; ++t) {
          const int64_t pos = o * s_.stride[d] + t * s_.kd[d] - s_.lo[d];
          const bool ok = pos >= 0 && pos % s_.id[d] == 0 && pos / s_.id[d] < s_.in[d];
          tap_[d][size_t(o * s_.k[d] + t)] = ok ? pos / s_.id[d] * xs_[d] : -1;
        }
      }
    }
    for (int d = 0; d < s_.nsp; ++d) tix_[d] = Scratch<int64_t>(size_t(s_.taps));
    for (int64_t tap = 0; tap < s_.taps; ++tap) {
      int64_t rest = tap;
      for (int d = s_.nsp - 1; d >= 0; --d) {
        tix_[d][size_t(tap)] = rest % s_.k[d];
        rest /= s_.k[d];
      }
    }
    // Without input dilation a tap's input offset is the first tap's plus a constant wherever
    // all taps fall inside the input, which most positions of a large image do.
    linear_ = true;
    for (int d = 0; d < s_.nsp; ++d) {
      linear_ = linear_ && s_.id[d] == 1;
      inside_[d] = Scratch<uint8_t>(size_t(s_.out[d]));
      for (int64_t o = 0; o < s_.out[d]; ++o) {
        bool in = true;
        for (int64_t t = 0; t < s_.k[d]; ++t) in = in && tap_[d][size_t(o * s_.k[d] + t)] >= 0;
        inside_[d][size_t(o)] = in;
      }
    }
    rel_ = Scratch<int64_t>(size_t(s_.taps));
    for (int64_t tap = 0; tap < s_.taps; ++tap) {
      int64_t rel = 0;
      for (int d = 0; d < s_.nsp; ++d) rel += tix_[d][size_t(tap)] * s_.kd[d] * xs_[d];
      rel_[size_t(tap)] = rel;
    }
    kdim_ = s_.taps * s_.cin_g;
    const int64_t rows = s_.n * s_.pixels;
    const int threads = pool_threads();
    const auto blocks = [&](int64_t rb) { return (rows + rb - 1) / rb * s_.groups; };
    split_k_ = threads > 1 && blocks(kMaxRowBlock) < 2 * threads;
    const auto per_block = [&](int64_t width) {
      return std::max<int64_t>(1, std::min(s_.taps, width / std::max<int64_t>(s_.cin_g, 1)));
    };
    taps_per_block_ = per_block(split_k_ ? kSplitColBlock : kColBlock);
    kblocks_ = (s_.taps + taps_per_block_ - 1) / taps_per_block_;
    if (kblocks_ < 2) split_k_ = false;
    const int64_t width = taps_per_block_ * std::max<int64_t>(s_.cin_g, 1);
    row_block_ = std::clamp<int64_t>(kBlockBytes / (width * int64_t(sizeof(A))), kMinRowBlock, kMaxRowBlock);
    if (!split_k_) {
      // Enough blocks for every thread (the per-group count decides how far rows must be cut).
      const int64_t want = (2 * threads + s_.groups - 1) / s_.groups;
      row_block_ = std::max<int64_t>(kMinRowBlock, std::min(row_block_, (rows + want - 1) / want));
    }
    items_ = blocks(row_block_);
  }

  void run() {
    const int64_t rows = s_.n * s_.pixels;
    if (s_.groups == 1 && kdim_ <= kDirectMaxK) {
      // A receptive field this small (a first layer: 1 to 3 channels) is cheaper to multiply in
      // place than to gather into patches for a GEMM whose K is a handful.
      parallel_for(rows, std::max<int64_t>(1, 8192 / std::max<int64_t>(kdim_ * s_.cout, 1)),
                   [&](int64_t r0, int64_t r1) { direct_rows(r0, r1); });
      return;
    }
    const int64_t items = items_;
    if (!split_k_) {
      parallel_for(items, 1, [&](int64_t i0, int64_t i1) {
        Buffers b(*this);
        for (int64_t i = i0; i < i1; ++i) item(b, i, 0, kblocks_, c_, false);
      });
      return;
    }
    // Few rows: split K; chunk c sums its K blocks into partial c, added in chunk order after.
    const int64_t chunks = chunk_count(kblocks_, 1);
    const size_t out_elems = size_t(rows * s_.cout);
    Scratch<A> partials(size_t(chunks) * out_elems);
    for_each_chunk(kblocks_, chunks, [&](int64_t chunk, int64_t k0, int64_t k1) {
      A* p = partials.get() + size_t(chunk) * out_elems;
      std::fill(p, p + out_elems, A(0));
      Buffers b(*this);
      for (int64_t i = 0; i < items; ++i) item(b, i, k0, k1, p, true);
    });
    parallel_for(int64_t(out_elems), 1 << 14, [&](int64_t e0, int64_t e1) {
      for (int64_t e = e0; e < e1; ++e) {
        A acc = partials[size_t(e)];
        for (int64_t c = 1; c < chunks; ++c) acc += partials[size_t(c) * out_elems + size_t(e)];
        c_[e] = acc;
      }
    });
  }

 private:
  // Per-thread scratch: one im2col block and one GEMM result block.
  struct Buffers {
    explicit Buffers(const Conv& c)
        : cols(size_t(c.row_block_ * c.taps_per_block_ * c.s_.cin_g)),
          prod(size_t(c.s_.groups == 1 ? 0 : c.row_block_ * c.s_.cout_g)) {}
    Scratch<A> cols, prod;
  };

  // Rows of row block (item / groups) for group (item % groups), K blocks [k0, k1): written into
  // dst (row stride cout) or, when `add`, added to it.
  void item(Buffers& b, int64_t it, int64_t k0, int64_t k1, A* dst, bool add) const {
    const int64_t g = it % s_.groups, rb = it / s_.groups;
    const int64_t rows = s_.n * s_.pixels;
    const int64_t r0 = rb * row_block_, r1 = std::min(rows, r0 + row_block_), m = r1 - r0;
    const int64_t ng = s_.cout_g;
    for (int64_t kb = k0; kb < k1; ++kb) {
      const int64_t t0 = kb * taps_per_block_, t1 = std::min(s_.taps, t0 + taps_per_block_);
      const int64_t width = (t1 - t0) * s_.cin_g;
      gather_rows(r0, r1, g, t0, t1, b.cols.get());
      // B[kk, j] = weight[g * cout_g + j, t0 * cin_g + kk], packed [groups][K][cout_g].
      const A* wb = w_ + g * ng * kdim_ + t0 * s_.cin_g * ng;
      const bool first = kb == k0 && !add;
      if (s_.groups == 1) {
        // The output rows are the GEMM's rows: no result block to copy.
        gemm_dense(m, ng, width, b.cols.get(), width, 1, wb, ng, 1, dst + r0 * s_.cout, !first);
        continue;
      }
      gemm_dense(m, ng, width, b.cols.get(), width, 1, wb, ng, 1, b.prod.get());
      for (int64_t i = 0; i < m; ++i) {
        A* o = dst + (r0 + i) * s_.cout + g * ng;
        const A* p = b.prod.get() + i * ng;
        if (first)
          std::memcpy(o, p, size_t(ng) * sizeof(A));
        else
          for (int64_t j = 0; j < ng; ++j) o[j] += p[j];
      }
    }
  }

  static A input(const T* base, int64_t i) {
    if constexpr (std::is_same_v<T, A>)
      return base[i];
    else
      return A(load(base[i]));
  }
  static constexpr int kLanes = 64 / int(sizeof(A));

  // Output rows [r0, r1) (one group) straight from the input: each valid tap's channels scale
  // the weight's rows for that tap into the output row.
  void direct_rows(int64_t r0, int64_t r1) const {
    const int nsp = s_.nsp;
    const int64_t cg = s_.cin_g, co = s_.cout;
    std::array<int64_t, kMaxSpatial> o{};
    int64_t img = r0 / s_.pixels, rest = r0 % s_.pixels;
    for (int d = nsp - 1; d >= 0; --d) {
      o[d] = rest % s_.out[d];
      rest /= s_.out[d];
    }
    // The row's valid taps: input offsets and their first weight row.
    Scratch<int64_t> offs(size_t(s_.taps)), wrows(size_t(s_.taps));
    for (int64_t r = r0; r < r1; ++r) {
      const T* base = x_ + img * xs_n_;
      std::array<const int64_t*, kMaxSpatial> row{};
      bool inside = linear_;
      int64_t first = 0;
      for (int d = 0; d < nsp; ++d) {
        row[d] = tap_[d].get() + o[d] * s_.k[d];
        inside = inside && inside_[d][size_t(o[d])];
        first += row[d][0];
      }
      int64_t valid = 0;
      if (inside) {
        // Every tap reads the input, at a fixed distance from the first.
        for (int64_t tap = 0; tap < s_.taps; ++tap) {
          offs[size_t(tap)] = first + rel_[size_t(tap)];
          wrows[size_t(tap)] = tap * cg;
        }
        valid = s_.taps;
      }
      for (int64_t tap = 0; tap < s_.taps && !inside; ++tap) {
        int64_t off = 0;
        bool ok = true;
        for (int d = 0; d < nsp; ++d) {
          const int64_t v = row[d][tix_[d][size_t(tap)]];
          ok = ok && v >= 0;
          off += v;
        }
        if (!ok) continue;
        offs[size_t(valid)] = off;
        wrows[size_t(valid++)] = tap * cg;
      }
      // kLanes outputs at a time in a local accumulator (registers), the rest one by one.
      A* dst = c_ + r * co;
      int64_t j0 = 0;
      for (; j0 + kLanes <= co; j0 += kLanes) {
        A acc[kLanes] = {};
        for (int64_t v = 0; v < valid; ++v) {
          for (int64_t c = 0; c < cg; ++c) {
            const A xv = input(base, offs[size_t(v)] + c);
            const A* wr = w_ + (wrows[size_t(v)] + c) * co + j0;
            for (int j = 0; j < kLanes; ++j) acc[j] += xv * wr[j];
          }
        }
        std::memcpy(dst + j0, acc, sizeof acc);
      }
      for (int64_t j = j0; j < co; ++j) {
        A acc = 0;
        for (int64_t v = 0; v < valid; ++v) {
          for (int64_t c = 0; c < cg; ++c)
            acc += input(base, offs[size_t(v)] + c) * w_[(wrows[size_t(v)] + c) * co + j];
        }
        dst[j] = acc;
      }
      for (int d = nsp - 1; d >= 0; --d) {
        if (++o[d] < s_.out[d]) break;
        o[d] = 0;
        if (d == 0) ++img;
      }
    }
  }

  // Rows [r0, r1)'s receptive fields for taps [t0, t1) of group g, (t1 - t0) * cin_g values per
  // row, one row after another. The output position steps from row to row and each tap's index
  // along each axis comes from tix_, so no division runs per row or tap: with few input channels
  // this gather, not the GEMM, is most of a convolution's time.
  void gather_rows(int64_t r0, int64_t r1, int64_t g, int64_t t0, int64_t t1, A* out) const {
    const int nsp = s_.nsp;
    const int64_t cg = s_.cin_g;
    std::array<int64_t, kMaxSpatial> o{};
    int64_t img = r0 / s_.pixels, rest = r0 % s_.pixels;
    for (int d = nsp - 1; d >= 0; --d) {
      o[d] = rest % s_.out[d];
      rest /= s_.out[d];
    }
    for (int64_t r = r0; r < r1; ++r) {
      const T* base = x_ + img * xs_n_ + g * cg;
      // This position's row of each axis's (position, tap) table, and each tap's index into it.
      std::array<const int64_t*, kMaxSpatial> row{}, ix{};
      for (int d = 0; d < nsp; ++d) {
        row[d] = tap_[d].get() + o[d] * s_.k[d];
        ix[d] = tix_[d].get();
      }
      for (int64_t tap = t0; tap < t1; ++tap) {
        int64_t off = 0;
        bool ok = true;
        for (int d = 0; d < nsp; ++d) {
          const int64_t v = row[d][ix[d][tap]];
          ok = ok && v >= 0;
          off += v;
        }
        if (cg == 1) {
          if constexpr (std::is_same_v<T, A>)
            *out = ok ? base[off] : A(0);
          else
            *out = ok ? A(load(base[off])) : A(0);
          ++out;
          continue;
        }
        if (!ok) {
          zero_small(out, cg);
        } else if constexpr (std::is_same_v<T, A>) {
          copy_small(out, base + off, cg);
        } else {
          for (int64_t c = 0; c < cg; ++c) out[c] = A(load(base[off + c]));
        }
        out += cg;
      }
      for (int d = nsp - 1; d >= 0; --d) {
        if (++o[d] < s_.out[d]) break;
        o[d] = 0;
        if (d == 0) ++img;
      }
    }
  }

  const ConvShape& s_;
  const T* x_;
  const A* w_;
  A* c_;
  std::array<int64_t, kMaxSpatial> xs_{};
  int64_t xs_n_ = 0;
  std::array<Scratch<int64_t>, kMaxSpatial> tap_;
  std::array<Scratch<int64_t>, kMaxSpatial> tix_;     // per axis, each tap's index along it
  std::array<Scratch<uint8_t>, kMaxSpatial> inside_;  // per axis, positions whose taps all fall inside
  Scratch<int64_t> rel_;                              // each tap's input offset from the first tap's
  bool linear_ = false;                               // no input dilation: rel_ holds
  int64_t kdim_ = 0, taps_per_block_ = 1, kblocks_ = 1, items_ = 0, row_block_ = kMaxRowBlock;
  bool split_k_ = false;
};

// The weight-gradient configuration: the input is a contiguous [C, ...in, B] array seen as
// [B, ...in, C] and the weight a contiguous [C, ...k, O] one seen as [O, ...k, C] (the forward's
// input and cotangent with batch and channels swapped: C = the forward batch, B its input
// channels, k its output pixels, O its output channels; one group, no flip). Then
//   out[b, q, o] = sum over (c, t) of in[c, q * stride + t * kd - lo, b] * w[c, t, o],
// one GEMM over the forward's patches: with rows r = (c, t), P[o, (q, b)] = sum_r w[r, o] *
// cols[r, (q, b)], cols[r] holding row r's receptive field (kernel taps q, B channels each,
// contiguous in the array). Both operands are read in place: no transposed copies. Threads sum
// blocks of rows into private partials, added in chunk order.
bool swapped_contiguous(const View& v) {
  const int nd = v.ndim;
  int64_t expect = v.shape[0];
  for (int d = nd - 2; d >= 1; --d) {
    if (v.shape[d] > 1 && v.strides[d] != expect) return false;
    expect *= v.shape[d];
  }
  return (v.shape[0] <= 1 || v.strides[0] == 1) && (v.shape[nd - 1] <= 1 || v.strides[nd - 1] == expect);
}

template <class T>
bool weight_gradient(const Step& s, const ConvShape& cs) {
  const View& in = s.input(0);
  const View& wv = s.input(1);
  if (cs.groups != 1 || cs.flip || !swapped_contiguous(in) || !swapped_contiguous(wv)) return false;
  const int nsp = cs.nsp;
  const int64_t B = in.shape[0], C = cs.cin_g, O = cs.cout, Q = cs.pixels, T_ = cs.taps;
  const int64_t width = Q * B;  // one row of patches
  // The partials (one O x width block per chunk) must stay modest.
  if (O * width > (int64_t(1) << 22)) return false;
  // Per spatial axis, the array offset (in units of B) of (t, q), or -1 in padding / between
  // dilated elements.
  std::array<int64_t, kMaxSpatial> xs{};
  int64_t stride = B;
  for (int d = nsp - 1; d >= 0; --d) {
    xs[d] = stride;
    stride *= cs.in[d];
  }
  const int64_t xs_c = stride;
  std::array<Scratch<int64_t>, kMaxSpatial> tab;
  for (int d = 0; d < nsp; ++d) {
    tab[d] = Scratch<int64_t>(size_t(cs.k[d] * cs.out[d]));
    for (int64_t t = 0; t < cs.k[d]; ++t) {
      for (int64_t q = 0; q < cs.out[d]; ++q) {
        const int64_t pos = q * cs.stride[d] + t * cs.kd[d] - cs.lo[d];
        const bool ok = pos >= 0 && pos % cs.id[d] == 0 && pos / cs.id[d] < cs.in[d];
        tab[d][size_t(t * cs.out[d] + q)] = ok ? pos / cs.id[d] * xs[d] : -1;
      }
    }
  }
  const T* x = in.at<T>();
  const T* g = wv.at<T>();
  const int64_t rows = C * T_;
  const int64_t rb = std::clamp<int64_t>((int64_t(1) << 18) / (width * int64_t(sizeof(T))), 16, 256);
  const int64_t blocks = (rows + rb - 1) / rb;
  const int64_t chunks = chunk_count(blocks, 1);
  const size_t pe = size_t(O * width);
  Scratch<T> partials(size_t(chunks) * pe);
  // Without a BLAS, the patches are written straight in the built-in GEMM's packed layout.
  constexpr int64_t NR = gemm_nr<T>();
  const bool packed = !blas_info().loaded;
  const int64_t wpad = packed ? (width + NR - 1) / NR * NR : width;
  for_each_chunk(blocks, chunks, [&](int64_t chunk, int64_t b0, int64_t b1) {
    T* p = partials.get() + size_t(chunk) * pe;
    Scratch<T> cols(size_t(rb * wpad));
    bool first = true;
    for (int64_t blk = b0; blk < b1; ++blk) {
      const int64_t r0 = blk * rb, r1 = std::min(rows, r0 + rb);
      for (int64_t r = r0; r < r1; ++r) {
        // Row r = (c, t): its patches, q-major, B channels each.
        std::array<int64_t, kMaxSpatial> t{}, q{};
        int64_t rest = r % T_;
        for (int d = nsp - 1; d >= 0; --d) {
          t[d] = rest % cs.k[d];
          rest /= cs.k[d];
        }
        const T* base = x + (r / T_) * xs_c;
        const int64_t kc = r1 - r0, pr = r - r0;
        T* out = cols.get() + pr * width;
        // This row's tap in each axis's (tap, position) table.
        std::array<const int64_t*, kMaxSpatial> td{};
        for (int d = 0; d < nsp; ++d) td[d] = tab[d].get() + t[d] * cs.out[d];
        for (int64_t qi = 0; qi < Q; ++qi) {
          int64_t off = 0;
          bool ok = true;
          for (int d = 0; d < nsp; ++d) {
            const int64_t v = td[d][q[d]];
            ok = ok && v >= 0;
            off += v;
          }
          if (B == 1) {
            // One channel (a first layer's weight gradient): one value per patch, no copy loop.
            T* dst = packed ? cols.get() + (qi - qi % NR) * kc + pr * NR + qi % NR : out++;
            *dst = ok ? base[off] : T(0);
          } else if (packed) {
            // Columns [qi * B, qi * B + B) of row pr, cut at the NR-column panels.
            for (int64_t i = qi * B, e = i + B; i < e;) {
              const int64_t jj = i % NR, len = std::min(NR - jj, e - i);
              T* dst = cols.get() + (i - jj) * kc + pr * NR + jj;
              if (!ok)
                std::fill(dst, dst + len, T(0));
              else if (len == NR)
                std::memcpy(dst, base + off + (i - qi * B), size_t(NR) * sizeof(T));  // inlined
              else
                std::memcpy(dst, base + off + (i - qi * B), size_t(len) * sizeof(T));
              i += len;
            }
          } else if (ok) {
            copy_small(out, base + off, B);
            out += B;
          } else {
            zero_small(out, B);
            out += B;
          }
          for (int d = nsp - 1; d >= 0; --d) {
            if (++q[d] < cs.out[d]) break;
            q[d] = 0;
          }
        }
      }
      // P[o, (q, b)] (+)= w[r0:r1, o]^T cols[r0:r1, (q, b)].
      if (packed) {
        const int64_t kc = r1 - r0;
        if (wpad > width) {
          // The last panel's columns past the patches are zero.
          T* tail = cols.get() + (wpad - NR) * kc;
          for (int64_t pr = 0; pr < kc; ++pr)
            std::fill(tail + pr * NR + (width - (wpad - NR)), tail + pr * NR + NR, T(0));
        }
        gemm_packed_b(O, width, kc, g + r0 * O, 1, O, cols.get(), p, !first);
      } else {
        gemm_dense(O, width, r1 - r0, g + r0 * O, 1, O, cols.get(), width, 1, p, !first);
      }
      first = false;
    }
  });
  // out[b, q, o] = the partials' sum at [o, q, b], in chunk order.
  T* y = s.out.at<T>();
  parallel_for(B * Q, std::max<int64_t>(1, 4096 / std::max<int64_t>(O, 1)), [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      const int64_t b = i / Q, qi = i % Q;
      for (int64_t o = 0; o < O; ++o) {
        const size_t e = size_t(o * width + qi * B + b);
        T acc = partials[e];
        for (int64_t c = 1; c < chunks; ++c) acc += partials[size_t(c) * pe + e];
        y[i * O + o] = acc;
      }
    }
  });
  return true;
}

// Stride 1, no dilation, one group (a "same" forward, or the input gradient of a stride-1
// convolution): an implicit GEMM without im2col. A slab of output rows of one image is copied
// into a zero-padded buffer of every input position it reads; laid out so, the receptive field
// of output pixel j for a fixed tap of the outer spatial axes is a run of (k_last x Cin)
// contiguous values starting at (j + offset(tap)) * Cin, with j the pixel's index in the padded
// grid. So each outer tap is one GEMM reading the buffer in place (row stride Cin, rows
// overlapping), summed into a block of padded-grid rows whose valid ones are then copied out:
// the few junk rows (the padding columns, (k_last - 1) per row of output) cost less than
// gathering k_last copies of every value.
bool dense_stride1(const ConvShape& cs) {
  if (cs.groups != 1) return false;
  for (int d = 0; d < cs.nsp; ++d) {
    if (cs.stride[d] != 1 || cs.kd[d] != 1 || cs.id[d] != 1) return false;
  }
  // Only worth it with kernel taps to share along the last axis and a few channels per row.
  return cs.k[cs.nsp - 1] > 1 && cs.cin_g >= 4;
}

template <class T, class A>
void conv_stride1(const ConvShape& cs, const T* x, const A* w, A* c) {
  const int nsp = cs.nsp;
  const int64_t C = cs.cin_g, O = cs.cout, kl = cs.k[nsp - 1];
  const int64_t kw = kl * C;  // K of each GEMM
  // The padded grid: P_d = out_d + k_d - 1 positions per axis (= in_d + lo_d + hi_d).
  std::array<int64_t, kMaxSpatial> P{}, xs{};
  for (int d = 0; d < nsp; ++d) P[d] = cs.out[d] + cs.k[d] - 1;
  int64_t st = C;
  for (int d = nsp - 1; d >= 0; --d) {
    xs[d] = st;
    st *= cs.in[d];
  }
  const int64_t xs_n = st;
  // Pixels per step of axis 0 in the padded grid (a slab keeps the other axes whole).
  int64_t inner = 1;
  for (int d = 1; d < nsp; ++d) inner *= P[d];
  const int threads = pool_threads();
  // Output rows (of axis 0) per slab: about 1024 padded rows per GEMM, slabs of at most ~1 MB,
  // and enough slabs for every thread.
  int64_t rc = std::clamp<int64_t>((1024 + inner - 1) / inner, 1, cs.out[0]);
  rc = std::min(rc, std::max<int64_t>(1, (int64_t(1) << 20) / (inner * C * int64_t(sizeof(A))) - (cs.k[0] - 1)));
  const int64_t want = (2 * threads + cs.n - 1) / cs.n;
  rc = std::max<int64_t>(1, std::min(rc, (cs.out[0] + want - 1) / want));
  const int64_t per_image = (cs.out[0] + rc - 1) / rc;
  // Taps of the outer axes (all but the last), each one GEMM.
  int64_t outer = 1;
  for (int d = 0; d < nsp - 1; ++d) outer *= cs.k[d];
  parallel_for(cs.n * per_image, 1, [&](int64_t i0, int64_t i1) {
    const int64_t slab_rows = rc + cs.k[0] - 1;
    Scratch<A> buf(size_t(slab_rows * inner * C + kw));
    const int64_t mmax =
        (rc - 1) * inner + (nsp == 1 ? 1 : (cs.out[nsp - 1] + (nsp == 3 ? (cs.out[1] - 1) * P[2] : 0)));
    Scratch<A> prod(size_t(std::max<int64_t>(mmax, 1) * O));
    for (int64_t it = i0; it < i1; ++it) {
      const int64_t n = it / per_image, a = it % per_image * rc, b = std::min(cs.out[0], a + rc);
      // Fill the slab: padded axis-0 positions [a, b + k0 - 1), every position of the others.
      const int64_t rows0 = b - a + cs.k[0] - 1;
      const T* xn = x + n * xs_n;
      A* dst = buf.get();
      for (int64_t p = 0; p < rows0 * inner; ++p) {
        std::array<int64_t, kMaxSpatial> q{};
        int64_t rest = p;
        for (int d = nsp - 1; d >= 1; --d) {
          q[d] = rest % P[d];
          rest /= P[d];
        }
        q[0] = rest + a;
        int64_t off = 0;
        bool ok = true;
        for (int d = 0; d < nsp; ++d) {
          const int64_t v = q[d] - cs.lo[d];
          ok = ok && v >= 0 && v < cs.in[d];
          off += v * xs[d];
        }
        A* o = dst + p * C;
        if (!ok)
          zero_small(o, C);
        else if constexpr (std::is_same_v<T, A>)
          copy_small(o, xn + off, C);
        else
          for (int64_t ch = 0; ch < C; ++ch) o[ch] = A(load(xn[off + ch]));
      }
      // The rows span from the slab's first output pixel to its last.
      int64_t m = (b - a - 1) * inner + 1;
      {
        int64_t s2 = 1;
        for (int d = nsp - 1; d >= 1; --d) {
          m += (cs.out[d] - 1) * s2;
          s2 *= P[d];
        }
      }
      for (int64_t t = 0; t < outer; ++t) {
        // Outer tap t's offset in the padded grid.
        int64_t off = 0, rest = t, s2 = P[nsp - 1];
        for (int d = nsp - 2; d >= 0; --d) {
          off += rest % cs.k[d] * s2;
          rest /= cs.k[d];
          s2 *= P[d];
        }
        gemm_dense(m, O, kw, buf.get() + off * C, C, 1, w + t * kw * O, O, 1, prod.get(), t > 0);
      }
      // Copy the valid rows out.
      const int64_t opix = (b - a) * (cs.pixels / cs.out[0]);
      for (int64_t r = 0; r < opix; ++r) {
        int64_t rest = r, j = 0, s2 = 1;
        for (int d = nsp - 1; d >= 1; --d) {
          j += rest % cs.out[d] * s2;
          rest /= cs.out[d];
          s2 *= P[d];
        }
        j += rest * inner;
        copy_small(c + (n * cs.pixels + a * (cs.pixels / cs.out[0]) + r) * O, prod.get() + j * O, O);
      }
    }
  });
}

template <class T>
void convolution_typed(const Step& s, const ConvShape& cs) {
  using A = std::conditional_t<std::is_same_v<T, double>, double, float>;
  const View& out = s.out;
  const View& in = s.input(0);
  if (cs.cin_g == 0 || cs.taps == 0) {
    // No input channels or no kernel taps: every output is an empty sum.
    std::fill(out.at<T>(), out.at<T>() + out.size, to<T>(0.0f));
    return;
  }
  if constexpr (std::is_same_v<T, A>) {
    if (weight_gradient<T>(s, cs)) return;
  }
  // The weight as [groups][kernel taps x cin_g][cout_g] (the GEMM's B, rows contiguous).
  Scratch<A> w(size_t(s.input(1).size));
  {
    Scratch<A> wp(size_t(s.input(1).size));
    pack<T, A>(s.input(1), cs.flip, wp.get());
    const int64_t kdim = cs.taps * cs.cin_g, ng = cs.cout_g;
    for (int64_t g = 0; g < cs.groups; ++g) {
      for (int64_t j = 0; j < ng; ++j) {
        const A* src = wp.get() + (g * ng + j) * kdim;
        A* dst = w.get() + g * ng * kdim + j;
        for (int64_t k = 0; k < kdim; ++k) dst[k * ng] = src[k];
      }
    }
  }
  // A strided input (a weight gradient's, with batch and channels swapped) is packed in tiles first.
  const bool strided = !is_row_contiguous(in);
  Scratch<A> packed(strided ? size_t(in.size) : 0);
  if (strided) pack<T, A>(in, false, packed.get());
  const bool dense = dense_stride1(cs);
  const auto conv = [&](A* c) {
    if (strided) {
      if (dense)
        conv_stride1<A, A>(cs, packed.get(), w.get(), c);
      else
        Conv<A, A>(cs, packed.get(), w.get(), c).run();
    } else {
      if (dense)
        conv_stride1<T, A>(cs, in.at<T>(), w.get(), c);
      else
        Conv<T, A>(cs, in.at<T>(), w.get(), c).run();
    }
  };
  if constexpr (std::is_same_v<T, A>) {
    conv(out.at<T>());
  } else {
    Scratch<A> c(size_t(out.size));
    conv(c.get());
    T* y = out.at<T>();
    parallel_for(out.size, 1 << 14, [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; ++i) y[i] = to<T>(c[size_t(i)]);
    });
  }
}

}  // namespace

void convolution(const Step& s) {
  s.expect_inputs(2);
  const View& x = s.input(0);
  const View& w = s.input(1);
  const View& out = s.out;
  const int nsp = out.ndim - 2;
  if (nsp < 1 || nsp > kMaxSpatial || x.ndim != out.ndim || w.ndim != out.ndim) {
    throw Error("expected input, weight and output of 3 to 5 dimensions, got " + shape_string(x) + ", " +
                shape_string(w) + " and " + shape_string(out));
  }
  s.expect_params(2 + 5 * nsp);
  ConvShape cs;
  cs.nsp = nsp;
  cs.groups = s.int_param(0);
  cs.flip = s.int_param(1) != 0;
  cs.n = x.shape[0];
  cs.cout = w.shape[0];
  cs.cin_g = w.shape[nsp + 1];
  if (cs.groups < 1 || cs.cout % cs.groups != 0 || x.shape[nsp + 1] != cs.cin_g * cs.groups) {
    throw Error("input " + shape_string(x) + " and weight " + shape_string(w) + " do not fit " +
                std::to_string(cs.groups) + " groups");
  }
  cs.cout_g = cs.cout / cs.groups;
  bool ok = out.shape[0] == cs.n && out.shape[nsp + 1] == cs.cout;
  for (int d = 0; d < nsp; ++d) {
    cs.in[d] = x.shape[d + 1];
    cs.k[d] = w.shape[d + 1];
    cs.out[d] = out.shape[d + 1];
    cs.stride[d] = s.int_param(2 + d);
    cs.lo[d] = s.int_param(2 + nsp + d);
    const int64_t hi = s.int_param(2 + 2 * nsp + d);
    cs.kd[d] = s.int_param(2 + 3 * nsp + d);
    cs.id[d] = s.int_param(2 + 4 * nsp + d);
    if (cs.stride[d] < 1 || cs.kd[d] < 1 || cs.id[d] < 1) throw Error("strides and dilations must be at least 1");
    const auto dil = [](int64_t n, int64_t f) { return n == 0 ? 0 : (n - 1) * f + 1; };
    const int64_t span = dil(cs.in[d], cs.id[d]) + cs.lo[d] + hi - dil(cs.k[d], cs.kd[d]);
    ok = ok && span >= 0 && cs.out[d] == span / cs.stride[d] + 1;
    cs.taps *= cs.k[d];
    cs.pixels *= cs.out[d];
  }
  if (!ok)
    throw Error("output " + shape_string(out) + " does not match input " + shape_string(x) + " and weight " +
                shape_string(w));
  if (x.dtype != out.dtype || w.dtype != out.dtype) throw Error("the inputs and output must share one dtype");
  if (out.size == 0) return;
  dispatch_float(out.dtype, "convolution", [&](auto tag) { convolution_typed<typename decltype(tag)::type>(s, cs); });
}

}  // namespace mlx_cpu
