// The fake device: runs one step the way the Metal host would (host/plan.h's dispatches, buffers
// bound by [[buffer(i)]] index), with the .metal kernels compiled as C++ through metal_shim.h and
// executed on a CPU grid. The tests (test/metal/shim.test.ts) feed it steps built from the property
// kit and compare its output with the CPU backend's.
//
// The request comes on stdin (host/request.h); on a Mac host/metal_run.cpp takes the same request
// and runs it on the GPU, so the selftest compares the two. Exit status: 0 done, 2 the plan does not cover the step
// (message on stderr), 4 the plan named a kernel no .metal file instantiates, 1 a malformed request.
#include "../host/request.h"
#include "kernels.h"

using metal_shim_registry::register_kernels;
using metal_shim_registry::registry;

int main() {
  register_kernels();
  mlx_metal::Request req;
  if (!mlx_metal::read_request(std::cin, req)) return 1;
  const mlx_metal::StepDesc& step = req.step;
  std::vector<std::vector<char>>& buffers = req.buffers;
  const std::string& result = req.result;
  mlx_metal::Plan plan;
  try {
    plan = mlx_metal::plan_step(step);
  } catch (const mlx_metal::Unsupported& e) {
    std::cerr << "unsupported: " << e.what() << "\n";
    return 2;
  }
  std::vector<char> out(size_t(mlx_metal::numel(step.out_shape) * mlx_metal::dtype_size(step.out_dtype)) + 16);
  std::vector<std::vector<char>> temps;
  for (auto n : plan.temp_bytes) temps.emplace_back(size_t(n) + 16);
  for (auto& d : plan.dispatches) {
    auto it = registry().find(d.kernel);
    if (it == registry().end()) {
      std::cerr << "harness: the plan asked for kernel '" << d.kernel << "', which no .metal file instantiates\n";
      return 4;
    }
    std::vector<void*> bound;
    for (auto& a : d.args) {
      switch (a.kind) {
        case mlx_metal::Arg::Input:
          bound.push_back(buffers.at(size_t(a.index)).data() + a.byte_offset);
          break;
        case mlx_metal::Arg::Output:
          bound.push_back(out.data() + a.byte_offset);
          break;
        case mlx_metal::Arg::Temp:
          bound.push_back(temps.at(size_t(a.index)).data());
          break;
        case mlx_metal::Arg::Bytes:
          bound.push_back(a.bytes.data());
          break;
      }
    }
    const Launch& launch = it->second;
    const metal_shim::uint3 limit{d.grid_threads == 0 ? ~0u : uint32_t(d.grid_threads), ~0u, ~0u};
    metal_shim::dispatch(
        {d.groups.x, d.groups.y, d.groups.z}, {d.threads.x, d.threads.y, d.threads.z},
        [&](const ThreadPos& t) { launch(bound.data(), t); }, limit);
  }
  std::ofstream f(result, std::ios::binary);
  f.write(out.data(), std::streamsize(out.size() - 16));
  std::cout << plan.dispatches.size() << " dispatches:";
  for (auto& d : plan.dispatches) std::cout << " " << d.kernel;
  std::cout << "\n";
  return f ? 0 : 1;
}
