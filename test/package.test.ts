// The package's entries: `mlx-ts` is the user API, `mlx-ts/internals` adds what the library is
// built from; both load as ES modules and from CommonJS, through the package's "exports".
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
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

  test('has the user API: ops, Array, dtypes, devices, random, transforms, trees, eval, constants, backends, nn, optimizers, files', () => {
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
      'save',
      'savez',
      'savezCompressed',
      'saveSafetensors',
      'saveGguf',
      'load',
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

describe("an Array's internal fields", () => {
  test('are not enumerable: Object.keys and for...in show the public fields only', () => {
    const x = mx.add(mx.array([1, 2]), 1);
    const y = mx.sum(x);
    mx.eval(y);
    for (const a of [x, y]) {
      expect(Object.keys(a)).toEqual(['id', 'shape', 'dtype']);
      const keys: string[] = [];
      for (const k in a) keys.push(k);
      expect(keys).toEqual(['id', 'shape', 'dtype']);
    }
  });
});

/** What an editor offers at the end of `source`, a file in the repository that imports the built package (dist/). */
function completions(source: string): string[] {
  const file = join(root, 'test/fixtures/completion.ts');
  const options: ts.CompilerOptions = {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2022.d.ts', 'lib.esnext.disposable.d.ts'],
    types: [],
  };
  const host: ts.LanguageServiceHost = {
    getScriptFileNames: () => [file],
    getScriptVersion: () => '1',
    getScriptSnapshot: (f) =>
      f === file ? ts.ScriptSnapshot.fromString(source) : ts.sys.fileExists(f) ? ts.ScriptSnapshot.fromString(readFileSync(f, 'utf8')) : undefined,
    getCurrentDirectory: () => root,
    getCompilationSettings: () => options,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: (f) => f === file || ts.sys.fileExists(f),
    readFile: (f) => (f === file ? source : ts.sys.readFile(f)),
  };
  const service = ts.createLanguageService(host);
  const found = service.getCompletionsAtPosition(file, source.length, { includeCompletionsForModuleExports: true, includeCompletionsWithInsertText: true });
  return found?.entries.map((e) => e.name) ?? [];
}

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

  test('without the addon, @mlx-ts/cpu-backend still imports (addonError says why) and mlx-ts runs on the reference backend', () => {
    // mlx-ts and cpu-backend copied without build/, the other packages linked.
    const dir = mkdtempSync(join(tmpdir(), 'mlx-ts-no-addon-'));
    try {
      const modules = join(dir, 'node_modules');
      mkdirSync(join(modules, '@mlx-ts'), { recursive: true });
      for (const [pkg, to] of [
        ['mlx-ts', 'mlx-ts'],
        ['cpu-backend', '@mlx-ts/cpu-backend'],
      ] as const) {
        cpSync(join(root, 'packages', pkg, 'package.json'), join(modules, to, 'package.json'));
        cpSync(join(root, 'packages', pkg, 'dist'), join(modules, to, 'dist'), { recursive: true });
      }
      for (const pkg of ['core', 'transforms', 'reference-backend', 'io', 'nn', 'optimizers', 'metal-backend'])
        symlinkSync(join(root, 'packages', pkg), join(modules, '@mlx-ts', pkg));
      const script = [
        "const { addonError } = require('@mlx-ts/cpu-backend');",
        "const mx = require('mlx-ts');",
        "process.stdout.write(JSON.stringify({ addonError: addonError.message, backend: mx.backendFor('cpu').name, sum: mx.sum(mx.array([1, 2, 3])).item() }));",
      ].join('\n');
      const r = spawnSync(process.execPath, ['-e', script], { cwd: dir, encoding: 'utf8', env: { ...process.env, MLX_TS_JIT: 'off' } });
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ addonError: expect.stringContaining('the native addon was not built'), backend: 'reference', sum: 6 });
      expect(r.stderr).toContain('mlx-ts: the native CPU backend is unavailable, using the reference backend');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('editor completion (the published .d.ts) offers no internals, on mx. or on an Array', () => {
    const top = completions("import * as mx from 'mlx-ts';\nmx.");
    expect(top).toContain('matmul');
    expect(internalNames.filter((name) => top.includes(name))).toEqual([]);
    const members = completions("import * as mx from 'mlx-ts';\nconst x = mx.array([1, 2]);\nx.");
    expect(members).toEqual(expect.arrayContaining(['shape', 'dtype', 'item', 'tolist', 'reshape', 'dispose']));
    expect(members.filter((name) => /^[_$]|^(isTracer|fromStorage|placeholder)$/.test(name))).toEqual([]);
    const statics = completions("import * as mx from 'mlx-ts';\nmx.Array.");
    expect(statics.filter((name) => /^[_$]|^(fromStorage|placeholder)$/.test(name))).toEqual([]);
  }, 60_000);
});
