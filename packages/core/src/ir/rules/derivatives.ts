/**
 * Elementwise derivatives, written once. An elementwise primitive's Jacobian is diagonal, so one
 * map applies it to a tangent (the JVP) and to a cotangent (the VJP) alike.
 */
import type { Array } from '../../array.js';
import type { UnarySameDtype } from '../primitives.js';
import { ad, onesLike } from './jvp.js';

type Scale = (g: Array, x: Array, y: Array) => Array;
type Partial = (a: Array, b: Array, y: Array) => Array;

const SQRT_PI = Math.sqrt(Math.PI);
const times = (d: (x: Array, y: Array) => Array): Scale => (g, x, y) => ad.multiply(g, d(x, y));

/** `g * dy/dx` for every smooth unary primitive (sign, floor, ceil, round have zero derivatives). */
export const unaryDerivatives: Record<Exclude<UnarySameDtype, 'sign' | 'floor' | 'ceil' | 'round'>, Scale> = {
  abs: times((x) => ad.sign(x)),
  negative: (g) => ad.negative(g),
  square: times((x) => ad.multiply(x, 2)),
  exp: times((_x, y) => y),
  log: (g, x) => ad.divide(g, x),
  log1p: (g, x) => ad.divide(g, ad.add(x, 1)),
  expm1: times((_x, y) => ad.add(y, 1)),
  sin: times((x) => ad.cos(x)),
  cos: times((x) => ad.negative(ad.sin(x))),
  tan: times((_x, y) => ad.add(ad.square(y), 1)),
  tanh: times((_x, y) => ad.subtract(1, ad.square(y))),
  sinh: times((x) => ad.cosh(x)),
  cosh: times((x) => ad.sinh(x)),
  arcsin: times((x) => ad.rsqrt(ad.subtract(1, ad.square(x)))),
  arccos: times((x) => ad.negative(ad.rsqrt(ad.subtract(1, ad.square(x))))),
  arctan: (g, x) => ad.divide(g, ad.add(ad.square(x), 1)),
  arcsinh: times((x) => ad.rsqrt(ad.add(ad.square(x), 1))),
  arccosh: times((x) => ad.rsqrt(ad.subtract(ad.square(x), 1))),
  arctanh: (g, x) => ad.divide(g, ad.subtract(1, ad.square(x))),
  sqrt: (g, _x, y) => ad.divide(ad.multiply(g, 0.5), y),
  rsqrt: times((x, y) => ad.multiply(ad.divide(y, x), -0.5)),
  sigmoid: times((_x, y) => ad.multiply(y, ad.subtract(1, y))),
  erf: times((x) => ad.multiply(ad.exp(ad.negative(ad.square(x))), 2 / SQRT_PI)),
  erfinv: times((_x, y) => ad.multiply(ad.exp(ad.square(y)), SQRT_PI / 2)),
};

/** Partial derivatives [dy/da, dy/db] of the smooth binary primitives whose rules are `g * partial`. */
export const binaryPartials: Record<'multiply' | 'power' | 'arctan2' | 'remainder', readonly [Partial, Partial]> = {
  multiply: [(_a, b) => b, (a) => a],
  power: [
    (a, b) => ad.where(ad.equal(b, 0), 0, ad.multiply(b, ad.power(a, ad.subtract(b, 1)))),
    (a, _b, y) => ad.multiply(y, ad.log(ad.where(ad.equal(a, 0), 1, a))),
  ],
  arctan2: [
    (a, b) => ad.divide(b, ad.add(ad.square(a), ad.square(b))),
    (a, b) => ad.negative(ad.divide(a, ad.add(ad.square(a), ad.square(b)))),
  ],
  remainder: [(a) => onesLike(a), (a, b) => ad.negative(ad.floorDivide(a, b))],
};

/** Builds one rule per key of `table` from the shared formula. */
export function rulesFrom<K extends string, F, R>(table: Record<K, F>, make: (f: F) => R): Record<K, R> {
  return Object.fromEntries(Object.entries(table).map(([k, f]) => [k, make(f as F)])) as Record<K, R>;
}
