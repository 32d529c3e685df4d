// The Metal host's logic above the Metal calls, as templates over a Device type, so the same code
// runs with metal-cpp (metal_host.cpp) and with host_logic_test.cc's fake device on Linux:
// - BlockCache: page-aligned blocks, bucketed by size and reused, each wrapping one shared-storage
//   buffer whose contents() the CPU backend and JS see as the same bytes (an external ArrayBuffer).
// - Batcher: steps are encoded into one command buffer until it holds kMaxOps dispatches or
//   kMaxBytes of inputs, then committed; each command buffer keeps its inputs' blocks alive until its
//   completion handler runs (a block released by JS meanwhile returns to the cache only then).
// - Stream events: a CPU stream that reads a GPU stream's output waits for that stream's shared
//   event to reach the value signalled after the producing command buffer, not for the whole device.
// - PipelineCache: one pipeline state per kernel name or fused program hash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace mlx_metal {

/** Apple silicon's page: blocks are multiples of it so a buffer can wrap them without a copy. */
constexpr size_t kPageBytes = 16384;

inline size_t round_to_page(size_t n) { return n == 0 ? kPageBytes : (n + kPageBytes - 1) / kPageBytes * kPageBytes; }

/** A block: its shared buffer and the CPU address of its bytes (the same memory). */
template <typename Buffer>
struct Block {
  Buffer* buffer = nullptr;
  void* contents = nullptr;
  size_t bytes = 0;
  /** Holders: JS (until GC or dispose) and each command buffer in flight that reads or writes it. */
  int refs = 0;
  /**
   * The stream event value after which the bytes are final (the command buffer that writes them
   * signals it); 0 for bytes the CPU wrote. A CPU reader waits for it, not for the whole device.
   */
  uint64_t ready = 0;
};

/**
 * Size-bucketed cache of blocks. Device must provide `Buffer* new_shared_buffer(size_t)`,
 * `void* contents(Buffer*)` and `void free_buffer(Buffer*)`.
 */
template <typename Device>
class BlockCache {
 public:
  using Buffer = typename Device::Buffer;
  using B = Block<Buffer>;
  BlockCache(Device& d, size_t cap_bytes) : device_(d), cap_(cap_bytes) {}
  ~BlockCache() { trim(); }

  B* acquire(size_t bytes) {
    std::lock_guard<std::mutex> g(mu_);
    const size_t size = round_to_page(bytes);
    auto it = free_.lower_bound(size);
    // A cached block at most twice the request serves it; a larger one would waste its tail.
    if (it != free_.end() && it->first <= 2 * size) {
      B* b = it->second;
      free_.erase(it);
      cached_ -= b->bytes;
      b->refs = 1;
      b->ready = 0;
      hits_++;
      return b;
    }
    misses_++;
    Buffer* buf = device_.new_shared_buffer(size);
    auto* b = new B{buf, device_.contents(buf), size, 1, 0};
    return b;
  }
  void retain(B* b) {
    std::lock_guard<std::mutex> g(mu_);
    b->refs++;
  }
  /** Drops one holder; the last returns the block to the cache (or frees it past the cap). */
  void release(B* b) {
    std::lock_guard<std::mutex> g(mu_);
    if (--b->refs > 0) return;
    if (cached_ + b->bytes > cap_) {
      device_.free_buffer(b->buffer);
      delete b;
      return;
    }
    cached_ += b->bytes;
    free_.emplace(b->bytes, b);
  }
  void trim() {
    std::lock_guard<std::mutex> g(mu_);
    for (auto& [size, b] : free_) {
      device_.free_buffer(b->buffer);
      delete b;
    }
    free_.clear();
    cached_ = 0;
  }
  size_t cached_bytes() const { return cached_; }
  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }

 private:
  Device& device_;
  size_t cap_;
  size_t cached_ = 0;
  uint64_t hits_ = 0, misses_ = 0;
  std::multimap<size_t, B*> free_;
  std::mutex mu_;
};

/** When a command buffer is committed: MLX's rule of thumb (ops per buffer, bytes per buffer). */
struct BatchPolicy {
  int max_ops = 40;
  size_t max_bytes = size_t(50) << 20;
};

/**
 * One stream's open command buffer. Device must provide `CommandBuffer* new_command_buffer()`,
 * `void commit(CommandBuffer*, std::function<void()> on_complete)` and
 * `void signal(CommandBuffer*, uint64_t value)` (encodeSignalEvent on the stream's shared event).
 */
template <typename Device>
class Batcher {
 public:
  using CommandBuffer = typename Device::CommandBuffer;
  using B = Block<typename Device::Buffer>;
  Batcher(Device& d, BlockCache<Device>& cache, BatchPolicy p = {}) : device_(d), cache_(cache), policy_(p) {}

  /** The command buffer to encode the next dispatch into, holding `blocks` until it completes. */
  CommandBuffer* encode(const std::vector<B*>& blocks) {
    if (open_ == nullptr) open_ = device_.new_command_buffer();
    for (B* b : blocks) {
      cache_.retain(b);
      held_.push_back(b);
      bytes_ += b->bytes;
    }
    ops_++;
    return open_;
  }
  /** Commits when the policy says the buffer is full; returns whether it did. */
  bool maybe_commit() {
    if (open_ != nullptr && (ops_ >= policy_.max_ops || bytes_ >= policy_.max_bytes)) {
      commit();
      return true;
    }
    return false;
  }
  /** Commits the open buffer (if any) and returns the event value its completion signals. */
  uint64_t commit() {
    if (open_ == nullptr) return signalled_;
    const uint64_t value = ++signalled_;
    device_.signal(open_, value);
    auto held = std::make_shared<std::vector<B*>>(std::move(held_));
    BlockCache<Device>* cache = &cache_;
    // The completion handler runs on a Metal thread: it only drops the holds.
    device_.commit(open_, [held, cache] {
      for (B* b : *held) cache->release(b);
    });
    open_ = nullptr;
    held_.clear();
    ops_ = 0;
    bytes_ = 0;
    return value;
  }
  /** The event value a consumer on another stream must wait for to see everything encoded so far. */
  uint64_t fence() { return commit(); }
  /**
   * The value the work encoded last will signal: the open buffer's (once committed), else the last
   * committed one's. A block written by that work is `ready` at this value.
   */
  uint64_t pending_value() const { return open_ != nullptr ? signalled_ + 1 : signalled_; }
  /** The value of the last committed buffer: work up to it is on its way to the GPU. */
  uint64_t committed_value() const { return signalled_; }
  int open_ops() const { return ops_; }

 private:
  Device& device_;
  BlockCache<Device>& cache_;
  BatchPolicy policy_;
  CommandBuffer* open_ = nullptr;
  std::vector<B*> held_;
  int ops_ = 0;
  size_t bytes_ = 0;
  uint64_t signalled_ = 0;
};

/** Pipeline states by kernel name or program hash; `make` builds one on a miss (it may throw). */
template <typename Pipeline>
class PipelineCache {
 public:
  Pipeline* get(const std::string& key, const std::function<Pipeline*()>& make) {
    std::lock_guard<std::mutex> g(mu_);
    auto it = map_.find(key);
    if (it != map_.end()) return it->second;
    Pipeline* p = make();
    map_.emplace(key, p);
    return p;
  }
  size_t size() const { return map_.size(); }

 private:
  std::unordered_map<std::string, Pipeline*> map_;
  std::mutex mu_;
};

}  // namespace mlx_metal
