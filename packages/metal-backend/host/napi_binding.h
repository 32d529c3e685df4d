// The N-API surface of the Metal backend, over binding.h's Binding<Stream>: the Mac addon
// (host/addon.cpp, MetalStream) and the Linux fake-device addon (shim/fake_addon.cc) both export
// exactly this, so src/backend.ts drives either one. Storage is an external ArrayBuffer over a
// block's contents (the shared MTLBuffer's bytes on a Mac): JS, the CPU backend's kernels and the
// GPU see the same memory. Exports (src/backend.ts's MetalAddon type):
//   init(dtypeNames: string[], kernelDir: string) -> device name
//   fromHost(bytes: Uint8Array) -> ArrayBuffer
//   execute(program: Float64Array, prims: string[], buffers: ArrayBuffer[]) -> {outputs, stop, why}
//   executeAsync(program, prims, buffers) -> Promise<{outputs, stop, why}> (settles once the GPU is done)
//   sync(buffers: ArrayBuffer[])   (waits for the work that writes them: before the CPU reads)
//   release(buffer: ArrayBuffer)   (dispose: the hold ends now; the buffer is detached)
//   stats() -> {liveBytes, cachedBytes, hits, misses, gpuSteps}
#pragma once

#include <napi.h>

#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "binding.h"

namespace mlx_metal {

/** Marks the ArrayBuffers this addon made (napi_type_tag_object), so hold_of trusts napi_unwrap. */
inline const napi_type_tag kHoldTag = {0x6d6c7874732d6770ULL, 0x686f6c6400000001ULL};

template <typename Stream>
class NapiBinding {
 public:
  using Bind = Binding<Stream>;
  using Hold = typename Bind::Hold;
  using MakeStream = std::function<Stream*(const std::string& kernel_dir)>;

  /** Adds the exports; `make` builds the stream on `init` (a Metal device, or the fake one). */
  static void add_exports(Napi::Env env, Napi::Object exports, MakeStream make) {
    // Per JS environment (worker threads load the addon too); never freed, because the
    // ArrayBuffers' finalizers, which may run at environment teardown, still reach it.
    auto* self = new NapiBinding(std::move(make));
    if (napi_set_instance_data(env, self, nullptr, nullptr) != napi_ok)
      throw Napi::Error::New(env, "metal backend: cannot set the addon's instance data");
    exports.Set("init", Napi::Function::New(env, &NapiBinding::Init, "init"));
    exports.Set("fromHost", Napi::Function::New(env, &NapiBinding::FromHost, "fromHost"));
    exports.Set("execute", Napi::Function::New(env, &NapiBinding::Execute, "execute"));
    exports.Set("executeAsync", Napi::Function::New(env, &NapiBinding::ExecuteAsync, "executeAsync"));
    exports.Set("sync", Napi::Function::New(env, &NapiBinding::Sync, "sync"));
    exports.Set("release", Napi::Function::New(env, &NapiBinding::Release, "release"));
    exports.Set("stats", Napi::Function::New(env, &NapiBinding::Stats, "stats"));
  }

 private:
  explicit NapiBinding(MakeStream make) : make_(std::move(make)) {}

  static NapiBinding& self(Napi::Env env) {
    void* p = nullptr;
    if (napi_get_instance_data(env, &p) != napi_ok || p == nullptr)
      throw Napi::Error::New(env, "metal backend: the addon's instance data is missing");
    return *static_cast<NapiBinding*>(p);
  }
  static Bind& bound(Napi::Env env) {
    NapiBinding& s = self(env);
    if (!s.binding_) throw Napi::Error::New(env, "metal backend: init() was not called");
    return *s.binding_;
  }

  static Napi::Value Init(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsArray() || !info[1].IsString())
      throw Napi::TypeError::New(env, "metal backend: init expects (dtypeNames: string[], kernelDir: string)");
    NapiBinding& s = self(env);
    if (!s.binding_) {
      Napi::Array names = info[0].As<Napi::Array>();
      std::vector<std::string> dtypes;
      for (uint32_t i = 0; i < names.Length(); ++i) dtypes.push_back(names.Get(i).As<Napi::String>().Utf8Value());
      s.stream_.reset(s.make_(info[1].As<Napi::String>().Utf8Value()));
      s.binding_ = std::make_unique<Bind>(*s.stream_, std::move(dtypes));
    }
    return Napi::String::New(env, s.stream_->device_name());
  }

  /** The ArrayBuffer JS sees for a hold; its finalizer (GC) ends the hold. */
  static Napi::Value wrap(Napi::Env env, Hold* h) {
    napi_value ab;
    // The hold rides on the buffer object (napi_wrap), whose collection also ends the external
    // bytes' use: a typed array over them keeps the object alive.
    napi_status st = napi_create_external_arraybuffer(env, h->block->contents, h->bytes, nullptr, nullptr, &ab);
    if (st == napi_ok) st = napi_wrap(env, ab, h, &NapiBinding::Finalize, nullptr, nullptr);
    if (st == napi_ok) st = napi_type_tag_object(env, ab, &kHoldTag);
    if (st != napi_ok) {
      bound(env).finalize(h);
      throw Napi::Error::New(env, "metal backend: cannot make an external ArrayBuffer over a block (status " +
                                      std::to_string(int(st)) + ")");
    }
    // V8 does not see external memory: counting it keeps collection in pace with a synchronous loop.
    int64_t total = 0;
    napi_adjust_external_memory(env, int64_t(h->bytes), &total);
    return Napi::Value(env, ab);
  }

  static void Finalize(napi_env env, void* data, void* /*hint*/) {
    NapiBinding* s = nullptr;
    if (napi_get_instance_data(env, reinterpret_cast<void**>(&s)) != napi_ok || s == nullptr || !s->binding_) return;
    const size_t n = s->binding_->finalize(static_cast<Hold*>(data));
    int64_t total = 0;
    if (n > 0) napi_adjust_external_memory(env, -int64_t(n), &total);
  }

  static Hold* hold_of(Napi::Env env, Napi::Value v, const char* fn) {
    if (!v.IsArrayBuffer())
      throw Napi::TypeError::New(
          env, std::string("metal backend: ") + fn + " expects storage of the gpu backend (an ArrayBuffer)");
    void* p = nullptr;
    // Another addon's wrapped object would unwrap to its own data: the tag says the hold is ours.
    bool ours = false;
    if (napi_check_object_type_tag(env, v, &kHoldTag, &ours) != napi_ok || !ours ||
        napi_unwrap(env, v, &p) != napi_ok || p == nullptr)
      throw Napi::Error::New(
          env, std::string("metal backend: ") + fn + ": the ArrayBuffer is not storage of the gpu backend");
    Hold* h = static_cast<Hold*>(p);
    if (h->dropped || v.As<Napi::ArrayBuffer>().IsDetached())
      throw Napi::Error::New(
          env, std::string("metal backend: ") + fn + ": the storage was released (its array was disposed)");
    return h;
  }

  static Napi::Value FromHost(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsTypedArray() ||
        info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
      throw Napi::TypeError::New(env, "metal backend: fromHost expects a Uint8Array");
    Napi::Uint8Array bytes = info[0].As<Napi::Uint8Array>();
    Hold* h = bound(env).alloc(bytes.ByteLength());
    if (bytes.ByteLength() > 0) std::memcpy(h->block->contents, bytes.Data(), bytes.ByteLength());
    return wrap(env, h);
  }

  struct Args {
    std::vector<ProgramStep> steps;
    std::vector<Hold*> buffers;
  };

  static Args decode(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 3 || !info[0].IsTypedArray() || !info[1].IsArray() || !info[2].IsArray() ||
        info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
      throw Napi::TypeError::New(
          env, "metal backend: expected (program: Float64Array, prims: string[], buffers: ArrayBuffer[])");
    Napi::Float64Array program = info[0].As<Napi::Float64Array>();
    Napi::Array prims = info[1].As<Napi::Array>();
    Napi::Array buffers = info[2].As<Napi::Array>();
    std::vector<std::string> names;
    for (uint32_t i = 0; i < prims.Length(); ++i) names.push_back(prims.Get(i).As<Napi::String>().Utf8Value());
    Args a;
    for (uint32_t i = 0; i < buffers.Length(); ++i) a.buffers.push_back(hold_of(env, buffers.Get(i), "execute"));
    a.steps =
        decode_program(program.Data(), program.ElementLength(), names, bound(env).dtype_names(), a.buffers.size());
    return a;
  }

  static Napi::Object result(Napi::Env env, const typename Bind::RunResult& r) {
    Napi::Array outs = Napi::Array::New(env, r.outputs.size());
    for (size_t i = 0; i < r.outputs.size(); ++i) outs.Set(uint32_t(i), wrap(env, r.outputs[i]));
    Napi::Object o = Napi::Object::New(env);
    o.Set("outputs", outs);
    o.Set("stop", Napi::Number::New(env, double(r.stop)));
    o.Set("why", Napi::String::New(env, r.why));
    return o;
  }

  static Napi::Value Execute(const Napi::CallbackInfo& info) {
    Args a = decode(info);
    return result(info.Env(), bound(info.Env()).run(a.steps, a.buffers));
  }

  // Encoding and commit happen on the JS thread (the stream is not shared with another thread);
  // the worker only waits for the event value, so the promise settles once the GPU is done and JS
  // runs meanwhile (asyncEval returns before the GPU finishes).
  class Waiter : public Napi::AsyncWorker {
   public:
    Waiter(Napi::Env env, Stream& stream, uint64_t value, Napi::Object result)
        : Napi::AsyncWorker(env, "mlx-ts:metal-wait"),
          deferred_(Napi::Promise::Deferred::New(env)),
          stream_(stream),
          value_(value),
          result_(Napi::Persistent(result)) {}
    Napi::Promise promise() const { return deferred_.Promise(); }
    void Execute() override { stream_.wait(value_); }
    void OnOK() override { deferred_.Resolve(result_.Value()); }
    void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

   private:
    Napi::Promise::Deferred deferred_;
    Stream& stream_;
    uint64_t value_;
    Napi::ObjectReference result_;
  };

  static Napi::Value ExecuteAsync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Args a = decode(info);
    Bind& b = bound(env);
    const typename Bind::RunResult r = b.run(a.steps, a.buffers);
    auto* w = new Waiter(env, b.stream(), r.value, result(env, r));
    Napi::Promise p = w->promise();
    w->Queue();
    return p;
  }

  static Napi::Value Sync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsArray())
      throw Napi::TypeError::New(env, "metal backend: sync expects ArrayBuffer[]");
    Napi::Array list = info[0].As<Napi::Array>();
    for (uint32_t i = 0; i < list.Length(); ++i) bound(env).wait_ready(hold_of(env, list.Get(i), "sync"));
    return env.Undefined();
  }

  static Napi::Value Release(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsArrayBuffer())
      throw Napi::TypeError::New(env, "metal backend: release expects storage of the gpu backend (an ArrayBuffer)");
    Napi::ArrayBuffer ab = info[0].As<Napi::ArrayBuffer>();
    if (ab.IsDetached()) return env.Undefined();
    Hold* h = hold_of(env, ab, "release");
    const size_t n = bound(env).drop(h);
    int64_t total = 0;
    if (n > 0) napi_adjust_external_memory(env, -int64_t(n), &total);
    ab.Detach();
    return env.Undefined();
  }

  static Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Bind& b = bound(env);
    Napi::Object o = Napi::Object::New(env);
    o.Set("liveBytes", Napi::Number::New(env, double(b.live_bytes())));
    o.Set("cachedBytes", Napi::Number::New(env, double(b.stream().cache().cached_bytes())));
    o.Set("hits", Napi::Number::New(env, double(b.stream().cache().hits())));
    o.Set("misses", Napi::Number::New(env, double(b.stream().cache().misses())));
    o.Set("gpuSteps", Napi::Number::New(env, double(b.gpu_steps())));
    return o;
  }

  MakeStream make_;
  std::unique_ptr<Stream> stream_;
  std::unique_ptr<Bind> binding_;
};

}  // namespace mlx_metal
