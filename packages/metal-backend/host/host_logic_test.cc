// host_logic.h against a fake device on Linux: block reuse and the cap, inputs held until a
// command buffer completes (completion runs later, as on a GPU), commit by op count, the event
// values a consumer stream waits for, and the pipeline cache. Exit status 0 when every check holds.
#include "host_logic.h"

#include <cstdio>
#include <cstdlib>
#include <deque>

namespace {

int failures = 0;
#define CHECK(cond)                                                      \
  do {                                                                   \
    if (!(cond)) {                                                       \
      std::fprintf(stderr, "host_logic_test:%d: %s\n", __LINE__, #cond); \
      failures++;                                                        \
    }                                                                    \
  } while (0)

struct FakeDevice {
  struct Buffer {
    std::vector<char> bytes;
  };
  struct CommandBuffer {
    uint64_t signal = 0;
  };
  int live_buffers = 0;
  std::deque<std::pair<CommandBuffer*, std::function<void()>>> in_flight;
  uint64_t event = 0;

  Buffer* new_shared_buffer(size_t n) {
    live_buffers++;
    auto* b = new Buffer;
    b->bytes.resize(n);
    return b;
  }
  void* contents(Buffer* b) { return b->bytes.data(); }
  void free_buffer(Buffer* b) {
    live_buffers--;
    delete b;
  }
  CommandBuffer* new_command_buffer() { return new CommandBuffer; }
  void signal(CommandBuffer* cb, uint64_t v) { cb->signal = v; }
  void commit(CommandBuffer* cb, std::function<void()> done) { in_flight.emplace_back(cb, std::move(done)); }
  /** The GPU finishes the oldest command buffer: its handler runs, its event value is signalled. */
  void complete_one() {
    auto [cb, done] = std::move(in_flight.front());
    in_flight.pop_front();
    done();
    event = cb->signal;
    delete cb;
  }
};

}  // namespace

int main() {
  FakeDevice dev;
  {
    mlx_metal::BlockCache<FakeDevice> cache(dev, 1 << 20);
    auto* a = cache.acquire(100);
    CHECK(a->bytes == mlx_metal::kPageBytes);
    CHECK(reinterpret_cast<uintptr_t>(a->contents) != 0);
    cache.release(a);
    auto* b = cache.acquire(5000);
    CHECK(b == a);  // reused
    CHECK(cache.hits() == 1);
    auto* big = cache.acquire(3 * mlx_metal::kPageBytes);
    CHECK(big != a);

    // A block JS drops while a command buffer reads it stays out of the cache until completion.
    mlx_metal::Batcher<FakeDevice> batch(dev, cache, {2, size_t(1) << 30});
    batch.encode({b});
    cache.release(b);  // JS disposed it
    CHECK(cache.cached_bytes() == 0);
    CHECK(!batch.maybe_commit());
    batch.encode({big});
    CHECK(batch.maybe_commit());  // two ops: full
    CHECK(dev.in_flight.size() == 1);
    CHECK(cache.cached_bytes() == 0);
    dev.complete_one();
    CHECK(cache.cached_bytes() == mlx_metal::kPageBytes);  // b returned; big is still JS's
    cache.release(big);

    // Event values order streams: the consumer waits for the value of the buffer that wrote its input.
    batch.encode({});
    const uint64_t v1 = batch.fence();
    batch.encode({});
    const uint64_t v2 = batch.fence();
    CHECK(v2 > v1);
    CHECK(batch.fence() == v2);  // nothing new encoded: no new buffer, same value
    dev.complete_one();
    CHECK(dev.event >= v1 && dev.event < v2);
    dev.complete_one();
    CHECK(dev.event == v2);

    mlx_metal::PipelineCache<int> pipes;
    int built = 0;
    int p = 7;
    auto make = [&] {
      built++;
      return &p;
    };
    CHECK(pipes.get("unary_v_exp_float32", make) == &p);
    CHECK(pipes.get("unary_v_exp_float32", make) == &p);
    CHECK(built == 1);
  }
  CHECK(dev.live_buffers == 0);  // the cache freed every block at destruction
  if (failures == 0) std::printf("host_logic_test: ok\n");
  return failures == 0 ? 0 : 1;
}
