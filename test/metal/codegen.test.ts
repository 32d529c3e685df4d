/**
 * compile's fused programs as MSL (packages/metal-backend/src/codegen.ts), verified on Linux: real
 * `compiled` steps (traced by mx.compile, caught on the fake device, where they still run on the
 * CPU) become MSL kernels, which are compiled as C++ through the shim together with
 * kernels/elementwise.metal, run over the step's own input bytes and strides, and match the CPU
 * backend's result for the same step.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { mslFunctors, mslKernel, mslTypes } from '@mlx-ts/metal-backend';
import { closeEnough, defaultTol, evalOn, hostInput, makeArray, mx, onBackend, type HostInput, type OpFn } from '../helpers/index.js';
import { fakeMetalBackend, harnessFlags, metalDir, stepRunner, type StepRecord } from './fake-device.js';
import type { DtypeName } from '@mlx-ts/core';

const SHIM = 'metal-shim-codegen';
let log: StepRecord[] = [];

beforeAll(async () => {
  const fake = fakeMetalBackend(await stepRunner(), SHIM, 'cpu');
  log = fake.log;
  mx.registerBackend(fake);
}, 300_000);

const ramp = (n: number, scale: number, shift = 0) => Array.from({ length: n }, (_, i) => (i - n / 2) * scale + shift);

interface Program {
  name: string;
  inputs: HostInput[];
  f: OpFn;
}

const programs: Program[] = [
  {
    name: 'exp(x) + 2y, y broadcast along rows',
    inputs: [
      hostInput([3, 5], 'float32', ramp(15, 0.3)),
      hostInput(
        [3, 5],
        'float32',
        ramp(5, 0.7).flatMap((v) => [v, v, v]),
        { kind: 'broadcast', axes: [0] },
      ),
    ],
    f: (x, y) => mx.add(mx.exp(x!), mx.multiply(y!, 2)),
  },
  {
    name: 'leaky relu through where and a predicate, float16',
    inputs: [hostInput([4, 6], 'float16', ramp(24, 0.25))],
    f: (x) => mx.where(mx.greater(x!, 0), x!, mx.multiply(x!, 0.125)),
  },
  {
    name: 'sigmoid cast to bfloat16 then squared, transposed input',
    inputs: [hostInput([5, 4], 'float32', ramp(20, 0.4), { kind: 'transpose', perm: [1, 0] })],
    f: (x) => mx.square(mx.astype(mx.sigmoid(x!), mx.bfloat16)),
  },
  {
    name: 'maximum and tanh of a difference, reversed slice',
    inputs: [hostInput([9], 'float32', ramp(9, 0.5)), hostInput([9], 'float32', ramp(9, -0.3, 0.1))],
    f: (a, b) => mx.tanh(mx.maximum(mx.subtract(a!, b!), mx.divide(a!, 4))),
  },
];

/** The C++ that runs one generated kernel over a recorded step through the shim, printing the output's bytes. */
function driver(k: number, rec: StepRecord, kernel: { source: string; entry: string; constants: readonly number[] }): string {
  const step = rec.step!;
  const out = step.dtype.name;
  const n = step.shape.reduce((a, b) => a * b, 1);
  const lines: string[] = [kernel.source];
  rec.inputBytes!.forEach((b, i) => lines.push(`alignas(16) static unsigned char p${k}_in${i}[] = {${[...b, 0].join(',')}};`));
  const shape = step.shape.length === 0 ? [1] : step.shape;
  const strides = step.inputs.flatMap((v) => (v.shape.length === 0 ? [0] : v.strides));
  lines.push(
    `void run${k}() {`,
    `  static const int shape[] = {${shape.join(',')}};`,
    `  static const long strides[] = {${strides.join(',')}};`,
    `  static const int ndim = ${shape.length};`,
    `  static const float constants[] = {${[...kernel.constants.map((c) => (Number.isNaN(c) ? 'NAN' : c === Infinity ? 'INFINITY' : c === -Infinity ? '-INFINITY' : `${c}`)), '0'].join(',')}};`,
    `  std::vector<unsigned char> out(${n * step.dtype.size} + 1);`,
    `  metal_shim::dispatch({${Math.ceil(n / 64)}, 1, 1}, {64, 1, 1}, [&](const metal_shim::ThreadPos& t) {`,
    `    ${kernel.entry}(${[
      ...step.inputs.map((v, i) => `reinterpret_cast<const ${mslTypes[v.dtype.name]}*>(p${k}_in${i}) + ${v.offset}`),
      `reinterpret_cast<${mslTypes[out]}*>(out.data())`,
      'shape',
      'strides',
      'ndim',
      'constants',
      't.gid.x',
    ].join(', ')});`,
    `  }, {${n}u, ~0u, ~0u});`,
    `  std::printf("${k}");`,
    `  for (size_t j = 0; j + 1 < out.size(); ++j) std::printf(" %u", unsigned(out[j]));`,
    '  std::printf("\\n");',
    '}',
  );
  return lines.join('\n');
}

function decode(bytes: number[], dtype: DtypeName): number[] {
  const u8 = new Uint8Array(bytes);
  const probe = mx.hostArrayFor(mx.toDtype(dtype), 0) as unknown as { constructor: new (b: ArrayBufferLike) => ArrayLike<number> };
  const raw = Array.from(new probe.constructor(u8.buffer), Number);
  if (dtype === 'float16') return raw.map(mx.float16BitsToNumber);
  if (dtype === 'bfloat16') return raw.map(mx.bfloat16BitsToNumber);
  return raw;
}

describe('compiled programs as MSL, through the shim', () => {
  it('every functor the generator calls is defined in kernels/elementwise.metal', () => {
    const src = readFileSync(join(metalDir, 'kernels/elementwise.metal'), 'utf8');
    for (const [prim, f] of Object.entries(mslFunctors)) expect(src, prim).toMatch(new RegExp(`MLX_TS_(FLOAT_FN|FLOAT_BIN|PREDICATE)\\(${f.functor},`));
  });

  it('returns null for a program with an op Metal has no functor for (the backend runs its steps instead)', () => {
    const p = { nInputs: 1, name: 'log1p', instrs: [{ op: 'log1p', dtype: mx.float32, args: [0] }] };
    expect(mslKernel(p, [mx.float32])).toBeNull();
  });

  it('generated kernels give the CPU backend results for real compiled steps', () => {
    const parts: string[] = [];
    const wants: { dtype: DtypeName; data: number[]; name: string }[] = [];
    programs.forEach((p, k) => {
      const cf = mx.compile(p.f) as OpFn;
      const before = log.length;
      onBackend(SHIM, () => mx.eval(cf(...p.inputs.map(makeArray)) as mx.Array));
      const rec = log.slice(before).find((r) => r.prim === 'compiled');
      expect(rec, `${p.name}: no compiled step reached the device`).toBeDefined();
      const kernel = mslKernel(
        rec!.step!.params as never,
        rec!.step!.inputs.map((v) => v.dtype),
      );
      expect(kernel, `${p.name}: no kernel`).not.toBeNull();
      parts.push(driver(k, rec!, kernel!));
      const want = evalOn('cpu', p.inputs, cf)[0]!;
      wants.push({ dtype: want.dtype, data: want.data, name: p.name });
    });
    const dir = mkdtempSync(join(tmpdir(), 'mlx-ts-metal-codegen-'));
    try {
      const src = join(dir, 'fused.cc');
      writeFileSync(
        src,
        [
          `#include "${join(metalDir, 'shim/metal_shim.h')}"`,
          `#include "${join(metalDir, 'kernels/elementwise.metal')}"`,
          ...parts,
          '#undef thread',
          '#undef constant',
          '#undef device',
          '#undef kernel',
          '#undef threadgroup',
          'int main() {',
          ...programs.map((_, k) => `  run${k}();`),
          '}',
        ].join('\n'),
      );
      const exe = join(dir, 'fused');
      const b = spawnSync(process.env.CXX ?? 'g++', [...harnessFlags.filter((f) => f !== '-Werror'), '-o', exe, src], { encoding: 'utf8' });
      expect(b.status, b.stderr).toBe(0);
      const r = spawnSync(exe, [], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const rows = r.stdout.trim().split('\n');
      wants.forEach((w, k) => {
        const got = decode(rows[k]!.split(' ').slice(1).map(Number), w.dtype);
        expect(got.length, w.name).toBe(w.data.length);
        const tol = defaultTol(w.dtype);
        const bad = w.data.findIndex((v, j) => !closeEnough(v, got[j]!, w.dtype, tol, false));
        expect(bad, `${w.name}: element ${bad}: want ${w.data[bad]}, got ${got[bad]}`).toBe(-1);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
