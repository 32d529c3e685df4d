// The Metal backend's N-API addon (mlx_metal.node), built by CMakeLists.txt only on macOS: the
// binding (host/napi_binding.h over host/binding.h) over MetalStream (host/metal_host.cpp), with the
// kernel library compiled at init from kernels/ (host/kernel_source.h). On Linux it is
// syntax-checked against host/stubs and node-addon-api's headers (test/metal/host.test.ts), and the
// same binding runs over a fake device (shim/fake_addon.cc).
#include "kernel_source.h"
#include "metal_host.cpp"
#include "napi_binding.h"

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) {
  mlx_metal::NapiBinding<mlx_metal::MetalStream>::add_exports(env, exports, [](const std::string& kernel_dir) {
    return new mlx_metal::MetalStream(mlx_metal::kernel_library_source(kernel_dir));
  });
  return exports;
}

NODE_API_MODULE(mlx_metal, InitAddon)
