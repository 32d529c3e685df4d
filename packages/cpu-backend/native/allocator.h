// Output buffers from a size-bucketed cache. Touching fresh pages costs about 1.2 us per 4 KiB
// (a 40 MB output: 12 ms, more than the arithmetic), so large outputs reuse the memory of
// ArrayBuffers that V8 has collected (or that `dispose` detached) instead of mapping new pages.
//
// Each large output is still a V8 ArrayBuffer: its backing store wraps a cached block and its
// deleter (which V8 calls when it collects the buffer, on any thread, or at once when the buffer
// is detached) returns the block to the cache. V8 counts the bytes as external memory as it
// does for its own ArrayBuffers, so collection keeps pace with a synchronous loop. The cache is
// bounded: beyond its cap (MLX_TS_BUFFER_CACHE_MB, default 1 GiB or an eighth of the machine's
// memory) blocks go back to the system oldest first, and blocks idle for 5 s go back too.
// Blocks of 2 MiB and more ask for transparent huge pages (first touch ~6x cheaper where the
// system grants them).
//
// Why not mallopt(M_MMAP_THRESHOLD/M_TRIM_THRESHOLD) so that glibc keeps freed blocks: glibc caps
// the threshold at 32 MiB (a 1e7-float output is 40 MB, so it is still mapped fresh), and its
// calloc must zero recycled memory. Measured on `exp(x) * x + 1` (2-core EPYC VM): 1e7 floats
// 16.5 ms/iteration with this cache, 57-60 ms with plain or mallopt-tuned ArrayBuffers; 1e6:
// 1.2 ms, against 4.7 ms plain and 1.9 ms mallopt-tuned.
//
// This needs V8's C++ API (<v8.h> from the Node.js headers, found at configure time next to the
// node binary: MLX_TS_HAVE_V8) and a Node.js of the major version the addon was built for; without
// either, or with MLX_TS_BUFFER_CACHE_MB=0, every output is a plain napi_create_arraybuffer.
#pragma once

#include <node_api.h>

#include <cstddef>
#include <cstdint>

#include "scratch.h"

namespace mlx_cpu {

// napi_create_arraybuffer's contract (a new ArrayBuffer of `bytes` bytes, *data its memory), with
// the memory from output_block_alloc (large buffers from the cache), so a failed allocation throws
// std::bad_alloc instead of ending the process as V8's does. zero = false leaves the contents
// unspecified, for an output that the kernel writes in full (every kernel in this addon does:
// MLX_TS_POISON_OUTPUTS=1 fills unzeroed outputs with 0xff bytes to prove it). JS thread only.
napi_status create_output_buffer(napi_env env, size_t bytes, bool zero, void** data, napi_value* result);

// The same in two steps, for outputs made off the JS thread (executeAsync): output_block_alloc
// (any thread) takes a 64-byte-aligned block (zeroed when `zero`), output_block_wrap (JS thread)
// makes it an ArrayBuffer that owns it, and output_block_free gives back a block never wrapped.
// With V8's API the wrapped block returns to the cache as soon as V8 frees the ArrayBuffer (GC or
// detach), as for create_output_buffer; without it the ArrayBuffer is an external one whose
// memory Node frees from the event loop after collection.
void* output_block_alloc(size_t bytes, bool zero);
// output_block_wrap owns `block` whatever it returns; `data`, when given, is set to where the
// ArrayBuffer's bytes are (another block only where the runtime forbids external buffers).
napi_status output_block_wrap(napi_env env, void* block, size_t bytes, napi_value* result, void** data = nullptr);
void output_block_free(void* block, size_t bytes);

struct BufferCacheStats {
  bool enabled;           // outputs of at least min_bytes come from the cache
  size_t min_bytes;       // smaller outputs are plain ArrayBuffers
  size_t cap_bytes;       // the most the cache keeps while no ArrayBuffer uses it
  size_t cached_bytes;    // blocks waiting for reuse
  size_t live_bytes;      // blocks held by live ArrayBuffers
  uint64_t hits, misses;  // outputs served from the cache / from new memory
};
BufferCacheStats buffer_cache_stats();

// Returns every cached block to the system (live buffers are unaffected).
void buffer_cache_trim();

}  // namespace mlx_cpu
