/**
 * Learning-rate schedules (MLX's `mlx.optimizers.schedulers`): functions of the step, built from
 * array ops so they run inside `mx.compile` on the step the optimizer keeps in its state. A JS
 * number step works too (the result is a float32 Array).
 */
import { Array, array, cos, describeValue, floorDivide, minimum, multiply, power, where } from '@mlx-ts/core';

/** A built-in schedule: the value at a step. */
export type ScheduleFn = (step: Array | number) => Array;

function positiveInt(who: string, key: string, v: unknown): number {
  if (typeof v !== 'number' || !(v >= 1)) throw new Error(`${who}: ${key} must be greater than 0, but got ${describeValue(v)}`);
  return v;
}

function finite(who: string, key: string, v: unknown): number {
  if (typeof v !== 'number' || Number.isNaN(v)) throw new Error(`${who}: ${key} must be a number, got ${describeValue(v)}`);
  return v;
}

/** `init * decayRate^step`. */
export function exponentialDecay(init: number, decayRate: number): ScheduleFn {
  finite('exponentialDecay', 'init', init);
  finite('exponentialDecay', 'decayRate', decayRate);
  return (step) => multiply(init, power(decayRate, step));
}

/** `init * decayRate^floor(step / stepSize)`: decays every `stepSize` steps. */
export function stepDecay(init: number, decayRate: number, stepSize: number): ScheduleFn {
  finite('stepDecay', 'init', init);
  finite('stepDecay', 'decayRate', decayRate);
  positiveInt('stepDecay', 'stepSize', stepSize);
  return (step) => multiply(init, power(decayRate, floorDivide(step, stepSize)));
}

/** Half a cosine from `init` down to `end` over `decaySteps` steps, then `end`. */
export function cosineDecay(init: number, decaySteps: number, end = 0): ScheduleFn {
  finite('cosineDecay', 'init', init);
  positiveInt('cosineDecay', 'decaySteps', decaySteps);
  finite('cosineDecay', 'end', end);
  return (step) => {
    const s = minimum(step, decaySteps);
    const decay = cos(multiply(Math.PI / decaySteps, s))
      .add(1)
      .multiply(0.5);
    return decay.multiply(init - end).add(end);
  };
}

/** From `init` to `end` linearly over `steps` steps, then `end`. */
export function linearSchedule(init: number, end: number, steps: number): ScheduleFn {
  finite('linearSchedule', 'init', init);
  finite('linearSchedule', 'end', end);
  positiveInt('linearSchedule', 'steps', steps);
  return (step) =>
    minimum(step, steps)
      .multiply((end - init) / steps)
      .add(init);
}

/**
 * One schedule after another: schedule i+1 takes over at `boundaries[i]` and sees the steps
 * since that boundary (`joinSchedules([warmup, cosine], [10])`).
 */
export function joinSchedules(schedules: readonly ((step: Array) => Array | number)[], boundaries: readonly number[]): ScheduleFn {
  if (!globalThis.Array.isArray(schedules) || schedules.length === 0)
    throw new Error(`joinSchedules: must provide at least 1 schedule to join (a JS array of functions of the step), got ${describeValue(schedules)}`);
  const bad = schedules.findIndex((s) => typeof s !== 'function');
  if (bad >= 0) throw new Error(`joinSchedules: every schedule must be a function of the step, got ${describeValue(schedules[bad])} at index ${bad}`);
  if (!globalThis.Array.isArray(boundaries) || schedules.length !== boundaries.length + 1) {
    throw new Error(
      `joinSchedules: received ${globalThis.Array.isArray(boundaries) ? boundaries.length : describeValue(boundaries)} boundaries but expected ${schedules.length - 1}`,
    );
  }
  boundaries.forEach((b, i) => finite('joinSchedules', `boundaries[${i}]`, b));
  return (step) => {
    const s = typeof step === 'number' ? array(step) : step;
    const first = schedules[0]!(s);
    let out = first instanceof Array ? first : array(first);
    boundaries.forEach((b, i) => (out = where(s.less(b), out, schedules[i + 1]!(s.subtract(b)))));
    return out;
  };
}
