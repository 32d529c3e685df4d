/**
 * Conformance of whole graphs: random chains of ops evaluated in one `execute` (so kernels read
 * strided views onto the outputs of earlier steps of the same call), asyncEval against eval, and
 * graphs that mix arrays stored by different backends.
 */
import fc from 'fast-check';
import { it } from 'vitest';
import {
  assertOutputsMatch,
  checkOp,
  fcParams,
  describeBackends,
  evalOn,
  FLOAT_NAMES,
  inputArb,
  makeArray,
  mx,
  enterBackend,
  onBackend,
  property,
  REFERENCE,
  shapeArb,
  type HostInput,
  type Output,
} from '../helpers/index.js';

type Step = (x: mx.Array, y: mx.Array) => mx.Array;

/** Ops that keep a [n, n] float array [n, n], some of them views. */
const steps: [string, Step][] = [
  ['exp(tanh)', (x) => mx.exp(mx.tanh(x))],
  ['transpose', (x) => mx.transpose(x)],
  ['reverse rows', (x) => x.index('::-1')],
  ['reverse cols', (x) => x.index(':', '::-1')],
  ['add y', (x, y) => mx.add(x, y)],
  ['multiply y.T', (x, y) => mx.multiply(x, y.T)],
  ['broadcast row 0', (x) => mx.broadcastTo(x.index('0:1'), x.shape)],
  ['broadcast col', (x) => mx.broadcastTo(x.index(':', '-1:'), x.shape)],
  ['matmul', (x, y) => mx.matmul(x, y)],
  ['softmax', (x) => mx.softmax(x, -1)],
  ['cumsum axis 0', (x) => mx.cumsum(x, 0)],
  ['sort axis 0', (x) => mx.sort(x, 0)],
  ['sum keepdims', (x) => mx.broadcastTo(mx.sum(x, 1, true), x.shape)],
  ['where', (x, y) => mx.where(mx.greater(x, y), x, y)],
  ['concat halves', (x) => mx.concatenate([x.index('1:'), x.index(':1')], 0)],
  ['take reversed', (x) => mx.take(x, mx.arange(x.shape[0]! - 1, -1, -1), 0)],
  ['reshape of transpose', (x) => mx.reshape(mx.reshape(x.T, [-1]), x.shape)],
  ['square root of abs', (x) => mx.sqrt(mx.abs(x))],
  ['astype roundtrip', (x) => mx.astype(mx.astype(x, mx.float16), x.dtype)],
  ['at add', (x) => x.at(0).add(1)],
  ['scale', (x) => mx.multiply(x, 0.5)],
];

const chainArb = fc
  .tuple(fc.integer({ min: 1, max: 5 }), fc.constantFrom<'float32' | 'float64'>('float32', 'float64'))
  .chain(([n, d]) =>
    fc.tuple(
      inputArb([n, n], d, { min: -1, max: 1, pSpecial: 0 }),
      inputArb([n, n], d, { min: -1, max: 1, pSpecial: 0 }),
      fc.array(fc.integer({ min: 0, max: steps.length - 1 }), { minLength: 1, maxLength: 8 }),
    ),
  );

describeBackends('conformance: graphs', (backend) => {
  property(
    'random chains of ops (views of earlier steps inside one execute)',
    chainArb,
    ([x, y, chain]) => {
      checkOp(
        backend,
        [x, y],
        (a, b) => {
          let h = a;
          const outs: mx.Array[] = [];
          for (const i of chain) {
            h = steps[i]![1](h, b);
            outs.push(h);
          }
          return outs;
        },
        { label: `chain ${chain.map((i) => steps[i]![0]).join(' -> ')}`, tolScale: 100 },
      );
    },
    40,
  );

  it('asyncEval gives what eval gives', async () => {
    await fc.assert(
      fc.asyncProperty(chainArb, async ([x, y, chain]) => {
        const build = (a: mx.Array, b: mx.Array) => chain.reduce((h, i) => steps[i]![1](h, b), a);
        const ref = evalOn(REFERENCE, [x, y], build);
        const leave = enterBackend(backend);
        let got: Output[];
        try {
          const out = build(makeArray(x), makeArray(y));
          await mx.asyncEval(out);
          got = [{ shape: [...out.shape], dtype: out.dtype.name, data: [...out.toTypedArray()].map(Number) }];
        } finally {
          leave();
        }
        assertOutputsMatch(backend, [x, y], ref, got, { label: `asyncEval ${chain.map((i) => steps[i]![0]).join(' -> ')}`, tolScale: 100 });
      }),
      fcParams(15) as fc.Parameters<[[HostInput, HostInput, number[]]]>,
    );
  });

  property(
    'inputs stored by the reference backend feed kernels of this backend, and back',
    fc.tuple(shapeArb({ maxSize: 100 }), fc.constantFrom(...FLOAT_NAMES)).chain(([s, d]) => fc.tuple(inputArb(s, d), inputArb(s, d))),
    ([x, y]: [HostInput, HostInput]) => {
      const a = onBackend(REFERENCE, () => makeArray(x));
      const b = onBackend(backend, () => makeArray(y));
      const got = onBackend(backend, () => mx.add(a, b).toTypedArray());
      const ref = onBackend(REFERENCE, () => mx.add(a, b).toTypedArray());
      assertOutputsMatch(
        backend,
        [x, y],
        [{ shape: [...x.shape], dtype: x.dtype, data: [...ref].map(Number) }],
        [{ shape: [...x.shape], dtype: x.dtype, data: [...got].map(Number) }],
        { label: 'cross-backend inputs' },
      );
    },
    15,
  );
});
