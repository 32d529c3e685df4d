/**
 * Ops composed of primitives (roll, meshgrid, kron): the property kit checks that every transform gets
 * them right through their parts (vmap vs a loop, JVP vs finite differences, VJP vs JVP, compile
 * vs eager), on random shapes, shifts and axes.
 */
import { expect, it } from 'vitest';
import * as mx from 'mlx-ts';
import { arrays, checkCompile, checkJvp, checkVjp, checkVmap, fc, shapes } from '@mlx-ts/testing';

const rollCase = shapes({ minDims: 1, maxDims: 3 }).chain((shape) =>
  fc.record({
    shape: fc.constant(shape),
    axis: fc.integer({ min: -shape.length, max: shape.length - 1 }),
    shift: fc.integer({ min: -7, max: 7 }),
    flat: fc.boolean(),
  }),
);

it('roll: vmap, JVP, VJP and compile agree with their references', () => {
  fc.assert(
    fc.property(
      rollCase.chain((c) => fc.tuple(fc.constant(c), fc.array(arrays({ shape: c.shape, dtype: mx.float64 }), { minLength: 3, maxLength: 3 }))),
      ([c, xs]) => {
        const f = (x: mx.Array) => (c.flat ? mx.roll(x, c.shift) : mx.roll(x, c.shift, c.axis));
        checkVmap(
          f,
          xs.map((x) => [x]),
        );
        checkJvp(f, [xs[0]!]);
        checkVjp(f, [xs[0]!]);
        checkCompile(f, [xs[0]!]);
      },
    ),
    { numRuns: 15 },
  );
});

it('meshgrid: JVP and VJP through the broadcasts, compile vs eager', () => {
  const a = mx.array([0.5, -1, 2], mx.float64);
  const b = mx.array([3, 0.25], mx.float64);
  for (const indexing of ['xy', 'ij'] as const) {
    const f = (x: mx.Array, y: mx.Array) => mx.multiply(...(mx.meshgrid(x, y, { indexing }) as [mx.Array, mx.Array]));
    checkJvp(f, [a, b]);
    checkVjp(f, [a, b]);
    checkCompile(f, [a, b]);
  }
  expect(
    mx
      .grad((x: mx.Array) => mx.sum(mx.meshgrid(x, b)[0]!))(a)
      .tolist(),
  ).toEqual([2, 2, 2]);
});

it('kron: vmap, JVP, VJP and compile agree with their references', () => {
  const pair = fc
    .tuple(shapes({ minDims: 1, maxDims: 2, maxSide: 3 }), shapes({ minDims: 1, maxDims: 2, maxSide: 3 }))
    .chain(([sa, sb]) =>
      fc.array(fc.tuple(arrays({ shape: sa, dtype: mx.float64 }), arrays({ shape: sb, dtype: mx.float64 })), { minLength: 3, maxLength: 3 }),
    );
  fc.assert(
    fc.property(pair, (batch) => {
      const f = (a: mx.Array, b: mx.Array) => mx.kron(a, b);
      checkVmap(f, batch);
      checkJvp(f, batch[0]!);
      checkVjp(f, batch[0]!);
      checkCompile(f, batch[0]!);
    }),
    { numRuns: 15 },
  );
});
