/**
 * Conformance: take, takeAlongAxis, putAlongAxis, x.index(...) (integers, slice strings with
 * negative steps, null, '...', integer arrays of every int dtype) and the functional updates
 * x.at(...).set/add/subtract/multiply/divide/maximum/minimum, with duplicate, negative and
 * out-of-range (clamped) array indices and strided index arrays.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import {
  ALL_NAMES,
  axisArb,
  checkOp,
  describeBackends,
  dtypeNameArb,
  FLOAT_NAMES,
  inputArb,
  INT_NAMES,
  mx,
  property,
  shapeArb,
  unaryArb,
  type HostInput,
} from '../helpers/index.js';
import type { DtypeName } from '@mlx-ts/core';

const EXACT = { tol: { rtol: 0, atol: 0 }, signedZero: true } as const;
const INDEX_DTYPES: DtypeName[] = ['int32', 'uint32', 'int64', 'int16', 'int8', 'uint8', 'uint16'];

/** Index values for an axis of size n: negatives wrap once, out-of-range values clamp (gather contract). */
function indexArb(shape: readonly number[], n: number, inRange = false): fc.Arbitrary<HostInput> {
  return dtypeNameArb(INDEX_DTYPES).chain((d) => {
    const signed = !d.startsWith('u');
    const lo = inRange ? (signed ? -n : 0) : signed ? -2 * n : 0;
    const hi = inRange ? n - 1 : 2 * n;
    return inputArb(shape, d, { min: lo, max: Math.max(lo, hi), pSpecial: 0 });
  });
}

type Item = { k: 'int'; v: number } | { k: 'slice'; s: string } | { k: 'none' } | { k: 'ellipsis' } | { k: 'array'; input: HostInput };

function sliceArb(n: number): fc.Arbitrary<string> {
  const bound = fc.option(fc.integer({ min: -n - 2, max: n + 2 }), { nil: null });
  return fc.tuple(bound, bound, fc.constantFrom(null, 1, 2, -1, -2, 3)).map(([a, b, c]) => `${a ?? ''}:${b ?? ''}${c === null ? '' : `:${c}`}`);
}

/** A NumPy-style index for an array of `shape`: mixed kinds, with index arrays broadcasting together. */
function indexItemsArb(shape: readonly number[], allowArrays = true): fc.Arbitrary<Item[]> {
  const nd = shape.length;
  return fc
    .tuple(
      fc.integer({ min: 0, max: nd }),
      fc.boolean(),
      shapeArb({ maxRank: 2, maxDim: 3, empty: false }),
      fc.array(fc.constantFrom('int', 'slice', 'slice', 'array', 'none'), { minLength: nd, maxLength: nd }),
    )
    .chain(([consumed, ellipsis, b, kinds]) =>
      fc.integer({ min: 0, max: consumed }).chain((pos) => {
        // Items before `pos` index the leading axes; an ellipsis at `pos` spans the axes nobody names.
        const axisOf = (k: number) => (k < pos || !ellipsis ? k : k + (nd - consumed));
        const arbs: fc.Arbitrary<Item[]>[] = [];
        for (let k = 0; k < consumed; k++) {
          const n = shape[axisOf(k)]!;
          let kind = kinds[k]!;
          const prefix: Item[] = [];
          if (kind === 'none') {
            prefix.push({ k: 'none' });
            kind = 'slice';
          }
          if (kind === 'array' && (!allowArrays || n === 0)) kind = 'slice';
          if (kind === 'int' && n === 0) kind = 'slice';
          const item: fc.Arbitrary<Item> =
            kind === 'int'
              ? fc.integer({ min: -n, max: n - 1 }).map((v) => ({ k: 'int', v }))
              : kind === 'slice'
                ? sliceArb(n).map((s) => ({ k: 'slice', s }))
                : fc
                    .integer({ min: 0, max: b.length })
                    .chain((drop) => indexArb(b.slice(drop), n))
                    .map((input) => ({ k: 'array', input }));
          arbs.push(item.map((it) => [...prefix, it]));
        }
        return fc.tuple(...arbs).map((groups) => {
          const out: Item[] = [];
          groups.forEach((g, k) => {
            if (ellipsis && k === pos) out.push({ k: 'ellipsis' });
            out.push(...g);
          });
          if (ellipsis && pos === consumed) out.push({ k: 'ellipsis' });
          return out;
        });
      }),
    );
}

function indexInputs(items: readonly Item[]): HostInput[] {
  return items.flatMap((it) => (it.k === 'array' ? [it.input] : []));
}

function toIndexArgs(items: readonly Item[], arrays: readonly mx.Array[]): mx.IndexArg[] {
  let j = 0;
  return items.map((it) => {
    switch (it.k) {
      case 'int':
        return it.v;
      case 'slice':
        return it.s;
      case 'none':
        return null;
      case 'ellipsis':
        return '...';
      case 'array':
        return arrays[j++]!;
    }
  });
}

function describeItems(items: readonly Item[]): string {
  return items
    .map((it) =>
      it.k === 'int'
        ? String(it.v)
        : it.k === 'slice'
          ? `'${it.s}'`
          : it.k === 'none'
            ? 'null'
            : it.k === 'ellipsis'
              ? "'...'"
              : `idx${it.input.dtype}[${it.input.shape}]`,
    )
    .join(', ');
}

/** The shape x.index(items) has (shape inference needs no evaluation). */
function indexedShape(shape: readonly number[], items: readonly Item[]): number[] {
  const x = mx.zeros(shape);
  const arrays = indexInputs(items).map((h) => mx.zeros(h.shape, mx.int32));
  return [...x.index(...toIndexArgs(items, arrays)).shape];
}

describeBackends('conformance: indexing', (backend) => {
  property(
    'take along an axis (wrapped and clamped Array indices, strided index arrays)',
    unaryArb(ALL_NAMES, undefined, { minRank: 1 }).chain((x) =>
      axisArb(x.shape.length).chain((axis) => {
        const n = x.shape[axis < 0 ? axis + x.shape.length : axis]!;
        return fc.tuple(
          fc.constant(x),
          fc.constant(axis),
          shapeArb({ maxRank: 2, maxDim: 4, empty: n === 0 })
            .filter((s) => n > 0 || s.includes(0))
            .chain((s) => indexArb(s, Math.max(n, 1))),
        );
      }),
    ),
    ([x, axis, idx]) => {
      checkOp(backend, [x, idx], (a, i) => mx.take(a, i, axis), { label: `take axis=${axis}`, ...EXACT });
    },
    30,
  );

  property(
    'take from the flattened array, with JS indices too',
    unaryArb(ALL_NAMES, undefined, { minDim: 1 }).chain((x) =>
      fc.tuple(
        fc.constant(x),
        shapeArb({ maxRank: 2, maxDim: 4, empty: false }).chain((s) => indexArb(s, x.values.length)),
        fc.integer({ min: -x.values.length, max: x.values.length - 1 }),
      ),
    ),
    ([x, idx, j]) => {
      checkOp(backend, [x, idx], (a, i) => [mx.take(a, i), mx.take(a, j), mx.take(a, [j, 0, j])], { label: 'take flat', ...EXACT });
    },
    20,
  );

  property(
    'takeAlongAxis (broadcast index shapes)',
    unaryArb(ALL_NAMES, undefined, { minRank: 1, minDim: 1 }).chain((x) =>
      axisArb(x.shape.length).chain((axis) => {
        const nd = x.shape.length;
        const ax = axis < 0 ? axis + nd : axis;
        return fc.tuple(fc.integer({ min: 0, max: 4 }), fc.array(fc.boolean(), { minLength: nd, maxLength: nd })).chain(([len, ones]) => {
          const s = x.shape.map((d, i) => (i === ax ? len : ones[i] ? 1 : d));
          return fc.tuple(fc.constant(x), fc.constant(axis), indexArb(s, x.shape[ax]!));
        });
      }),
    ),
    ([x, axis, idx]) => {
      checkOp(backend, [x, idx], (a, i) => mx.takeAlongAxis(a, i, axis), { label: `takeAlongAxis axis=${axis}`, ...EXACT });
    },
    25,
  );

  property(
    'takeAlongAxis of argsort sorts (axis and flattened)',
    unaryArb(ALL_NAMES, undefined, { minRank: 1 }).chain((x) => fc.tuple(fc.constant(x), axisArb(x.shape.length))),
    ([x, axis]) => {
      checkOp(backend, [x], (a) => [mx.takeAlongAxis(a, mx.argsort(a, axis), axis), mx.takeAlongAxis(a, mx.argsort(a, null), null)], {
        label: `takeAlongAxis(argsort) axis=${axis}`,
        ...EXACT,
      });
    },
    15,
  );

  property(
    'putAlongAxis (in-range indices, distinct per row)',
    unaryArb(ALL_NAMES, undefined, { minRank: 1, minDim: 1 }).chain((x) =>
      axisArb(x.shape.length).chain((axis) => {
        const ax = axis < 0 ? axis + x.shape.length : axis;
        const s = x.shape.map((d, i) => (i === ax ? 1 : d));
        return fc.tuple(fc.constant(x), fc.constant(axis), indexArb(s, x.shape[ax]!, true), inputArb(s, x.dtype));
      }),
    ),
    ([x, axis, idx, v]) => {
      checkOp(backend, [x, idx, v], (a, i, u) => mx.putAlongAxis(a, i, u, axis), { label: `putAlongAxis axis=${axis}`, ...EXACT });
    },
    20,
  );

  property(
    'x.index(...) with integers, slices, null, ... and index arrays',
    unaryArb(ALL_NAMES, undefined, { minRank: 0, maxRank: 4 }).chain((x) => fc.tuple(fc.constant(x), indexItemsArb(x.shape))),
    ([x, items]) => {
      checkOp(backend, [x, ...indexInputs(items)], (a, ...arrs) => a.index(...toIndexArgs(items, arrs)), { label: `index(${describeItems(items)})`, ...EXACT });
    },
    40,
  );

  property(
    'mx.index matches x.index',
    unaryArb(ALL_NAMES, undefined, { minRank: 1 }).chain((x) => fc.tuple(fc.constant(x), indexItemsArb(x.shape, false))),
    ([x, items]) => {
      const [viaOp, viaMethod] = checkOp(backend, [x], (a) => [mx.index(a, ...toIndexArgs(items, [])), a.index(...toIndexArgs(items, []))], {
        label: `mx.index(${describeItems(items)})`,
        ...EXACT,
      });
      expect(viaOp).toEqual(viaMethod);
    },
    15,
  );

  const modes = ['set', 'add', 'subtract', 'multiply', 'divide', 'maximum', 'minimum'] as const;
  property(
    'x.at(...).set/add/subtract/multiply/divide/maximum/minimum (duplicates accumulate; set: last wins)',
    fc
      .tuple(
        dtypeNameArb([...INT_NAMES.filter((d) => d !== 'int64'), ...FLOAT_NAMES, 'bool']),
        shapeArb({ minRank: 1, maxRank: 3, maxDim: 4 }),
        fc.constantFrom(...modes),
      )
      .chain(([d, shape, mode]) => {
        const dd: DtypeName = d === 'bool' && mode !== 'set' && mode !== 'maximum' && mode !== 'minimum' ? 'int32' : d;
        const small = FLOAT_NAMES.includes(dd) ? { min: -4, max: 4 } : dd === 'bool' ? {} : { min: -4, max: 4, pSpecial: 0 };
        const divisor = { ...small, avoid: [0] };
        return fc.tuple(inputArb(shape, dd, small), indexItemsArb(shape)).chain(([x, items]) => {
          const target = indexedShape(shape, items);
          return fc.tuple(
            fc.constant(x),
            fc.constant(items),
            fc.constant(mode),
            fc.integer({ min: 0, max: target.length }).chain((drop) => inputArb(target.slice(drop), dd, mode === 'divide' ? divisor : small)),
          );
        });
      }),
    ([x, items, mode, v]) => {
      const tolScale = x.dtype.startsWith('float') || x.dtype === 'bfloat16' ? 8 : 1;
      checkOp(backend, [x, v, ...indexInputs(items)], (a, u, ...arrs) => a.at(...toIndexArgs(items, arrs))[mode](u), {
        label: `at(${describeItems(items)}).${mode}`,
        tolScale,
        signedZero: mode === 'set',
      });
    },
    40,
  );

  property(
    'at(...) with a scalar update and mx.at',
    unaryArb(['float32', 'int32', 'float16'], undefined, { minRank: 1, minDim: 1 }).chain((x) => fc.tuple(fc.constant(x), indexItemsArb(x.shape))),
    ([x, items]) => {
      checkOp(backend, [x, ...indexInputs(items)], (a, ...arrs) => [a.at(...toIndexArgs(items, arrs)).set(2), mx.at(a, ...toIndexArgs(items, arrs)).add(1)], {
        label: `at scalar (${describeItems(items)})`,
      });
    },
    15,
  );
});
