/**
 * Broadcasting as NumPy and MLX define it, on every registered backend: result shapes (0-d,
 * size-1 and size-0 dims), values of broadcast binary and ternary ops against a host computation,
 * broadcastTo / broadcastArrays, and incompatible shapes.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { broadcastShapesArb, fcParams, mx, onBackend, ravel, size, unravel } from './helpers/index.js';

const backends = mx.listBackends().map((b) => b.name);

/** Host broadcast of a row-major array of `shape` to `out`. */
function hostBroadcast(values: readonly number[], shape: readonly number[], out: readonly number[]): number[] {
  const n = size(out);
  const res: number[] = new Array(n);
  for (let f = 0; f < n; f++) {
    const o = unravel(f, out);
    const idx = shape.map((d, i) => (d === 1 ? 0 : o[i + out.length - shape.length]!));
    res[f] = values[ravel(idx, shape)]!;
  }
  return res;
}

const iota = (shape: readonly number[], start = 0) => Int32Array.from({ length: size(shape) }, (_, i) => i + start);

describe('broadcast result shapes', () => {
  const cases: [number[], number[], number[]][] = [
    [[], [], []],
    [[], [3], [3]],
    [[3], [], [3]],
    [
      [2, 1],
      [1, 3],
      [2, 3],
    ],
    [
      [4, 1, 5],
      [3, 1],
      [4, 3, 5],
    ],
    [[1], [0], [0]],
    [
      [2, 0],
      [1, 1],
      [2, 0],
    ],
    [
      [0, 1],
      [1, 7],
      [0, 7],
    ],
    [
      [5, 1, 1],
      [1, 1, 1, 6],
      [1, 5, 1, 6],
    ],
  ];
  for (const [a, b, want] of cases) {
    it(`[${a}] with [${b}] -> [${want}]`, () => {
      expect([...mx.add(mx.zeros(a), mx.zeros(b)).shape]).toEqual(want);
      expect([...mx.where(mx.zeros([], mx.bool), mx.zeros(a), mx.zeros(b)).shape]).toEqual(want);
      expect(mx.broadcastShapes('test', a, b)).toEqual(want);
    });
  }

  it('incompatible shapes throw, naming the op and both shapes', () => {
    expect(() => mx.add(mx.zeros([2, 3]), mx.zeros([4, 3]))).toThrow(/add.*\[2,3\].*\[4,3\]/);
    expect(() => mx.multiply(mx.zeros([3]), mx.zeros([4]))).toThrow(/multiply/);
    expect(() => mx.where(mx.zeros([2], mx.bool), mx.zeros([3]), 1)).toThrow(/where/);
    expect(() => mx.add(mx.zeros([0]), mx.zeros([2]))).toThrow(/add/);
    expect(() => mx.broadcastTo(mx.zeros([3]), [4])).toThrow(/broadcastTo/);
    expect(() => mx.broadcastTo(mx.zeros([2, 3]), [3])).toThrow(/broadcastTo/);
  });
});

describe.each(backends)('broadcast values [%s]', (backend) => {
  it('binary ops broadcast both operands (random shapes)', () => {
    fc.assert(
      fc.property(broadcastShapesArb(2, { maxSize: 200 }), ({ shapes: [sa, sb], out }) => {
        onBackend(backend, () => {
          const a = mx.reshape(mx.array(iota(sa!)), sa!);
          const b = mx.reshape(mx.array(iota(sb!, 1000)), sb!);
          const r = mx.add(a, b);
          expect([...r.shape]).toEqual(out);
          const ha = hostBroadcast([...iota(sa!)], sa!, out);
          const hb = hostBroadcast([...iota(sb!, 1000)], sb!, out);
          expect([...r.toTypedArray()]).toEqual(ha.map((v, i) => v + hb[i]!));
          expect([...mx.subtract(b, a).toTypedArray()]).toEqual(ha.map((v, i) => hb[i]! - v));
        });
      }),
      fcParams(40),
    );
  });

  it('where broadcasts condition and both branches', () => {
    fc.assert(
      fc.property(broadcastShapesArb(3, { maxSize: 200 }), ({ shapes: [sc, sa, sb], out }) => {
        onBackend(backend, () => {
          const cVals = Array.from({ length: size(sc!) }, (_, i) => i % 3 === 0);
          const c = mx.reshape(mx.array(cVals.length ? cVals : [], mx.bool), sc!);
          const a = mx.reshape(mx.array(iota(sa!)), sa!);
          const b = mx.reshape(mx.array(iota(sb!, -500)), sb!);
          const r = mx.where(c, a, b);
          expect([...r.shape]).toEqual(out);
          const hc = hostBroadcast(cVals.map(Number), sc!, out);
          const ha = hostBroadcast([...iota(sa!)], sa!, out);
          const hb = hostBroadcast([...iota(sb!, -500)], sb!, out);
          expect([...r.toTypedArray()]).toEqual(hc.map((v, i) => (v ? ha[i]! : hb[i]!)));
        });
      }),
      fcParams(30),
    );
  });

  it('broadcastTo and broadcastArrays give views with the broadcast values', () => {
    onBackend(backend, () => {
      const x = mx.array([[1], [2], [3]]);
      expect(mx.broadcastTo(x, [2, 3, 4]).tolist()).toEqual([
        [
          [1, 1, 1, 1],
          [2, 2, 2, 2],
          [3, 3, 3, 3],
        ],
        [
          [1, 1, 1, 1],
          [2, 2, 2, 2],
          [3, 3, 3, 3],
        ],
      ]);
      const [p, q] = mx.broadcastArrays(mx.array([1, 2]), mx.array([[10], [20]]));
      expect(p!.tolist()).toEqual([
        [1, 2],
        [1, 2],
      ]);
      expect(q!.tolist()).toEqual([
        [10, 10],
        [20, 20],
      ]);
      expect(mx.broadcastTo(mx.array(5), [0, 3]).tolist()).toEqual([]);
      expect(mx.broadcastTo(mx.array(5), []).item()).toBe(5);
    });
  });

  it('scalars and nested JS arrays broadcast like arrays', () => {
    onBackend(backend, () => {
      expect(mx.multiply([[1], [2]], [1, 10, 100]).tolist()).toEqual([
        [1, 10, 100],
        [2, 20, 200],
      ]);
      expect(mx.add(mx.zeros([2, 2]), [1, 2]).tolist()).toEqual([
        [1, 2],
        [1, 2],
      ]);
      expect(mx.maximum(mx.array([[-1, 5]]), 0).tolist()).toEqual([[0, 5]]);
      expect(mx.add(mx.zeros([0, 3]), mx.ones([3])).shape).toEqual([0, 3]);
    });
  });
});
