/** The committed PyTorch/NumPy fixtures (see fixtures/gen_*.py), as float64 arrays. */
import { readFileSync } from 'node:fs';
import * as mx from 'mlx-ts';

export const fixturePath = (name: string): string => new URL(`./fixtures/${name}`, import.meta.url).pathname;

export function readFixture(name: string): Record<string, Record<string, mx.NestedList>> {
  return JSON.parse(readFileSync(fixturePath(name), 'utf8'));
}

export const f64 = (v: mx.NestedList): mx.Array => mx.array(v, mx.float64);
