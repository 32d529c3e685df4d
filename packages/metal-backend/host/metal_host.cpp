// The Metal host, with Apple's metal-cpp: host_logic.h's device concept over MTL objects, and a
// step executor that encodes host/plan.h's dispatches. Built only on macOS (CMakeLists.txt:
// if(APPLE)); on Linux it is syntax-checked against host/stubs (ours, not Apple's).
//
// Memory: every block is a shared-storage MTLBuffer; its contents() is what the CPU backend and JS
// read (an external ArrayBuffer over the same bytes: no copy between devices).
// Ordering: one serial compute encoder per dispatch within a command buffer, so a dispatch sees the
// writes of the ones before it; command buffers of one queue run in commit order; a CPU consumer of
// GPU results waits for the stream's shared event to reach the committed buffer's value.
#define NS_PRIVATE_IMPLEMENTATION
#define MTL_PRIVATE_IMPLEMENTATION
#include <Foundation/Foundation.hpp>
#include <Metal/Metal.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "host_logic.h"
#include "plan.h"

namespace mlx_metal {

namespace {

std::string describe(NS::Error* e) {
  if (e == nullptr) return "unknown error";
  NS::String* s = e->localizedDescription();
  return s == nullptr ? "unknown error" : s->utf8String();
}

}  // namespace

/** host_logic.h's Device concept over one MTLDevice, its queue and the stream's shared event. */
struct MetalDevice {
  using Buffer = MTL::Buffer;
  using CommandBuffer = MTL::CommandBuffer;
  MTL::Device* device = nullptr;
  MTL::CommandQueue* queue = nullptr;
  MTL::SharedEvent* event = nullptr;

  Buffer* new_shared_buffer(size_t n) {
    Buffer* b = device->newBuffer(NS::UInteger(n), MTL::ResourceStorageModeShared);
    if (b == nullptr)
      throw std::runtime_error("metal: out of memory allocating a buffer of " + std::to_string(n) + " bytes");
    return b;
  }
  void* contents(Buffer* b) { return b->contents(); }
  void free_buffer(Buffer* b) { b->release(); }
  CommandBuffer* new_command_buffer() {
    CommandBuffer* cb = queue->commandBuffer();
    // commandBuffer() is autoreleased: this one lives until its completion handler drops it.
    cb->retain();
    return cb;
  }
  void signal(CommandBuffer* cb, uint64_t value) { cb->encodeSignalEvent(event, value); }
  void commit(CommandBuffer* cb, std::function<void()> on_complete) {
    cb->addCompletedHandler([on_complete](MTL::CommandBuffer* done) {
      on_complete();
      done->release();
    });
    cb->commit();
  }
};

using MetalBlock = Block<MTL::Buffer>;

/** One GPU stream: its queue, its event, the shared block cache, its batcher and the pipelines. */
class MetalStream {
 public:
  /** `kernel_source`: every .metal file of kernels/ joined, common.h inlined once, compiled into one library. */
  explicit MetalStream(const std::string& kernel_source, size_t cache_cap_bytes = size_t(1) << 30)
      : cache_(device_, cache_cap_bytes), batch_(device_, cache_) {
    device_.device = MTL::CreateSystemDefaultDevice();
    if (device_.device == nullptr)
      throw std::runtime_error("metal: no Metal device (MTLCreateSystemDefaultDevice returned nil)");
    if (!device_.device->hasUnifiedMemory())
      throw std::runtime_error("metal: the device has no unified memory; this backend shares buffers with the CPU");
    device_.queue = device_.device->newCommandQueue();
    device_.event = device_.device->newSharedEvent();
    library_ = compile(kernel_source);
  }

  BlockCache<MetalDevice>& cache() { return cache_; }

  std::string device_name() const {
    NS::String* n = device_.device->name();
    return n == nullptr ? "Metal device" : n->utf8String();
  }

  /** The pipeline of a kernel of the built-in library, by its host_name. */
  MTL::ComputePipelineState* pipeline(const std::string& name) {
    return pipelines_.get(name, [&] { return make_pipeline(library_, name); });
  }

  /** A compiled program's pipeline (MSL from src/codegen.ts), cached by its hash. */
  MTL::ComputePipelineState* fused(const std::string& hash, const std::string& source, const std::string& entry) {
    return pipelines_.get("fused:" + hash, [&] {
      MTL::Library* lib = compile(source);
      MTL::ComputePipelineState* p = make_pipeline(lib, entry);
      lib->release();
      return p;
    });
  }

  /**
   * Encodes one step's plan: `inputs` are the step's blocks (in Arg::Input order), `out` its output
   * block. The blocks stay alive until the command buffer completes; temps are taken from the cache.
   */
  void encode(const Plan& plan, const std::vector<MetalBlock*>& inputs, MetalBlock* out) {
    // commandBuffer() and computeCommandEncoder() are autoreleased, and a Node addon has no run
    // loop draining a pool: each step drains its own (the batcher retains the command buffer).
    NS::AutoreleasePool* pool = NS::AutoreleasePool::alloc()->init();
    struct Drain {
      NS::AutoreleasePool* p;
      ~Drain() { p->release(); }
    } drain{pool};
    // Pipelines first: one that fails to build throws before an encoder is open (an encoder
    // released without endEncoding is a Metal assertion, not an exception).
    std::vector<MTL::ComputePipelineState*> pipes;
    for (const Dispatch& d : plan.dispatches) pipes.push_back(pipeline(d.kernel));
    std::vector<MetalBlock*> temps;
    for (int64_t n : plan.temp_bytes) temps.push_back(cache_.acquire(size_t(n)));
    for (size_t k = 0; k < plan.dispatches.size(); ++k) {
      const Dispatch& d = plan.dispatches[k];
      std::vector<MetalBlock*> used(inputs);
      used.push_back(out);
      used.insert(used.end(), temps.begin(), temps.end());
      MTL::CommandBuffer* cb = batch_.encode(used);
      MTL::ComputeCommandEncoder* enc = cb->computeCommandEncoder();
      enc->setComputePipelineState(pipes[k]);
      for (size_t i = 0; i < d.args.size(); ++i) {
        const Arg& a = d.args[i];
        const NS::UInteger index = NS::UInteger(i);
        switch (a.kind) {
          case Arg::Input:
            enc->setBuffer(inputs.at(size_t(a.index))->buffer, NS::UInteger(a.byte_offset), index);
            break;
          case Arg::Output:
            enc->setBuffer(out->buffer, NS::UInteger(a.byte_offset), index);
            break;
          case Arg::Temp:
            enc->setBuffer(temps.at(size_t(a.index))->buffer, 0, index);
            break;
          case Arg::Bytes:
            enc->setBytes(a.bytes.data(), NS::UInteger(a.bytes.size()), index);
            break;
        }
      }
      const MTL::Size tg(d.threads.x, d.threads.y, d.threads.z);
      if (d.grid_threads != 0)
        enc->dispatchThreads(MTL::Size(NS::UInteger(d.grid_threads), 1, 1), tg);
      else
        enc->dispatchThreadgroups(MTL::Size(d.groups.x, d.groups.y, d.groups.z), tg);
      enc->endEncoding();
      batch_.maybe_commit();
    }
    // The command buffers hold the temps now; this step's own hold ends here.
    for (MetalBlock* t : temps) cache_.release(t);
  }

  /** Commits what is encoded and returns the event value a consumer waits for. */
  uint64_t flush() { return batch_.fence(); }
  /** The event value the work encoded last signals (host_logic.h's Batcher::pending_value). */
  uint64_t pending_value() const { return batch_.pending_value(); }
  uint64_t committed_value() const { return batch_.committed_value(); }

  /** Blocks the calling (CPU) thread until the stream's event reaches `value`. */
  void wait(uint64_t value) {
    while (device_.event->signaledValue() < value) std::this_thread::yield();
  }

  /** A command buffer of another stream that must see this stream's work up to `value` waits on the GPU. */
  void order_after(MTL::CommandBuffer* consumer, uint64_t value) { consumer->encodeWait(device_.event, value); }

 private:
  MTL::Library* compile(const std::string& source) {
    NS::Error* err = nullptr;
    MTL::CompileOptions* opts = MTL::CompileOptions::alloc()->init();
    // Fast math would reassociate and flush subnormals: results would leave the CPU's tolerance.
    opts->setFastMathEnabled(false);
    MTL::Library* lib =
        device_.device->newLibrary(NS::String::string(source.c_str(), NS::UTF8StringEncoding), opts, &err);
    opts->release();
    if (lib == nullptr) throw std::runtime_error("metal: compiling kernels failed: " + describe(err));
    return lib;
  }

  MTL::ComputePipelineState* make_pipeline(MTL::Library* lib, const std::string& name) {
    MTL::Function* f = lib->newFunction(NS::String::string(name.c_str(), NS::UTF8StringEncoding));
    if (f == nullptr) throw std::runtime_error("metal: no kernel named '" + name + "' in the library");
    NS::Error* err = nullptr;
    MTL::ComputePipelineState* p = device_.device->newComputePipelineState(f, &err);
    f->release();
    if (p == nullptr) throw std::runtime_error("metal: pipeline for '" + name + "' failed: " + describe(err));
    if (p->maxTotalThreadsPerThreadgroup() < 256) {
      // The row kernels assume 256 threads per group (8 simd-groups); a kernel using many registers may get fewer.
      throw std::runtime_error("metal: kernel '" + name + "' allows only " +
                               std::to_string(p->maxTotalThreadsPerThreadgroup()) + " threads per threadgroup");
    }
    return p;
  }

  MetalDevice device_;
  BlockCache<MetalDevice> cache_;
  Batcher<MetalDevice> batch_;
  PipelineCache<MTL::ComputePipelineState> pipelines_;
  MTL::Library* library_ = nullptr;
};

}  // namespace mlx_metal
