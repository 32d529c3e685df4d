// host_logic.h against a fake device on Linux: block reuse and the cap, inputs held until a
// command buffer completes (completion runs later, as on a GPU), commit by op count, the event
// values a consumer stream waits for, and the pipeline cache. Exit status 0 when every check holds.
#include "host_logic.h"

#include <cstdio>
#include <cstdlib>
#include <deque>

#include "binding.h"

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

/** binding.h's Stream concept over FakeDevice: a dispatch is a recorded no-op, completion is manual. */
struct FakeStream {
  FakeDevice& dev;
  mlx_metal::BlockCache<FakeDevice> cache_;
  mlx_metal::Batcher<FakeDevice> batch_;
  int waits = 0;
  int encodes = 0;
  int fail_at = -1;  // the encode that throws, as a pipeline that fails to build does
  explicit FakeStream(FakeDevice& d) : dev(d), cache_(d, 1 << 20), batch_(d, cache_) {}
  mlx_metal::BlockCache<FakeDevice>& cache() { return cache_; }
  void encode(const mlx_metal::Plan& plan, const std::vector<mlx_metal::Block<FakeDevice::Buffer>*>& inputs,
              mlx_metal::Block<FakeDevice::Buffer>* out) {
    if (encodes++ == fail_at) throw std::runtime_error("metal: pipeline failed");
    for (size_t i = 0; i < plan.dispatches.size(); ++i) {
      std::vector<mlx_metal::Block<FakeDevice::Buffer>*> used(inputs);
      used.push_back(out);
      batch_.encode(used);
      batch_.maybe_commit();
    }
  }
  uint64_t flush() { return batch_.fence(); }
  uint64_t pending_value() const { return batch_.pending_value(); }
  uint64_t committed_value() const { return batch_.committed_value(); }
  /** The GPU finishes command buffers until the event reaches `v`. */
  void wait(uint64_t v) {
    waits++;
    while (dev.event < v) dev.complete_one();
  }
};

/** One step of host/binding.h's program encoding: prim 0, float32 output of `n`, unary input `src`. */
std::vector<double> unary_step(int prim, int dtype, double n, double src) {
  return {double(prim), double(dtype), 1, n, 1, src, double(dtype), 1, n, 1, 0, 0};
}

void binding_checks() {
  using mlx_metal::Binding;
  FakeDevice dev;
  FakeStream stream(dev);
  const std::vector<std::string> dtypes{"bool", "int32", "float32"};
  Binding<FakeStream> bind(stream, dtypes);
  const std::vector<std::string> prims{"exp", "cumsum"};

  auto* x = bind.alloc(16);
  // exp(x) -> s0; exp(s0) -> s1; exp of an int32 buffer: the plan stops there and says why.
  std::vector<double> p{3};
  for (double v : unary_step(0, 2, 4, 0)) p.push_back(v);
  for (double v : unary_step(0, 2, 4, -1)) p.push_back(v);
  for (double v : unary_step(0, 1, 4, 0)) p.push_back(v);
  auto steps = mlx_metal::decode_program(p.data(), p.size(), prims, dtypes, 1);
  CHECK(steps.size() == 3 && steps[1].sources[0].from_step && steps[1].sources[0].index == 0);
  auto r = bind.run(steps, {x});
  CHECK(r.stop == 2);
  CHECK(r.why.find("int32") != std::string::npos);
  CHECK(r.outputs.size() == 2);
  // Committed, not complete: a CPU reader waits for the value of the buffer that writes the output.
  CHECK(dev.in_flight.size() == 1);
  CHECK(r.outputs[1]->block->ready == r.value && dev.event < r.value);
  // JS disposes the input while the GPU still reads it: the block stays out of the cache until completion.
  const size_t cached = stream.cache().cached_bytes();
  bind.drop(x);
  CHECK(stream.cache().cached_bytes() == cached);
  CHECK(bind.drop(x) == 0);  // dispose twice: nothing more
  bind.wait_ready(r.outputs[1]);
  CHECK(dev.event >= r.value && stream.waits == 1);
  CHECK(stream.cache().cached_bytes() == cached + mlx_metal::kPageBytes);  // x's block came back
  bind.finalize(x);                                                        // GC after dispose: frees the hold only
  // A block only the CPU wrote has nothing to wait for.
  auto* fresh = bind.alloc(8);
  bind.wait_ready(fresh);
  CHECK(stream.waits == 1);
  // A disposed input is an Error, not a read of recycled memory.
  bind.drop(fresh);
  std::vector<double> q{1};
  for (double v : unary_step(0, 2, 2, 0)) q.push_back(v);
  bool threw = false;
  try {
    bind.run(mlx_metal::decode_program(q.data(), q.size(), prims, dtypes, 1), {fresh});
  } catch (const std::runtime_error& e) {
    threw = std::string(e.what()).find("released") != std::string::npos;
  }
  CHECK(threw);
  bind.finalize(fresh);
  // Malformed programs name what is wrong.
  const auto malformed = [&](std::vector<double> bad, const char* want) {
    try {
      mlx_metal::decode_program(bad.data(), bad.size(), prims, dtypes, 1);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what()).find(want) != std::string::npos;
    }
    return false;
  };
  CHECK(malformed({1, 0, 2, 1, 4, 1, 3}, "buffer index 3 out of range"));
  CHECK(malformed({1, 0, 2, 1, 4, 1, -1}, "reads the output of step 0"));
  CHECK(malformed({1, 5}, "primitive index 5"));
  CHECK(malformed({1, 0, 7}, "dtype code 7"));
  CHECK(malformed({1, 0.5}, "non-integer"));
  CHECK(malformed({1}, "ends early"));
  CHECK(malformed({0, 1}, "trailing"));
  for (auto* h : r.outputs) bind.finalize(h);
  // A step that fails to encode: the outputs made before it are dropped (JS never sees them) and
  // what was encoded is committed, so the blocks come back once the GPU is done.
  const size_t held = bind.live_bytes();
  std::vector<double> two{2};
  for (double v : unary_step(0, 2, 4, 0)) two.push_back(v);
  for (double v : unary_step(0, 2, 4, -1)) two.push_back(v);
  auto* y = bind.alloc(16);
  stream.fail_at = stream.encodes + 1;  // the second step fails, after the first was encoded
  bool failed = false;
  try {
    bind.run(mlx_metal::decode_program(two.data(), two.size(), prims, dtypes, 1), {y});
  } catch (const std::runtime_error&) {
    failed = true;
  }
  CHECK(failed);
  CHECK(bind.live_bytes() == held + 16);  // only y is still held
  CHECK(!dev.in_flight.empty());          // the first step was committed
  bind.finalize(y);
  while (!dev.in_flight.empty()) dev.complete_one();
}

}  // namespace

int main() {
  binding_checks();
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
