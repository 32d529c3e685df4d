import * as mx from 'mlx-ts';
import { describe, expect, test } from 'vitest';

const { cosineDecay, exponentialDecay, joinSchedules, linearSchedule, stepDecay } = mx.optimizers;
const at = (s: (step: mx.Array | number) => mx.Array, step: number): number => s(mx.array(step, mx.uint32)).item();
const near = (a: number, b: number, tol = 1e-7) => expect(Math.abs(a - b)).toBeLessThanOrEqual(tol);

describe('schedules', () => {
  test('exponentialDecay: init * rate^step', () => {
    const s = exponentialDecay(0.1, 0.99);
    for (const t of [0, 1, 10, 100]) near(at(s, t), 0.1 * 0.99 ** t);
    near(s(10).item(), 0.1 * 0.99 ** 10);
  });

  test('stepDecay: init * rate^floor(step / stepSize)', () => {
    const s = stepDecay(0.1, 0.9, 1000);
    near(at(s, 2500), 0.1 * 0.81);
    near(at(s, 999), 0.1);
    near(at(s, 1000), 0.09);
    expect(() => stepDecay(0.1, 0.9, 0)).toThrow('stepDecay: stepSize must be greater than 0, but got a number (0)');
  });

  test('cosineDecay: half a cosine to end over decaySteps, then end', () => {
    const s = cosineDecay(0.1, 10);
    for (const t of [0, 4, 7, 10]) near(at(s, t), 0.1 * 0.5 * (1 + Math.cos((Math.PI * t) / 10)));
    const e = cosineDecay(0.1, 10, 0.05);
    expect(at(e, 9)).toBeGreaterThan(0.05);
    expect(at(e, 20)).toBe(Math.fround(0.05));
    expect(() => cosineDecay(0.1, 0)).toThrow('cosineDecay: decaySteps must be greater than 0');
  });

  test('linearSchedule: init to end over steps, then end', () => {
    const s = linearSchedule(0, 1e-1, 100);
    near(at(s, 0), 0);
    near(at(s, 25), 0.025);
    near(at(s, 100), 0.1);
    near(at(s, 500), 0.1);
    expect(() => linearSchedule(0, 1, 0)).toThrow('linearSchedule: steps must be greater than 0');
  });

  test('joinSchedules: each later schedule sees the steps since its boundary', () => {
    const j = joinSchedules([() => 3, () => 4, () => 5], [2, 4]);
    expect([0, 1, 2, 3, 5, 7].map((t) => j(t).item())).toEqual([3, 3, 4, 4, 5, 5]);
    const warm = joinSchedules([linearSchedule(0, 1e-5, 100), cosineDecay(1e-5, 100)], [101]);
    near(at(warm, 0), 0);
    near(at(warm, 50), 5e-6, 1e-12);
    near(at(warm, 101), 1e-5, 1e-12);
    near(at(warm, 151), 1e-5 * 0.5 * (1 + Math.cos(Math.PI * 0.5)), 1e-12);
    expect(() => joinSchedules([() => 3, () => 4, () => 5], [2, 3, 4])).toThrow('joinSchedules: received 3 boundaries but expected 2');
    expect(() => joinSchedules([], [])).toThrow(
      'joinSchedules: must provide at least 1 schedule to join (a JS array of functions of the step), got a JS array []',
    );
    expect(() => joinSchedules([() => 1, 5 as never], [1])).toThrow(
      'joinSchedules: every schedule must be a function of the step, got a number (5) at index 1',
    );
  });

  test('every optimizer follows a schedule: the learning rate of update t is schedule(t - 1)', () => {
    const { SGD, RMSprop, Adagrad, AdaDelta, Adam, AdamW, Adamax, Lion, Adafactor, Muon } = mx.optimizers;
    for (const Opt of [SGD, RMSprop, Adagrad, AdaDelta, Adam, AdamW, Adamax, Lion, Adafactor, Muon]) {
      const opt = new Opt(stepDecay(0.1, 0.9, 1));
      const params = { w: mx.ones([5, 5]) };
      for (let it = 0; it < 10; it++) {
        opt.applyGradients({ w: mx.onesLike(params.w) }, params);
        near(opt.learningRate.item(), 0.1 * 0.9 ** it, 1e-7);
      }
    }
  });

  test('a warm-up then cosine schedule through update({}, {}): after n updates the rate is schedule(n - 1)', () => {
    const opt = new mx.optimizers.Adam(joinSchedules([linearSchedule(0, 1e-5, 100), cosineDecay(1e-5, 100)], [101]));
    const model = { update: () => undefined };
    for (let i = 0; i < 100; i++) opt.update(model, {});
    near(opt.learningRate.item(), 99e-7, 1e-12);
    for (let i = 0; i < 100; i++) opt.update(model, {});
    near(opt.learningRate.item(), 1e-5 * 0.5 * (1 + Math.cos((Math.PI * 98) / 100)), 1e-12);
  });
});
