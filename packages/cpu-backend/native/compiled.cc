// compiled: compile's fused elementwise program. It runs tile by tile: each instruction is an
// ordinary elementwise kernel applied to registers that hold one tile in their dtype (so every
// register rounds exactly as storing it would), and only the last register reaches the output.
//
// Params: nInputs, nInstrs, then per instruction: opcode (-1 for a constant), dtype, nArgs,
// args[nArgs], value (the constant's value, else 0).
#include <algorithm>
#include <memory>
#include <vector>

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
  return int(op) >= int(Op::abs) && int(op) <= int(Op::logicalOr);
}

std::vector<Instr> decode_instructions(const Step& s, int inputs) {
  const int64_t count = s.nparams >= 2 ? s.int_param(1) : -1;
  if (count < 1) throw Error("a compiled program needs at least one instruction");
  std::vector<Instr> instrs;
  int i = 2;
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
    if (nargs < 0 || nargs > 3 || (ins.constant && nargs != 0)) throw Error("instruction " + std::to_string(k) + " has a bad argument count");
    for (int64_t a = 0; a < nargs; ++a) {
      const int64_t r = next();
      if (r < 0 || r >= inputs + k) throw Error("instruction " + std::to_string(k) + " reads a register not yet written");
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

}  // namespace

void compiled(const Step& s) {
  const int64_t inputs = s.nparams >= 1 ? s.int_param(0) : -1;
  if (inputs != s.nin) throw Error("the compiled program's input count does not match its inputs");
  for (int i = 0; i < s.nin; ++i) check_same_shape(s.input(i), s.out, "an input");
  const std::vector<Instr> instrs = decode_instructions(s, s.nin);
  if (instrs.back().dtype != s.out.dtype) throw Error("the last instruction's dtype is not the output dtype");
  const int regs = s.nin + int(instrs.size());
  std::vector<bool> contiguous(size_t(s.nin));
  for (int i = 0; i < s.nin; ++i) contiguous[size_t(i)] = is_row_contiguous(s.input(i));

  const int64_t tiles = (s.out.size + kTile - 1) / kTile;
  parallel_for(tiles, 16, [&](int64_t first, int64_t last) {
    // One tile-sized slot per register (8 bytes holds any dtype).
    std::unique_ptr<int64_t[]> arena(new int64_t[size_t(regs) * kTile]);
    std::vector<View> reg(static_cast<size_t>(regs));
    int64_t length = 0;
    const int64_t unit = 1;
    for (int r = 0; r < regs; ++r) {
      View& v = reg[size_t(r)];
      v.base = reinterpret_cast<char*>(arena.get() + r * kTile);
      v.dtype = r < s.nin ? s.input(r).dtype : instrs[size_t(r - s.nin)].dtype;
      v.ndim = 1;
      v.shape = &length;
      v.strides = &unit;
    }
    for (int64_t t = first; t < last; ++t) {
      const int64_t start = t * kTile;
      length = std::min(kTile, s.out.size - start);
      for (View& v : reg) v.size = length, v.offset = 0;
      for (int i = 0; i < s.nin; ++i) {
        const View& in = s.input(i);
        View& v = reg[size_t(i)];
        if (contiguous[size_t(i)]) {
          v.base = in.base;
          v.offset = in.offset + start;
          continue;
        }
        // Gather this tile of a strided input: NdIter over the input, its linear range [start, end).
        v.base = reinterpret_cast<char*>(arena.get() + i * kTile);
        dispatch_width(in.dtype, [&](auto tag) {
          using T = typename decltype(tag)::type;
          T* dst = reinterpret_cast<T*>(v.base);
          const T* src = reinterpret_cast<const T*>(in.base);
          NdIter<2> it(in.ndim, in.shape, {s.out.strides, in.strides}, {0, in.offset});
          it.for_range(start, start + length, [&](const int64_t* o, int64_t n, const int64_t* st) {
            for (int64_t j = 0; j < n; ++j) dst[o[0] - start + j] = src[o[1] + j * st[1]];
          });
        });
      }
      for (size_t k = 0; k < instrs.size(); ++k) {
        const Instr& ins = instrs[k];
        View& out = reg[size_t(s.nin) + k];
        if (k + 1 == instrs.size()) {
          out.base = s.out.base;
          out.offset = start;
        }
        if (ins.constant) {
          dispatch_all(ins.dtype, [&](auto tag) {
            using T = typename decltype(tag)::type;
            std::fill(out.at<T>(), out.at<T>() + length, to<T>(ins.value));
          });
          continue;
        }
        View args[3];
        for (size_t a = 0; a < ins.args.size(); ++a) args[a] = reg[size_t(ins.args[a])];
        Step sub;
        sub.op = ins.op;
        sub.out = out;
        sub.in = args;
        sub.nin = int(ins.args.size());
        run_step(sub);
      }
    }
  });
}

}  // namespace mlx_cpu
