import { cpuBackend } from '@mlx-ts/cpu-backend';
import { float32 } from '@mlx-ts/core';
import { test } from 'vitest';
import { input, step, stepOutput } from './helpers.js';

test('overhead', () => {
  const a = input(new Float32Array([1]), float32, [1]);
  const one = [step('add', [a, a], [1], float32)];
  const chain = [step('add', [a, a], [1], float32)];
  for (let i = 1; i < 100; i++) chain.push(step('multiply', [stepOutput(i - 1, float32, [1]), a], [1], float32));
  for (const [name, steps] of [['1 step', one], ['100 steps', chain]] as const) {
    for (let r = 0; r < 3; r++) {
      const iters = 20000 / steps.length * 10;
      const t = performance.now();
      for (let i = 0; i < iters; i++) cpuBackend.execute(steps);
      const us = ((performance.now() - t) * 1000) / iters / steps.length;
      console.log(name, 'us per op', us.toFixed(3));
    }
  }
});
