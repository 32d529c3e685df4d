/**
 * Conformance: mx.random is deterministic for a given key on every backend: the same key gives
 * the same bits (and the bits of the documented threefry layout), and every sampler gives the
 * same values (floats within dtype tolerance, integers and bools exactly).
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { assertOutputsMatch, checkOp, describeBackends, dtypeNameArb, evalOn, mx, onBackend, property, shapeArb, REFERENCE } from '../helpers/index.js';

const seedArb = fc.oneof(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }));

{
  // Known answers for Threefry-2x32 with 20 rounds (Random123's kat_vectors).
  it('threefry2x32 matches the Random123 known-answer vectors', () => {
    expect(mx.random.threefry2x32Host(0, 0, 0, 0)).toEqual([0x6b200159, 0x99ba4efe]);
    expect(mx.random.threefry2x32Host(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff)).toEqual([0x1cb996fc, 0xbb002be7]);
    expect(mx.random.threefry2x32Host(0x13198a2e, 0x03707344, 0x243f6a88, 0x85a308d3)).toEqual([0xc4923a9c, 0x483df7a0]);
  });
}

describeBackends('conformance: random', (backend) => {
  property(
    'bits: the same key gives the same bits on every backend, and the documented layout',
    fc.tuple(seedArb, shapeArb({ maxSize: 300 })),
    ([s, shape]) => {
      const out = checkOp(backend, [], () => mx.random.bits(shape, { key: mx.random.key(s) }), { label: `bits seed=${s} [${shape}]` });
      const k = onBackend(REFERENCE, () => [...mx.random.key(s).toTypedArray()].map(Number));
      const host = mx.random.randomBitsHost(k[0]!, k[1]!, out[0]!.data.length);
      expect(out[0]!.data).toEqual([...host]);
    },
    20,
  );

  property(
    'bits of width 1 and 2, split, and keys of 64-bit seeds',
    fc.tuple(seedArb, shapeArb({ maxSize: 200 }), fc.integer({ min: 0, max: 5 })),
    ([s, shape, num]) => {
      checkOp(
        backend,
        [],
        () => {
          const k = mx.random.key(s);
          const ks = mx.random.split(k, num);
          return [k, ks, mx.random.split(k), mx.random.bits(shape, 1, k), mx.random.bits(shape, 2, k), mx.random.bits({ shape, width: 4, key: k })];
        },
        { label: `split/bits seed=${s}` },
      );
    },
    15,
  );

  property(
    'uniform, normal on every floating dtype',
    fc.tuple(seedArb, shapeArb({ maxSize: 300 }), dtypeNameArb(['float32', 'float16', 'bfloat16', 'float64'])),
    ([s, shape, d]) => {
      checkOp(
        backend,
        [],
        () => {
          const k = mx.random.key(s);
          return [
            mx.random.uniform({ shape, dtype: d, key: k }),
            mx.random.uniform(-2, 3, shape, d, k),
            mx.random.normal({ shape, dtype: d, key: k }),
            mx.random.normal(shape, d, 1.5, 0.5, k),
          ];
        },
        { label: `uniform/normal seed=${s} ${d}`, tolScale: 4 },
      );
    },
    20,
  );

  property(
    'randint, bernoulli, categorical, permutation (exact)',
    fc.tuple(seedArb, shapeArb({ maxSize: 200 }), fc.integer({ min: 1, max: 6 })),
    ([s, shape, n]) => {
      checkOp(
        backend,
        [],
        () => {
          const [k1, k2, k3, k4] = [0, 1, 2, 3].map((i) => mx.random.split(mx.random.key(s), 4).index(i));
          const logits = mx.random.normal([3, n], { key: k4 });
          return [
            mx.random.randint(-5, 17, shape, { key: k1 }),
            mx.random.randint(0, 3, { shape, dtype: mx.uint8, key: k1 }),
            mx.random.bernoulli(0.3, shape, k2),
            mx.random.bernoulli({ p: mx.random.uniform({ shape, key: k3 }), key: k2 }),
            mx.random.categorical(logits, { key: k3 }),
            mx.random.categorical(logits, { numSamples: 4, key: k3 }),
            mx.random.permutation(n + 3, { key: k1 }),
          ];
        },
        { label: `randint/bernoulli/categorical seed=${s}` },
      );
    },
    15,
  );

  property(
    'truncatedNormal, gumbel, laplace',
    fc.tuple(seedArb, shapeArb({ maxSize: 200 })),
    ([s, shape]) => {
      checkOp(
        backend,
        [],
        () => {
          const k = mx.random.key(s);
          return [mx.random.truncatedNormal(-1, 2, shape, { key: k }), mx.random.gumbel(shape, { key: k }), mx.random.laplace({ shape, key: k })];
        },
        { label: `truncatedNormal/gumbel/laplace seed=${s}`, tolScale: 4 },
      );
    },
    10,
  );

  it('the global key sequence: seed(s) then draws repeat on every backend', () => {
    const draw = () => {
      mx.random.seed(1234);
      return [mx.random.uniform({ shape: [5] }), mx.random.normal([3]), mx.random.randint(0, 100, [4])];
    };
    const ref = evalOn(REFERENCE, [], draw);
    const got = evalOn(backend, [], draw);
    assertOutputsMatch(backend, [], ref, got, { label: 'seed(1234) draws', tolScale: 4 });
  });

  it('different keys give different bits', () => {
    const a = onBackend(backend, () => mx.random.bits([64], { key: mx.random.key(1) }).toTypedArray());
    const b = onBackend(backend, () => mx.random.bits([64], { key: mx.random.key(2) }).toTypedArray());
    expect([...a]).not.toEqual([...b]);
  });
});
