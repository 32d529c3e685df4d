#include "thread_pool.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <sched.h>
#endif

namespace mlx_cpu {

namespace {

thread_local bool t_in_region = false;

struct RegionGuard {
  bool saved;
  RegionGuard() : saved(t_in_region) { t_in_region = true; }
  ~RegionGuard() { t_in_region = saved; }
};

int detect_threads() {
  if (const char* env = std::getenv("MLX_TS_NUM_THREADS")) {
    const long v = std::strtol(env, nullptr, 10);
    if (v >= 1) return int(std::min<long>(v, 256));
  }
  int n = 0;
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) n = CPU_COUNT(&set);
#endif
  if (n <= 0) n = int(std::thread::hardware_concurrency());
  return std::max(1, std::min(n, 256));
}

struct Job {
  void (*task)(void*, int64_t) = nullptr;
  void* ctx = nullptr;
  int64_t chunks = 0;
  std::atomic<int64_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex error_mutex;
  std::exception_ptr error;

  // Takes chunks until none is left (or one has failed).
  void work() {
    for (;;) {
      if (failed.load(std::memory_order_relaxed)) return;
      const int64_t c = next.fetch_add(1, std::memory_order_relaxed);
      if (c >= chunks) return;
      try {
        task(ctx, c);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        failed.store(true, std::memory_order_relaxed);
      }
    }
  }
};

class Pool {
 public:
  explicit Pool(int workers) {
    threads_.reserve(size_t(workers));
    for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { loop(); });
  }

  int workers() const { return int(threads_.size()); }

  // Runs job on the caller and up to `helpers` workers. False when another job holds the pool.
  bool run(Job& job, int helpers) {
    if (busy_.exchange(true, std::memory_order_acquire)) return false;
    helpers = std::min(helpers, workers());
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = &job;
      wanted_ = helpers;
      joined_ = 0;
      ++generation_;
    }
    if (helpers >= workers()) {
      wake_.notify_all();
    } else {
      for (int i = 0; i < helpers; ++i) wake_.notify_one();
    }
    {
      RegionGuard region;
      job.work();
    }
    {
      // No worker joins after this; wait for the ones that did. A worker that wakes late finds
      // no job and goes back to sleep.
      std::unique_lock<std::mutex> lock(mutex_);
      job_ = nullptr;
      done_.wait(lock, [this] { return active_ == 0; });
    }
    busy_.store(false, std::memory_order_release);
    return true;
  }

 private:
  void loop() {
    t_in_region = true;
    uint64_t seen = 0;
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait(lock, [&] { return generation_ != seen; });
      seen = generation_;
      if (job_ == nullptr || joined_ >= wanted_) continue;
      Job* job = job_;
      ++joined_;
      ++active_;
      lock.unlock();
      job->work();
      lock.lock();
      if (--active_ == 0) done_.notify_one();
    }
  }

  std::vector<std::thread> threads_;
  std::atomic<bool> busy_{false};
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  uint64_t generation_ = 0;
  Job* job_ = nullptr;
  int wanted_ = 0, joined_ = 0, active_ = 0;
};

int configured_threads() {
  static const int n = detect_threads();
  return n;
}

Pool& pool() {
  // Never destroyed: workers sleep on the condition variable until the process exits, and no
  // static destructor has to join them.
  static Pool* p = new Pool(configured_threads() - 1);
  return *p;
}

}  // namespace

int pool_threads() { return configured_threads(); }

bool in_parallel_region() { return t_in_region; }

void run_parallel(int64_t chunks, int threads, void (*task)(void*, int64_t), void* ctx) {
  if (chunks <= 0) return;
  threads = std::min<int64_t>(std::min(threads, configured_threads()), chunks);
  if (threads <= 1 || t_in_region) {
    for (int64_t c = 0; c < chunks; ++c) task(ctx, c);
    return;
  }
  Job job;
  job.task = task;
  job.ctx = ctx;
  job.chunks = chunks;
  if (!pool().run(job, threads - 1)) {
    for (int64_t c = 0; c < chunks; ++c) task(ctx, c);
    return;
  }
  if (job.error) std::rethrow_exception(job.error);
}

}  // namespace mlx_cpu
