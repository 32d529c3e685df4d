/** registerBackend checks every member of the Backend interface, and a rejected backend changes nothing. */
import { describe, expect, it } from 'vitest';
import { mx } from './helpers/index.js';

const before = () => mx.listBackends().map((b) => b.name);

/** The registration throws, names what is wrong, and every op still works afterwards. */
function rejects(b: unknown, ...expected: RegExp[]): void {
  const names = before();
  let message = '';
  try {
    mx.registerBackend(b as mx.Backend);
  } catch (e) {
    message = (e as Error).message;
  }
  for (const re of expected) expect(message).toMatch(re);
  expect(message).toMatch(/^registerBackend: /);
  expect(before()).toEqual(names);
  expect(mx.array([1, 2]).tolist()).toEqual([1, 2]);
  expect(mx.add(mx.array([1, 2]), 1).tolist()).toEqual([2, 3]);
}

describe('registerBackend validation', () => {
  const reference = mx.getBackendByName('reference');

  it('rejects a value that is not an object, naming it and the members a backend needs', () => {
    rejects(5, /got a number \(5\)/, /name, deviceType, priority, fromHost, toHost, execute, release, supports/);
    rejects(null, /got null/);
  });

  it('rejects an empty object, naming every missing member', () => {
    rejects({}, /name is missing/, /deviceType is missing/, /priority is missing/, /fromHost is missing/, /supports is missing/, /Nothing was registered/);
  });

  it('rejects a backend missing fromHost, naming it and the backend', () => {
    const { fromHost: _, ...rest } = reference;
    rejects({ ...rest, name: 'no-fromhost' }, /backend 'no-fromhost'/, /fromHost is missing \(expected a function\)/);
    expect(() => mx.getBackendByName('no-fromhost')).toThrow(/no backend named 'no-fromhost'/);
  });

  it('rejects members of the wrong kind, optional ones included', () => {
    rejects(
      { ...reference, name: 'bad-kinds', deviceType: 'tpu', priority: Number.NaN },
      /deviceType is a string \('tpu'\) \(expected one of 'cpu', 'gpu'\)/,
      /priority is a number \(NaN\)/,
    );
    rejects({ ...reference, name: 'bad-async', executeAsync: 3 }, /executeAsync is a number \(3\) \(expected a function or undefined\)/);
    rejects({ ...reference, name: '' }, /name is a string \(''\) \(expected a non-empty string\)/);
  });

  it('a rejected backend of a registered name leaves the registered one in place', () => {
    rejects({ ...reference, execute: undefined }, /backend 'reference'/, /execute is missing/);
    expect(mx.getBackendByName('reference')).toBe(reference);
  });

  it('accepts a valid backend (members may come from a prototype) and registers it', () => {
    class Wrapped {
      name = 'wrapped-reference';
      deviceType = 'cpu' as const;
      priority = -100;
      fromHost = reference.fromHost.bind(reference);
      toHost = reference.toHost.bind(reference);
      release = reference.release.bind(reference);
      execute(steps: readonly mx.Step[]): unknown[] {
        return reference.execute(steps);
      }
      supports(prim: string): boolean {
        return reference.supports(prim);
      }
    }
    mx.registerBackend(new Wrapped());
    expect(before()).toContain('wrapped-reference');
    mx.useBackend('wrapped-reference');
    try {
      expect(mx.multiply(mx.array([1, 2]), 3).tolist()).toEqual([3, 6]);
    } finally {
      mx.useBackend(null);
    }
  });
});
