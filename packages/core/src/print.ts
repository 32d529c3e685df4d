/**
 * How an Array prints (`toString`, `console.log`, `util.inspect`): MLX's and NumPy's
 * `array([[1, 2], [3, 4]], dtype=int32)`. Floats print with the shortest digits that read back as
 * the same value of their dtype (float32 needs at most 9, not float64's 17), `nan`, `inf` and
 * `-inf` by name; past NumPy's threshold of 1000 elements only the first and last 3 along each
 * long axis are printed, around `...`, and only those are read from the device, so printing a huge
 * (or lazy, never materialised) array costs what it prints.
 */
import { type Array, isTracer } from './array.js';
import { bfloat16BitsToNumber, type Dtype, float16BitsToNumber, float32, float32ToBfloat16Bits, numberToFloat16Bits } from './dtype.js';
import { node } from './graph.js';
import { fmtShape } from './shape.js';
import { $placeholder } from './array-keys.js';

const THRESHOLD = 1000;
const EDGE = 3;
const LINE_WIDTH = 80;

/** The value rounded to `dtype` (what reading it back as that dtype gives). */
function roundTo(v: number, dtype: Dtype): number {
  switch (dtype.name) {
    case 'float32':
      return Math.fround(v);
    case 'float16':
      return float16BitsToNumber(numberToFloat16Bits(v));
    case 'bfloat16':
      return bfloat16BitsToNumber(float32ToBfloat16Bits(v));
    default:
      return v;
  }
}

/**
 * The shortest decimal that rounds back to `v` in its dtype: positional with integral values
 * without a point, or (`scientific`) mantissa and a two-digit exponent, `1.5e-07`.
 */
function formatFloat(v: number, dtype: Dtype, scientific: boolean): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  const exact = dtype.name === 'float64' ? (s: string) => Number(s) === v : (s: string) => roundTo(Number(s), dtype) === v;
  if (!scientific) {
    if (dtype.name === 'float64') return String(v);
    for (let p = 1; p <= 17; p++) {
      const s = v.toPrecision(p);
      if (exact(s) && !s.includes('e')) return String(Number(s));
    }
    return String(v);
  }
  for (let p = 0; p <= 16; p++) {
    const s = v.toExponential(p);
    if (!exact(s)) continue;
    const [m, e] = s.split('e') as [string, string];
    const digits = e.replace(/^[+-]/, '');
    return `${m}e${e[0] === '-' ? '-' : '+'}${digits.padStart(2, '0')}`;
  }
  return String(v);
}

/** NumPy's choice: scientific when a finite value is at least 1e16, or a nonzero one below 1e-4 with a spread over 1e3. */
function wantsScientific(values: ArrayLike<number | bigint>): boolean {
  let lo = Infinity,
    hi = 0;
  for (let i = 0; i < values.length; i++) {
    const v = Math.abs(Number(values[i]!));
    if (!Number.isFinite(v) || v === 0) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return hi >= 1e16 || (lo < 1e-4 && hi / lo > 1e3) || (hi > 0 && hi < 1e-4);
}

function element(v: number | bigint, dtype: Dtype, scientific: boolean): string {
  if (dtype.name === 'bool') return v ? 'true' : 'false';
  if (typeof v === 'bigint' || !dtype.isFloating) return String(v);
  return formatFloat(v, dtype, scientific);
}

/** NumPy's `1+2j`, `3-0.5j`, `nan+infj`: each part as a float32. */
function complexElement(re: number, im: number, scientific: boolean): string {
  const f = (v: number) => formatFloat(v, float32, scientific);
  const sign = im < 0 || Object.is(im, -0) ? '-' : '+';
  return `${f(re)}${sign}${f(Number.isNaN(im) ? im : Math.abs(im))}j`;
}

/** The array with every axis longer than 2 * EDGE cut to its first and last EDGE entries (lazily: only those are computed). */
function edges(a: Array): Array {
  let x = a;
  a.shape.forEach((n, axis) => {
    if (n <= 2 * EDGE) return;
    const part = (start: number) =>
      node('slice', [x], {
        start: x.shape.map((_, i) => (i === axis ? start : 0)),
        step: x.shape.map(() => 1),
        shape: x.shape.map((d, i) => (i === axis ? EDGE : d)),
      });
    x = node('concatenate', [part(0), part(n - EDGE)], { axis });
  });
  return x;
}

export function formatArray(a: Array): string {
  if (a[$placeholder] !== null || isTracer(a)) return `array(shape=${fmtShape(a.shape)}, dtype=${a.dtype.name}, traced)`;
  const summarize = a.size > THRESHOLD;
  const shown = summarize ? edges(a) : a;
  const host = shown.toTypedArray();
  const complex = a.dtype.isComplex;
  const items: string[] = new globalThis.Array(complex ? host.length / 2 : host.length);
  const scientific = (a.dtype.isFloating || complex) && wantsScientific(host);
  let width = 0;
  for (let i = 0; i < items.length; i++) {
    const s = complex ? complexElement(host[2 * i] as number, host[2 * i + 1] as number, scientific) : element(host[i]!, a.dtype, scientific);
    items[i] = s;
    if (s.length > width) width = s.length;
  }
  const suffix = `, dtype=${a.dtype.name})`;
  if (a.ndim === 0) return `array(${items[0]}${suffix}`;
  const shape = shown.shape;
  const cut = (axis: number) => summarize && a.shape[axis]! > 2 * EDGE;
  let pos = 0;
  // Rows wrap at LINE_WIDTH, continuing under the first element.
  const build = (axis: number, indent: string): string => {
    const n = shape[axis]!;
    const parts: string[] = [];
    if (axis === shape.length - 1) {
      for (let k = 0; k < n; k++) {
        if (cut(axis) && k === EDGE) parts.push('...');
        parts.push(items[pos++]!.padStart(width));
      }
      const lines: string[] = [];
      let line = '';
      for (const p of parts) {
        const next = line === '' ? p : `${line}, ${p}`;
        if (line !== '' && indent.length + next.length + 2 > LINE_WIDTH) {
          lines.push(`${line},`);
          line = p;
        } else line = next;
      }
      lines.push(line);
      return `[${lines.join(`\n${indent} `)}]`;
    }
    const sep = `,${'\n'.repeat(shape.length - axis - 1)}${indent} `;
    for (let k = 0; k < n; k++) {
      if (cut(axis) && k === EDGE) parts.push('...');
      parts.push(build(axis + 1, `${indent} `));
    }
    return `[${parts.join(sep)}]`;
  };
  return `array(${build(0, '      ')}${suffix}`;
}
