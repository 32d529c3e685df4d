import { float32, type Params, registerPrimitive } from '@mlx-ts/core';
import { type Kernel, referenceBackend as ref, registerKernel } from '@mlx-ts/reference-backend';
import { describe, expect, it } from 'vitest';
import { run, stored } from './helpers.js';

const unsupported = () => {
  throw new Error('refTestAxpy: not differentiable in this test');
};

describe('registerKernel', () => {
  it('runs a kernel for a primitive registered outside core', () => {
    registerPrimitive<{ alpha: number }>({
      name: 'refTestAxpy',
      output: (inputs) => inputs[0]!,
      jvp: unsupported,
      vjp: unsupported,
      vmap: unsupported,
    });
    const axpy: Kernel<{ alpha: number }> = ({ inputs: [x, y], params: { alpha } }) => x!.data.map((v, i) => alpha * v + y!.data[i]!);
    expect(ref.supports('refTestAxpy')).toBe(false);
    registerKernel('refTestAxpy', axpy);
    expect(ref.supports('refTestAxpy')).toBe(true);
    expect(run('refTestAxpy', { alpha: 0.1 }, [stored([1, 2], float32), stored([1, 1], float32)], [2], float32)).toEqual([1.1, 1.2].map(Math.fround));
  });

  it('refuses core primitives and unregistered names', () => {
    const k: Kernel<Params<'exp'>> = ({ inputs: [x] }) => x!.data.slice();
    expect(() => registerKernel('exp', k)).toThrow(/core primitive/);
    expect(() => registerKernel('refTestMissing', k)).toThrow(/registerPrimitive first/);
  });

  it('rejects a kernel that returns an input instead of a new array', () => {
    registerPrimitive({ name: 'refTestAlias', output: (inputs) => inputs[0]!, jvp: unsupported, vjp: unsupported, vmap: unsupported });
    registerKernel('refTestAlias', ({ inputs: [x] }) => x!.data);
    expect(() => run('refTestAlias', {}, [stored([1], float32)], [1], float32)).toThrow(/shares with an input/);
  });
});
