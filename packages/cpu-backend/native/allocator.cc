#include "allocator.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <vector>

#if defined(__linux__) || defined(__APPLE__)
#include <sys/mman.h>
#include <unistd.h>
#define MLX_TS_HAVE_MMAP 1
#endif

#ifdef MLX_TS_HAVE_V8
#include <node_version.h>
#include <v8-version.h>
#include <v8.h>

#include <string>
#endif

#include "parallel.h"

namespace mlx_cpu {

namespace {

constexpr size_t kMinPooled = size_t(64) << 10;  // below this malloc's bins serve well already
constexpr size_t kPage = 4096;
constexpr int kStepsPerOctave = 8;  // size classes: at most 12.5% rounding waste

// The smallest size class holding `bytes` (>= kMinPooled): 2^k * (1 + i/8), rounded to pages.
size_t class_size(size_t bytes) {
  int k = 63 - __builtin_clzll(uint64_t(bytes));
  const size_t base = size_t(1) << k;
  const size_t step = std::max<size_t>(base / kStepsPerOctave, 1);
  size_t size = (bytes + step - 1) / step * step;
  return (size + kPage - 1) / kPage * kPage;
}

void* map_block(size_t size) {
#ifdef MLX_TS_HAVE_MMAP
  constexpr size_t kHuge = size_t(2) << 20;
  int flags = MAP_PRIVATE | MAP_ANONYMOUS;
#if defined(__linux__) && defined(MAP_POPULATE)
  // Below a huge page, map the pages in one call rather than one fault each (~25% cheaper);
  // the block is about to be written in full anyway.
  if (size < kHuge) flags |= MAP_POPULATE;
#endif
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, flags, -1, 0);
  if (p == MAP_FAILED) return nullptr;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  // Transparent huge pages (when the system allows them per mapping) cut the cost of first touch
  // and the TLB misses of streaming kernels.
  if (size >= kHuge) madvise(p, size, MADV_HUGEPAGE);
#endif
  return p;
#else
  void* p = std::aligned_alloc(kPage, size);
  if (p) std::memset(p, 0, size);
  return p;
#endif
}

void unmap_block(void* p, size_t size) {
#ifdef MLX_TS_HAVE_MMAP
  munmap(p, size);
#else
  (void)size;
  std::free(p);
#endif
}

size_t default_cap() {
  if (const char* env = std::getenv("MLX_TS_BUFFER_CACHE_MB")) {
    char* end = nullptr;
    const double mb = std::strtod(env, &end);
    if (end != env && mb >= 0) return size_t(mb * 1048576.0);
  }
  size_t cap = size_t(1) << 30;  // 1 GiB, or an eighth of the machine's memory when that is less
#if defined(__linux__)
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  if (pages > 0 && page > 0) cap = std::min(cap, size_t(pages) * size_t(page) / 8);
#endif
  return cap;
}

class BlockCache {
 public:
  BlockCache() : cap_(default_cap()) {}

  size_t cap() const { return cap_; }

  // A block of class_size(bytes); *fresh says whether it is new (zeroed) memory.
  void* acquire(size_t size, bool* fresh) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (Bucket& b : buckets_) {
        if (b.size != size || b.blocks.empty()) continue;
        void* p = b.blocks.back().ptr;
        b.blocks.pop_back();
        cached_ -= size;
        live_ += size;
        ++hits_;
        *fresh = false;
        return p;
      }
      ++misses_;
    }
    void* p = map_block(size);
    if (!p) {
      // Out of address space or memory: give the cache back and try once more.
      trim();
      p = map_block(size);
      if (!p) throw std::bad_alloc();
    }
    std::lock_guard<std::mutex> lock(mutex_);
    live_ += size;
    *fresh = true;
    return p;
  }

  void release(void* p, size_t size) {
    std::vector<Block> evicted;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      live_ -= size;
      const double now = seconds();
      if (now - last_idle_check_ >= 1.0) {
        // Blocks nobody has asked for in a while go back to the system, so a burst's memory
        // does not stay cached for the life of the process.
        last_idle_check_ = now;
        for (Bucket& b : buckets_) {
          size_t keep = 0;
          while (keep < b.blocks.size() && now - b.blocks[keep].time > kIdleSeconds) ++keep;
          for (size_t i = 0; i < keep; ++i) {
            evicted.push_back(b.blocks[i]);
            cached_ -= b.size;
          }
          b.blocks.erase(b.blocks.begin(), b.blocks.begin() + long(keep));
        }
      }
      if (size > cap_) {
        evicted.push_back({p, size, 0, now});
      } else {
        // Make room by dropping the oldest cached blocks.
        while (cached_ + size > cap_) {
          Bucket* oldest = nullptr;
          for (Bucket& b : buckets_) {
            if (!b.blocks.empty() && (!oldest || b.blocks.front().stamp < oldest->blocks.front().stamp)) oldest = &b;
          }
          if (!oldest) break;
          evicted.push_back(oldest->blocks.front());
          oldest->blocks.erase(oldest->blocks.begin());
          cached_ -= oldest->size;
        }
        bucket(size).blocks.push_back({p, size, ++clock_, now});
        cached_ += size;
      }
    }
    for (const Block& b : evicted) unmap_block(b.ptr, b.size);
  }

  void trim() {
    std::vector<Block> all;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (Bucket& b : buckets_) {
        all.insert(all.end(), b.blocks.begin(), b.blocks.end());
        b.blocks.clear();
      }
      cached_ = 0;
    }
    for (const Block& b : all) unmap_block(b.ptr, b.size);
  }

  BufferCacheStats stats() {
    std::lock_guard<std::mutex> lock(mutex_);
    return {false, kMinPooled, cap_, cached_, live_, hits_, misses_};
  }

 private:
  struct Block {
    void* ptr;
    size_t size;
    uint64_t stamp;  // release order (oldest first within a bucket)
    double time;     // when it was released, in seconds
  };

  static double seconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  }
  static constexpr double kIdleSeconds = 5.0;
  struct Bucket {
    size_t size;
    std::vector<Block> blocks;  // oldest first; reuse takes the newest (warmest)
  };

  Bucket& bucket(size_t size) {
    for (Bucket& b : buckets_) {
      if (b.size == size) return b;
    }
    buckets_.push_back({size, {}});
    return buckets_.back();
  }

  const size_t cap_;
  std::mutex mutex_;
  std::vector<Bucket> buckets_;  // few distinct sizes in practice; a linear scan is cheapest
  size_t cached_ = 0, live_ = 0;
  uint64_t hits_ = 0, misses_ = 0, clock_ = 0;
  double last_idle_check_ = 0;
};

BlockCache& cache() {
  // Never destroyed: V8 may return blocks from its threads until the process exits.
  static BlockCache* c = new BlockCache();
  return *c;
}

// Zeroes n bytes, on the pool's threads when there are many.
void zero_bytes(void* p, size_t n) {
  constexpr int64_t kGrain = int64_t(1) << 20;
  char* c = static_cast<char*>(p);
  parallel_for(int64_t(n), kGrain, [&](int64_t b, int64_t e) { std::memset(c + b, 0, size_t(e - b)); });
}

std::atomic<int> g_v8_state{0};  // 0 unknown, 1 usable, -1 not

#ifdef MLX_TS_HAVE_V8
// The V8 API is used only where the running V8 is the one whose headers the addon was compiled
// against (same major.minor, in a Node.js of the same major version); anything else (another
// Node, Electron with its own V8 and sandbox) gets plain ArrayBuffers.
bool v8_usable(napi_env env) {
  int s = g_v8_state.load(std::memory_order_relaxed);
  if (s == 0) {
    const napi_node_version* version = nullptr;
    const std::string want = std::to_string(V8_MAJOR_VERSION) + "." + std::to_string(V8_MINOR_VERSION) + ".";
    const char* running = v8::V8::GetVersion();
    const bool match = napi_get_node_version(env, &version) == napi_ok && version != nullptr &&
                       version->major == uint32_t(NODE_MAJOR_VERSION) && running != nullptr &&
                       std::strncmp(running, want.c_str(), want.size()) == 0;
    s = match ? 1 : -1;
    g_v8_state.store(s, std::memory_order_relaxed);
  }
  return s > 0;
}

void free_block_callback(void* data, size_t bytes, void*) { output_block_free(data, bytes); }

// An ArrayBuffer owning `block`; V8 calls free_block_callback (on whatever thread frees it).
napi_value wrap_v8(void* block, size_t bytes) {
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  std::unique_ptr<v8::BackingStore> store =
      v8::ArrayBuffer::NewBackingStore(block, bytes, &free_block_callback, nullptr);
  v8::Local<v8::ArrayBuffer> buffer = v8::ArrayBuffer::New(isolate, std::move(store));
  // napi_value is a v8::Local's slot address, as Node's own N-API glue converts it.
  return reinterpret_cast<napi_value>(*buffer);
}
#endif

bool use_cache(size_t bytes) { return bytes >= kMinPooled && cache().cap() > 0; }

}  // namespace

// MLX_TS_POISON_OUTPUTS=1 (for tests): unzeroed output blocks are filled with 0xff bytes (NaN,
// -1), so that a kernel that leaves part of its output unwritten shows up.
bool poison_outputs() {
  static const bool on = [] {
    const char* env = std::getenv("MLX_TS_POISON_OUTPUTS");
    return env != nullptr && env[0] == '1';
  }();
  return on;
}

void* output_block_alloc(size_t bytes, bool zero) {
  void* p;
  bool fresh = false;
  if (!use_cache(bytes)) {
    const size_t size = std::max<size_t>((bytes + 63) / 64 * 64, 64);
    p = std::aligned_alloc(64, size);
    if (!p) throw std::bad_alloc();
  } else {
    p = cache().acquire(class_size(bytes), &fresh);
  }
  if (zero) {
    if (!fresh) zero_bytes(p, bytes);
  } else if (poison_outputs()) {
    std::memset(p, 0xff, bytes);
  }
  return p;
}

void output_block_free(void* block, size_t bytes) {
  if (!block) return;
  if (!use_cache(bytes)) {
    std::free(block);
    return;
  }
  cache().release(block, class_size(bytes));
}

napi_status output_block_wrap(napi_env env, void* block, size_t bytes, napi_value* result, void** data) {
  if (data) *data = block;
  if (bytes == 0) {
    output_block_free(block, bytes);
    return napi_create_arraybuffer(env, 0, data, result);
  }
#ifdef MLX_TS_HAVE_V8
  if (v8_usable(env)) {
    *result = wrap_v8(block, bytes);
    return napi_ok;
  }
#endif
  napi_status status = napi_create_external_arraybuffer(
      env, block, bytes,
      [](napi_env, void* data, void* hint) { output_block_free(data, reinterpret_cast<size_t>(hint)); },
      reinterpret_cast<void*>(bytes), result);
  if (status == napi_ok) return status;
  // Runtimes without external buffers (a V8 sandbox) get a copy, which only V8 can allocate there.
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) {
    napi_value ignored;
    napi_get_and_clear_last_exception(env, &ignored);
  }
  void* copy = nullptr;
  status = napi_create_arraybuffer(env, bytes, &copy, result);
  if (status == napi_ok) std::memcpy(copy, block, bytes);
  if (data) *data = copy;
  output_block_free(block, bytes);
  return status;
}

napi_status create_output_buffer(napi_env env, size_t bytes, bool zero, void** data, napi_value* result) {
  // The addon allocates rather than V8, whose allocation failure is fatal to the process:
  // output_block_alloc throws std::bad_alloc, which the step reports as an Error naming the op.
  return output_block_wrap(env, output_block_alloc(bytes, zero), bytes, result, data);
}

BufferCacheStats buffer_cache_stats() {
  BufferCacheStats s = cache().stats();
  s.enabled = s.cap_bytes > 0 && g_v8_state.load(std::memory_order_relaxed) >= 0;
#ifndef MLX_TS_HAVE_V8
  s.enabled = false;
#endif
  return s;
}

void buffer_cache_trim() { cache().trim(); }

void* scratch_alloc(size_t bytes) {
  if (bytes < kMinPooled) {
    void* p = std::aligned_alloc(64, std::max<size_t>((bytes + 63) / 64 * 64, 64));
    if (!p) throw std::bad_alloc();
    return p;
  }
  bool fresh = false;
  return cache().acquire(class_size(bytes), &fresh);
}

void scratch_free(void* p, size_t bytes) {
  if (!p) return;
  if (bytes < kMinPooled) {
    std::free(p);
    return;
  }
  cache().release(p, class_size(bytes));
}

}  // namespace mlx_cpu
