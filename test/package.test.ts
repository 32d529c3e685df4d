// The package's entries: `mlx-ts` is the user API, `mlx-ts/internals` adds what the library is
// built from; both load as ES modules and from CommonJS, through the package's "exports".
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import * as mx from 'mlx-ts';
import * as internals from 'mlx-ts/internals';

const root = fileURLToPath(new URL('..', import.meta.url));

// Names a user has no business with: raw nodes (issue 15: they skip the ops' validation), trace
// brackets, primitive and rule tables, registries, the evaluator's entry points, validation helpers.
const internalNames = [
  'node',
  'customNode',
  'multiNode',
  'moveAxisNode',
  'enterTrace',
  'exitTrace',
  'isTracing',
  'registerPrimitive',
  'getCustomPrimitive',
  'getPrimitiveDef',
  'primitives',
  'primitiveNames',
  'viewPrimitives',
  'multiOutputPrimitives',
  'unaryFloat',
  'binaryAnyDtype',
  'jvpRules',
  'vjpRules',
  'vmapRules',
  'jvpRuleOf',
  'vjpRuleOf',
  'vmapRuleOf',
  'table',
  'evalArrays',
  'asyncEvalArrays',
  'evalFn',
  'Storage',
  'parseOpts',
  'toArray',
  'promoteArgs',
  'broadcastArgs',
  'sliceArray',
  'normalizeAxis',
  'checkShape',
  'describeValue',
  'programToString',
  'fromHostData',
  'encodeHost',
];

describe("mlx-ts's top level", () => {
  test('exports no internals', () => {
    expect(internalNames.filter((name) => name in mx)).toEqual([]);
    expect(Object.keys(mx).filter((name) => name.startsWith('_'))).toEqual([]);
  });

  test('has the user API: ops, Array, dtypes, devices, random, transforms, trees, eval, constants, backends, nn, optimizers', () => {
    for (const name of ['add', 'matmul', 'conv2d', 'Array', 'float32', 'Dtype', 'cpu', 'Stream', 'newStream', 'random', 'grad', 'vmap', 'compile']) {
      expect(name in mx, name).toBe(true);
    }
    for (const name of [
      'customFunction',
      'treeMap',
      'treeFlatten',
      'treeNodeKeys',
      'eval',
      'asyncEval',
      'pi',
      'newaxis',
      'registerBackend',
      'nn',
      'optimizers',
      'utils',
    ]) {
      expect(name in mx, name).toBe(true);
    }
  });

  test('mlx-ts/internals has the internals and the public API, as the same objects', () => {
    expect(internalNames.filter((name) => !(name in internals))).toEqual([]);
    const m = mx as Record<string, unknown>;
    const i = internals as Record<string, unknown>;
    expect(Object.keys(mx).filter((name) => !Object.is(i[name], m[name]))).toEqual([]);
  });
});

describe('the built package', () => {
  beforeAll(() => {
    // The tests above run on the sources; these load dist/ through the package's "exports".
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'packages/mlx-ts'], { cwd: root, stdio: 'pipe' });
  }, 300_000);

  // An ES module graph with top-level await cannot be required: this fails if any module of either entry awaits.
  test('a CommonJS module can require mlx-ts and mlx-ts/internals', () => {
    const out = execFileSync(process.execPath, [join(root, 'test/fixtures/require-mlx-ts.cjs')], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, MLX_TS_JIT: 'off' },
    });
    expect(JSON.parse(out)).toEqual({
      value: 116,
      grad: [
        [48, 48],
        [68, 68],
      ],
      backend: expect.any(String),
      internalsNode: 'function',
      sameAdd: true,
      publicNode: 'undefined',
    });
  });
});
