/**
 * Builds and loads generated kernels (codegen.ts) for `compiled` steps, MLX's way: the system
 * C++ compiler (the one that built the addon, with its flags) makes a shared library, cached on
 * disk under the hash of everything that decides its code, so a later process loads it at once.
 *
 * A cold build takes about half a second, more than a compiled function's first call may wait,
 * so builds run in a background process while the interpreter runs the program; each call checks
 * (at most once a millisecond, a stat) whether the build has landed, which works inside a
 * synchronous loop that never yields to the event loop. One build runs at a time, and it takes
 * every kernel queued by then into one translation unit (parsing the headers is most of a
 * build), so a training step's kernels arrive together; each kernel's cached name is a link to
 * its batch's library.
 *
 * MLX_TS_JIT=off|0 turns generation off, MLX_TS_JIT=sync builds on the first call and waits (as
 * MLX does); MLX_TS_KERNEL_CACHE sets the directory (default $XDG_CACHE_HOME/mlx-ts/kernels or
 * ~/.cache/mlx-ts/kernels). `configureJit` sets both from code.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { type CompiledParams, describeValue, type Dtype, type View } from '@mlx-ts/core';
import { addon } from '../addon.js';
import { kernelSource, kernelSymbol, named, translationUnit } from './codegen.js';

export type JitMode = 'async' | 'sync' | 'off';

export interface JitStatus {
  readonly mode: JitMode;
  /** Why generation is off on this machine (no compiler, no writable cache), when it is. */
  readonly unavailable: string | null;
  readonly cacheDir: string;
  readonly ready: number;
  readonly pending: number;
  readonly failed: number;
  /** Libraries loaded from the disk cache rather than built by this process. */
  readonly fromDisk: number;
}

type State = 'queued' | 'building' | 'ready' | 'failed';

interface Kernel {
  readonly key: string;
  readonly source: string;
  state: State;
  id: number;
}

interface BuildConfig {
  readonly compiler: string;
  readonly flags: readonly string[];
  readonly includeDir: string;
  readonly abi: number;
}
let buildConfig: BuildConfig | undefined;
/** The addon's compiler, flags and headers, asked for on first use: the module loads without an addon. */
function config(): BuildConfig {
  if (buildConfig === undefined) {
    const c = addon.jitConfig();
    buildConfig = { ...c, flags: c.flags.split(/\s+/).filter(Boolean) };
  }
  return buildConfig;
}

function envMode(): JitMode {
  const v = (process.env.MLX_TS_JIT ?? '').toLowerCase();
  if (v === '0' || v === 'off' || v === 'false') return 'off';
  return v === 'sync' ? 'sync' : 'async';
}

function defaultCacheDir(): string {
  if (process.env.MLX_TS_KERNEL_CACHE) return process.env.MLX_TS_KERNEL_CACHE;
  const base = process.env.XDG_CACHE_HOME || join(os.homedir() || os.tmpdir(), '.cache');
  return join(base, 'mlx-ts', 'kernels');
}

let mode: JitMode = envMode();
let cacheDir = defaultCacheDir();
let unavailable: string | null | undefined;
let fromDisk = 0;
const kernels = new Map<string, Kernel>();
const queue: Kernel[] = [];
/** The kernels of the build in progress; the last one's library or marker appears last. */
let building: Kernel[] | null = null;
let lastPoll = 0;

/** Digest of the addon's headers: a change to a functor must not reuse an old library. */
let headerDigest: string | undefined;
function headers(): string {
  if (headerDigest === undefined) {
    const h = createHash('sha256');
    const { includeDir } = config();
    for (const f of readdirSync(includeDir)
      .filter((x) => x.endsWith('.h'))
      .sort()) {
      h.update(f).update(readFileSync(join(includeDir, f)));
    }
    headerDigest = h.digest('hex');
  }
  return headerDigest;
}

/** Null when kernels can be built here, else why not (checked once). */
function whyUnavailable(): string | null {
  if (unavailable !== undefined) return unavailable;
  const { compiler, includeDir } = config();
  if (!compiler || !existsSync(compiler)) unavailable = `no C++ compiler at '${compiler}'`;
  else if (!existsSync(join(includeDir, 'jit_kernel.h'))) unavailable = `the addon's headers are not at '${includeDir}'`;
  else {
    try {
      mkdirSync(cacheDir, { recursive: true });
      unavailable = null;
    } catch (e) {
      unavailable = `cannot create the kernel cache '${cacheDir}': ${(e as Error).message}`;
    }
  }
  return unavailable;
}

const paths = (key: string) => ({
  library: join(cacheDir, `${key}.so`),
  failed: join(cacheDir, `${key}.failed`),
});

/**
 * Compiles to a temporary name and renames, so a library under its final name is complete, then
 * links each kernel's name to it; a failure leaves a marker per kernel, so a synchronous loop can
 * see it without the event loop.
 */
const buildScript = [
  'tmp="$LIB.$$.tmp"',
  'if "$@" -o "$tmp" 2>"$LOG"; then mv -f "$tmp" "$LIB"; for k in $KEYS; do ln -sf "$LIBNAME" "$DIR/$k.so" || cp -f "$LIB" "$DIR/$k.so"; done',
  'else rm -f "$tmp"; for k in $KEYS; do : > "$DIR/$k.failed"; done; fi',
].join('\n');

/** Writes the batch's source; returns the build command (sh arguments and environment). */
function prepareBuild(batch: readonly Kernel[]): { args: string[]; env: NodeJS.ProcessEnv } {
  const keys = batch.map((k) => k.key);
  const name = `batch-${createHash('sha256').update(keys.join(',')).digest('hex').slice(0, 16)}`;
  const source = join(cacheDir, `${name}.cc`);
  writeFileSync(source, translationUnit(batch.map((k) => k.source)));
  const { compiler, flags, includeDir } = config();
  return {
    args: ['-c', buildScript, 'sh', compiler, ...flags, '-fPIC', '-shared', '-I', includeDir, source],
    env: { ...process.env, LIB: join(cacheDir, `${name}.so`), LIBNAME: `${name}.so`, DIR: cacheDir, KEYS: keys.join(' '), LOG: join(cacheDir, `${name}.log`) },
  };
}

function load(k: Kernel): void {
  try {
    k.id = addon.loadKernel(paths(k.key).library, kernelSymbol(k.key));
    k.state = 'ready';
  } catch (e) {
    fail(k, (e as Error).message);
  }
}

let warned = false;
function fail(k: Kernel, why: string): void {
  k.state = 'failed';
  if (!warned) {
    warned = true;
    process.emitWarning(`mlx-ts: a generated kernel failed (${why}); compiled functions keep running through the interpreter. Logs: ${cacheDir}`);
  }
}

/** Loads (or marks failed) the kernels of a finished build. */
function finish(batch: readonly Kernel[]): void {
  for (const k of batch) {
    if (statSync(paths(k.key).library, { throwIfNoEntry: false })) load(k);
    else fail(k, `the compiler failed (see the batch's .log in ${cacheDir})`);
  }
}

/** Checks whether the running build finished; starts the next one. */
function pump(): void {
  if (building) {
    const last = paths(building[building.length - 1]!.key);
    if (!statSync(last.library, { throwIfNoEntry: false }) && !statSync(last.failed, { throwIfNoEntry: false })) return;
    const done = building;
    building = null;
    finish(done);
  }
  // A step asks for its kernels within microseconds of each other: wait a moment so they share one build.
  if (queue.length === 0 || performance.now() - queuedAt < batchWindowMs) return;
  const batch = queue.splice(0, maxBatch);
  building = batch;
  for (const k of batch) k.state = 'building';
  let child: ReturnType<typeof spawn>;
  try {
    const { args, env } = prepareBuild(batch);
    child = spawn('sh', args, { env, stdio: 'ignore' });
  } catch (e) {
    building = null;
    for (const k of batch) fail(k, (e as Error).message);
    return;
  }
  // Detached from the event loop's lifetime: a process may exit while a build runs; the build
  // still lands in the cache for the next one.
  child.unref();
  const abandon = (why: string) => {
    if (building !== batch) return;
    building = null;
    for (const k of batch) fail(k, why);
    pump();
  };
  // The script leaves a library or a marker per kernel before it exits; neither means it was killed.
  child.on('exit', (code, signal) => {
    pump();
    abandon(`the build exited (${signal ?? `code ${code}`}) without a result`);
  });
  child.on('error', (e) => abandon(e.message));
}
const maxBatch = 64;
const batchWindowMs = 2;
let queuedAt = 0;

function request(key: string, source: string): Kernel {
  const k: Kernel = { key, source, state: 'queued', id: -1 };
  kernels.set(key, k);
  const p = paths(key);
  if (statSync(p.library, { throwIfNoEntry: false })) {
    fromDisk++;
    load(k);
  } else if (statSync(p.failed, { throwIfNoEntry: false })) {
    k.state = 'failed';
  } else if (mode === 'sync') {
    const { args, env } = prepareBuild([k]);
    spawnSync('sh', args, { env, stdio: 'ignore' });
    finish([k]);
  } else {
    if (queue.length === 0) queuedAt = performance.now();
    queue.push(k);
    // Starts the build when the event loop turns; a synchronous loop starts it from kernelIdFor.
    setTimeout(pump, batchWindowMs + 1).unref();
  }
  return k;
}

/** What a program needs beyond its params: the dtypes of its inputs. */
interface PerProgram {
  readonly generation: number;
  readonly dtypes: readonly Dtype[];
  readonly kernel: Kernel | null;
}
const perProgram = new WeakMap<CompiledParams, PerProgram>();
/** Bumped when the cache directory changes, which invalidates every PerProgram. */
let generation = 0;

function lookup(p: CompiledParams, dtypes: readonly Dtype[]): Kernel | null {
  const body = kernelSource(p, dtypes);
  if (body === null || whyUnavailable() !== null) return null;
  // The interpreter always works: nothing here (a full disk, a cache removed meanwhile) may fail a step.
  try {
    const { abi, compiler, flags } = config();
    const key = createHash('sha256')
      .update(`${abi}\n${compiler}\n${flags.join(' ')}\n${headers()}\n`)
      .update(body)
      .digest('hex')
      .slice(0, 32);
    return kernels.get(key) ?? request(key, named(body, key));
  } catch (e) {
    unavailable = `kernel generation failed: ${(e as Error).message}`;
    process.emitWarning(`mlx-ts: ${unavailable}; compiled functions run through the interpreter`);
    return null;
  }
}

/** The id of the loaded kernel for `p` with these inputs, or -1 to interpret it (for now). */
export function kernelIdFor(p: CompiledParams, inputs: readonly View[]): number {
  if (mode === 'off') return -1;
  let entry = perProgram.get(p);
  if (entry === undefined || entry.generation !== generation || !sameDtypes(entry.dtypes, inputs)) {
    const dtypes = inputs.map((v) => v.dtype);
    entry = { generation, dtypes, kernel: lookup(p, dtypes) };
    perProgram.set(p, entry);
  }
  const k = entry.kernel;
  if (k === null) return -1;
  if (k.state === 'ready') return k.id;
  if (k.state !== 'failed') {
    const now = performance.now();
    if (now - lastPoll >= 1) {
      lastPoll = now;
      pump();
      if ((k.state as State) === 'ready') return k.id;
    }
  }
  return -1;
}

function sameDtypes(dtypes: readonly Dtype[], inputs: readonly View[]): boolean {
  if (dtypes.length !== inputs.length) return false;
  for (let i = 0; i < inputs.length; i++) if (dtypes[i] !== inputs[i]!.dtype) return false;
  return true;
}

/** Resolves once no kernel is queued or building (checking as kernelIdFor does, by polling). */
export async function waitForKernels(): Promise<void> {
  for (pump(); queue.length > 0 || building; pump()) await new Promise((resolve) => setTimeout(resolve, 10));
}

export interface JitOptions {
  readonly mode?: JitMode;
  readonly cacheDir?: string;
}

/** Changes the mode or the cache directory (kernels already loaded stay in use). */
export function configureJit(options: JitOptions): void {
  if (options.mode !== undefined) {
    if (options.mode !== 'async' && options.mode !== 'sync' && options.mode !== 'off') {
      throw new Error(`configureJit: mode must be 'async', 'sync' or 'off', got ${describeValue(options.mode)}`);
    }
    mode = options.mode;
  }
  if (options.cacheDir !== undefined) {
    cacheDir = options.cacheDir;
    unavailable = undefined;
    kernels.clear();
    generation++;
  }
}

export function jitStatus(): JitStatus {
  let ready = 0;
  let failed = 0;
  for (const k of kernels.values()) {
    if (k.state === 'ready') ready++;
    else if (k.state === 'failed') failed++;
  }
  return {
    mode,
    unavailable: whyUnavailable(),
    cacheDir,
    ready,
    failed,
    pending: queue.length + (building?.length ?? 0),
    fromDisk,
  };
}
