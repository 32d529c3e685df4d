/** Loading the native addon (native/addon.cc), built by cmake-js into build/Release. */
import { createRequire } from 'node:module';

export interface NativeAddon {
  /** Runs an encoded step list (see program.ts); returns one new ArrayBuffer per step. */
  execute(program: Float64Array, length: number, buffers: readonly ArrayBuffer[]): ArrayBuffer[];
  /** The same on libuv's thread pool; the program is decoded before this returns. */
  executeAsync(program: Float64Array, length: number, buffers: readonly ArrayBuffer[]): Promise<ArrayBuffer[]>;
  /** Detaches the buffer, which frees its memory now. */
  detach(buffer: ArrayBuffer): void;
  /** Loads the kernel `symbol` from a generated library (jit/compiler.ts); returns its id. */
  loadKernel(path: string, symbol: string): number;
  /** How generated kernels are built: the addon's own compiler, flags and headers. */
  jitConfig(): { compiler: string; flags: string; includeDir: string; abi: number };
  /** The BLAS loaded for matmul, if any, and how it was chosen (native/blas.h). */
  blasInfo(): { loaded: boolean; library: string; vendor: string; corename: string; config: string; coretype: string; coretypeSource: string; pooled: boolean; error: string };
  /** The thread pool's size. */
  threadInfo(): { threads: number };
  /** The output buffer cache (native/allocator.h). */
  bufferCacheStats(): { enabled: boolean; minBytes: number; capBytes: number; cachedBytes: number; liveBytes: number; hits: number; misses: number };
  /** Returns every cached block to the system. */
  bufferCacheTrim(): void;
  /** Opcode i runs the primitive opNames[i]. */
  readonly opNames: readonly string[];
}

function load(): NativeAddon {
  const require = createRequire(import.meta.url);
  try {
    // Relative to src/ and to dist/ alike.
    return require('../build/Release/mlx_cpu.node') as NativeAddon;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'MODULE_NOT_FOUND') {
      throw new Error(
        '@mlx-ts/cpu-backend: the native addon was not built (build/Release/mlx_cpu.node is missing). ' +
          'Build it with `pnpm install` at the repository root or `npx cmake-js compile` in packages/cpu-backend ' +
          '(needs CMake >= 3.15 and a C++17 compiler; set MLX_TS_PORTABLE=1 for a build without -march=native).',
      );
    }
    throw new Error(`@mlx-ts/cpu-backend: the native addon failed to load: ${err.message}`);
  }
}

export const addon: NativeAddon = load();
