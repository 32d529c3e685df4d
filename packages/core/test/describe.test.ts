/** describeValue, the one formatter of values in error messages: every value prints, faithfully. */
import { describe, expect, test } from 'vitest';
import * as mx from 'mlx-ts/internals';

const d = mx.describeValue;

describe('describeValue', () => {
  test('numbers JSON would print as null, and the primitives it cannot print', () => {
    expect(d(NaN)).toBe('a number (NaN)');
    expect(d(Infinity)).toBe('a number (Infinity)');
    expect(d(-Infinity)).toBe('a number (-Infinity)');
    expect(d(-0)).toBe('a number (-0)');
    expect(d(10n)).toBe('a bigint (10n)');
    expect(d(Symbol('s'))).toBe('a symbol (Symbol(s))');
    expect(d(undefined)).toBe('undefined');
    expect(d(null)).toBe('null');
    expect(d('1')).toBe("a string ('1')");
    expect(d(true)).toBe('a boolean (true)');
  });

  test('functions by name', () => {
    function f(): void {}
    expect(d(f)).toBe('function f');
    expect(d([() => 1][0])).toBe('an anonymous function');
  });

  test('JS arrays of primitives are written out, nested and with cycles marked', () => {
    expect(d([2, 10n])).toBe('a JS array [2, 10n]');
    expect(d([Infinity, NaN, -Infinity])).toBe('a JS array [Infinity, NaN, -Infinity]');
    expect(d([[1, 2], [3]])).toBe('a JS array [[1, 2], [3]]');
    const cyclic: unknown[] = [1];
    cyclic.push(cyclic);
    expect(d(cyclic)).toBe('a JS array [1, [Circular]]');
    // A repeated (not cyclic) sub-list is shown each time.
    const inner = [1];
    expect(d([inner, inner])).toBe('a JS array [[1], [1]]');
  });

  test('long values are cut short', () => {
    expect(d([...Array(20).keys()])).toBe('a JS array of length 20 [0, 1, 2, 3, 4, 5, 6, 7, ...]');
    expect(d('x'.repeat(100))).toBe(`a string ('${'x'.repeat(40)}...')`);
    expect(d(Object.fromEntries([...Array(12).keys()].map((i) => [`k${i}`, i])))).toBe('an object with keys [k0, k1, k2, k3, k4, k5, k6, k7, ...]');
  });

  test('objects by their keys or class, cyclic ones too, never by their internals', () => {
    const o: Record<string, unknown> = { a: 1 };
    o.self = o;
    expect(d(o)).toBe('an object with keys [a, self]');
    expect(d([{}, {}])).toBe('a JS array of length 2');
    expect(d(mx.ones([2, 3]))).toBe('an array of shape [2,3] and dtype float32');
    expect(d(mx.int32)).toBe('a Dtype (mlx.int32)');
    expect(d(mx.cpu)).toBe('a Device (Device(cpu, 0))');
    expect(d(new Float32Array(3))).toBe('a Float32Array of length 3');
    expect(d(new Map())).toBe('a Map');
    expect(d(new (class Holder {})())).toBe('a Holder');
  });

  test('a toString that throws does not break the message', () => {
    const bad = new (class Weird {
      toString(): string {
        throw new Error('no');
      }
    })();
    expect(d(bad)).toBe('a Weird (unprintable)');
  });
});
