#!/usr/bin/env node
// Formats (--write) or checks (--check) the native addon's C++ and the Metal backend's C++ and MSL
// (formatted as C++, which it also is) with clang-format (Debian:
// `apt-get install clang-format`), using the repository's .clang-format.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const mode = process.argv[2];
if (mode !== '--write' && mode !== '--check') {
  console.error('usage: node scripts/clang-format.mjs --write | --check');
  process.exit(2);
}
const root = fileURLToPath(new URL('..', import.meta.url));
const dirs = [
  'packages/cpu-backend/native',
  ...['shim', 'host', 'host/stubs/Metal', 'host/stubs/Foundation', 'kernels'].map((d) => `packages/metal-backend/${d}`),
];
const files = dirs.flatMap((dir) =>
  readdirSync(new URL(`../${dir}`, import.meta.url))
    .filter((f) => /\.(cc|h|cpp|hpp|metal)$/.test(f))
    .map((f) => `${dir}/${f}`),
);
const bin = process.env.CLANG_FORMAT ?? 'clang-format';
const args = mode === '--write' ? ['-i', ...files] : ['--dry-run', '--Werror', ...files];
const r = spawnSync(bin, args, { cwd: root, stdio: 'inherit' });
if (r.error) {
  console.error(`clang-format: cannot run '${bin}' (${r.error.message}); install it (Debian: apt-get install clang-format) or set CLANG_FORMAT`);
  process.exit(1);
}
if (r.status === 0 && mode === '--check') console.log(`clang-format: ${files.length} files formatted`);
process.exit(r.status ?? 1);
