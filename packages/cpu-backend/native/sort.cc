// sort and argsort along an axis: ascending, stable, NaN last. Each line becomes (key, index)
// records with order-preserving unsigned keys (sort_key), sorted by integer compares (merge or
// radix sort), each line on one thread.
#include <algorithm>
#include <cstring>
#include <type_traits>
#include <utility>
#include <vector>

#include "kernels.h"
#include "parallel.h"
#include "strided.h"

namespace mlx_cpu {

namespace {

// An unsigned key whose order is the sort order: ascending, -0 equal to 0, every NaN equal and
// after +inf. Keys tie exactly when the contract calls values equal, so a stable sort by key is
// the stable sort the contract asks for.
template <class T>
using key_t = std::conditional_t<(sizeof(value_t<T>) <= 4 && !std::is_same_v<value_t<T>, double>), uint32_t, uint64_t>;

template <class T>
key_t<T> sort_key(T x) {
  using K = key_t<T>;
  using C = value_t<T>;
  const C v = load(x);
  if constexpr (std::is_floating_point_v<C>) {
    if (v != v) return ~K(0);
    const C z = v == 0 ? C(0) : v;  // -0 sorts with 0
    K bits;
    static_assert(sizeof(bits) == sizeof(z));
    std::memcpy(&bits, &z, sizeof bits);
    constexpr K sign = K(1) << (8 * sizeof(K) - 1);
    return (bits & sign) ? ~bits : (bits | sign);
  } else if constexpr (std::is_signed_v<C>) {
    using S = std::make_signed_t<K>;
    return K(S(v)) ^ (K(1) << (8 * sizeof(K) - 1));
  } else {
    return K(v);
  }
}

template <class K>
struct Rec {
  K key;
  uint32_t index;
};

// Stable sort by key: insertion sort for short lines, merge sort for medium ones, else a
// least-significant-digit radix sort on bytes (skipping bytes that every key shares), O(n).
// Below this length a merge sort of the records (integer compares) beats the radix passes.
constexpr int64_t kMergeMax = 32768;

template <class K>
void sort_records(Rec<K>* a, Rec<K>* tmp, int64_t n) {
  if (n <= 48) {
    for (int64_t i = 1; i < n; ++i) {
      const Rec<K> r = a[i];
      int64_t j = i;
      for (; j > 0 && a[j - 1].key > r.key; --j) a[j] = a[j - 1];
      a[j] = r;
    }
    return;
  }
  if (n <= kMergeMax) {
    std::stable_sort(a, a + n, [](const Rec<K>& p, const Rec<K>& q) { return p.key < q.key; });
    return;
  }
  constexpr int kBytes = int(sizeof(K));
  std::vector<uint32_t> hist(size_t(kBytes) * 256, 0);
  for (int64_t i = 0; i < n; ++i) {
    const K k = a[i].key;
    for (int b = 0; b < kBytes; ++b) ++hist[size_t(b) * 256 + ((k >> (8 * b)) & 0xff)];
  }
  Rec<K>* src = a;
  Rec<K>* dst = tmp;
  for (int b = 0; b < kBytes; ++b) {
    uint32_t* h = hist.data() + size_t(b) * 256;
    if (h[(src[0].key >> (8 * b)) & 0xff] == uint32_t(n)) continue;  // every key has this byte
    uint32_t sum = 0;
    for (int d = 0; d < 256; ++d) {
      const uint32_t c = h[d];
      h[d] = sum;
      sum += c;
    }
    for (int64_t i = 0; i < n; ++i) dst[h[(src[i].key >> (8 * b)) & 0xff]++] = src[i];
    std::swap(src, dst);
  }
  if (src != a) std::memcpy(static_cast<void*>(a), src, size_t(n) * sizeof(Rec<K>));
}

template <class T, bool kArgsort>
void sort_axis(const Step& s, int axis) {
  using K = key_t<T>;
  const View& x = s.input(0);
  const AxisSplit split(x, axis);
  const Dense dense(x);
  const T* xp = dense.data<T>();
  const int64_t n = split.n, inner = split.inner;
  const int64_t lines = split.outer * inner;
  // About 16K elements per chunk: radix sorting costs a few passes per element.
  parallel_for(lines, std::max<int64_t>(1, (int64_t(1) << 14) / std::max<int64_t>(n, 1)), [&](int64_t b, int64_t e) {
    // One allocation, the scratch half skewed by a cache line and a bit, so that reading one
    // half and writing the other never alias in the store buffer (4 KiB apart).
    std::vector<Rec<K>> buffer(static_cast<size_t>(2 * n + 9));
    Rec<K>* recs = buffer.data();
    Rec<K>* tmp = buffer.data() + n + 9;
    for (int64_t line = b; line < e; ++line) {
      const int64_t start = (line / inner) * n * inner + line % inner;
      const T* in = xp + start;
      for (int64_t k = 0; k < n; ++k) recs[k] = {sort_key(in[k * inner]), uint32_t(k)};
      sort_records(recs, tmp, n);
      if constexpr (kArgsort) {
        uint32_t* out = s.out.at<uint32_t>() + start;
        for (int64_t k = 0; k < n; ++k) out[k * inner] = recs[k].index;
      } else {
        // The values themselves, so -0 and NaN payloads come through unchanged.
        T* out = s.out.at<T>() + start;
        for (int64_t k = 0; k < n; ++k) out[k * inner] = in[int64_t(recs[k].index) * inner];
      }
    }
  });
}

// The k largest of each line along the last axis, largest first; NaN (the largest key) first, equal
// keys in index order: a selection then a sort of the k chosen records, O(n + k log k) per line.
template <class T>
void topk_lines(const Step& s, int64_t k) {
  using K = key_t<T>;
  const View& x = s.input(0);
  const Dense dense(x);
  const T* xp = dense.data<T>();
  const int64_t n = x.ndim == 0 ? 1 : x.shape[x.ndim - 1];
  const int64_t lines = n == 0 ? 0 : x.size / n;
  T* values = s.output(0).at<T>();
  uint32_t* indices = s.output(1).at<uint32_t>();
  const auto before = [](const Rec<K>& p, const Rec<K>& q) {
    return p.key > q.key || (p.key == q.key && p.index < q.index);
  };
  parallel_for(lines, std::max<int64_t>(1, (int64_t(1) << 14) / std::max<int64_t>(n, 1)), [&](int64_t b, int64_t e) {
    std::vector<Rec<K>> recs(static_cast<size_t>(n));
    for (int64_t line = b; line < e; ++line) {
      const T* in = xp + line * n;
      for (int64_t j = 0; j < n; ++j) recs[size_t(j)] = {sort_key(in[j]), uint32_t(j)};
      if (k < n) std::nth_element(recs.begin(), recs.begin() + k, recs.end(), before);
      std::sort(recs.begin(), recs.begin() + k, before);
      for (int64_t j = 0; j < k; ++j) {
        values[line * k + j] = in[recs[size_t(j)].index];
        indices[line * k + j] = recs[size_t(j)].index;
      }
    }
  });
}

}  // namespace

void topk(const Step& s) {
  s.expect_inputs(1);
  s.expect_outputs(2);
  s.expect_params(1);
  const View& x = s.input(0);
  if (x.ndim == 0) throw Error("topk needs an axis");
  const int64_t n = x.shape[x.ndim - 1];
  const int64_t k = s.int_param(0);
  if (k < 0 || k > n) throw Error("k is out of range");
  if (n > int64_t(UINT32_MAX)) throw Error("the axis is too long for uint32 indices");
  for (int j = 0; j < 2; ++j) {
    const View& o = s.output(j);
    if (o.ndim != x.ndim || o.shape[o.ndim - 1] != k) throw Error("unexpected output shape");
    for (int d = 0; d + 1 < x.ndim; ++d)
      if (o.shape[d] != x.shape[d]) throw Error("unexpected output shape");
  }
  if (s.output(0).dtype != x.dtype || s.output(1).dtype != Dt::U32) throw Error("unexpected output dtypes");
  dispatch_all(x.dtype, [&](auto tag) { topk_lines<typename decltype(tag)::type>(s, k); });
}

void sort(const Step& s) {
  s.expect_inputs(1);
  s.expect_params(1);
  const View& x = s.input(0);
  check_same_shape(x, s.out, "the input");
  const int axis = normalize_axis(s.int_param(0), x.ndim);
  const bool arg = s.op == Op::argsort;
  if (arg ? s.out.dtype != Dt::U32 : s.out.dtype != x.dtype) throw Error("unexpected output dtype");
  if (arg && x.shape[axis] > int64_t(UINT32_MAX) + 1) throw Error("the axis is too long for uint32 indices");
  if (x.shape[axis] > int64_t(UINT32_MAX)) throw Error("the axis is too long to sort (at most 2^32 - 1 elements)");
  dispatch_all(x.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if (arg)
      sort_axis<T, true>(s, axis);
    else
      sort_axis<T, false>(s, axis);
  });
}

}  // namespace mlx_cpu
