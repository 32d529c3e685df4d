// N-API glue. Storage is a V8 ArrayBuffer holding contiguous elements: V8 frees it during garbage
// collection even inside a synchronous JS loop and counts its bytes as external memory, so
// collection keeps pace with allocation; `detach` frees one at once.
//
// Exports:
//   execute(program: Float64Array, length, buffers: ArrayBuffer[]) -> ArrayBuffer[]
//     (the new buffers, in step order, of the steps whose output is not placed in a given buffer)
//   executeAsync(program, length, buffers) -> Promise<ArrayBuffer[]>
//   detach(buffer: ArrayBuffer)
//   opNames: string[]   (opcode i runs primitive opNames[i])
//   elementwiseOps: {name, family, functor, kind}[]   (ops.h's MLX_TS_ELEMENTWISE_OPS, in opcode order)
//   dtypes: {name, storage, size}[]   (dtype.h's MLX_TS_DTYPES: code i is dtypes[i])
#include <napi.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "allocator.h"
#include "distributed.h"
#include "jit.h"
#include "perf_info.h"
#include "program.h"

namespace mlx_cpu {

namespace {

// Raw napi calls here: each input and output costs two calls, which matters for tiny steps.
class ArrayBufferSource : public BufferSource, public OutputAllocator {
 public:
  ArrayBufferSource(Napi::Env env, Napi::Array inputs) : env_(env), inputs_(inputs), count_(inputs.Length()) {}

  void input(int64_t index, char** data, size_t* bytes) override {
    if (index >= int64_t(count_))
      throw Error("malformed program: buffer index " + std::to_string(index) + " out of range");
    // A slab holding many small outputs is named by many steps: look each buffer up once.
    if (resolved_.empty()) resolved_.resize(count_);
    Resolved& r = resolved_[size_t(index)];
    if (!r.known) {
      lookup(uint32_t(index), &r.data, &r.bytes);
      r.known = true;
    }
    *data = r.data;
    *bytes = r.bytes;
  }

  char* output(size_t bytes) override {
    // Large outputs come from the buffer cache (allocator.h); every kernel writes its whole
    // output, so a recycled block need not be zeroed first.
    void* data = nullptr;
    napi_value buffer;
    // A failed allocation (std::bad_alloc from the allocator, or a status from V8) is reported by the
    // step as out of memory, naming the op.
    if (create_output_buffer(env_, bytes, false, &data, &buffer) != napi_ok) throw std::bad_alloc();
    outputs_.push_back(buffer);
    return static_cast<char*>(data);
  }

  // The outputs as a JS array, made once its length is known (growing one element by element
  // costs more than the rest of a tiny step).
  Napi::Array outputs() const {
    napi_value array;
    if (napi_create_array_with_length(env_, outputs_.size(), &array) != napi_ok) throw Napi::Error::New(env_);
    for (size_t i = 0; i < outputs_.size(); ++i) {
      if (napi_set_element(env_, array, uint32_t(i), outputs_[i]) != napi_ok) throw Napi::Error::New(env_);
    }
    return Napi::Array(env_, array);
  }

 private:
  void lookup(uint32_t index, char** data, size_t* bytes) {
    napi_value v;
    if (napi_get_element(env_, inputs_, index, &v) != napi_ok) throw Napi::Error::New(env_);
    void* base = nullptr;
    if (napi_get_arraybuffer_info(env_, v, &base, bytes) != napi_ok) {
      throw Error("an input's storage is not an ArrayBuffer, so the cpu backend did not make it");
    }
    bool detached = false;
    if (*bytes == 0 && napi_is_detached_arraybuffer(env_, v, &detached) == napi_ok && detached) {
      throw Error("an input's storage was released (its array was disposed)");
    }
    *data = static_cast<char*>(base);
  }

  struct Resolved {
    char* data = nullptr;
    size_t bytes = 0;
    bool known = false;
  };
  Napi::Env env_;
  Napi::Array inputs_;
  uint32_t count_;
  std::vector<Resolved> resolved_;
  std::vector<napi_value> outputs_;
};

struct ProgramArgs {
  const double* data;
  size_t length;
  Napi::Array buffers;
};

ProgramArgs program_args(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  napi_typedarray_type type;
  size_t elements = 0;
  void* data = nullptr;
  if (info.Length() < 3 || !info[1].IsNumber() || !info[2].IsArray() ||
      napi_get_typedarray_info(env, info[0], &type, &elements, &data, nullptr, nullptr) != napi_ok ||
      type != napi_float64_array) {
    throw Napi::TypeError::New(env,
                               "cpu backend: expected (program: Float64Array, length: number, buffers: ArrayBuffer[])");
  }
  const double length = info[1].As<Napi::Number>().DoubleValue();
  if (!(length >= 0 && length <= double(elements)) || length != double(size_t(length))) {
    throw Napi::RangeError::New(env, "cpu backend: program length out of range");
  }
  return {static_cast<const double*>(data), size_t(length), info[2].As<Napi::Array>()};
}

// Synchronous calls reuse one Program per JS thread (worker threads load the addon too) so its
// vectors keep their capacity between calls.
thread_local Program shared_program;
thread_local bool shared_program_busy = false;

Napi::Value Execute(const Napi::CallbackInfo& info) {
  const ProgramArgs args = program_args(info);
  ArrayBufferSource buffers(info.Env(), args.buffers);
  // A buffers array with getters could re-enter execute while the shared program is decoding.
  std::unique_ptr<Program> own;
  Program* program = &shared_program;
  if (shared_program_busy) {
    own = std::make_unique<Program>();
    program = own.get();
  }
  struct Busy {
    bool active;
    explicit Busy(bool a) : active(a) {
      if (active) shared_program_busy = true;
    }
    ~Busy() {
      if (active) shared_program_busy = false;
    }
  } busy(own == nullptr);
  program->decode(args.data, args.length, buffers);
  program->run(buffers);
  return buffers.outputs();
}

// Outputs of a program run off the JS thread: blocks from the buffer cache (allocator.h) taken on
// the worker as each step runs (no V8 call there), wrapped as ArrayBuffers once the promise
// settles on the JS thread; collecting or detaching one returns its block to the cache.
class HeapOutputs : public OutputAllocator {
 public:
  HeapOutputs() = default;
  HeapOutputs(const HeapOutputs&) = delete;
  HeapOutputs& operator=(const HeapOutputs&) = delete;
  ~HeapOutputs() override {
    for (const Block& b : blocks_) output_block_free(b.data, b.bytes);
  }

  void reserve(size_t n) { blocks_.reserve(n); }

  char* output(size_t bytes) override {
    // Every kernel writes its whole output, so a recycled block need not be zeroed.
    void* data = output_block_alloc(bytes, false);
    blocks_.push_back({data, bytes});
    return static_cast<char*>(data);
  }

  // The outputs as a JS array of ArrayBuffers; ownership of the memory passes to them.
  Napi::Array release(Napi::Env env) {
    napi_value array;
    if (napi_create_array_with_length(env, blocks_.size(), &array) != napi_ok) throw Napi::Error::New(env);
    for (size_t i = 0; i < blocks_.size(); ++i) {
      Block& b = blocks_[i];
      napi_value buffer;
      const napi_status status = output_block_wrap(env, b.data, b.bytes, &buffer);
      b.data = nullptr;  // output_block_wrap owns it whatever it returns
      if (status != napi_ok) throw Napi::Error::New(env);
      if (napi_set_element(env, array, uint32_t(i), buffer) != napi_ok) throw Napi::Error::New(env);
    }
    blocks_.clear();
    return Napi::Array(env, array);
  }

 private:
  struct Block {
    void* data;
    size_t bytes;
  };
  std::vector<Block> blocks_;
};

// Runs a decoded program on libuv's thread pool. The program owns copies of everything it read
// and allocates its new outputs on the worker, so the main thread only decodes and, at the end,
// wraps the outputs; the reference keeps every input buffer (and slab) alive until the promise
// settles (the wrapper also defers `release` of these buffers).
class ExecuteWorker : public Napi::AsyncWorker {
 public:
  ExecuteWorker(Napi::Env env, std::unique_ptr<Program> program, Napi::Array inputs)
      : Napi::AsyncWorker(env, "mlx-ts:cpu-execute"),
        deferred_(Napi::Promise::Deferred::New(env)),
        program_(std::move(program)),
        inputs_(Napi::Persistent(inputs)) {
    outputs_.reserve(program_->new_output_count());
  }

  Napi::Promise promise() const { return deferred_.Promise(); }

  void Execute() override {
    try {
      program_->run(outputs_);
    } catch (const std::exception& e) {
      SetError(e.what());
    } catch (...) {
      SetError("cpu backend: unknown native error");
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::Value result;
    try {
      result = outputs_.release(env);
    } catch (const Napi::Error& e) {
      deferred_.Reject(e.Value());
      return;
    }
    deferred_.Resolve(result);
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::unique_ptr<Program> program_;
  Napi::Reference<Napi::Array> inputs_;
  HeapOutputs outputs_;
};

Napi::Value ExecuteAsync(const Napi::CallbackInfo& info) {
  const ProgramArgs args = program_args(info);
  ArrayBufferSource buffers(info.Env(), args.buffers);
  auto program = std::make_unique<Program>();
  program->decode(args.data, args.length, buffers);
  auto* worker = new ExecuteWorker(info.Env(), std::move(program), args.buffers);
  const Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}

Napi::Value Detach(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsArrayBuffer()) {
    throw Napi::TypeError::New(info.Env(),
                               "cpu backend: release expects storage made by this backend (an ArrayBuffer)");
  }
  Napi::ArrayBuffer buffer = info[0].As<Napi::ArrayBuffer>();
  if (!buffer.IsDetached()) buffer.Detach();
  return info.Env().Undefined();
}

// A copy of host data (a typed array's bytes) in the addon's own storage: page-aligned, from the
// block cache, transparent huge pages from 2 MB, as every kernel output is. An ArrayBuffer V8
// allocates has none of that, and a 40 MB sum over one ran about 1.4x slower.
Napi::Value CopyFromHost(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsTypedArray()) {
    throw Napi::TypeError::New(env, "cpu backend: copyFromHost expects a typed array");
  }
  Napi::TypedArray src = info[0].As<Napi::TypedArray>();
  const size_t bytes = src.ByteLength();
  const uint8_t* from = static_cast<const uint8_t*>(src.ArrayBuffer().Data()) + src.ByteOffset();
  void* data = nullptr;
  napi_value result;
  if (create_output_buffer(env, bytes, false, &data, &result) != napi_ok) throw std::bad_alloc();
  if (bytes) std::memcpy(data, from, bytes);
  return Napi::Value(env, result);
}

// The tables the TypeScript wrapper checks against core at load and generates kernels from, so
// neither side keeps a copy of the other's.
Napi::Array elementwise_ops(Napi::Env env) {
  struct Entry {
    const char* name;
    const char* family;
    const char* functor;
    const char* kind;
  };
  static constexpr Entry entries[] = {
#define MLX_TS_ELEMENTWISE_ENTRY(name, family, functor, kind) {#name, #family, #functor, #kind},
      MLX_TS_ELEMENTWISE_OPS(MLX_TS_ELEMENTWISE_ENTRY)
#undef MLX_TS_ELEMENTWISE_ENTRY
  };
  Napi::Array out = Napi::Array::New(env, kElementwiseOpCount);
  for (int i = 0; i < kElementwiseOpCount; ++i) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", entries[i].name);
    o.Set("family", entries[i].family);
    o.Set("functor", entries[i].functor);
    o.Set("kind", entries[i].kind);
    out.Set(uint32_t(i), o);
  }
  return out;
}

Napi::Array dtypes(Napi::Env env) {
  static constexpr const char* storage_types[] = {
#define MLX_TS_DTYPE_STORAGE(dt, name, storage) #storage,
      MLX_TS_DTYPES(MLX_TS_DTYPE_STORAGE)
#undef MLX_TS_DTYPE_STORAGE
  };
  Napi::Array out = Napi::Array::New(env, kDtypeCount);
  for (int i = 0; i < kDtypeCount; ++i) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", dtype_name(Dt(i)));
    o.Set("storage", storage_types[i]);
    o.Set("size", itemsize(Dt(i)));
    out.Set(uint32_t(i), o);
  }
  return out;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("execute", Napi::Function::New(env, Execute, "execute"));
  exports.Set("executeAsync", Napi::Function::New(env, ExecuteAsync, "executeAsync"));
  exports.Set("detach", Napi::Function::New(env, Detach, "detach"));
  exports.Set("copyFromHost", Napi::Function::New(env, CopyFromHost, "copyFromHost"));
  add_perf_exports(env, exports);
  add_jit_exports(env, exports);
  add_distributed_exports(env, exports);
  Napi::Array names = Napi::Array::New(env, kOpCount);
  for (int i = 0; i < kOpCount; ++i) names.Set(uint32_t(i), op_name(Op(i)));
  exports.Set("opNames", names);
  exports.Set("elementwiseOps", elementwise_ops(env));
  exports.Set("dtypes", dtypes(env));
  return exports;
}

}  // namespace

}  // namespace mlx_cpu

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return mlx_cpu::Init(env, exports); }

NODE_API_MODULE(mlx_cpu, InitAddon)
