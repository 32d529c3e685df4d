/**
 * How error messages name a value a caller passed: its kind, and its value or shape where that
 * helps. The one formatter every error uses, so a message never fails to build (JSON.stringify
 * throws on BigInt and cycles) and never misprints a value (it shows NaN and Infinity as null,
 * drops functions and symbols).
 */
import { fmtShape } from './shape.js';

/**
 * Marks mlx-ts Arrays (array.ts sets it on the class), so that this module need not import
 * array.ts: dtype.ts and device.ts use describeValue, and array.ts's imports lead back to them.
 */
export const arrayBrand = Symbol('mlx-ts Array');

function isMxArray(x: unknown): x is { shape: readonly number[]; dtype: { name: string } } {
  return typeof x === 'object' && x !== null && (x as { [arrayBrand]?: boolean })[arrayBrand] === true;
}

/** Elements of a JS array shown before `...`, and characters of a string before `...`. */
const maxItems = 8;
const maxChars = 40;

/** A primitive as it would be written in source: `NaN`, `-Infinity`, `10n`, `'a'`, `Symbol(s)`. */
function literal(x: unknown): string | undefined {
  switch (typeof x) {
    case 'number':
      return Object.is(x, -0) ? '-0' : String(x);
    case 'bigint':
      return `${x}n`;
    case 'boolean':
      return String(x);
    case 'string':
      return `'${x.length > maxChars ? `${x.slice(0, maxChars)}...` : x}'`;
    case 'symbol':
      return x.toString();
    case 'undefined':
      return 'undefined';
    default:
      return x === null ? 'null' : undefined;
  }
}

/** A JS array of primitives (nested at will) written out, or undefined when it holds anything else. */
function listLiteral(x: readonly unknown[], seen: Set<unknown>): string | undefined {
  if (seen.has(x)) return '[Circular]';
  seen.add(x);
  const parts: string[] = [];
  for (let i = 0; i < Math.min(x.length, maxItems); i++) {
    const e = x[i];
    const s = globalThis.Array.isArray(e) ? listLiteral(e, seen) : literal(e);
    if (s === undefined) return undefined;
    parts.push(s);
  }
  seen.delete(x);
  if (x.length > maxItems) parts.push('...');
  return `[${parts.join(', ')}]`;
}

function ownString(x: unknown): string {
  try {
    const s = String(x);
    return s.length > maxChars ? `${s.slice(0, maxChars)}...` : s;
  } catch {
    return 'unprintable';
  }
}

/** How an error message shows a value a caller passed (see the module comment). */
export function describeValue(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  if (isMxArray(x)) return `an array of shape ${fmtShape(x.shape)} and dtype ${x.dtype.name}`;
  if (globalThis.Array.isArray(x)) {
    const body = listLiteral(x, new Set());
    if (body === undefined) return `a JS array of length ${x.length}`;
    return x.length > maxItems ? `a JS array of length ${x.length} ${body}` : `a JS array ${body}`;
  }
  if (ArrayBuffer.isView(x)) {
    const n = (x as unknown as { length?: number }).length;
    return `a ${x.constructor.name}${n === undefined ? '' : ` of length ${n}`}`;
  }
  if (typeof x === 'function') return x.name ? `function ${x.name}` : 'an anonymous function';
  if (typeof x === 'object') {
    const proto = Object.getPrototypeOf(x);
    if (proto === Object.prototype || proto === null) {
      const keys = Object.keys(x);
      return `an object with keys [${keys.slice(0, maxItems).join(', ')}${keys.length > maxItems ? ', ...' : ''}]`;
    }
    const name = (x as { constructor?: { name?: unknown } }).constructor?.name;
    const kind = typeof name === 'string' && name ? `a ${name}` : 'an object';
    // Library values (a Dtype, Stream, Device) print themselves; anything else is named by its class.
    return typeof (x as object).toString === 'function' && (x as object).toString !== Object.prototype.toString ? `${kind} (${ownString(x)})` : kind;
  }
  return `a ${typeof x} (${literal(x)})`;
}
