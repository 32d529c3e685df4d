import { Array } from './array.js';
import { fmtShape } from './shape.js';

/** How error messages name a value a caller passed: its kind, and its value or shape where that helps. */
export function describeValue(x: unknown): string {
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (x instanceof Array) return `an array of shape ${fmtShape(x.shape)}`;
  if (globalThis.Array.isArray(x)) {
    // A short list of numbers (a shape, axes) is clearest shown whole.
    if (x.length <= 8 && x.every((e) => typeof e === 'number' || typeof e === 'boolean')) return `a JS array [${x.join(', ')}]`;
    return `a JS array of length ${x.length}`;
  }
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name}`;
  if (typeof x === 'object') {
    const proto = Object.getPrototypeOf(x);
    return proto === Object.prototype || proto === null ? `an object with keys [${Object.keys(x).join(', ')}]` : `a ${x.constructor?.name ?? 'object'}`;
  }
  if (typeof x === 'function') return `a function${x.name ? ` (${x.name})` : ''}`;
  if (typeof x === 'symbol') return `a symbol (${String(x)})`;
  return `a ${typeof x} (${String(x)})`;
}
