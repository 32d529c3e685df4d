/**
 * erf, erfc and erfinv in float64, to about 1e-14 relative, from textbook expansions rather
 * than fitted coefficients, so the accuracy argument is short:
 * - erf for |x| < 2, and erfc = 1 - erf for x < 1 (where erfc > 0.15, so the subtraction is
 *   harmless): a series of positive terms, so no cancellation;
 * - elsewhere erfc from its continued fraction, which converges in under 200 terms for x >= 1;
 * - erfinv: a rough closed form refined by Halley's method on erf (or on erfc near +-1, where
 *   1 - y is exact and erfc keeps the relative precision that erf loses).
 */

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const ONE_OVER_SQRT_PI = 0.5641895835477563;
/** erf uses the series below this |x|; erfc uses the continued fraction from ERFC_FRACTION_FROM on. */
const ERF_SERIES_LIMIT = 2;
const ERFC_FRACTION_FROM = 1;

/** erf(x) = 2/sqrt(pi) * exp(-x^2) * sum_n 2^n x^(2n+1) / (1*3*...*(2n+1)). */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/**
 * erfc(x) for x >= 1: exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))),
 * evaluated front to back with Lentz's method.
 */
function erfcContinuedFraction(x: number): number {
  let f = x;
  let c = x;
  let d = 0;
  for (let j = 1; j < 1000; j++) {
    const a = j / 2;
    d = 1 / (x + a * d);
    c = x + a / c;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return (ONE_OVER_SQRT_PI * Math.exp(-x * x)) / f;
}

export function erfc(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x < 0) return 2 - erfc(-x);
  if (x < ERFC_FRACTION_FROM) return 1 - erfSeries(x);
  if (x > 27) return 0; // erfc(27) < 1e-318, below the smallest double
  return erfcContinuedFraction(x);
}

export function erf(x: number): number {
  if (Number.isNaN(x)) return x;
  const a = Math.abs(x);
  if (a < ERF_SERIES_LIMIT) return erfSeries(x);
  const r = a > 6 ? 1 : 1 - erfcContinuedFraction(a); // erfc(6) < 2.2e-17: 1 - it rounds to 1
  return x < 0 ? -r : r;
}

/** A start for Halley's method: Winitzki's closed form (relative error < 1e-2), or the first Taylor term near 0. */
function erfinvGuess(y: number): number {
  if (y < 1e-3) return (y * Math.sqrt(Math.PI)) / 2;
  const a = 0.147;
  const ln = Math.log((1 - y) * (1 + y));
  const t = 2 / (Math.PI * a) + ln / 2;
  return Math.sqrt(Math.sqrt(t * t - ln / a) - t);
}

export function erfinv(y: number): number {
  if (Number.isNaN(y) || y < -1 || y > 1) return NaN;
  if (y === 0) return y;
  const a = Math.abs(y);
  if (a === 1) return y * Infinity;
  let x = erfinvGuess(a);
  // Halley: with f = erf(x) - a, f' = 2/sqrt(pi) exp(-x^2), f'' = -2x f', the step is u / (1 + x u) with u = f / f'.
  // Each step roughly cubes the relative error, so four take 1e-2 far below one ulp.
  for (let i = 0; i < 4; i++) {
    const f = a <= 0.5 ? erf(x) - a : 1 - a - erfc(x);
    const u = f / (TWO_OVER_SQRT_PI * Math.exp(-x * x));
    x -= u / (1 + x * u);
  }
  return y < 0 ? -x : x;
}
