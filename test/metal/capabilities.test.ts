/**
 * The Metal backend's capability table covers exactly core's primitives (a new primitive without
 * an entry fails here as well as in the type checker), the README's table is that table, and on
 * Linux the package registers nothing and says why.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { capabilities, metalUnavailable } from '@mlx-ts/metal-backend';
import { mx } from '../helpers/index.js';
import { metalDir } from './fake-device.js';

describe('metal-backend capability table', () => {
  it('has one entry per core primitive, no more', () => {
    expect(Object.keys(capabilities).sort()).toEqual(Object.keys(mx.primitives).sort());
  });

  it('marks exactly the view primitives as views, and names a kernel file that exists for every Metal entry', () => {
    for (const [prim, c] of Object.entries(capabilities)) {
      expect(c.kind === 'view', prim).toBe(mx.getPrimitiveDef(prim).kind === 'view');
      if (c.kind === 'metal') expect(readFileSync(join(metalDir, 'kernels', c.file), 'utf8').length, prim).toBeGreaterThan(0);
    }
  });

  it("is the README's capability table, row for row", () => {
    const readme = readFileSync(join(metalDir, 'README.md'), 'utf8');
    const rows = new Map([...readme.matchAll(/^\| `(\w+)` +\| (metal|cpu|view) +\|/gm)].map((m) => [m[1]!, m[2]!]));
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(Object.entries(capabilities).map(([p, c]) => [p, c.kind])));
  });

  it.skipIf(process.platform === 'darwin')('off macOS, says why no GPU backend is present, in the Error GPU work meets', () => {
    expect(metalUnavailable).toBe(
      `@mlx-ts/metal-backend runs only on macOS with Apple silicon (Metal), and this machine is ${process.platform} ${process.arch}`,
    );
    expect(mx.listBackends().some((b) => b.deviceType === 'gpu')).toBe(false);
    expect(() => mx.setDefaultDevice(mx.gpu)).toThrow(metalUnavailable!);
  });
});
