/**
 * The compositions of issue 17 (asStrided, gatherMm, blockMaskedMm, slice, sliceUpdate): the
 * property kit checks every transform through their parts (vmap vs a loop, JVP vs finite
 * differences, VJP vs JVP, compile vs eager) on random shapes, strides, indices, masks and starts.
 * Starts and indices are constants of the function (MLX defines no derivative for them).
 */
import { it } from 'vitest';
import * as mx from 'mlx-ts';
import { arrays, checkCompile, checkJvp, checkVjp, checkVmap, fc, shapes } from '@mlx-ts/testing';

const f64 = mx.float64;
const RUNS = 10;

function everyTransform(f: (...xs: mx.Array[]) => mx.Array, batch: mx.Array[][]): void {
  checkVmap(f, batch);
  checkJvp(f, batch[0]!);
  checkVjp(f, batch[0]!);
  checkCompile(f, batch[0]!);
}
/** Three batch entries of arrays of the given shapes. */
const batchOf = (...shapes: number[][]) => fc.array(fc.tuple(...shapes.map((shape) => arrays({ shape, dtype: f64 }))), { minLength: 3, maxLength: 3 });

it('asStrided: overlapping and negative strides through every transform', () => {
  const c = fc
    .record({
      n: fc.integer({ min: 1, max: 12 }),
      rows: fc.integer({ min: 1, max: 3 }),
      cols: fc.integer({ min: 1, max: 3 }),
      s0: fc.integer({ min: -3, max: 3 }),
      s1: fc.integer({ min: -2, max: 2 }),
    })
    .chain((c) => {
      // The offset range that keeps every read inside the n elements.
      const lo = -Math.min(0, (c.rows - 1) * c.s0) - Math.min(0, (c.cols - 1) * c.s1);
      const hi = c.n - 1 - Math.max(0, (c.rows - 1) * c.s0) - Math.max(0, (c.cols - 1) * c.s1);
      return lo > hi ? fc.constant(null) : fc.record({ c: fc.constant(c), offset: fc.integer({ min: lo, max: hi }) });
    })
    .filter((v): v is NonNullable<typeof v> => v !== null)
    .chain((v) => fc.tuple(fc.constant(v), batchOf([v.c.n])));
  fc.assert(
    fc.property(c, ([{ c, offset }, batch]) => {
      everyTransform((x) => mx.asStrided(x, [c.rows, c.cols], [c.s0, c.s1], offset), batch);
    }),
    { numRuns: RUNS },
  );
});

it('gatherMm: picked matrices through every transform, with respect to a and b', () => {
  const c = fc
    .record({
      A: fc.integer({ min: 1, max: 3 }),
      B: fc.integer({ min: 1, max: 3 }),
      m: fc.integer({ min: 1, max: 3 }),
      k: fc.integer({ min: 1, max: 3 }),
      n: fc.integer({ min: 1, max: 3 }),
      len: fc.integer({ min: 1, max: 4 }),
      rhsDefault: fc.boolean(),
    })
    // With the default rhs indices (every matrix of b in order) b's batch must broadcast against the lhs indices: one matrix.
    .map((c) => ({ ...c, B: c.rhsDefault ? 1 : c.B }))
    .chain((c) =>
      fc.tuple(
        fc.constant(c),
        fc.array(fc.integer({ min: 0, max: c.A - 1 }), { minLength: c.len, maxLength: c.len }),
        fc.array(fc.integer({ min: 0, max: c.B - 1 }), { minLength: c.len, maxLength: c.len }),
        batchOf([c.A, c.m, c.k], [c.B, c.k, c.n]),
      ),
    );
  fc.assert(
    fc.property(c, ([c, li, ri, batch]) => {
      everyTransform((a, b) => mx.gatherMm(a, b, mx.array(li, mx.int32), c.rhsDefault ? null : ri), batch);
    }),
    { numRuns: RUNS },
  );
});

it('blockMaskedMm: bool and floating masks through every transform', () => {
  const c = fc
    .record({
      m: fc.integer({ min: 1, max: 40 }),
      k: fc.integer({ min: 1, max: 40 }),
      n: fc.integer({ min: 1, max: 40 }),
      floatMasks: fc.boolean(),
      seed: fc.integer({ min: 0, max: 1000 }),
    })
    .chain((c) => fc.tuple(fc.constant(c), batchOf([c.m, c.k], [c.k, c.n])));
  fc.assert(
    fc.property(c, ([c, batch]) => {
      const t = (d: number) => Math.ceil(d / 32);
      const mask = (r: number, q: number, salt: number) => {
        const v = Array.from({ length: r * q }, (_, i) => ((i * 7 + salt + c.seed) % 3) / 2);
        return c.floatMasks ? mx.array(v, f64).reshape([r, q]) : mx.greater(mx.array(v, f64).reshape([r, q]), 0);
      };
      const [mo, ml, mr] = [mask(t(c.m), t(c.n), 1), mask(t(c.m), t(c.k), 2), mask(t(c.k), t(c.n), 0)];
      everyTransform((a, b) => mx.blockMaskedMm(a, b, 32, mo, ml, mr), batch);
    }),
    { numRuns: RUNS },
  );
});

it('slice and sliceUpdate with array starts (some out of range, clamped) through every transform', () => {
  const c = shapes({ minDims: 1, maxDims: 3, maxSide: 4 })
    .chain((shape) =>
      fc.record({
        shape: fc.constant(shape),
        size: fc.tuple(...shape.map((d) => fc.integer({ min: 1, max: d }))),
        start: fc.tuple(...shape.map((d) => fc.integer({ min: -1, max: d + 1 }))),
        axes: fc.subarray(
          shape.map((_, i) => i),
          { minLength: 1 },
        ),
      }),
    )
    // Along the axes not listed the window starts at 0; keep the slice and the update spanning them.
    .map((c) => ({ ...c, size: c.shape.map((d, i) => (c.axes.includes(i) ? c.size[i]! : d)) }))
    .chain((c) => fc.tuple(fc.constant(c), batchOf(c.shape, c.size)));
  fc.assert(
    fc.property(c, ([c, batch]) => {
      const start = mx.array(
        c.axes.map((ax) => c.start[ax]!),
        mx.int32,
      );
      everyTransform(
        (x) => mx.slice(x, start, c.axes, c.size),
        batch.map(([x]) => [x!]),
      );
      everyTransform((x, u) => mx.sliceUpdate(x, u, start, c.axes), batch);
    }),
    { numRuns: RUNS },
  );
});

it('blockMaskedMm: derivatives with respect to floating masks (MLX defines them)', () => {
  const a = mx.reshape(mx.sin(mx.arange(40 * 33, f64)), [40, 33]);
  const b = mx.reshape(mx.cos(mx.arange(33 * 5, f64)), [33, 5]);
  const masks = [
    mx.array([[0.5], [2]], f64),
    mx.array(
      [
        [1.5, -1],
        [0.25, 3],
      ],
      f64,
    ),
    mx.array([[2], [0.5]], f64),
  ];
  const f = (p: mx.Array, q: mx.Array, mo: mx.Array, ml: mx.Array, mr: mx.Array) => mx.blockMaskedMm(p, q, 32, mo, ml, mr);
  checkJvp(f, [a, b, ...masks]);
  checkVjp(f, [a, b, ...masks]);
});

it('slice and sliceUpdate batch over the start too (MLX refuses; the gathers batch)', () => {
  const x = mx.reshape(mx.arange(12, f64), [3, 4]);
  const starts = [0, 1, 3].map((s) => [mx.array([s], mx.int32)]);
  checkVmap((s) => mx.slice(x, s, [1], [3, 2]), starts);
  checkVmap((s) => mx.sliceUpdate(x, mx.full([1, 2], -1, f64), s, [1]), starts);
});
