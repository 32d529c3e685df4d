#!/usr/bin/env node
// Issue 14's install check: the packages as a user gets them. Packs mlx-ts and the packages it
// depends on (`pnpm pack` turns `workspace:*` into versions), installs the tarballs with npm into a
// fresh project outside the repository (the cpu backend's addon builds there with cmake-js, from
// the sources in its tarball), then runs the README's first example as an ES module, a
// `require('mlx-ts')` from CommonJS, and a `tsc --strict` typecheck of a TypeScript file using the
// published types. Exits non-zero, saying which step failed, on any failure. Several minutes (the
// native build), so CI runs it apart from the unit tests: `node scripts/pack-test.mjs [--keep]`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const keep = process.argv.includes('--keep');
const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));
const pnpm = readJson(join(root, 'package.json')).packageManager;

function run(what, cmd, args, cwd, env = process.env) {
  process.stdout.write(`pack-test: ${what}: ${cmd} ${args.join(' ')}\n`);
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) {
    process.stderr.write(`${r.stdout ?? ''}${r.stderr ?? ''}`);
    throw new Error(`${what} failed (${r.error?.message ?? `exit status ${r.status}`})`);
  }
  return r.stdout;
}

// The packages a user installs: mlx-ts and, transitively, its workspace dependencies.
const dirs = new Map(readdirSync(join(root, 'packages')).map((d) => [readJson(join(root, 'packages', d, 'package.json')).name, join(root, 'packages', d)]));
const wanted = ['mlx-ts'];
for (let i = 0; i < wanted.length; i++) {
  const deps = readJson(join(dirs.get(wanted[i]), 'package.json')).dependencies ?? {};
  for (const [name, range] of Object.entries(deps)) if (range.startsWith('workspace:') && !wanted.includes(name)) wanted.push(name);
}

// The README's first TypeScript example: what a newcomer copies first.
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
if (example === undefined) throw new Error('pack-test: README.md has no ```ts example');

const work = mkdtempSync(join(tmpdir(), 'mlx-ts-pack-'));
try {
  run('build', process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'packages/mlx-ts'], root);
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  for (const name of wanted) run(`pack ${name}`, 'npx', ['-y', pnpm, 'pack', '--pack-destination', tarballs], dirs.get(name));
  // The addon is built from what the cpu backend's tarball holds, nothing else of the repository.
  const files = run(
    'list the cpu backend tarball',
    'tar',
    [
      '-tzf',
      join(
        tarballs,
        readdirSync(tarballs).find((f) => f.includes('cpu-backend')),
      ),
    ],
    work,
  );
  for (const needed of ['package/CMakeLists.txt', 'package/native/addon.cc', 'package/native/jit_kernel.h', 'package/dist/index.js']) {
    if (!files.split('\n').includes(needed)) throw new Error(`pack-test: the cpu backend tarball lacks ${needed}`);
  }

  const app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'mlx-ts-pack-test', private: true, type: 'module' }, null, 2));
  const tgz = readdirSync(tarballs).map((f) => join(tarballs, f));
  run('install the tarballs', 'npm', ['install', '--no-audit', '--no-fund', ...tgz], app);

  // The ES module example, with its type annotations checked and erased by tsc (the published
  // .d.ts under --strict, no skipLibCheck), then run; a script that also says which backend ran.
  writeFileSync(join(app, 'example.ts'), example);
  writeFileSync(join(app, 'backend.mjs'), "import * as mx from 'mlx-ts';\nprocess.stdout.write(mx.backendFor('cpu').name);\n");
  writeFileSync(join(app, 'require.cjs'), "const mx = require('mlx-ts');\nprocess.stdout.write(String(mx.sum(mx.multiply(mx.arange(4), 2)).item()));\n");
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  const typeRoots = join(root, 'node_modules/@types');
  run(
    'typecheck (tsc --strict) and compile the README example',
    process.execPath,
    [
      tsc,
      '--strict',
      '--target',
      'es2022',
      '--module',
      'nodenext',
      '--lib',
      'es2022,esnext.disposable',
      '--typeRoots',
      typeRoots,
      '--types',
      'node',
      'example.ts',
    ],
    app,
  );
  const env = { ...process.env, MLX_TS_JIT: 'off' };
  process.stdout.write(`pack-test: README example output: ${run('run the README example (ESM)', process.execPath, ['example.js'], app, env).trim()}\n`);
  const backend = run('which backend', process.execPath, ['backend.mjs'], app, env);
  if (backend !== 'cpu') throw new Error(`pack-test: expected the native cpu backend (its addon built at install), got '${backend}'`);
  const sum = run('require from CommonJS', process.execPath, ['require.cjs'], app, env);
  if (sum !== '12') throw new Error(`pack-test: require('mlx-ts') computed ${sum}, expected 12`);
  process.stdout.write(`pack-test: ok (${wanted.length} packages installed in ${app}; native cpu backend; ESM, CommonJS and tsc --strict)\n`);
} finally {
  if (keep) process.stdout.write(`pack-test: kept ${work}\n`);
  else rmSync(work, { recursive: true, force: true });
}
