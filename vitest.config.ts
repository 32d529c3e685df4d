import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

// Tests run against the TypeScript sources, so no build step sits between an edit and a test run.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@mlx-ts\/core$/, replacement: src('core') },
      { find: /^@mlx-ts\/reference-backend$/, replacement: src('reference-backend') },
      { find: /^@mlx-ts\/cpu-backend$/, replacement: src('cpu-backend') },
      { find: /^@mlx-ts\/transforms$/, replacement: src('transforms') },
      { find: /^@mlx-ts\/testing$/, replacement: src('testing') },
      { find: /^@mlx-ts\/io$/, replacement: src('io') },
      { find: /^@mlx-ts\/nn$/, replacement: src('nn') },
      { find: /^@mlx-ts\/optimizers$/, replacement: src('optimizers') },
      { find: /^@mlx-ts\/metal-backend$/, replacement: src('metal-backend') },
      { find: /^mlx-ts$/, replacement: src('mlx-ts') },
      { find: /^mlx-ts\/internals$/, replacement: fileURLToPath(new URL('./packages/mlx-ts/src/internals.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    // Compiled functions run through the interpreter unless a test turns kernel generation on
    // (test/compile/jit.test.ts), so the suite starts no background compiler per random program.
    env: { MLX_TS_JIT: 'off' },
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
