// compiled: compile's fused elementwise program. It runs tile by tile: each instruction is an
// ordinary elementwise kernel applied to registers that hold one tile in their dtype (so every
// register rounds exactly as storing it would), and only the last register reaches the output.
//
// When compile has generated and loaded C++ for the program (jit.h), the tiles go through that
// kernel instead, which keeps every register of an element in CPU registers.
//
// Params: kernel id (-1: interpret), nInputs, nInstrs, then per instruction: opcode (-1 for a
// constant), dtype, nArgs, args[nArgs], value (the constant's value, else 0).
#include <algorithm>
#include <memory>
#include <vector>

#include "jit.h"
#include "kernels.h"
#include "parallel.h"
#include "strided.h"

namespace mlx_cpu {

namespace {

struct Instr {
  bool constant;
  Op op;
  Dt dtype;
  std::vector<int> args;
  double value;
};

bool is_elementwise(Op op) {
  if (op == Op::astype || op == Op::where) return true;
  return int(op) < kElementwiseOpCount;  // ops.h lists them first
}

std::vector<Instr> decode_instructions(const Step& s, int inputs) {
  const int64_t count = s.nparams >= 3 ? s.int_param(2) : -1;
  if (count < 1) throw Error("a compiled program needs at least one instruction");
  std::vector<Instr> instrs;
  int i = 3;
  const auto next = [&]() {
    if (i >= s.nparams) throw Error("the compiled program's parameters end early");
    return s.int_param(i++);
  };
  for (int64_t k = 0; k < count; ++k) {
    Instr ins;
    const int64_t op = next();
    ins.constant = op == -1;
    if (!ins.constant && !(op >= 0 && op < kOpCount && is_elementwise(Op(op)))) {
      throw Error("instruction " + std::to_string(k) + " is not an elementwise primitive");
    }
    ins.op = ins.constant ? Op::astype : Op(op);
    const int64_t dtype = next();
    if (dtype < 0 || dtype >= kDtypeCount) throw Error("instruction " + std::to_string(k) + " has a bad dtype");
    ins.dtype = Dt(dtype);
    const int64_t nargs = next();
    if (nargs < 0 || nargs > 3 || (ins.constant && nargs != 0))
      throw Error("instruction " + std::to_string(k) + " has a bad argument count");
    for (int64_t a = 0; a < nargs; ++a) {
      const int64_t r = next();
      if (r < 0 || r >= inputs + k)
        throw Error("instruction " + std::to_string(k) + " reads a register not yet written");
      ins.args.push_back(int(r));
    }
    if (i >= s.nparams) throw Error("the compiled program's parameters end early");
    ins.value = s.float_param(i++);
    instrs.push_back(std::move(ins));
  }
  if (i != s.nparams) throw Error("the compiled program has extra parameters");
  return instrs;
}

constexpr int64_t kTile = 1024;

// How a tile of an input is found: in place (row-contiguous), the same tile for every tile (all
// strides zero: a broadcast scalar, filled once per chunk), or gathered tile by tile.
enum class Access { InPlace, Invariant, Gathered };

Access access_of(const View& v) {
  if (is_row_contiguous(v)) return Access::InPlace;
  for (int d = 0; d < v.ndim; ++d) {
    if (v.shape[d] > 1 && v.strides[d] != 0) return Access::Gathered;
  }
  return Access::Invariant;
}

// Copies elements [start, start + length) of `in` (in row-major order of `out`'s shape) to dst.
void gather_tile(const View& in, const View& out, int64_t start, int64_t length, char* dst) {
  dispatch_width(in.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* d = reinterpret_cast<T*>(dst);
    const T* src = reinterpret_cast<const T*>(in.base);
    NdIter<2> it(in.ndim, in.shape, {out.strides, in.strides}, {0, in.offset});
    it.for_range(start, start + length, [&](const int64_t* o, int64_t n, const int64_t* st) {
      for (int64_t j = 0; j < n; ++j) d[o[0] - start + j] = src[o[1] + j * st[1]];
    });
  });
}

void fill_constant(const Instr& ins, char* dst, int64_t length) {
  dispatch_all(ins.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    std::fill(reinterpret_cast<T*>(dst), reinterpret_cast<T*>(dst) + length, to<T>(ins.value));
  });
}

}  // namespace

void compiled(const Step& s) {
  const int64_t kernel_id = s.nparams >= 1 ? s.int_param(0) : -2;
  const int64_t inputs = s.nparams >= 2 ? s.int_param(1) : -1;
  if (inputs != s.nin) throw Error("the compiled program's input count does not match its inputs");
  for (int i = 0; i < s.nin; ++i) check_same_shape(s.input(i), s.out, "an input");
  const std::vector<Instr> instrs = decode_instructions(s, s.nin);
  if (instrs.back().dtype != s.out.dtype) throw Error("the last instruction's dtype is not the output dtype");
  const FusedKernel kernel = kernel_id == -1 ? nullptr : fused_kernel(kernel_id);
  std::vector<double> constants;
  for (const Instr& ins : instrs) {
    if (ins.constant) constants.push_back(ins.value);
  }
  const int regs = s.nin + int(instrs.size());
  std::vector<Access> access(size_t(s.nin));
  bool all_in_place = true;
  for (int i = 0; i < s.nin; ++i) {
    access[size_t(i)] = access_of(s.input(i));
    all_in_place = all_in_place && access[size_t(i)] == Access::InPlace;
  }
  const auto input_at = [&](int i, int64_t start) {
    const View& in = s.input(i);
    return in.base + (in.offset + start) * itemsize(in.dtype);
  };

  if (kernel && all_in_place) {
    // The common case needs no tiles at all: one call per thread's chunk.
    parallel_for(s.out.size, kTile * 16, [&](int64_t first, int64_t last) {
      std::vector<const void*> ptrs(size_t(s.nin));
      for (int i = 0; i < s.nin; ++i) ptrs[size_t(i)] = input_at(i, first);
      kernel(ptrs.data(), s.out.base + (s.out.offset + first) * itemsize(s.out.dtype), last - first, constants.data());
    });
    return;
  }

  const int64_t tiles = (s.out.size + kTile - 1) / kTile;
  parallel_for(tiles, 16, [&](int64_t first, int64_t last) {
    // One tile-sized slot per register (8 bytes holds any dtype).
    std::unique_ptr<int64_t[]> arena(new int64_t[size_t(regs) * kTile]);
    const auto slot = [&](int r) { return reinterpret_cast<char*>(arena.get() + r * kTile); };
    const int64_t tile_len = std::min(kTile, s.out.size - first * kTile);
    // Broadcast scalars and constants hold the same values in every tile.
    for (int i = 0; i < s.nin; ++i) {
      if (access[size_t(i)] == Access::Invariant) gather_tile(s.input(i), s.out, 0, tile_len, slot(i));
    }
    // (A generated kernel takes the constants as arguments.)
    for (size_t k = 0; !kernel && k + 1 < instrs.size(); ++k) {
      if (instrs[k].constant) fill_constant(instrs[k], slot(s.nin + int(k)), tile_len);
    }
    std::vector<View> reg(static_cast<size_t>(regs));
    std::vector<const void*> ptrs(size_t(s.nin));
    int64_t length = 0;
    const int64_t unit = 1;
    for (int r = 0; r < regs; ++r) {
      View& v = reg[size_t(r)];
      v.base = slot(r);
      v.dtype = r < s.nin ? s.input(r).dtype : instrs[size_t(r - s.nin)].dtype;
      v.ndim = 1;
      v.shape = &length;
      v.strides = &unit;
    }
    for (int64_t t = first; t < last; ++t) {
      const int64_t start = t * kTile;
      length = std::min(kTile, s.out.size - start);
      for (int i = 0; i < s.nin; ++i) {
        switch (access[size_t(i)]) {
          case Access::InPlace:
            ptrs[size_t(i)] = input_at(i, start);
            break;
          case Access::Invariant:
            ptrs[size_t(i)] = slot(i);
            break;
          case Access::Gathered:
            gather_tile(s.input(i), s.out, start, length, slot(i));
            ptrs[size_t(i)] = slot(i);
            break;
        }
      }
      char* out = s.out.base + (s.out.offset + start) * itemsize(s.out.dtype);
      if (kernel) {
        kernel(ptrs.data(), out, length, constants.data());
        continue;
      }
      for (int i = 0; i < s.nin; ++i) {
        reg[size_t(i)].base = static_cast<char*>(const_cast<void*>(ptrs[size_t(i)]));
        reg[size_t(i)].size = length;
      }
      for (size_t k = 0; k < instrs.size(); ++k) {
        const Instr& ins = instrs[k];
        View& dst = reg[size_t(s.nin) + k];
        dst.size = length;
        const bool last_instr = k + 1 == instrs.size();
        if (last_instr) dst.base = out;
        if (ins.constant) {
          if (last_instr) fill_constant(ins, out, length);
          continue;
        }
        View args[3];
        for (size_t a = 0; a < ins.args.size(); ++a) args[a] = reg[size_t(ins.args[a])];
        Step sub;
        sub.op = ins.op;
        sub.out = dst;
        sub.in = args;
        sub.nin = int(ins.args.size());
        run_step(sub);
      }
    }
  });
}

}  // namespace mlx_cpu
