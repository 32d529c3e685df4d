// The N-API binding's logic above Metal and above N-API, as a template over a Stream, so the same
// code serves the Mac addon (host/addon.cpp: MetalStream) and, on Linux, the fake-device addon
// (shim/fake_addon.cc: the shimmed kernels on a CPU grid run by a "GPU" thread):
// - decoding the program src/program.ts encodes (one Float64Array for a run of steps),
// - walking the steps: each planned by host/plan.h and encoded on the stream, until the first one
//   the plan does not cover, where the walk stops and says why, so the TypeScript side runs that
//   step on the CPU backend over the same bytes and calls again with the rest,
// - lifetimes: JS holds each block it sees (until GC or dispose: `Hold`), command buffers hold the
//   blocks they use until they complete (host_logic.h), and a CPU reader waits for the event value
//   of the command buffer that wrote a block (`wait_ready`), not for the whole device.
// Nothing here touches JS values: the N-API glue (host/napi_binding.h) converts at the edges.
#pragma once

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "host_logic.h"
#include "plan.h"

namespace mlx_metal {

/** Where a step input comes from: one of the call's buffers, or an output of an earlier step of the program. */
struct Source {
  bool from_step = false;
  int index = 0;
};

struct ProgramStep {
  StepDesc desc;
  std::vector<Source> sources;
};

/**
 * Decodes a program (src/program.ts writes it):
 *   program := nSteps, step[nSteps]
 *   step    := prim, outDtype, ndim, shape[ndim], nInputs, input[nInputs], nParams, params[nParams]
 *   input   := source, dtype, ndim, shape[ndim], strides[ndim], offset
 *   source  := b >= 0 for buffers[b]; -(j + 1) for the output of step j of this program (j < this step)
 * `prim` indexes `prims`, dtypes index `dtype_names` (core's Dtype.code). Throws std::invalid_argument
 * naming what is malformed.
 */
inline std::vector<ProgramStep> decode_program(const double* p, size_t length, const std::vector<std::string>& prims,
                                               const std::vector<std::string>& dtype_names, size_t buffer_count) {
  size_t at = 0;
  const auto bad = [](const std::string& why) {
    return std::invalid_argument("metal backend: malformed program: " + why);
  };
  const auto next = [&]() -> int64_t {
    if (at >= length) throw bad("it ends early");
    const double v = p[at++];
    if (!(std::fabs(v) <= 9007199254740992.0) || v != std::floor(v))
      throw bad("a non-integer where an integer belongs");
    return int64_t(v);
  };
  const auto count = [&](const char* what) -> size_t {
    const int64_t n = next();
    if (n < 0 || size_t(n) > length) throw bad(std::string("a negative or huge ") + what);
    return size_t(n);
  };
  const auto dtype = [&]() -> std::string {
    const int64_t c = next();
    if (c < 0 || size_t(c) >= dtype_names.size()) throw bad("dtype code " + std::to_string(c) + " out of range");
    return dtype_names[size_t(c)];
  };
  const auto ints = [&](size_t n) {
    std::vector<int64_t> v(n);
    for (auto& x : v) x = next();
    return v;
  };
  std::vector<ProgramStep> steps(count("step count"));
  for (size_t i = 0; i < steps.size(); ++i) {
    ProgramStep& s = steps[i];
    const int64_t prim = next();
    if (prim < 0 || size_t(prim) >= prims.size())
      throw bad("primitive index " + std::to_string(prim) + " out of range");
    s.desc.prim = prims[size_t(prim)];
    s.desc.out_dtype = dtype();
    s.desc.out_shape = ints(count("ndim"));
    for (int64_t d : s.desc.out_shape)
      if (d < 0) throw bad("a negative output dimension");
    const size_t n_in = count("input count");
    for (size_t k = 0; k < n_in; ++k) {
      const int64_t src = next();
      Source from;
      if (src >= 0) {
        if (size_t(src) >= buffer_count) throw bad("buffer index " + std::to_string(src) + " out of range");
        from = {false, int(src)};
      } else {
        const int64_t j = -src - 1;
        if (j >= int64_t(i)) throw bad("step " + std::to_string(i) + " reads the output of step " + std::to_string(j));
        from = {true, int(j)};
      }
      ViewDesc v;
      v.dtype = dtype();
      const size_t nd = count("ndim");
      v.shape = ints(nd);
      v.strides = ints(nd);
      v.offset = next();
      s.sources.push_back(from);
      s.desc.inputs.push_back(std::move(v));
    }
    s.desc.params = ints(count("param count"));
  }
  if (at != length) throw bad("trailing numbers after the last step");
  return steps;
}

/**
 * The binding's state over one Stream (MetalStream, or the Linux fake). Stream provides `cache()`
 * (a host_logic.h BlockCache), `encode(const Plan&, inputs, out)`, `flush()`, `wait(value)`,
 * `pending_value()` and `committed_value()`. Used from the JS thread only, except that command
 * buffers' completion handlers release blocks through the (locked) cache.
 */
template <typename Stream>
class Binding {
 public:
  using B = std::remove_pointer_t<decltype(std::declval<Stream&>().cache().acquire(0))>;

  /**
   * JS's hold on one block: the external ArrayBuffer over its contents, which carries it (napi_wrap,
   * so a buffer is known by identity: V8 may give every empty buffer the same data pointer). Freed
   * by the buffer's finalizer.
   */
  struct Hold {
    B* block;
    size_t bytes;  // the ArrayBuffer's length (the block is rounded up to pages)
    bool dropped = false;
  };

  Binding(Stream& stream, std::vector<std::string> dtype_names) : stream_(stream), dtypes_(std::move(dtype_names)) {}

  const std::vector<std::string>& dtype_names() const { return dtypes_; }

  /** A new block held by JS, `bytes` long as JS sees it. */
  Hold* alloc(size_t bytes) {
    B* b = stream_.cache().acquire(bytes);
    auto* h = new Hold{b, bytes};
    live_bytes_ += bytes;
    return h;
  }

  /**
   * `dispose`: JS's hold ends now (the ArrayBuffer is detached next). The block returns to the
   * cache once no command buffer in flight uses it. Returns the bytes JS no longer holds.
   */
  size_t drop(Hold* h) {
    if (h->dropped) return 0;
    h->dropped = true;
    live_bytes_ -= h->bytes;
    stream_.cache().release(h->block);
    return h->bytes;
  }
  /** The ArrayBuffer was collected: drops the hold if `dispose` did not, and frees it. */
  size_t finalize(Hold* h) {
    const size_t n = drop(h);
    delete h;
    return n;
  }

  /** Before the CPU (JS, a CPU kernel) reads a block: commits the work that writes it and waits for it. */
  void wait_ready(const Hold* h) {
    const uint64_t v = h->block->ready;
    if (v == 0) return;
    if (v > stream_.committed_value()) stream_.flush();
    stream_.wait(v);
  }

  struct RunResult {
    std::vector<Hold*> outputs;  // one per step run, in order
    size_t stop = 0;             // the first step not run (== steps.size() when all ran)
    std::string why;             // why `stop` was not planned (host/plan.h's Unsupported)
    uint64_t value = 0;          // the event value after which every output is final
  };

  /**
   * Encodes the steps until the first one the plan does not cover, commits what it encoded (so the
   * GPU starts; nothing waits here) and returns the outputs' holds.
   */
  RunResult run(const std::vector<ProgramStep>& steps, const std::vector<Hold*>& buffers) {
    RunResult r;
    try {
      walk(steps, buffers, r);
    } catch (...) {
      // JS never sees these outputs: drop them (command buffers already holding them keep them
      // until they complete), and commit what was encoded so that happens.
      stream_.flush();
      for (Hold* h : r.outputs) finalize(h);
      throw;
    }
    r.value = stream_.flush();
    return r;
  }

  size_t live_bytes() const { return live_bytes_; }
  uint64_t gpu_steps() const { return gpu_steps_; }
  Stream& stream() { return stream_; }

 private:
  void walk(const std::vector<ProgramStep>& steps, const std::vector<Hold*>& buffers, RunResult& r) {
    for (size_t i = 0; i < steps.size(); ++i) {
      const ProgramStep& s = steps[i];
      Plan plan;
      int64_t out_bytes = 0;
      try {
        plan = plan_step(s.desc);
        out_bytes = numel(s.desc.out_shape) * dtype_size(s.desc.out_dtype);
      } catch (const Unsupported& e) {
        r.stop = i;
        r.why = e.what();
        break;
      }
      std::vector<B*> inputs;
      for (const Source& src : s.sources) {
        Hold* h = src.from_step ? r.outputs.at(size_t(src.index)) : buffers.at(size_t(src.index));
        if (h == nullptr || h->dropped)
          throw std::runtime_error("metal backend: an input of '" + s.desc.prim +
                                   "' was released (its array was disposed)");
        inputs.push_back(h->block);
      }
      Hold* out = alloc(size_t(out_bytes));
      r.outputs.push_back(out);
      stream_.encode(plan, inputs, out->block);
      out->block->ready = plan.dispatches.empty() ? 0 : stream_.pending_value();
      r.stop = i + 1;
      gpu_steps_++;
    }
  }

  Stream& stream_;
  std::vector<std::string> dtypes_;
  size_t live_bytes_ = 0;
  uint64_t gpu_steps_ = 0;
};

}  // namespace mlx_metal
