/** Loading the native addon (native/addon.cc), built by cmake-js into build/Release. */
import { createRequire } from 'node:module';
import { allDtypes, binaryAnyDtype, binaryFloat, binaryInteger, binaryPredicate, unaryAnyDtype, unaryFloat, unaryInteger, unaryPredicate } from '@mlx-ts/core';

/** Which dtypes an elementwise kernel takes and gives (native/ops.h). */
export type ElementwiseKind = 'any_dtype' | 'float_only' | 'int_only' | 'predicate';
/** One entry of native/ops.h's MLX_TS_ELEMENTWISE_OPS. */
export interface ElementwiseOp {
  readonly name: string;
  /** The kernel entry point that runs it: its arity. */
  readonly family: 'unary' | 'binary';
  /** Its scalar function in native/functors.h (namespace fn). */
  readonly functor: string;
  readonly kind: ElementwiseKind;
}
/** One entry of native/dtype.h's MLX_TS_DTYPES, at index `Dtype.code`. */
export interface NativeDtype {
  readonly name: string;
  /** The C++ type that stores an element. */
  readonly storage: string;
  readonly size: number;
}

export interface NativeAddon {
  /** Runs an encoded step list (see program.ts); returns one new ArrayBuffer per step. */
  execute(program: Float64Array, length: number, buffers: readonly ArrayBuffer[]): ArrayBuffer[];
  /** The same on libuv's thread pool; the program is decoded before this returns. */
  executeAsync(program: Float64Array, length: number, buffers: readonly ArrayBuffer[]): Promise<ArrayBuffer[]>;
  /** Detaches the buffer, which frees its memory now. */
  detach(buffer: ArrayBuffer): void;
  /** A copy of the typed array's bytes in the addon's storage (page-aligned, cached, huge pages from 2 MB). */
  copyFromHost(data: ArrayBufferView): ArrayBuffer;
  /** Loads the kernel `symbol` from a generated library (jit/compiler.ts); returns its id. */
  loadKernel(path: string, symbol: string): number;
  /** How generated kernels are built: the addon's own compiler, flags and headers. */
  jitConfig(): { compiler: string; flags: string; includeDir: string; abi: number };
  /** The BLAS loaded for matmul, if any, and how it was chosen (native/blas.h). */
  blasInfo(): {
    loaded: boolean;
    library: string;
    vendor: string;
    corename: string;
    /** OpenBLAS: the kernel it picked by itself ("" when OPENBLAS_CORETYPE was set in the environment). */
    detected: string;
    config: string;
    coretype: string;
    coretypeSource: string;
    pooled: boolean;
    /** OpenBLAS: products of at least this many flops run on OpenBLAS's own threads (0: never). */
    ownThreadsFlops: number;
    error: string;
    /** The built-in GEMM's float32 micro-kernel: "avx512-12x32" or "vector-6x16". */
    gemmKernel: string;
  };
  /** The LAPACK loaded for mx.linalg, if any (native/lapack.h). */
  lapackInfo(): { loaded: boolean; library: string; error: string };
  /** The MPI library found for mx.distributed, if any (native/distributed.h). */
  distributedInfo(): { available: boolean; library: string; version: string; error: string; launched: boolean };
  /** Sets up the world group (MPI's under a launcher, else the singleton); throws, when strict, what is missing. */
  distributedInit(strict: boolean): { group: number; rank: number; size: number };
  /** MPI_Comm_split of group `group`: a new group id with this process's rank and the size. */
  distributedSplit(group: number, color: number, key: number): { group: number; rank: number; size: number };
  /** The thread pool's size. */
  threadInfo(): { threads: number };
  /** The output buffer cache (native/allocator.h). */
  bufferCacheStats(): { enabled: boolean; minBytes: number; capBytes: number; cachedBytes: number; liveBytes: number; hits: number; misses: number };
  /** Returns every cached block to the system. */
  bufferCacheTrim(): void;
  /** Opcode i runs the primitive opNames[i]. */
  readonly opNames: readonly string[];
  /** The elementwise primitives, in opcode order. */
  readonly elementwiseOps: readonly ElementwiseOp[];
  /** The dtypes by code. */
  readonly dtypes: readonly NativeDtype[];
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

/** Core's elementwise families by the addon's family and kind: what native/ops.h must list. */
export const coreElementwise: { readonly [F in ElementwiseOp['family']]: { readonly [K in ElementwiseKind]: readonly string[] } } = {
  unary: { any_dtype: unaryAnyDtype, float_only: unaryFloat, int_only: unaryInteger, predicate: unaryPredicate },
  binary: { any_dtype: binaryAnyDtype, float_only: binaryFloat, int_only: binaryInteger, predicate: binaryPredicate },
};

/**
 * Core and the addon must agree on the dtype codes and on each elementwise primitive's family and
 * kind: a stale build would misread every program, and the generated kernels take their storage
 * types and functors from these tables. Throws, saying to rebuild the addon, where they differ.
 */
export function checkTables(a: NativeAddon): NativeAddon {
  agree(
    'dtypes (code name size)',
    a.dtypes.map((d, code) => `${code} ${d.name} ${d.size}`),
    allDtypes.map((d) => `${d.code} ${d.name} ${d.size}`),
  );
  agree(
    'elementwise primitives (family kind name)',
    a.elementwiseOps.map((op) => `${op.family} ${op.kind} ${op.name}`),
    Object.entries(coreElementwise).flatMap(([family, kinds]) => Object.entries(kinds).flatMap(([kind, names]) => names.map((n) => `${family} ${kind} ${n}`))),
  );
  return a;
}

function agree(what: string, native: readonly string[], core: readonly string[]): void {
  const onlyNative = native.filter((x) => !core.includes(x));
  const onlyCore = core.filter((x) => !native.includes(x));
  if (onlyNative.length === 0 && onlyCore.length === 0 && native.length === core.length) return;
  throw new Error(
    `@mlx-ts/cpu-backend: the addon's ${what} differ from @mlx-ts/core's: the addon has [${onlyNative.join(', ')}] where core has ` +
      `[${onlyCore.join(', ')}]. Rebuild the addon (\`npx cmake-js build\` in packages/cpu-backend); if core changed, change ` +
      'native/dtype.h or native/ops.h to match.',
  );
}

/**
 * Stands in for an addon that failed to load: its tables are empty, so the modules that read them
 * at load time still load, and every call throws why it failed. `@mlx-ts/cpu-backend` thus imports
 * without its addon, and `mlx-ts` can choose another backend synchronously (see `addonError`).
 */
function unavailableAddon(error: Error): NativeAddon {
  const fail = (): never => {
    throw error;
  };
  return {
    execute: fail,
    executeAsync: fail,
    detach: fail,
    copyFromHost: fail,
    loadKernel: fail,
    jitConfig: fail,
    blasInfo: fail,
    lapackInfo: fail,
    distributedInfo: fail,
    distributedInit: fail,
    distributedSplit: fail,
    threadInfo: fail,
    bufferCacheStats: fail,
    bufferCacheTrim: fail,
    opNames: [],
    elementwiseOps: [],
    dtypes: [],
  };
}

function loadChecked(): { addon: NativeAddon; error: Error | null } {
  try {
    return { addon: checkTables(load()), error: null };
  } catch (e) {
    return { addon: unavailableAddon(e as Error), error: e as Error };
  }
}

const loaded = loadChecked();
export const addon: NativeAddon = loaded.addon;
/** Why the addon could not be loaded (not built, or built for another core), or null when it loaded. */
export const addonError: Error | null = loaded.error;
