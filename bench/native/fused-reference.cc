// The hand-fused C++ reference row of the benchmark (issue 5: mx.compile'd exp(x)*x+1 on 1e7
// float32 within 2x of this loop). bench/run.mjs compiles it (g++ -O3 -march=native -ffast-math
// -fopenmp) and runs it like the other runners: it prints one '@@bench ' + JSON line per event.
//
// Usage: fused-reference --library=NAME [--budget=MS --min-reps=N --max-reps=N --warmup=N
//        --max-run-ms=MS] ID:N ...   (one expmul workload per ID:N, N elements)
//
// It is the best case on purpose: one pass, the output buffer allocated and faulted in before
// the first run, the default OpenMP team (all cores). With -ffast-math GCC calls glibc's
// vectorized expf (libmvec), so this is the fastest plain C++ loop, not an accuracy-matched one.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>
#ifdef _OPENMP
#include <omp.h>
#endif

namespace {

double nowMs() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// gen() of bench/lib/common.mjs, bit for bit: the uint32 product wraps like Math.imul, and the
// value is rounded to float32 once, from double. Parallel so that each thread first-touches the
// pages it reads later (same static schedule as the kernel).
void gen(float* a, long n, int seed, double scale = 1, double offset = 0) {
  const uint32_t off = uint32_t(seed * 7919);
#pragma omp parallel for schedule(static)
  for (long i = 0; i < n; i++) {
    const uint32_t u = (uint32_t(i) + off) * 0x9E3779B1u;
    a[i] = float((double(u) / 4294967296.0 - 0.5) * scale + offset);
  }
}

// Out of line so that the stores cannot be dropped or hoisted out of the timing loop.
__attribute__((noinline)) void expmul(const float* __restrict x, float* __restrict y, long n) {
#pragma omp parallel for schedule(static)
  for (long i = 0; i < n; i++) y[i] = std::exp(x[i]) * x[i] + 1.0f;
}

struct Check {
  double s = 0, scale = 0;
  long n = 0;
};

// summarize() of bench/lib/common.mjs (float64 weights 1 + (i mod 7) / 7).
Check summarize(const float* x, long n) {
  Check c;
  c.n = n;
  for (long i = 0; i < n; i++) {
    const double w = 1 + double(i % 7) / 7;
    c.s += double(x[i]) * w;
    c.scale += std::fabs(double(x[i])) * w;
  }
  return c;
}

std::string num(double v) {
  if (!std::isfinite(v)) return "null";  // JSON has no NaN; null fails checksAgree, as it should
  char b[32];
  std::snprintf(b, sizeof b, "%.17g", v);
  return b;
}

std::string str(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) o += c;
  }
  return o + "\"";
}

void emit(const std::string& json) {
  std::printf("@@bench %s\n", json.c_str());
  std::fflush(stdout);
}

struct Opts {
  int warmup = 2, minReps = 5, maxReps = 50;
  double budgetMs = 2000, maxRunMs = 20000;
};

// measure() of bench/lib/common.mjs, same rule and the same fields (median, min, reps, first, check, note).
std::string measure(const float* x, float* y, long n, const Opts& o) {
  const auto run = [&] {
    const double t = nowMs();
    expmul(x, y, n);
    return nowMs() - t;
  };
  const double first = run();
  const Check c = summarize(y, n);
  const std::string check = "{\"s\":" + num(c.s) + ",\"scale\":" + num(c.scale) + ",\"n\":" + std::to_string(c.n) + "}";
  const auto out = [&](double median, double min, size_t reps, const char* note) {
    std::string r = "\"median\":" + num(median) + ",\"min\":" + num(min) + ",\"reps\":" + std::to_string(reps) +
                    ",\"first\":" + num(first) + ",\"check\":" + check;
    return note ? r + ",\"note\":" + str(note) : r;
  };
  if (first >= o.budgetMs) {
    if (first * 2 > o.maxRunMs) return out(first, first, 1, "only the first (warm-up) run: too slow to repeat");
    const double second = run();
    return out(second, second, 1, "one timed run after one warm-up (slower than the budget)");
  }
  const double warmEnd = nowMs() + o.budgetMs / 2;
  for (int i = 1; i < o.warmup && nowMs() < warmEnd; i++) run();
  std::vector<double> times;
  const double start = nowMs();
  for (;;) {
    times.push_back(run());
    const double el = nowMs() - start;
    if (int(times.size()) >= o.maxReps) break;
    if (int(times.size()) >= o.minReps && el >= o.budgetMs) break;
    if (el >= 2 * o.budgetMs) break;
  }
  std::vector<double> s = times;
  std::sort(s.begin(), s.end());
  const size_t m = s.size() / 2;
  const double median = s.size() % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  return out(median, s[0], times.size(), nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  Opts o;
  std::string library = "c++ hand-fused";
  std::vector<std::pair<std::string, long>> work;
  for (int i = 1; i < argc; i++) {
    const std::string a = argv[i];
    const auto val = [&](const char* key) -> const char* {
      const std::string k = std::string("--") + key + "=";
      return a.compare(0, k.size(), k) == 0 ? argv[i] + k.size() : nullptr;
    };
    if (const char* v = val("library")) library = v;
    else if (const char* v = val("budget")) o.budgetMs = std::atof(v);
    else if (const char* v = val("min-reps")) o.minReps = std::atoi(v);
    else if (const char* v = val("max-reps")) o.maxReps = std::atoi(v);
    else if (const char* v = val("warmup")) o.warmup = std::atoi(v);
    else if (const char* v = val("max-run-ms")) o.maxRunMs = std::atof(v);
    else if (a.find(':') != std::string::npos) work.emplace_back(a.substr(0, a.rfind(':')), std::atol(a.c_str() + a.rfind(':') + 1));
    else {
      std::fprintf(stderr, "fused-reference: unknown argument %s\n", argv[i]);
      return 2;
    }
  }
#ifdef _OPENMP
  const int threads = omp_get_max_threads();
#else
  const int threads = 1;
#endif
  emit("{\"type\":\"meta\",\"runner\":\"c++\",\"threads\":" + std::to_string(threads) + ",\"openmp\":" +
#ifdef _OPENMP
       std::to_string(_OPENMP) +
#else
       "null" +
#endif
       "}");
  for (const auto& [id, n] : work) {
    const std::string head = "{\"type\":\"result\",\"runner\":\"c++\",\"workload\":" + str(id) + ",\"library\":" + str(library) + ",";
    std::unique_ptr<float[]> x(new float[n]), y(new float[n]);
    gen(x.get(), n, 3);
    // Fault the output in with the kernel's thread partition: the first run is warm too.
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++) y[i] = 0;
    emit(head + measure(x.get(), y.get(), n, o) + "}");
  }
  emit("{\"type\":\"done\",\"runner\":\"c++\"}");
  return 0;
}
