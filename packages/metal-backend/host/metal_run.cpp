// The Mac selftest's GPU side: `metal_run KERNEL_DIR < request` runs one step (host/request.h) on
// the GPU through MetalStream, writing the same result file the shim's harness writes, so
// scripts/selftest.mjs compares the two byte for byte (within tolerance for floats).
// `metal_run KERNEL_DIR --bench-matmul N` prints float32 N x N matmul GFLOP/s.
// Inputs are written straight into the blocks' contents() and the output is read from its
// contents(): no blit and no copy call, so a correct result is the zero-copy check.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "kernel_source.h"
#include "metal_host.cpp"
#include "request.h"

namespace {

int bench_matmul(mlx_metal::MetalStream& gpu, int64_t n) {
  using mlx_metal::ViewDesc;
  mlx_metal::StepDesc step{"matmul",
                           {ViewDesc{"float32", {n, n}, {n, 1}, 0}, ViewDesc{"float32", {n, n}, {n, 1}, 0}},
                           "float32",
                           {n, n},
                           {}};
  const mlx_metal::Plan plan = mlx_metal::plan_step(step);
  const size_t bytes = size_t(n * n * 4);
  auto* a = gpu.cache().acquire(bytes);
  auto* b = gpu.cache().acquire(bytes);
  auto* c = gpu.cache().acquire(bytes);
  for (int64_t i = 0; i < n * n; ++i)
    static_cast<float*>(a->contents)[i] = static_cast<float*>(b->contents)[i] = float(i % 7) / 7.0f;
  gpu.encode(plan, {a, b}, c);
  gpu.wait(gpu.flush());
  const int reps = 10;
  const auto t0 = std::chrono::steady_clock::now();
  for (int r = 0; r < reps; ++r) gpu.encode(plan, {a, b}, c);
  gpu.wait(gpu.flush());
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("matmul float32 %lld x %lld: %.1f GFLOP/s\n", static_cast<long long>(n), static_cast<long long>(n),
              2.0 * double(n) * n * n * reps / s / 1e9);
  for (auto* blk : {a, b, c}) gpu.cache().release(blk);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: metal_run KERNEL_DIR [--bench-matmul N] < request\n");
    return 1;
  }
  try {
    NS::AutoreleasePool* pool = NS::AutoreleasePool::alloc()->init();
    mlx_metal::MetalStream gpu(mlx_metal::kernel_library_source(argv[1]));
    if (argc >= 4 && std::strcmp(argv[2], "--bench-matmul") == 0) return bench_matmul(gpu, std::atoll(argv[3]));
    mlx_metal::Request req;
    if (!mlx_metal::read_request(std::cin, req)) return 1;
    mlx_metal::Plan plan;
    try {
      plan = mlx_metal::plan_step(req.step);
    } catch (const mlx_metal::Unsupported& e) {
      std::fprintf(stderr, "unsupported: %s\n", e.what());
      return 2;
    }
    std::vector<mlx_metal::MetalBlock*> inputs;
    for (const auto& bytes : req.buffers) {
      auto* blk = gpu.cache().acquire(bytes.size());
      std::memcpy(blk->contents, bytes.data(), bytes.size());
      inputs.push_back(blk);
    }
    const size_t out_bytes = size_t(mlx_metal::numel(req.step.out_shape) * mlx_metal::dtype_size(req.step.out_dtype));
    auto* out = gpu.cache().acquire(out_bytes);
    gpu.encode(plan, inputs, out);
    gpu.wait(gpu.flush());
    std::ofstream f(req.result, std::ios::binary);
    f.write(static_cast<const char*>(out->contents), std::streamsize(out_bytes));
    std::printf("%zu dispatches, output at %p (the buffer's contents)\n", plan.dispatches.size(), out->contents);
    for (auto* blk : inputs) gpu.cache().release(blk);
    gpu.cache().release(out);
    pool->release();
    return f ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "metal_run: %s\n", e.what());
    return 3;
  }
}
