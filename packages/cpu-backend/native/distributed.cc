#include "distributed.h"

#include <dlfcn.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "errors.h"
#include "half.h"
#include "kernels.h"
#include "program.h"
#include "strided.h"

namespace mlx_cpu {

namespace {

// Open MPI's ABI: every handle is a pointer; the constants below are its mpi.h values.
using Handle = void*;
using UserFn = void (*)(void*, void*, int*, Handle*);
constexpr int kThreadFunneled = 1;
void* const kInPlace = reinterpret_cast<void*>(1);
void* const kStatusIgnore = nullptr;
constexpr int kMaxLibraryVersion = 256;
constexpr int kMaxErrorString = 256;
// Elements (reductions) or bytes (the rest) per MPI call: counts are C ints.
constexpr int64_t kChunk = int64_t(1) << 30;

struct Mpi {
  bool loaded = false;
  std::string library, version, error;
  int (*Init_thread)(int*, char***, int, int*) = nullptr;
  int (*Finalize)() = nullptr;
  int (*Comm_rank)(Handle, int*) = nullptr;
  int (*Comm_size)(Handle, int*) = nullptr;
  int (*Comm_split)(Handle, int, int, Handle*) = nullptr;
  int (*Comm_set_errhandler)(Handle, Handle) = nullptr;
  int (*Allreduce)(const void*, void*, int, Handle, Handle, Handle) = nullptr;
  int (*Allgather)(const void*, int, Handle, void*, int, Handle, Handle) = nullptr;
  int (*Send)(const void*, int, Handle, int, int, Handle) = nullptr;
  int (*Recv)(void*, int, Handle, int, int, Handle, void*) = nullptr;
  int (*Get_library_version)(char*, int*) = nullptr;
  int (*Error_string)(int, char*, int*) = nullptr;
  int (*Type_contiguous)(int, Handle, Handle*) = nullptr;
  int (*Type_commit)(Handle*) = nullptr;
  int (*Op_create)(UserFn, int, Handle*) = nullptr;
  Handle comm_world = nullptr, errors_return = nullptr, byte = nullptr;
  Handle types[kDtypeCount] = {};
  // Per dtype: sum, max, min (max/min of floats are ours, so NaN propagates as in the kernels).
  Handle ops[kDtypeCount][3] = {};
};

template <class F>
bool resolve(void* lib, const char* name, F& out) {
  out = reinterpret_cast<F>(dlsym(lib, name));
  return out != nullptr;
}

void load(Mpi& mpi) {
  const char* env = std::getenv("MLX_TS_MPI");
  if (env && std::strcmp(env, "0") == 0) {
    mpi.error = "MPI is turned off (MLX_TS_MPI=0)";
    return;
  }
  std::vector<std::string> names;
  if (env && *env) {
    names.push_back(env);
  } else {
    names = {"libmpi.so.40",
             "libmpi.so",
             "libmpi.40.dylib",
             "libmpi.dylib",
             "/opt/homebrew/lib/libmpi.dylib",
             "/usr/local/lib/libmpi.dylib"};
  }
  void* lib = nullptr;
  std::string tried;
  for (const auto& n : names) {
    // Global: Open MPI's own plug-ins resolve libmpi's symbols when it loads them.
    lib = dlopen(n.c_str(), RTLD_NOW | RTLD_GLOBAL);
    if (lib) break;
    tried += (tried.empty() ? "" : ", ") + n;
  }
  if (!lib) {
    mpi.error = "no MPI library found (tried " + tried +
                "); install Open MPI (Debian/Ubuntu: apt-get install openmpi-bin libopenmpi-dev; macOS: brew install "
                "open-mpi) or set MLX_TS_MPI to the path of libmpi";
    return;
  }
  bool ok = resolve(lib, "MPI_Init_thread", mpi.Init_thread) && resolve(lib, "MPI_Finalize", mpi.Finalize) &&
            resolve(lib, "MPI_Comm_rank", mpi.Comm_rank) && resolve(lib, "MPI_Comm_size", mpi.Comm_size) &&
            resolve(lib, "MPI_Comm_split", mpi.Comm_split) &&
            resolve(lib, "MPI_Comm_set_errhandler", mpi.Comm_set_errhandler) &&
            resolve(lib, "MPI_Allreduce", mpi.Allreduce) && resolve(lib, "MPI_Allgather", mpi.Allgather) &&
            resolve(lib, "MPI_Send", mpi.Send) && resolve(lib, "MPI_Recv", mpi.Recv) &&
            resolve(lib, "MPI_Get_library_version", mpi.Get_library_version) &&
            resolve(lib, "MPI_Error_string", mpi.Error_string) &&
            resolve(lib, "MPI_Type_contiguous", mpi.Type_contiguous) &&
            resolve(lib, "MPI_Type_commit", mpi.Type_commit) && resolve(lib, "MPI_Op_create", mpi.Op_create);
  Dl_info where{};
  mpi.library = dladdr(reinterpret_cast<void*>(mpi.Init_thread), &where) && where.dli_fname ? where.dli_fname : "";
  if (!ok) {
    mpi.error = "the MPI library " + mpi.library + " lacks a function mlx-ts needs (MPI 3 or later is required)";
    return;
  }
  mpi.comm_world = dlsym(lib, "ompi_mpi_comm_world");
  if (!mpi.comm_world) {
    mpi.error = "the MPI library " + mpi.library +
                " is not Open MPI (it has no ompi_mpi_comm_world); only Open MPI's ABI is supported";
    return;
  }
  char version[kMaxLibraryVersion] = {};
  int len = 0;
  if (mpi.Get_library_version(version, &len) == 0) {
    mpi.version.assign(version, size_t(std::max(0, std::min(len, kMaxLibraryVersion))));
    while (!mpi.version.empty() && (mpi.version.back() == '\n' || mpi.version.back() == '\0')) mpi.version.pop_back();
  }
  struct Named {
    Dt dt;
    const char* symbol;
  };
  const Named types[] = {{Dt::Bool, "ompi_mpi_c_bool"},  {Dt::U8, "ompi_mpi_uint8_t"},  {Dt::U16, "ompi_mpi_uint16_t"},
                         {Dt::U32, "ompi_mpi_uint32_t"}, {Dt::I8, "ompi_mpi_int8_t"},   {Dt::I16, "ompi_mpi_int16_t"},
                         {Dt::I32, "ompi_mpi_int32_t"},  {Dt::I64, "ompi_mpi_int64_t"}, {Dt::F32, "ompi_mpi_float"},
                         {Dt::F64, "ompi_mpi_double"}};
  for (const auto& t : types) mpi.types[int(t.dt)] = dlsym(lib, t.symbol);
  mpi.byte = dlsym(lib, "ompi_mpi_byte");
  mpi.errors_return = dlsym(lib, "ompi_mpi_errors_return");
  Handle sum = dlsym(lib, "ompi_mpi_op_sum"), max = dlsym(lib, "ompi_mpi_op_max"), min = dlsym(lib, "ompi_mpi_op_min");
  Handle lor = dlsym(lib, "ompi_mpi_op_lor"), land = dlsym(lib, "ompi_mpi_op_land");
  for (int d = 0; d < kDtypeCount; ++d) {
    mpi.ops[d][0] = sum, mpi.ops[d][1] = max, mpi.ops[d][2] = min;
  }
  mpi.ops[int(Dt::Bool)][0] = lor, mpi.ops[int(Dt::Bool)][1] = lor, mpi.ops[int(Dt::Bool)][2] = land;
  for (const auto& t : types) {
    if (!mpi.types[int(t.dt)]) ok = false;
  }
  if (!ok || !mpi.byte || !mpi.errors_return || !sum || !max || !min || !lor || !land) {
    mpi.error = "the Open MPI library " + mpi.library + " lacks a predefined datatype or operation mlx-ts needs";
    return;
  }
  mpi.loaded = true;
}

Mpi& mpi() {
  static Mpi* m = [] {
    auto* p = new Mpi();
    load(*p);
    return p;
  }();
  return *m;
}

// The reductions MPI has no builtin for: float16/bfloat16 (stored as 2 opaque bytes) and the
// NaN-propagating max/min of every float dtype, computed as the addon's kernels do (half types
// in float32, rounded once per pair).
template <class T, class C, C (*Load)(T), T (*Store)(C), int Kind>
void reduce_pair(void* in, void* inout, int* len, Handle*) {
  const T* a = static_cast<const T*>(in);
  T* b = static_cast<T*>(inout);
  for (int i = 0; i < *len; ++i) {
    const C x = Load(a[i]), y = Load(b[i]);
    C r;
    if (Kind == 0)
      r = x + y;
    else if (x != x || y != y)
      r = x != x ? x : y;
    else
      r = Kind == 1 ? (x > y ? x : y) : (x < y ? x : y);
    b[i] = Store(r);
  }
}

template <class T>
T same(T x) {
  return x;
}
float f16_load(f16_t v) { return f16_to_float(v.bits); }
f16_t f16_store(float x) { return f16_t{float_to_f16(x)}; }
float bf16_load(bf16_t v) { return bf16_to_float(v.bits); }
bf16_t bf16_store(float x) { return bf16_t{float_to_bf16(x)}; }

template <class T, class C, C (*Load)(T), T (*Store)(C)>
void create_ops(Mpi& m, Dt dt, int first, const char* what) {
  UserFn fns[3] = {reduce_pair<T, C, Load, Store, 0>, reduce_pair<T, C, Load, Store, 1>,
                   reduce_pair<T, C, Load, Store, 2>};
  for (int k = first; k < 3; ++k) {
    if (m.Op_create(fns[k], 1, &m.ops[int(dt)][k]) != 0) throw Error(std::string("MPI_Op_create failed for ") + what);
  }
}

// Runs jobs on the communication thread, one at a time, in the order they came. A hand-off to a
// sleeping thread costs a wake-up each way (tens of microseconds on a VM), as much as a whole
// collective of a few hundred KB: so both sides first wait `spin` (yielding the core to whatever
// else can run, such as the peer's progress loop) and only then sleep.
class Worker {
 public:
  void set_spin(std::chrono::microseconds spin) { spin_ = spin; }

  // Runs fn there and waits for it at most `timeout` seconds (<= 0: forever); false on timeout.
  bool run(std::function<void()> fn, double timeout) {
    auto job = std::make_shared<Job>();
    job->fn = std::move(fn);
    {
      std::lock_guard<std::mutex> lock(m_);
      if (!started_) {
        std::thread([this] { loop(); }).detach();
        started_ = true;
      }
      queue_.push_back(job);
      pending_.fetch_add(1, std::memory_order_release);
    }
    work_.notify_one();
    const auto until = Clock::now() + spin_;
    while (!job->done.load(std::memory_order_acquire) && Clock::now() < until) std::this_thread::yield();
    if (!job->done.load(std::memory_order_acquire)) {
      std::unique_lock<std::mutex> lock(m_);
      auto done = [&] { return job->done.load(std::memory_order_acquire); };
      if (timeout > 0) {
        if (!done_.wait_for(lock, std::chrono::duration<double>(timeout), done)) return false;
      } else {
        done_.wait(lock, done);
      }
    }
    if (job->error) std::rethrow_exception(job->error);
    return true;
  }

 private:
  using Clock = std::chrono::steady_clock;
  struct Job {
    std::function<void()> fn;
    std::atomic<bool> done{false};
    std::exception_ptr error;
  };

  void loop() {
    for (;;) {
      const auto until = Clock::now() + spin_;
      while (pending_.load(std::memory_order_acquire) == 0 && Clock::now() < until) std::this_thread::yield();
      std::shared_ptr<Job> job;
      {
        std::unique_lock<std::mutex> lock(m_);
        work_.wait(lock, [&] { return !queue_.empty(); });
        job = queue_.front();
        queue_.pop_front();
        pending_.fetch_sub(1, std::memory_order_relaxed);
      }
      try {
        job->fn();
      } catch (...) {
        job->error = std::current_exception();
      }
      {
        // Under the lock, so a waiter that checked `done` just before cannot miss the notify.
        std::lock_guard<std::mutex> lock(m_);
        job->done.store(true, std::memory_order_release);
      }
      done_.notify_all();
    }
  }

  std::mutex m_;
  std::condition_variable work_, done_;
  std::deque<std::shared_ptr<Job>> queue_;
  std::atomic<int> pending_{0};
  std::chrono::microseconds spin_{50};
  bool started_ = false;
};

struct Group {
  Handle comm;  // nullptr: the singleton group (no MPI)
  int rank, size;
};

struct State {
  std::mutex m;  // guards everything below (kernels may run on several threads)
  bool initialised = false;
  std::vector<Group> groups;  // 0: the world (or the singleton); then split groups
  std::string broken;         // the collective that timed out, once one has
  double timeout = 120;
  Worker worker;
};

State& state() {
  static State* s = new State();  // never destroyed: the detached worker may outlive static destructors
  return *s;
}

bool launched() {
  // Open MPI's launcher (mpirun/mpiexec) and PMIx-based launchers (srun, prterun) set these.
  return std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMIX_RANK");
}

std::string mpi_error(int rc) {
  char text[kMaxErrorString] = {};
  int len = 0;
  if (mpi().Error_string(rc, text, &len) != 0) return "MPI error " + std::to_string(rc);
  return std::string(text, size_t(std::max(0, std::min(len, kMaxErrorString))));
}

void check(int rc, const std::string& what) {
  if (rc != 0) throw Error(what + ": " + mpi_error(rc));
}

std::string timeout_text(double t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", t);
  return buf;
}

// Runs an MPI call on the communication thread under the timeout (`timeout` < 0: the configured
// one); `what` names it in errors.
void on_comm_thread(State& st, const std::string& what, const Group& g, std::function<void()> fn, double timeout = -1) {
  {
    std::lock_guard<std::mutex> lock(st.m);
    if (!st.broken.empty()) {
      throw Error(what + ": the distributed group is unusable: an earlier " + st.broken +
                  " timed out and may still be waiting inside MPI; exit this process");
    }
  }
  if (timeout < 0) timeout = st.timeout;
  if (st.worker.run(std::move(fn), timeout)) return;
  std::lock_guard<std::mutex> lock(st.m);
  if (st.broken.empty()) st.broken = what;
  throw Error(what + ": timed out after " + timeout_text(timeout) + " s waiting for the other processes (rank " +
              std::to_string(g.rank) + " of a group of " + std::to_string(g.size) +
              "): one may have failed, exited or be stuck before this collective. Set MLX_TS_DISTRIBUTED_TIMEOUT "
              "(seconds, 0 waits forever) to wait longer");
}

void init_mpi(State& st) {
  Mpi& m = mpi();
  const char* t = std::getenv("MLX_TS_DISTRIBUTED_TIMEOUT");
  if (t && *t) {
    char* end = nullptr;
    const double v = std::strtod(t, &end);
    if (*end != '\0' || !(v >= 0) || !std::isfinite(v)) {
      throw Error(std::string("MLX_TS_DISTRIBUTED_TIMEOUT must be a number of seconds >= 0 (0 waits forever), got '") +
                  t + "'");
    }
    st.timeout = v;
  }
  if (const char* sp = std::getenv("MLX_TS_DISTRIBUTED_SPIN_US"); sp && *sp) {
    char* end = nullptr;
    const long v = std::strtol(sp, &end, 10);
    if (*end != '\0' || v < 0 || v > 1000000) {
      throw Error(
          std::string("MLX_TS_DISTRIBUTED_SPIN_US must be a whole number of microseconds from 0 to 1000000, got '") +
          sp + "'");
    }
    st.worker.set_spin(std::chrono::microseconds(v));
  }
  auto made = std::make_shared<Group>(Group{m.comm_world, 0, 1});
  on_comm_thread(st, "distributed.init (MPI_Init_thread)", *made, [&m, made] {
    Group& world = *made;
    int provided = 0;
    check(m.Init_thread(nullptr, nullptr, kThreadFunneled, &provided), "MPI_Init_thread");
    // Errors come back as codes (turned into JS Errors), never abort the process.
    check(m.Comm_set_errhandler(m.comm_world, m.errors_return), "MPI_Comm_set_errhandler");
    check(m.Comm_rank(m.comm_world, &world.rank), "MPI_Comm_rank");
    check(m.Comm_size(m.comm_world, &world.size), "MPI_Comm_size");
    check(m.Type_contiguous(2, m.byte, &m.types[int(Dt::F16)]), "MPI_Type_contiguous");
    check(m.Type_commit(&m.types[int(Dt::F16)]), "MPI_Type_commit");
    check(m.Type_contiguous(2, m.byte, &m.types[int(Dt::BF16)]), "MPI_Type_contiguous");
    check(m.Type_commit(&m.types[int(Dt::BF16)]), "MPI_Type_commit");
    create_ops<f16_t, float, f16_load, f16_store>(m, Dt::F16, 0, "float16");
    create_ops<bf16_t, float, bf16_load, bf16_store>(m, Dt::BF16, 0, "bfloat16");
    create_ops<float, float, same<float>, same<float>>(m, Dt::F32, 1, "float32");
    create_ops<double, double, same<double>, same<double>>(m, Dt::F64, 1, "float64");
  });
  {
    std::lock_guard<std::mutex> lock(st.m);
    st.groups.push_back(*made);
  }
  // Finalize on exit so the launcher sees a clean end; not after a timeout (MPI may be stuck).
  std::atexit([] {
    State& s = state();
    if (!s.broken.empty()) return;
    Group g = s.groups[0];
    try {
      // A peer that never finalizes must not hold this process's exit for long.
      on_comm_thread(
          s, "distributed: MPI_Finalize at exit", g, [] { mpi().Finalize(); }, 10);
    } catch (...) {
    }
  });
}

// Why a strict init cannot give a group of MPI processes ("" when it can).
std::string strict_problem() {
  Mpi& m = mpi();
  if (!m.loaded) return "mx.distributed.init: MPI is not available: " + m.error;
  if (!launched()) {
    return "mx.distributed.init: this process was not started by an MPI launcher; run it as `mpirun -np 2 node "
           "script.mjs` (Open MPI: apt-get install openmpi-bin libopenmpi-dev)";
  }
  return "";
}

// Sets up the world group on first use: MPI's when launched by an MPI launcher, else the singleton.
void ensure_init(State& st) {
  static std::mutex once;
  std::lock_guard<std::mutex> lock(once);
  if (st.initialised) return;
  if (strict_problem().empty()) {
    init_mpi(st);
  } else {
    std::lock_guard<std::mutex> lock(st.m);
    st.groups.push_back(Group{nullptr, 0, 1});
  }
  st.initialised = true;
}

Group group_of(State& st, int64_t id, const char* what) {
  std::lock_guard<std::mutex> lock(st.m);
  if (id < 0 || size_t(id) >= st.groups.size()) {
    throw Error(std::string(what) + ": group " + std::to_string(id) +
                " is not a group of this process (make groups with mx.distributed.init)");
  }
  return st.groups[size_t(id)];
}

const char* reduce_name(int64_t k) { return k == 0 ? "allSum" : k == 1 ? "allMax" : "allMin"; }

char* bytes_of(const View& v) { return v.base + v.offset * itemsize(v.dtype); }

void check_bytes(int64_t bytes, const std::string& what) {
  if (bytes > INT_MAX) {
    throw Error(what + ": " + std::to_string(bytes) +
                " bytes per process is more than one MPI call carries (2 GiB); split the array");
  }
}

}  // namespace

void distributed(const Step& s) {
  State& st = state();
  ensure_init(st);
  const Group g = group_of(st, s.int_param(0), op_name(s.op));
  const int64_t item = itemsize(s.out.dtype);
  char* out = bytes_of(s.out);
  Mpi& m = mpi();
  switch (s.op) {
    case Op::allReduce: {
      s.expect_inputs(1);
      const int64_t kind = s.int_param(1);
      if (kind < 0 || kind > 2) throw Error("allReduce: unknown reduction " + std::to_string(kind));
      const std::string what = reduce_name(kind);
      const View& x = s.input(0);
      if (!g.comm || x.size == 0) {
        copy_to_contiguous(x, out);
        return;
      }
      // Contiguous inputs are reduced straight into the output; others are gathered there first.
      const bool dense = is_row_contiguous(x);
      if (!dense) copy_to_contiguous(x, out);
      const char* in = dense ? bytes_of(x) : nullptr;
      const int64_t n = s.out.size;
      Handle type = m.types[int(s.out.dtype)], op = m.ops[int(s.out.dtype)][kind];
      on_comm_thread(st, what, g, [=, &m] {
        for (int64_t at = 0; at < n; at += kChunk) {
          const int count = int(std::min(kChunk, n - at));
          check(m.Allreduce(in ? in + at * item : kInPlace, out + at * item, count, type, op, g.comm),
                what + " (MPI_Allreduce)");
        }
      });
      return;
    }
    case Op::allGather: {
      s.expect_inputs(1);
      const View& x = s.input(0);
      if (!g.comm || x.size == 0) {
        if (x.size) copy_to_contiguous(x, out);
        return;
      }
      const Dense in(x);
      const int64_t bytes = x.size * item;
      check_bytes(bytes, "allGather");
      const char* data = in.data<char>();
      on_comm_thread(st, "allGather", g, [=, &m] {
        check(m.Allgather(data, int(bytes), m.byte, out, int(bytes), m.byte, g.comm), "allGather (MPI_Allgather)");
      });
      return;
    }
    case Op::send: {
      s.expect_inputs(1);
      const View& x = s.input(0);
      const int64_t dst = s.int_param(1);
      copy_to_contiguous(x, out);  // the output is the array sent, as MLX's Send
      // A group of one has no one to send to (only raw nodes get here: the op refuses).
      if (!g.comm || x.size == 0) return;
      const int64_t bytes = x.size * item;
      on_comm_thread(st, "send", g, [=, &m] {
        for (int64_t at = 0; at < bytes; at += kChunk) {
          check(m.Send(out + at, int(std::min(kChunk, bytes - at)), m.byte, int(dst), 0, g.comm), "send (MPI_Send)");
        }
      });
      return;
    }
    case Op::recv: {
      s.expect_inputs(0);
      const int64_t src = s.int_param(1);
      const int64_t bytes = s.out.size * item;
      if (bytes == 0) return;
      if (!g.comm) throw Error("recv: cannot receive within a singleton group");
      on_comm_thread(st, "recv", g, [=, &m] {
        for (int64_t at = 0; at < bytes; at += kChunk) {
          check(m.Recv(out + at, int(std::min(kChunk, bytes - at)), m.byte, int(src), 0, g.comm, kStatusIgnore),
                "recv (MPI_Recv)");
        }
      });
      return;
    }
    default:
      throw Error("distributed: not a distributed primitive");
  }
}

namespace {

Napi::Object group_object(Napi::Env env, int64_t id, const Group& g) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("group", double(id));
  o.Set("rank", g.rank);
  o.Set("size", g.size);
  return o;
}

Napi::Value InfoJs(const Napi::CallbackInfo& info) {
  const Mpi& m = mpi();
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("available", m.loaded);
  o.Set("library", m.library);
  o.Set("version", m.version);
  o.Set("error", m.error);
  o.Set("launched", launched());
  return o;
}

Napi::Value InitJs(const Napi::CallbackInfo& info) {
  State& st = state();
  const bool strict = info.Length() > 0 && info[0].ToBoolean().Value();
  if (strict) {
    const std::string problem = strict_problem();
    if (!problem.empty()) throw Error(problem);
  }
  ensure_init(st);
  return group_object(info.Env(), 0, group_of(st, 0, "distributed.init"));
}

Napi::Value SplitJs(const Napi::CallbackInfo& info) {
  State& st = state();
  const int64_t id = info[0].As<Napi::Number>().Int64Value();
  const int color = info[1].As<Napi::Number>().Int32Value();
  const int key = info[2].As<Napi::Number>().Int32Value();
  const Group g = group_of(st, id, "Group.split");
  if (!g.comm) throw Error("Group.split: the singleton group cannot be split (start the processes with mpirun)");
  Group made{nullptr, 0, 1};
  Mpi& m = mpi();
  // MPI orders equal keys by the old rank, which is MLX's order for a negative key.
  const int k = key < 0 ? g.rank : key;
  auto result = std::make_shared<Group>();
  on_comm_thread(st, "Group.split", g, [=, &m] {
    check(m.Comm_split(g.comm, color, k, &result->comm), "Group.split (MPI_Comm_split)");
    check(m.Comm_rank(result->comm, &result->rank), "MPI_Comm_rank");
    check(m.Comm_size(result->comm, &result->size), "MPI_Comm_size");
  });
  made = *result;
  std::lock_guard<std::mutex> lock(st.m);
  st.groups.push_back(made);
  return group_object(info.Env(), int64_t(st.groups.size() - 1), made);
}

}  // namespace

void add_distributed_exports(Napi::Env env, Napi::Object exports) {
  exports.Set("distributedInfo", Napi::Function::New(env, InfoJs, "distributedInfo"));
  exports.Set("distributedInit", Napi::Function::New(env, InitJs, "distributedInit"));
  exports.Set("distributedSplit", Napi::Function::New(env, SplitJs, "distributedSplit"));
}

}  // namespace mlx_cpu
