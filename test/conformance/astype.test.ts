/**
 * Conformance: astype between every pair of dtypes (144 pairs), with values in the target's range
 * (float to int conversions of out-of-range values are unspecified), strided inputs, and NaN,
 * +-Inf and -0 where the target can hold them (anything to bool: x != 0, NaN is true).
 */
import fc from 'fast-check';
import { it } from 'vitest';
import { roundToDtype, toDtype, dtypeLimits, type DtypeName } from '@mlx-ts/core';
import {
  ALL_NAMES,
  checkOp,
  describeBackends,
  dtypeNameArb,
  FINITE_SPECIALS,
  FLOAT_NAMES,
  FLOAT_SPECIALS,
  genValues,
  inputArb,
  mx,
  property,
  shapeArb,
  type HostInput,
  type InputOpts,
  type Layout,
} from '../helpers/index.js';

const isFloat = (d: DtypeName) => FLOAT_NAMES.includes(d);
const INT64_SAFE = 2 ** 52;

function range(d: DtypeName): { min: number; max: number } {
  if (d === 'int64') return { min: -INT64_SAFE, max: INT64_SAFE };
  if (d === 'float16') return { min: -60000, max: 60000 };
  if (d === 'bfloat16' || d === 'float32') return { min: -1e30, max: 1e30 };
  if (d === 'float64') return { min: -1e30, max: 1e30 };
  return dtypeLimits(toDtype(d));
}

/** Values of `src` whose conversion to `dst` is specified. */
function specFor(src: DtypeName, dst: DtypeName): InputOpts {
  if (src === 'bool') return {};
  const s = range(src);
  const t = dst === 'bool' ? s : range(dst);
  const min = Math.max(s.min, t.min);
  const max = Math.min(s.max, t.max);
  if (isFloat(src)) {
    const wide = isFloat(dst) || dst === 'bool';
    // Mostly moderate values (so fractions survive), sometimes the whole range.
    const m = Math.min(max, 300);
    return {
      min: Math.max(min, -m),
      max: m,
      specials: wide ? FLOAT_SPECIALS : FINITE_SPECIALS.filter((v) => Math.trunc(v) >= t.min && Math.trunc(v) <= t.max),
      pSpecial: 0.2,
    };
  }
  return { min, max: isFloat(dst) ? max : s.max, ...(isFloat(dst) ? {} : { min: s.min }) };
}

/** Replaces values whose truncation falls outside an integer target (after rounding to the source). */
function fixValues(x: HostInput, dst: DtypeName): HostInput {
  if (!isFloat(x.dtype) || isFloat(dst) || dst === 'bool') return x;
  const t = dst === 'int64' ? { min: -INT64_SAFE, max: INT64_SAFE } : dtypeLimits(toDtype(dst));
  return { ...x, values: x.values.map((v) => (Number.isFinite(v) && Math.trunc(v) >= t.min && Math.trunc(v) <= t.max ? v : 0)) };
}

function tolFor(dst: DtypeName) {
  return { signedZero: isFloat(dst), label: `astype -> ${dst}` };
}

describeBackends('conformance: astype', (backend) => {
  for (const src of ALL_NAMES) {
    property(
      `astype from ${src} to a random dtype`,
      fc.tuple(dtypeNameArb(ALL_NAMES), shapeArb()).chain(([dst, shape]) => fc.tuple(fc.constant(dst), inputArb(shape, src, specFor(src, dst)))),
      ([dst, x0]) => {
        const x = fixValues(x0, dst);
        checkOp(backend, [x], (a) => [mx.astype(a, dst), a.astype(dst)], tolFor(dst));
      },
      15,
    );
  }

  it('astype over all 144 pairs on a fixed strided input', () => {
    const layouts: Layout[] = [
      { kind: 'transpose', perm: [1, 0] },
      { kind: 'slice', steps: [-1, 2], pads: [1, 0] },
      { kind: 'broadcast', axes: [0] },
      { kind: 'contiguous' },
    ];
    let seed = 1;
    for (const src of ALL_NAMES) {
      for (const dst of ALL_NAMES) {
        for (const layout of layouts) {
          const shape = [3, 7];
          let values = genValues(src, 21, specFor(src, dst), seed++);
          if (layout.kind === 'broadcast') values = values.map((_, i) => values[i % 7]!);
          const x = fixValues({ shape, dtype: src, values, layout }, dst);
          checkOp(backend, [x], (a) => mx.astype(a, dst), { ...tolFor(dst), label: `astype ${src} -> ${dst} (${layout.kind})` });
        }
      }
    }
  });

  it('int -> float and float -> float rounding is to nearest even (values exactly between two targets)', () => {
    // 2049 is halfway between float16 2048 and 2050; 16777217 between float32 neighbours.
    const cases: [DtypeName, DtypeName, number[]][] = [
      ['int32', 'float16', [2049, 2051, -2049, 4097, 4099]],
      ['int32', 'float32', [16777217, 16777219, -16777217]],
      ['float32', 'float16', [2049, 2051, 1 + 2 ** -11, 1 + 3 * 2 ** -11]],
      ['float32', 'bfloat16', [257, 259, 1 + 2 ** -8, 1 + 3 * 2 ** -8]],
      ['float64', 'float32', [1 + 2 ** -24, 1 + 3 * 2 ** -24]],
    ];
    for (const [src, dst, vals] of cases) {
      const x: HostInput = { shape: [vals.length], dtype: src, values: vals.map((v) => roundToDtype(v, toDtype(src))), layout: { kind: 'contiguous' } };
      const out = checkOp(backend, [x], (a) => mx.astype(a, dst), { label: `rounding ${src} -> ${dst}`, tol: { rtol: 0, atol: 0 } });
      const want = x.values.map((v) => roundToDtype(v, toDtype(dst)));
      if (out[0]!.data.join(',') !== want.join(',')) throw new Error(`reference ${src} -> ${dst}: ${out[0]!.data} != ${want}`);
    }
  });
});
