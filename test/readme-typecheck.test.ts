/**
 * The README's TypeScript examples compile as a user's `tsc --strict` project would compile them,
 * with no casts: each ```ts / ```typescript block becomes one module (a block without an import
 * continues the README's `import * as mx from 'mlx-ts'`), and one tsc run checks them all against
 * the declarations users get. Whatever README.md holds is checked, so an edited example cannot
 * silently break.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

/** Runs a node script without blocking the test worker; resolves with its exit status and output. */
const run = (script: string, args: string[]): Promise<{ status: number; output: string }> =>
  new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], { cwd: root, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}${stderr}`.trim() });
    });
  });

/** The code of the README's TypeScript blocks, in order. */
const blocks = [...readFileSync(join(root, 'README.md'), 'utf8').matchAll(/^```(?:ts|typescript)[ \t]*\n([\s\S]*?)^```/gm)].map((m) => m[1]!);

/** A block as a module of its own. */
const moduleOf = (code: string): string => {
  const imports = /^\s*import\s.*from\s+'mlx-ts'/m.test(code);
  return `${imports ? '' : "import * as mx from 'mlx-ts';\n"}${code}\nexport {};\n`;
};

/** Type assertions (`x as T`), once comments and imports (`import * as mx`) are left out. */
const casts = (code: string): string[] =>
  code
    .split('\n')
    .filter((line) => !/^\s*import\s/.test(line))
    .map((line) => line.replace(/(^|\s)\/\/.*$/, ''))
    .filter((line) => /\)\s+as\s|\w\s+as\s+(?:const\b|unknown\b|any\b|never\b|[A-Z]|mx\.)/.test(line));

it('README.md has TypeScript examples, without casts', () => {
  expect(blocks.length, 'README.md has no ```ts blocks').toBeGreaterThan(0);
  blocks.forEach((code, i) => expect(casts(code), `README block ${i + 1} casts`).toEqual([]));
});

it("the README's TypeScript examples typecheck under --strict", { timeout: 300_000 }, async () => {
  // The declarations users get (packages/*/dist), brought up to date first (no work when they are).
  const build = await run(tsc, ['-b', join(root, 'packages', 'mlx-ts')]);
  expect(build.output, 'tsc -b packages/mlx-ts').toBe('');
  // A user's project: inside the repository, so that 'mlx-ts' resolves through node_modules.
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'readme-typecheck-'));
  try {
    const files = blocks.map((code, i) => {
      const file = `readme-block-${i + 1}.ts`;
      writeFileSync(join(dir, file), moduleOf(code));
      return file;
    });
    const compilerOptions = {
      strict: true,
      noEmit: true,
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      skipLibCheck: true,
      types: ['node'],
    };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files }));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    const check = await run(tsc, ['-p', join(dir, 'tsconfig.json')]);
    expect(check.output.replaceAll(relative(root, dir), 'README').replaceAll(dir, 'README')).toBe('');
    expect(check.status).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
