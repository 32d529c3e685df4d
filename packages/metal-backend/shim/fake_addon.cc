// The fake-device addon, for Linux tests only (test/metal/fake-addon.ts builds it with g++): the
// binding's N-API surface and logic (host/napi_binding.h, host/binding.h) and host_logic.h's block
// cache and batcher, exactly as the Mac addon uses them, over a fake device instead of Metal:
// - buffers are page-aligned heap blocks (shared memory, as on Apple silicon),
// - a committed command buffer's dispatches run later, on one "GPU" thread, through the shimmed
//   kernels (kernels.h) on a CPU grid; then its completion handler runs and the stream's event
//   takes its value, so a reader that did not wait for the event would see stale bytes.
// The tests run the conformance suite and the transform tests with mx.gpu served by it.
#include <napi.h>

#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "kernels.h"
// clang-format off: after the kernels, whose shim keywords kernels.h undefines.
#include "../host/napi_binding.h"
// clang-format on

namespace {

using metal_shim_registry::registry;

/** host_logic.h's Device concept: heap blocks, and command buffers run in commit order on one thread. */
struct FakeGpu {
  struct Buffer {
    void* bytes;
  };
  struct CommandBuffer {
    std::vector<std::function<void()>> work;
    uint64_t signal = 0;
  };

  FakeGpu() {
    // Detached: the process may end with it waiting; nothing it holds needs a destructor then.
    std::thread([this] { loop(); }).detach();
  }

  Buffer* new_shared_buffer(size_t n) {
    void* p = std::aligned_alloc(mlx_metal::kPageBytes, n);
    if (p == nullptr) throw std::bad_alloc();
    return new Buffer{p};
  }
  void* contents(Buffer* b) { return b->bytes; }
  void free_buffer(Buffer* b) {
    std::free(b->bytes);
    delete b;
  }
  CommandBuffer* new_command_buffer() { return new CommandBuffer; }
  void signal(CommandBuffer* cb, uint64_t value) { cb->signal = value; }
  void commit(CommandBuffer* cb, std::function<void()> on_complete) {
    std::lock_guard<std::mutex> g(mu_);
    queue_.emplace_back(cb, std::move(on_complete));
    cv_.notify_all();
  }

  /** Blocks until the event reaches `value`; a kernel that failed on the GPU thread is thrown here. */
  void wait(uint64_t value) {
    std::unique_lock<std::mutex> g(mu_);
    cv_.wait(g, [&] { return event_ >= value; });
    if (!error_.empty()) throw std::runtime_error("metal backend (fake device): " + error_);
  }

 private:
  void loop() {
    for (;;) {
      std::pair<CommandBuffer*, std::function<void()>> job;
      {
        std::unique_lock<std::mutex> g(mu_);
        cv_.wait(g, [&] { return !queue_.empty(); });
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      std::string failed;
      try {
        for (auto& w : job.first->work) w();
      } catch (const std::exception& e) {
        failed = e.what();
      }
      job.second();
      std::lock_guard<std::mutex> g(mu_);
      if (!failed.empty() && error_.empty()) error_ = failed;
      event_ = job.first->signal;
      delete job.first;
      cv_.notify_all();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<CommandBuffer*, std::function<void()>>> queue_;
  uint64_t event_ = 0;
  std::string error_;
};

using FakeBlock = mlx_metal::Block<FakeGpu::Buffer>;

/** binding.h's Stream concept, as MetalStream implements it: the same cache, batcher and argument binding. */
class FakeStream {
 public:
  FakeStream() : cache_(gpu_, size_t(256) << 20), batch_(gpu_, cache_) {
    static std::once_flag once;
    std::call_once(once, [] { metal_shim_registry::register_kernels(); });
  }

  mlx_metal::BlockCache<FakeGpu>& cache() { return cache_; }
  std::string device_name() const { return "fake Metal device (shimmed kernels on a CPU grid)"; }

  void encode(const mlx_metal::Plan& plan, const std::vector<FakeBlock*>& inputs, FakeBlock* out) {
    // Kernels first, as MetalStream makes its pipelines before it opens an encoder: on a Mac a
    // missing kernel fails at pipeline creation, on the JS thread too.
    std::vector<Launch> launches;
    for (const mlx_metal::Dispatch& d : plan.dispatches) {
      auto it = registry().find(d.kernel);
      if (it == registry().end())
        throw std::runtime_error("metal backend: no kernel named '" + d.kernel + "' in the library");
      launches.push_back(it->second);
    }
    std::vector<FakeBlock*> temps;
    for (int64_t n : plan.temp_bytes) temps.push_back(cache_.acquire(size_t(n)));
    for (size_t k = 0; k < plan.dispatches.size(); ++k) {
      const mlx_metal::Dispatch& d = plan.dispatches[k];
      std::vector<FakeBlock*> used(inputs);
      used.push_back(out);
      used.insert(used.end(), temps.begin(), temps.end());
      FakeGpu::CommandBuffer* cb = batch_.encode(used);
      // setBytes copies at encode time; setBuffer binds the buffer at an offset.
      auto bytes = std::make_shared<std::vector<std::vector<uint8_t>>>();
      std::vector<std::pair<int, char*>> bound;  // (bytes index or -1, pointer)
      for (const mlx_metal::Arg& a : d.args) {
        switch (a.kind) {
          case mlx_metal::Arg::Input:
            bound.emplace_back(-1, static_cast<char*>(inputs.at(size_t(a.index))->contents) + a.byte_offset);
            break;
          case mlx_metal::Arg::Output:
            bound.emplace_back(-1, static_cast<char*>(out->contents) + a.byte_offset);
            break;
          case mlx_metal::Arg::Temp:
            bound.emplace_back(-1, static_cast<char*>(temps.at(size_t(a.index))->contents));
            break;
          case mlx_metal::Arg::Bytes:
            bytes->push_back(a.bytes);
            bound.emplace_back(int(bytes->size()) - 1, nullptr);
            break;
        }
      }
      const Launch launch = launches[k];
      const metal_shim::uint3 groups{d.groups.x, d.groups.y, d.groups.z},
          threads{d.threads.x, d.threads.y, d.threads.z};
      const metal_shim::uint3 limit{d.grid_threads == 0 ? ~0u : uint32_t(d.grid_threads), ~0u, ~0u};
      cb->work.push_back([launch, bytes, bound, groups, threads, limit] {
        std::vector<void*> ptrs;
        for (const auto& [k, p] : bound) ptrs.push_back(k >= 0 ? static_cast<void*>((*bytes)[size_t(k)].data()) : p);
        metal_shim::dispatch(
            groups, threads, [&](const ThreadPos& t) { launch(ptrs.data(), t); }, limit);
      });
      batch_.maybe_commit();
    }
    for (FakeBlock* t : temps) cache_.release(t);
  }

  uint64_t flush() { return batch_.fence(); }
  uint64_t pending_value() const { return batch_.pending_value(); }
  uint64_t committed_value() const { return batch_.committed_value(); }
  void wait(uint64_t value) { gpu_.wait(value); }

 private:
  FakeGpu gpu_;
  mlx_metal::BlockCache<FakeGpu> cache_;
  mlx_metal::Batcher<FakeGpu> batch_;
};

}  // namespace

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) {
  mlx_metal::NapiBinding<FakeStream>::add_exports(env, exports, [](const std::string&) { return new FakeStream(); });
  return exports;
}

NODE_API_MODULE(mlx_metal_fake, InitAddon)
