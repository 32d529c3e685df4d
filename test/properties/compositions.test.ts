/**
 * Ops composed of primitives (roll, meshgrid, kron, einsum, hadamardTransform): the property kit checks that every transform gets
 * them right through their parts (vmap vs a loop, JVP vs finite differences, VJP vs JVP, compile
 * vs eager), on random shapes, shifts and axes.
 */
import { expect, it } from 'vitest';
import * as mx from 'mlx-ts';
import { arrays, checkCompile, checkJvp, checkVjp, checkVmap, fc, shapes } from '@mlx-ts/testing';

/** vmap against a loop over `batch`, then JVP, VJP and compile on its first arguments. */
function everyTransform(f: (...xs: mx.Array[]) => mx.Array, batch: mx.Array[][]): void {
  checkVmap(f, batch);
  checkJvp(f, batch[0]!);
  checkVjp(f, batch[0]!);
  checkCompile(f, batch[0]!);
}

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
        everyTransform(
          f,
          xs.map((x) => [x]),
        );
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
      everyTransform(f, batch);
    }),
    { numRuns: 15 },
  );
});

/** einsum by its definition: a loop over every assignment of the letters, in float64. */
function einsumByLoops(inputs: string[], output: string, operands: mx.Array[], sizes: Record<string, number>): number[] {
  const letters = Object.keys(sizes);
  const values = operands.map((x) => Float64Array.from(mx.reshape(x, [-1]).tolist() as number[]));
  const outSize = [...output].reduce((n, c) => n * sizes[c]!, 1);
  const out = new Float64Array(outSize);
  const at: Record<string, number> = {};
  const flat = (term: string, shape: readonly number[]) => [...term].reduce((i, c, ax) => i * shape[ax]! + (shape[ax] === 1 ? 0 : at[c]!), 0);
  const visit = (k: number) => {
    if (k === letters.length) {
      let p = 1;
      inputs.forEach((t, i) => (p *= values[i]![flat(t, operands[i]!.shape)]!));
      out[
        flat(
          output,
          [...output].map((c) => sizes[c]!),
        )
      ]! += p;
      return;
    }
    for (let v = 0; v < sizes[letters[k]!]!; v++) {
      at[letters[k]!] = v;
      visit(k + 1);
    }
  };
  visit(0);
  return [...out];
}

const einsumCase = fc
  .record({
    sizes: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 }),
    terms: fc.array(fc.array(fc.nat(), { minLength: 0, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
    out: fc.array(fc.nat(), { maxLength: 3 }),
  })
  .chain(({ sizes, terms, out }) => {
    const letters = sizes.map((_, i) => 'abcd'[i]!);
    const inputs = terms.map((t) => t.map((i) => letters[i % letters.length]!).join(''));
    const used = [...new Set(inputs.join(''))];
    const output = used.length ? [...new Set(out.map((i) => used[i % used.length]!))].join('') : '';
    const dims = Object.fromEntries(letters.map((c, i) => [c, sizes[i]!]));
    const operand = (t: string) => arrays({ shape: [...t].map((c) => dims[c]!), dtype: mx.float64 });
    return fc.record({
      spec: fc.constant(`${inputs.join(',')}->${output}`),
      inputs: fc.constant(inputs),
      output: fc.constant(output),
      sizes: fc.constant(Object.fromEntries(used.map((c) => [c, dims[c]!]))),
      batch: fc.array(fc.tuple(...inputs.map(operand)), { minLength: 3, maxLength: 3 }),
    });
  });

it('einsum: the definition by loops, vmap, JVP, VJP and compile agree', () => {
  fc.assert(
    fc.property(einsumCase, (c) => {
      const f = (...xs: mx.Array[]) => mx.einsum(c.spec, ...xs);
      const first = c.batch[0]!;
      const got = mx.reshape(f(...first), [-1]).tolist() as number[];
      const want = einsumByLoops(c.inputs, c.output, first, c.sizes);
      expect(got.length, c.spec).toBe(want.length);
      got.forEach((v, i) => expect(v, c.spec).toBeCloseTo(want[i]!, 9));
      everyTransform(f, c.batch);
    }),
    { numRuns: 40 },
  );
});

it('hadamardTransform: vmap, JVP, VJP and compile agree with their references', () => {
  const sizes = fc.constantFrom(1, 2, 8, 12, 24);
  fc.assert(
    fc.property(
      fc
        .tuple(shapes({ minDims: 0, maxDims: 1, maxSide: 3 }), sizes, fc.option(fc.double({ min: -2, max: 2, noNaN: true }), { nil: undefined }))
        .chain(([lead, n, scale]) =>
          fc.tuple(fc.constant(scale), fc.array(arrays({ shape: [...lead, n], dtype: mx.float64 }), { minLength: 3, maxLength: 3 })),
        ),
      ([scale, xs]) => {
        const f = (x: mx.Array) => mx.hadamardTransform(x, scale);
        everyTransform(
          f,
          xs.map((x) => [x]),
        );
      },
    ),
    { numRuns: 15 },
  );
});
