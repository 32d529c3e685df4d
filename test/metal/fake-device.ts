/**
 * The Metal backend's fake device: a Backend whose steps run through the harness
 * (packages/metal-backend/shim/harness.cc), which plans them with host/plan.h exactly as the Metal
 * host would and runs the .metal kernels compiled as C++ through the shim on a CPU grid. A step the
 * plan does not cover runs on the CPU backend over a copy of the same bytes, as the real backend
 * runs it over the same buffer. `log` records where every step ran, so tests can tell a kernel from
 * a fallback.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as mx from '../helpers/mx.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const metalDir = join(root, 'packages/metal-backend');
const cxx = process.env.CXX ?? 'g++';

/** Every file the harness is built from: the shim, the kernels, the planner and the CPU backend's half.h. */
export function harnessSources(): string[] {
  const dirs = ['shim', 'kernels', 'host'].map((d) => join(metalDir, d));
  const files = dirs.flatMap((d) =>
    readdirSync(d, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(d, e.name)),
  );
  return [...files, join(root, 'packages/cpu-backend/native/half.h')].sort();
}

export const harnessFlags = ['-std=c++17', '-O1', '-Wall', '-Wextra', '-Werror', '-Wno-attributes'];

/**
 * Builds the harness (once per content: cached under node_modules/.cache by a hash of its sources,
 * compiler and flags) and returns its path. A build takes about 25 s on a loaded 2-core machine.
 */
export async function buildHarness(): Promise<string> {
  const version = spawnSync(cxx, ['--version'], { encoding: 'utf8' });
  if (version.status !== 0) throw new Error(`metal shim: the C++ compiler '${cxx}' is not available (${version.error?.message ?? version.stderr})`);
  const h = createHash('sha256').update(version.stdout).update(harnessFlags.join(' '));
  for (const f of harnessSources()) h.update(f).update(readFileSync(f));
  const cache = join(root, 'node_modules/.cache/mlx-ts-metal');
  const exe = join(cache, `harness-${h.digest('hex').slice(0, 16)}`);
  if (existsSync(exe)) return exe;
  mkdirSync(cache, { recursive: true });
  const tmp = `${exe}.${process.pid}.tmp`;
  // Asynchronously: a build blocks nothing else the test worker does meanwhile.
  const stderr = await new Promise<string | null>((resolve, reject) => {
    const p = spawn(cxx, [...harnessFlags, '-o', tmp, join(metalDir, 'shim/harness.cc')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve(code === 0 ? null : err));
  });
  if (stderr !== null) throw new Error(`metal shim: building the harness failed:\n${stderr}`);
  renameSync(tmp, exe);
  return exe;
}

class FakeStorage {
  constructor(
    readonly bytes: Uint8Array,
    readonly dtype: mx.Dtype,
  ) {}
}

/** The harness's integer params for a step, in the order host/plan.h reads them. */
function encodeParams(prim: string, params: unknown): number[] {
  const p = params as { axes?: number[]; axis?: number; reverse?: boolean; inclusive?: boolean; low?: number[]; high?: number[]; value?: number };
  if (['sum', 'prod', 'max', 'min'].includes(prim)) return p.axes!;
  if (['argmax', 'argmin', 'softmax', 'logsumexp'].includes(prim)) return [p.axis!];
  if (['cumsum', 'cumprod', 'cummax', 'cummin'].includes(prim)) return [p.axis!, p.reverse ? 1 : 0, p.inclusive ? 1 : 0];
  if (['concatenate', 'gather', 'sort', 'argsort'].includes(prim)) return [p.axis!];
  // The pad value travels as its float32 bits (the request carries integers).
  if (prim === 'pad') return [...p.low!, ...p.high!, new Uint32Array(new Float32Array([p.value!]).buffer)[0]!];
  return [];
}

function typedOver(s: FakeStorage): mx.HostTypedArray {
  const probe = mx.hostArrayFor(s.dtype, 0) as unknown as { constructor: new (b: ArrayBufferLike, o: number, n: number) => mx.HostTypedArray };
  return new probe.constructor(s.bytes.buffer, s.bytes.byteOffset, s.bytes.byteLength / s.dtype.size);
}

function bytesOf(t: mx.HostTypedArray): Uint8Array {
  return new Uint8Array(t.buffer.slice(t.byteOffset, t.byteOffset + t.byteLength));
}

export interface StepRecord {
  prim: string;
  /** 'shim': kernels ran through the shim; 'cpu': the plan did not cover it (`why`). */
  where: 'shim' | 'cpu';
  kernels: string[];
  why?: string;
  /** For a CPU fallback: the step and its inputs' bytes (codegen.test.ts replays compiled steps). */
  step?: mx.Step;
  inputBytes?: Uint8Array[];
}

/**
 * What runs the steps: the shim's harness, or with `MLX_TS_METAL_RUN` set (the Mac selftest) the
 * built metal_run, which takes the same requests and runs them on the GPU.
 */
export async function stepRunner(): Promise<{ exe: string; args: string[] }> {
  const gpu = process.env.MLX_TS_METAL_RUN;
  if (gpu) return { exe: gpu, args: [join(metalDir, 'kernels')] };
  return { exe: await buildHarness(), args: [] };
}

export function fakeMetalBackend(
  runner: { exe: string; args: string[] },
  name = 'metal-shim',
  deviceType: mx.DeviceType = 'cpu',
): mx.Backend & { log: StepRecord[] } {
  const work = mkdtempSync(join(tmpdir(), 'mlx-ts-metal-shim-'));
  process.on('exit', () => rmSync(work, { recursive: true, force: true }));
  let files = 0;
  const cpu = () => mx.getBackendByName('cpu');
  const log: StepRecord[] = [];
  const toHost = (view: mx.View): mx.HostTypedArray => {
    const s = (view.source as { handle: FakeStorage }).handle;
    const all = typedOver(s);
    const n = view.shape.reduce((a, b) => a * b, 1);
    const out = mx.hostArrayFor(view.dtype, n);
    const idx = view.shape.map(() => 0);
    for (let i = 0; i < n; i++) {
      let loc = view.offset;
      for (let d = 0; d < idx.length; d++) loc += idx[d]! * view.strides[d]!;
      (out as unknown as number[])[i] = (all as unknown as number[])[loc]!;
      for (let d = idx.length - 1; d >= 0; d--) {
        if (++idx[d]! < view.shape[d]!) break;
        idx[d] = 0;
      }
    }
    return out;
  };
  const fallback = (step: mx.Step, inputs: FakeStorage[], why: string): FakeStorage[] => {
    const c = cpu();
    const views = step.inputs.map((v, i) => ({ ...v, source: { kind: 'storage' as const, handle: c.fromHost(typedOver(inputs[i]!), inputs[i]!.dtype) } }));
    const outs = c.execute([{ ...step, inputs: views }]);
    const avals = step.outputs ?? [{ shape: step.shape, dtype: step.dtype }];
    log.push({ prim: step.prim, where: 'cpu', kernels: [], why, step, inputBytes: inputs.map((x) => x.bytes) });
    return outs.map((h, k) => {
      const a = avals[k]!;
      const t = c.toHost({ source: { kind: 'storage', handle: h }, dtype: a.dtype, shape: a.shape, strides: mx.contiguousStrides(a.shape), offset: 0 });
      return new FakeStorage(bytesOf(t), a.dtype);
    });
  };
  const backend = {
    name,
    deviceType,
    priority: 1,
    log,
    fromHost: (data: mx.HostTypedArray, dtype: mx.Dtype) => new FakeStorage(bytesOf(data), dtype),
    toHost,
    release: () => {},
    supports: () => true,
    execute(steps: readonly mx.Step[]): unknown[] {
      const slots: FakeStorage[] = [];
      for (const step of steps) {
        const inputs = step.inputs.map((v) => (v.source.kind === 'storage' ? (v.source.handle as FakeStorage) : slots[v.source.index]!));
        if (step.outputs !== undefined) {
          slots.push(...fallback(step, inputs, 'a multi-output step'));
          continue;
        }
        const lines = [`prim ${step.prim}`, `out ${step.dtype.name} ${step.shape.length} ${step.shape.join(' ')}`];
        const params = encodeParams(step.prim, step.params);
        lines.push(`params ${params.length} ${params.join(' ')}`);
        step.inputs.forEach((v, i) => {
          const path = join(work, `in${files++}.bin`);
          writeFileSync(path, inputs[i]!.bytes);
          lines.push(`in ${v.dtype.name} ${path} ${v.offset} ${v.shape.length} ${v.shape.join(' ')} ${v.strides.join(' ')}`);
        });
        const result = join(work, `out${files++}.bin`);
        lines.push(`result ${result}`);
        const r = spawnSync(runner.exe, runner.args, { input: lines.join('\n') + '\n', encoding: 'utf8' });
        if (r.status === 2) {
          slots.push(...fallback(step, inputs, r.stderr.trim()));
          continue;
        }
        if (r.status !== 0)
          throw new Error(`metal shim: ${runner.exe} failed (status ${r.status}) on ${step.prim}:\n${r.stderr}\nrequest:\n${lines.join('\n')}`);
        const kernels = r.stdout.includes(': ') ? r.stdout.trim().split(': ')[1]!.split(' ') : [];
        log.push({ prim: step.prim, where: 'shim', kernels });
        slots.push(new FakeStorage(new Uint8Array(readFileSync(result)), step.dtype));
      }
      return slots;
    },
  };
  return backend;
}
