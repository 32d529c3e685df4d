// N-API glue. Storage is a V8 ArrayBuffer holding contiguous elements: V8 frees it during garbage
// collection even inside a synchronous JS loop and counts its bytes as external memory, so
// collection keeps pace with allocation; `detach` frees one at once.
//
// Exports:
//   execute(program: Float64Array, length, buffers: ArrayBuffer[]) -> ArrayBuffer[]
//   executeAsync(program, length, buffers) -> Promise<ArrayBuffer[]>
//   detach(buffer: ArrayBuffer)
//   opNames: string[]   (opcode i runs primitive opNames[i])
#include <napi.h>

#include <memory>
#include <string>
#include <vector>

#include "program.h"

namespace mlx_cpu {

namespace {

// Raw napi calls here: each input and output costs two calls, which matters for tiny steps.
class ArrayBufferSource : public BufferSource {
 public:
  ArrayBufferSource(Napi::Env env, Napi::Array inputs)
      : env_(env), inputs_(inputs), count_(inputs.Length()) {}

  void input(int64_t index, char** data, size_t* bytes) override {
    if (index >= int64_t(count_)) throw Error("malformed program: buffer index " + std::to_string(index) + " out of range");
    napi_value v;
    if (napi_get_element(env_, inputs_, uint32_t(index), &v) != napi_ok) throw Napi::Error::New(env_);
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

  char* output(size_t bytes) override {
    // V8 zero-fills new ArrayBuffers; kernels that leave elements unwritten rely on that.
    void* data = nullptr;
    napi_value buffer;
    if (napi_create_arraybuffer(env_, bytes, &data, &buffer) != napi_ok) throw Napi::Error::New(env_);
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
  Napi::Env env_;
  Napi::Array inputs_;
  uint32_t count_;
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
    throw Napi::TypeError::New(env, "cpu backend: expected (program: Float64Array, length: number, buffers: ArrayBuffer[])");
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
  program->run();
  return buffers.outputs();
}

// Runs a decoded program on libuv's thread pool. The program owns copies of everything it read,
// the output buffers were allocated on the main thread, and the references keep every buffer
// alive until the promise settles (the wrapper also defers `release` of these buffers).
class ExecuteWorker : public Napi::AsyncWorker {
 public:
  ExecuteWorker(Napi::Env env, std::unique_ptr<Program> program, Napi::Array inputs, Napi::Array outputs)
      : Napi::AsyncWorker(env, "mlx-ts:cpu-execute"),
        deferred_(Napi::Promise::Deferred::New(env)),
        program_(std::move(program)),
        inputs_(Napi::Persistent(inputs)),
        outputs_(Napi::Persistent(outputs)) {}

  Napi::Promise promise() const { return deferred_.Promise(); }

  void Execute() override {
    try {
      program_->run();
    } catch (const std::exception& e) {
      SetError(e.what());
    } catch (...) {
      SetError("cpu backend: unknown native error");
    }
  }

  void OnOK() override { deferred_.Resolve(outputs_.Value()); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::unique_ptr<Program> program_;
  Napi::Reference<Napi::Array> inputs_;
  Napi::Reference<Napi::Array> outputs_;
};

Napi::Value ExecuteAsync(const Napi::CallbackInfo& info) {
  const ProgramArgs args = program_args(info);
  ArrayBufferSource buffers(info.Env(), args.buffers);
  auto program = std::make_unique<Program>();
  program->decode(args.data, args.length, buffers);
  auto* worker = new ExecuteWorker(info.Env(), std::move(program), args.buffers, buffers.outputs());
  const Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}

Napi::Value Detach(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsArrayBuffer()) {
    throw Napi::TypeError::New(info.Env(), "cpu backend: release expects storage made by this backend (an ArrayBuffer)");
  }
  Napi::ArrayBuffer buffer = info[0].As<Napi::ArrayBuffer>();
  if (!buffer.IsDetached()) buffer.Detach();
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("execute", Napi::Function::New(env, Execute, "execute"));
  exports.Set("executeAsync", Napi::Function::New(env, ExecuteAsync, "executeAsync"));
  exports.Set("detach", Napi::Function::New(env, Detach, "detach"));
  Napi::Array names = Napi::Array::New(env, kOpCount);
  for (int i = 0; i < kOpCount; ++i) names.Set(uint32_t(i), op_name(Op(i)));
  exports.Set("opNames", names);
  return exports;
}

}  // namespace

}  // namespace mlx_cpu

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return mlx_cpu::Init(env, exports); }

NODE_API_MODULE(mlx_cpu, InitAddon)
