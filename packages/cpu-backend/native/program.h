// A step list as the addon runs it: decoded from the Float64Array program the TypeScript wrapper
// encodes (src/program.ts documents the layout), validated up front so no kernel can read or write
// outside a buffer, then run in order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "dtype.h"
#include "ops.h"

namespace mlx_cpu {

constexpr int kMaxDims = 64;
constexpr int kMaxOutputs = 16;  // outputs of one multi-output step

// A strided window onto a buffer. Offset and strides count elements; strides may be 0 or negative.
struct View {
  char* base = nullptr;
  Dt dtype = Dt::F32;
  int ndim = 0;
  const int64_t* shape = nullptr;
  const int64_t* strides = nullptr;
  int64_t offset = 0;
  int64_t size = 0;

  template <class T>
  T* at() const {
    return reinterpret_cast<T*>(base) + offset;
  }
};

struct Step {
  Op op;
  View out;                     // contiguous, row-major; the first output of a multi-output primitive
  const View* extra = nullptr;  // the other outputs of a multi-output primitive
  int nextra = 0;
  const View* in = nullptr;
  int nin = 0;
  const double* params = nullptr;
  int nparams = 0;

  const View& input(int i) const { return in[i]; }
  // Output k (0: `out`).
  const View& output(int k) const { return k == 0 ? out : extra[k - 1]; }
  void expect_outputs(int n) const;
  int64_t int_param(int i) const;
  double float_param(int i) const;
  void expect_inputs(int n) const;
  void expect_params(int n) const;
};

// Where a program's inputs come from; the N-API glue implements it with ArrayBuffers.
class BufferSource {
 public:
  virtual ~BufferSource() = default;
  // The storage behind buffer `index` (an input, or a slab that small outputs are placed in);
  // throws when it is missing or was released.
  virtual void input(int64_t index, char** data, size_t* bytes) = 0;
};

// Where outputs not placed in a given buffer come from, asked for as each step is about to run
// (on the thread that runs the program), so memory is taken as the run proceeds.
class OutputAllocator {
 public:
  virtual ~OutputAllocator() = default;
  // A new zeroed buffer of `bytes` bytes for the output of the step about to run.
  virtual char* output(size_t bytes) = 0;
};

// Reads a program's numbers, checking each against its range (program.cc).
class Reader;

class Program {
 public:
  // Decodes and validates the whole program; reads input buffers but allocates no output.
  void decode(const double* program, size_t length, BufferSource& buffers);
  // Runs the steps in order, allocating each new output just before its step.
  void run(OutputAllocator& outputs);
  size_t step_count() const { return steps_.size(); }
  // How many outputs `run` asks `outputs` for.
  size_t new_output_count() const { return new_outputs_; }

 private:
  bool decode_output(Reader& r, View& out, BufferSource& buffers, int64_t* reuse);
  void add_slot(View* v, bool placed, int64_t reuse);

  std::vector<int64_t> dims_;
  std::vector<double> params_;
  std::vector<View> views_;
  // The outputs of multi-output steps after their first (`Step::extra` points here).
  std::vector<View> extra_views_;
  // Per view: the output slot it reads (one slot per output of each step, in order), or -1 for a
  // buffer (bases are set as steps run).
  std::vector<int64_t> producers_;
  std::vector<Step> steps_;
  // Per step: its first output slot.
  std::vector<size_t> first_slot_;
  // Per output slot: its view, its bytes, and whether `run` allocates it (it was not placed in a
  // given buffer).
  std::vector<View*> slot_views_;
  std::vector<size_t> out_bytes_;
  std::vector<char> allocates_;
  // Per output slot: the earlier slot whose buffer it is written over (a donated intermediate,
  // core's Step.donate), or -1.
  std::vector<int64_t> reuses_;
  size_t new_outputs_ = 0;
};

}  // namespace mlx_cpu
