#include "program.h"

#include <cmath>
#include <new>
#include <string>

#include "kernels.h"

namespace mlx_cpu {

class Reader {
 public:
  Reader(const double* p, size_t n) : p_(p), n_(n) {}
  bool done() const { return i_ >= n_; }
  size_t remaining() const { return n_ - i_; }
  double real() {
    if (i_ >= n_) throw Error("malformed program: it ends inside a step");
    return p_[i_++];
  }
  int64_t integer(int64_t lo, int64_t hi, const char* what) {
    const double v = real();
    if (!(v >= double(lo) && v <= double(hi)) || v != std::floor(v)) {
      throw Error(std::string("malformed program: ") + what + " " + std::to_string(v) + " is out of range");
    }
    return int64_t(v);
  }

 private:
  const double* p_;
  size_t n_;
  size_t i_ = 0;
};

namespace {

constexpr int64_t kMaxInt = int64_t(1) << 53;  // integers a double holds exactly

const char* const kOpNames[] = {
#define MLX_TS_ELEMENTWISE_OP_NAME(name, family, functor, kind) #name,
#define MLX_TS_OP_NAME(name) #name,
    MLX_TS_ELEMENTWISE_OPS(MLX_TS_ELEMENTWISE_OP_NAME) MLX_TS_OTHER_OPS(MLX_TS_OP_NAME)
#undef MLX_TS_OP_NAME
#undef MLX_TS_ELEMENTWISE_OP_NAME
};

void check_in_bounds(const View& v, size_t bytes, int input) {
  if (v.size == 0) return;
  __int128 lo = v.offset, hi = v.offset;
  for (int d = 0; d < v.ndim; ++d) {
    const __int128 extent = __int128(v.shape[d] - 1) * v.strides[d];
    (extent < 0 ? lo : hi) += extent;
  }
  if (lo < 0 || (hi + 1) * itemsize(v.dtype) > __int128(bytes)) {
    throw Error("input " + std::to_string(input) + " (" + dtype_name(v.dtype) +
                ") addresses elements outside its storage; the view's offset and strides do not fit a buffer of " +
                std::to_string(bytes) + " bytes");
  }
}

std::string shape_string(const View& v) {
  std::string out = "[";
  for (int d = 0; d < v.ndim; ++d) out += (d ? ", " : "") + std::to_string(v.shape[d]);
  return out + "]";
}

std::string step_context(const Step* s, size_t index) {
  return std::string("cpu backend: ") + (s ? op_name(s->op) : "step") + " (step " + std::to_string(index) + "): ";
}

}  // namespace

void run_step(const Step& s) {
  if (has_complex(s)) return complex_step(s);
  switch (s.op) {
#define MLX_TS_ELEMENTWISE_CASE(name, family, functor, kind) \
  case Op::name:                                             \
    return family(s);
    MLX_TS_ELEMENTWISE_OPS(MLX_TS_ELEMENTWISE_CASE)
#undef MLX_TS_ELEMENTWISE_CASE
    case Op::sum:
    case Op::prod:
    case Op::max:
    case Op::min:
      return reduce(s);
    case Op::argmax:
    case Op::argmin:
      return arg_reduce(s);
    case Op::cumsum:
    case Op::cumprod:
    case Op::cummax:
    case Op::cummin:
    case Op::logcumsumexp:
      return scan(s);
    case Op::view:
      return view(s);
    case Op::astype:
      return astype(s);
    case Op::where:
      return where(s);
    case Op::sort:
    case Op::argsort:
      return sort(s);
    case Op::softmax:
    case Op::logsumexp:
      return softmax(s);
    case Op::concatenate:
      return concatenate(s);
    case Op::pad:
      return pad(s);
    case Op::gather:
      return gather(s);
    case Op::gatherAxis:
      return gather_axis(s);
    case Op::scatter:
      return scatter(s);
    case Op::scatterAxis:
      return scatter_axis(s);
    case Op::matmul:
      return matmul(s);
    case Op::arange:
      return arange(s);
    case Op::randomBits:
      return random_bits(s);
    case Op::compiled:
      return compiled(s);
    case Op::divmod:
      return divmod(s);
    case Op::topk:
      return topk(s);
    case Op::convolution:
      return convolution(s);
    case Op::quantizedMatmul:
      return quantized_matmul(s);
    case Op::rmsNorm:
    case Op::layerNorm:
      return fast_norm(s);
    case Op::rope:
      return rope(s);
    case Op::scaledDotProductAttention:
      return scaled_dot_product_attention(s);
    case Op::allReduce:
    case Op::allGather:
    case Op::send:
    case Op::recv:
      return distributed(s);
    case Op::qr:
    case Op::svd:
    case Op::inv:
    case Op::triInv:
    case Op::cholesky:
    case Op::eigh:
    case Op::luFactor:
      return linalg(s);
    case Op::imag:
    case Op::conjugate:
    case Op::fft:
    case Op::eig:
    case Op::eigvals:
      return complex_step(s);
  }
  throw Error("unknown opcode");
}

const char* op_name(Op op) {
  const int i = int(op);
  return i >= 0 && i < kOpCount ? kOpNames[i] : "unknown";
}

int itemsize(Dt d) {
  static constexpr int sizes[kDtypeCount] = {
#define MLX_TS_DTYPE_SIZE(dt, name, storage) int(sizeof(storage)),
      MLX_TS_DTYPES(MLX_TS_DTYPE_SIZE)
#undef MLX_TS_DTYPE_SIZE
  };
  return sizes[int(d)];
}

const char* dtype_name(Dt d) {
  static const char* const names[kDtypeCount] = {
#define MLX_TS_DTYPE_NAME(dt, name, storage) #name,
      MLX_TS_DTYPES(MLX_TS_DTYPE_NAME)
#undef MLX_TS_DTYPE_NAME
  };
  const int i = int(d);
  return i >= 0 && i < kDtypeCount ? names[i] : "unknown dtype";
}

int64_t Step::int_param(int i) const {
  const double v = params[i];
  if (!(v >= -double(kMaxInt) && v <= double(kMaxInt)) || v != std::floor(v)) {
    throw Error("parameter " + std::to_string(i) + " must be an integer, got " + std::to_string(v));
  }
  return int64_t(v);
}

double Step::float_param(int i) const { return params[i]; }

void Step::expect_inputs(int n) const {
  if (nin != n) throw Error("expected " + std::to_string(n) + " inputs, got " + std::to_string(nin));
}

void Step::expect_outputs(int n) const {
  if (nextra + 1 != n) throw Error("expected " + std::to_string(n) + " outputs, got " + std::to_string(nextra + 1));
}

void Step::expect_params(int n) const {
  if (nparams != n) throw Error("expected " + std::to_string(n) + " parameters, got " + std::to_string(nparams));
}

// Reads one output's dtype, shape and place into `out` (contiguous strides); returns whether it
// was placed in a given buffer or over an earlier slot (`*reuse`, else -1); otherwise `run`
// allocates it.
bool Program::decode_output(Reader& r, View& out, BufferSource& buffers, int64_t* reuse) {
  *reuse = -1;
  out.dtype = Dt(r.integer(0, kDtypeCount - 1, "dtype code"));
  out.ndim = int(r.integer(0, kMaxDims, "output rank (at most 64 dimensions)"));
  int64_t* shape = dims_.data() + dims_.size();
  int64_t size = 1;
  for (int d = 0; d < out.ndim; ++d) {
    const int64_t n = r.integer(0, kMaxInt, "dimension");
    dims_.push_back(n);
    if (__builtin_mul_overflow(size, n, &size) || size > kMaxInt) throw Error("the output has too many elements");
  }
  int64_t* strides = dims_.data() + dims_.size();
  dims_.resize(dims_.size() + out.ndim);
  int64_t stride = 1;
  for (int d = out.ndim - 1; d >= 0; --d) {
    strides[d] = stride;
    stride *= shape[d];
  }
  out.shape = shape;
  out.strides = strides;
  out.size = size;
  if (size > int64_t(SIZE_MAX / 8)) throw Error("the output has too many elements");
  const size_t out_bytes = size_t(size) * itemsize(out.dtype);
  // -1: a new buffer; -2 - j: over output slot j of an earlier step, which no later step reads (a
  // donated intermediate); otherwise a buffer and a byte offset to write at (small outputs share
  // a slab, donated inputs lend theirs).
  const int64_t earlier = first_slot_.empty() ? 0 : int64_t(first_slot_.back());
  const int64_t place = r.integer(-2 - earlier + 1, kMaxInt, "output buffer");
  if (place == -1) {
    out.base = nullptr;  // allocated by run, just before the step
    return false;
  }
  if (place < -1) {
    const int64_t j = -place - 2;
    if (out_bytes > out_bytes_[size_t(j)]) {
      throw Error("the output (" + std::to_string(out_bytes) + " bytes) does not fit the buffer of output slot " +
                  std::to_string(j) + " (" + std::to_string(out_bytes_[size_t(j)]) + " bytes)");
    }
    *reuse = j;
    out.base = nullptr;  // the earlier slot's buffer, once its step has run
    return true;
  }
  const int64_t at = r.integer(0, kMaxInt, "output offset");
  char* data = nullptr;
  size_t bytes = 0;
  buffers.input(place, &data, &bytes);
  if (at % itemsize(out.dtype) != 0 || size_t(at) > bytes || out_bytes > bytes - size_t(at)) {
    throw Error("the output's place (byte " + std::to_string(at) + ") does not fit its buffer of " +
                std::to_string(bytes) + " bytes");
  }
  out.base = data + at;
  return true;
}

void Program::add_slot(View* v, bool placed, int64_t reuse) {
  reuses_.push_back(reuse);
  slot_views_.push_back(v);
  out_bytes_.push_back(size_t(v->size) * itemsize(v->dtype));
  allocates_.push_back(placed ? 0 : 1);
  if (!placed) ++new_outputs_;
}

void Program::decode(const double* program, size_t length, BufferSource& buffers) {
  // Views, steps and steps' parameters point into these vectors, so they are sized once for the
  // most any program of this length can hold (an input takes at least 4 numbers, a step 6, an
  // extra output 3, and each number becomes at most two dims) and never reallocate.
  dims_.clear();
  params_.clear();
  views_.clear();
  extra_views_.clear();
  producers_.clear();
  steps_.clear();
  first_slot_.clear();
  slot_views_.clear();
  out_bytes_.clear();
  allocates_.clear();
  reuses_.clear();
  new_outputs_ = 0;
  dims_.reserve(2 * length);
  params_.reserve(length);
  views_.reserve(length / 4 + 1);
  extra_views_.reserve(length / 3 + 1);
  producers_.reserve(length / 4 + 1);
  steps_.reserve(length / 6 + 1);
  first_slot_.reserve(length / 6 + 1);
  slot_views_.reserve(length / 3 + 1);
  out_bytes_.reserve(length / 3 + 1);
  allocates_.reserve(length / 3 + 1);
  reuses_.reserve(length / 3 + 1);

  Reader r(program, length);
  while (!r.done()) {
    const size_t index = steps_.size();
    steps_.emplace_back();
    Step& s = steps_.back();
    const Step* known = nullptr;  // names the step in errors once its opcode is read
    try {
      s.op = Op(r.integer(0, kOpCount - 1, "opcode"));
      known = &s;
      first_slot_.push_back(slot_views_.size());
      int64_t reuse = -1;
      const bool placed = decode_output(r, s.out, buffers, &reuse);
      add_slot(&s.out, placed, reuse);
      s.nextra = int(r.integer(0, kMaxOutputs - 1, "extra output count"));
      s.extra = extra_views_.data() + extra_views_.size();
      for (int k = 0; k < s.nextra; ++k) {
        extra_views_.emplace_back();
        View& v = extra_views_.back();
        const bool placed_extra = decode_output(r, v, buffers, &reuse);
        add_slot(&v, placed_extra, reuse);
      }
      const int64_t slots_before = int64_t(first_slot_.back());

      s.nin = int(r.integer(0, int64_t(r.remaining() / 4), "input count"));
      s.in = views_.data() + views_.size();
      for (int i = 0; i < s.nin; ++i) {
        View v;
        const int64_t source = r.integer(-slots_before, kMaxInt, "input source");
        v.dtype = Dt(r.integer(0, kDtypeCount - 1, "dtype code"));
        v.ndim = int(r.integer(0, kMaxDims, "input rank (at most 64 dimensions)"));
        v.shape = dims_.data() + dims_.size();
        v.size = 1;
        for (int d = 0; d < v.ndim; ++d) {
          const int64_t n = r.integer(0, kMaxInt, "dimension");
          dims_.push_back(n);
          if (__builtin_mul_overflow(v.size, n, &v.size)) throw Error("an input has too many elements");
        }
        v.strides = dims_.data() + dims_.size();
        for (int d = 0; d < v.ndim; ++d) dims_.push_back(r.integer(-kMaxInt, kMaxInt, "stride"));
        v.offset = r.integer(0, kMaxInt, "offset");
        size_t bytes;
        int64_t producer_slot = -1;
        if (source >= 0) {
          buffers.input(source, &v.base, &bytes);
        } else {
          producer_slot = -source - 1;
          v.base = slot_views_[size_t(producer_slot)]->base;  // null until the producer runs, when it is a new buffer
          bytes = out_bytes_[size_t(producer_slot)];
        }
        check_in_bounds(v, bytes, i);
        views_.push_back(v);
        producers_.push_back(producer_slot);
      }

      s.nparams = int(r.integer(0, int64_t(r.remaining()), "parameter count"));
      s.params = params_.data() + params_.size();
      for (int i = 0; i < s.nparams; ++i) params_.push_back(r.real());
    } catch (const std::bad_alloc&) {
      throw Error(step_context(known, index) + "out of memory");
    } catch (const std::exception& e) {
      throw Error(step_context(known, index) + e.what());
    }
  }
}

void Program::run(OutputAllocator& outputs) {
  for (size_t i = 0; i < steps_.size(); ++i) {
    Step& s = steps_[i];
    for (size_t slot = first_slot_[i], end = slot + size_t(s.nextra) + 1; slot < end; ++slot) {
      if (reuses_[slot] >= 0) slot_views_[slot]->base = slot_views_[size_t(reuses_[slot])]->base;
      if (!allocates_[slot]) continue;
      try {
        slot_views_[slot]->base = outputs.output(out_bytes_[slot]);
      } catch (const std::bad_alloc&) {
        throw Error(step_context(&s, i) + "out of memory: " + std::to_string(out_bytes_[slot]) +
                    " bytes for an output of shape " + shape_string(*slot_views_[slot]) + " (" +
                    dtype_name(slot_views_[slot]->dtype) + ")");
      } catch (const std::exception& e) {
        throw Error(step_context(&s, i) + e.what());
      }
    }
    try {
      const size_t first_view = size_t(s.in - views_.data());
      for (int k = 0; k < s.nin; ++k) {
        const int64_t p = producers_[first_view + size_t(k)];
        if (p >= 0) views_[first_view + size_t(k)].base = slot_views_[size_t(p)]->base;
      }
      run_step(s);
    } catch (const std::bad_alloc&) {
      throw Error(step_context(&s, i) + "out of memory for the kernel's working buffers");
    } catch (const std::exception& e) {
      throw Error(step_context(&s, i) + e.what());
    }
  }
}

}  // namespace mlx_cpu
