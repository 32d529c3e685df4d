/**
 * MLX's `hadamardTransform(a, scale)`: the Walsh-Hadamard transform along the last axis, as a
 * composition (so every transform differentiates and batches it through its parts).
 *
 * The last axis has n = m * 2^k elements, m one of 1, 12, 20, 28, viewed as [m, 2^k] (row-major):
 * each row gets the fast transform in Sylvester's order (log2 of its length butterfly stages of
 * sums and differences), then the m rows are mixed by the order-m Hadamard matrix, and the result
 * is scaled (by 1/sqrt(n) by default). That is the layout MLX's kernels use, so the values agree.
 */
import type { Array } from '../array.js';
import type { StreamOrDevice } from '../device.js';
import { float32 } from '../dtype.js';
import { fmtShape } from '../shape.js';
import { array, type ArrayInput, astype, toArray, parseOpts, type OptArgs } from './convert.js';
import { add, multiply, subtract } from './elementwise.js';
import { matmul } from './linalg.js';
import { concatenate, reshape, split } from './shape.js';

/*
 * The Hadamard matrices of orders 12, 20 and 28 from N. J. A. Sloane's library
 * (neilsloane.com/hadamard), the ones MLX uses, one row per string: '+' is 1, '-' is -1.
 */
const SLOANE: Readonly<Record<number, readonly string[]>> = {
  12: [
    '+-++++++++++',
    '--+-+-+-+-+-',
    '+++-++----++',
    '+---+--+-++-',
    '+++++-++----',
    '+-+---+--+-+',
    '++--+++-++--',
    '+--++---+--+',
    '++----+++-++',
    '+--+-++---+-',
    '++++----+++-',
    '+-+--+-++---',
  ],
  20: [
    '+----+----++--++-++-',
    '-+----+---+++---+-++',
    '--+----+---+++-+-+-+',
    '---+----+---+++++-+-',
    '----+----++--++-++-+',
    '-+++++-----+--+++--+',
    '+-+++-+---+-+--+++--',
    '++-++--+---+-+--+++-',
    '+++-+---+---+-+--+++',
    '++++-----++--+-+--++',
    '--++-+-++-+-----++++',
    '---++-+-++-+---+-+++',
    '+---++-+-+--+--++-++',
    '++---++-+----+-+++-+',
    '-++---++-+----+++++-',
    '-+--+--++-+----+----',
    '+-+-----++-+----+---',
    '-+-+-+---+--+----+--',
    '--+-+++------+----+-',
    '+--+--++------+----+',
  ],
  28: [
    '+------++----++-+--+-+--++--',
    '-+-----+++-----+-+--+-+--++-',
    '--+-----+++---+-+-+----+--++',
    '---+-----+++---+-+-+-+--+--+',
    '----+-----+++---+-+-+++--+--',
    '-----+-----++++--+-+--++--+-',
    '------++----++-+--+-+--++--+',
    '--++++-+-------++--+++-+--+-',
    '---++++-+-----+-++--+-+-+--+',
    '+---+++--+----++-++--+-+-+--',
    '++---++---+----++-++--+-+-+-',
    '+++---+----+----++-++--+-+-+',
    '++++--------+-+--++-++--+-+-',
    '-++++--------+++--++--+--+-+',
    '-+-++-++--++--+--------++++-',
    '+-+-++--+--++--+--------++++',
    '-+-+-++--+--++--+----+---+++',
    '+-+-+-++--+--+---+---++---++',
    '++-+-+-++--+------+--+++---+',
    '-++-+-+-++--+------+-++++---',
    '+-++-+---++--+------+-++++--',
    '-++--++-+-++-+++----++------',
    '+-++--++-+-++-+++-----+-----',
    '++-++---+-+-++-+++-----+----',
    '-++-++-+-+-+-+--+++-----+---',
    '--++-++++-+-+----+++-----+--',
    '+--++-+-++-+-+----+++-----+-',
    '++--++-+-++-+-+----++------+',
  ],
};
const isPowerOfTwo = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

/** n = m * 2^k with m in 1, 12, 20, 28 (powers of two first, as MLX decomposes). */
function decompose(fn: string, n: number): [m: number, pow2: number] {
  if (isPowerOfTwo(n)) return [1, n];
  for (const m of [12, 20, 28]) if (n % m === 0 && isPowerOfTwo(n / m)) return [m, n / m];
  throw new Error(`${fn}: the last axis must have m * 2^k elements with m one of 1, 12, 20, 28, got ${n}`);
}

type HadamardOpts = { scale?: number | null; stream?: StreamOrDevice | null };

/** MLX's `hadamard_transform(a, scale=None)`: integer inputs are transformed as float32. */
export function hadamardTransform(a: ArrayInput, ...args: OptArgs<[scale?: number | null], HadamardOpts>): Array {
  const fn = 'hadamardTransform';
  const o = parseOpts(fn, args, ['scale'], { scale: 'number' });
  const x0 = toArray(fn, a);
  if (x0.size === 0) throw new Error(`${fn}: empty arrays are not supported, got shape ${fmtShape(x0.shape)}`);
  const s = o.stream;
  const opts = s ? { stream: s } : undefined;
  const n = x0.ndim > 0 ? x0.shape[x0.ndim - 1]! : 1;
  const scale: number = o.scale ?? 1 / Math.sqrt(n);
  const x = x0.dtype.isFloating ? x0 : astype(x0, float32, s);
  const lead = x.shape.slice(0, -1);
  if (n === 1) return scale === 1 ? x : multiply(x, scale, opts);
  const [m, p] = decompose(fn, n);
  let y = reshape(x, [...lead, m, p], opts);
  // Butterflies in Sylvester's order: stage h pairs element j with j + h inside blocks of 2h.
  for (let h = 1; h < p; h *= 2) {
    const blocks = reshape(y, [...lead, m, p / (2 * h), 2, h], opts);
    const [u, v] = split(blocks, 2, -2, opts) as [Array, Array];
    y = reshape(concatenate([add(u, v, opts), subtract(u, v, opts)], -2, opts), [...lead, m, p], opts);
  }
  if (m > 1) {
    const rows = SLOANE[m]!.map((r) => [...r].map((c) => (c === '+' ? 1 : -1)));
    y = matmul(array(rows, y.dtype, opts), y, opts);
  }
  return reshape(multiply(y, scale, opts), x.shape, opts);
}
