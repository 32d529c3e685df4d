// Every module of every package must load on its own, first, in a fresh process: an import cycle
// that only works in one order (a module using a binding of one it imports, which imports it back,
// at load time) breaks as soon as a user or a bundler reaches the cycle from the other side.
import { execFile, execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const packagesDir = join(root, 'packages');

function sourceModules(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceModules(p);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [p] : [];
  });
}

// The built module of each source module (the packages are ESM built by tsc into dist/).
const modules = readdirSync(packagesDir)
  .filter((pkg) => statSync(join(packagesDir, pkg, 'src')).isDirectory())
  .flatMap((pkg) =>
    sourceModules(join(packagesDir, pkg, 'src')).map((src) => {
      const rel = relative(join(packagesDir, pkg, 'src'), src).replace(/\.ts$/, '.js');
      return { name: `${pkg}/src/${relative(join(packagesDir, pkg, 'src'), src)}`, dist: join(packagesDir, pkg, 'dist', rel) };
    }),
  );

const run = promisify(execFile);

describe('each module loads first, on its own, in a fresh process', () => {
  beforeAll(() => {
    // The sources may be newer than dist/ (tests run on the sources): bring dist up to date.
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'packages/mlx-ts', 'packages/testing'], { cwd: root, stdio: 'pipe' });
  }, 300_000);

  test('the packages have modules to check', () => expect(modules.length).toBeGreaterThan(50));

  // Two at a time: node's start-up dominates, and the machine has two cores.
  test('every module', async () => {
    const failures: string[] = [];
    const queue = modules.slice();
    const worker = async (): Promise<void> => {
      for (let m = queue.shift(); m; m = queue.shift()) {
        try {
          await run(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(m.dist).href)});`], {
            cwd: root,
            env: { ...process.env, MLX_TS_JIT: 'off' },
          });
        } catch (e) {
          const err = e as { stderr?: string; message: string };
          const line = (err.stderr ?? err.message).split('\n').find((l) => /Error/.test(l)) ?? err.message;
          failures.push(`${m.name}: ${line.trim()}`);
        }
      }
    };
    await Promise.all([worker(), worker()]);
    expect(failures).toEqual([]);
  }, 300_000);
});
