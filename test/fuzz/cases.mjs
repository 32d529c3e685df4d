// The fuzz cases: `caseSpec(seed, index)` draws one case as plain data (fast-check, no library
// needed, so the supervisor can label a case whose worker died), and `runCase(spec, mx)` builds
// and runs it in a worker. `expect: 'error'` marks input no MLX function accepts: returning
// normally is a silent acceptance. `expect: 'any'` marks edge input that may work or fail, as long
// as failing is a clear Error. `names` are what a clear message must mention (the function called).
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// ---- values no slot accepts, as data; `realize` makes them in the worker ----
const poison = fc.constantFrom(
  { $: 'symbol' },
  { $: 'bigint' },
  { $: 'function' },
  { $: 'cycle' },
  { $: 'map' },
  { $: 'instance' },
  { $: 'bogus-object' },
  { $: 'date' },
);
const notAShape = fc.oneof(
  poison,
  fc.constantFrom([NaN], [Infinity], [-1], [1.5], [2 ** 53], [1e300], [2 ** 26, 2 ** 26], 'abc', [[2]], [2, { $: 'bigint' }], [{ $: 'symbol' }], {
    $: 'array',
  }),
);
const notAnAxis = fc.oneof(poison, fc.constantFrom(1.5, NaN, Infinity, -Infinity, 7, -7, '0', { $: 'array' }, [0, 0], [0, 9]));
// ({} is not here: in a trailing slot it is an empty options object, which every op accepts.)
const notADtype = fc.oneof(poison, fc.constantFrom('float33', 'Float32', 5, { $: 'array' }, [1]));
const notAStream = fc.oneof(poison, fc.constantFrom(5, 'tpu', {}, { $: 'array' }, [1]));
const notAFunction = fc.oneof(
  poison.filter((p) => p.$ !== 'function'),
  fc.constantFrom(5, 'f', null, { $: 'array' }),
);

function realize(v, mx) {
  if (Array.isArray(v)) return v.map((x) => realize(x, mx));
  if (v === null || typeof v !== 'object') return v;
  if (!('$' in v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, realize(x, mx)]));
  switch (v.$) {
    case 'symbol':
      return Symbol('fuzz');
    case 'bigint':
      return 10n;
    case 'function':
      return function fuzzFunction() {};
    case 'cycle': {
      const a = [1, 2];
      a.push(a);
      return a;
    }
    case 'map':
      return new Map([['a', mx.ones([2])]]);
    case 'instance':
      return new (class Holder {
        constructor() {
          this.w = mx.ones([2]);
        }
      })();
    case 'bogus-object':
      return { bogusOption: 1 };
    case 'date':
      return new Date(0);
    case 'array':
      return mx.ones([2]);
    case 'deep': {
      let x = v.leaf === 'array' ? mx.ones([1]) : 1;
      for (let i = 0; i < v.depth; i++) x = v.as === 'object' ? { a: x } : [x];
      return x;
    }
    default:
      throw new Error(`fuzz: unknown value tag ${v.$}`);
  }
}

// ---- families: each an arbitrary of specs and how to run one ----
const matrix = (mx) => mx.reshape(mx.arange(6), [2, 3]);

const shapeTakers = {
  zeros: (mx, s) => mx.zeros(s),
  ones: (mx, s) => mx.ones(s),
  full: (mx, s) => mx.full(s, 1),
  'random.normal': (mx, s) => mx.random.normal(s),
  'random.uniform': (mx, s) => mx.random.uniform(0, 1, s),
  'random.bits': (mx, s) => mx.random.bits(s),
  // (One -1 is a valid reshape dimension, inferred; two are not.)
  reshape: (mx, s) => mx.reshape(mx.arange(6), Array.isArray(s) && s.length === 1 && s[0] === -1 ? [-1, -1] : s),
  broadcastTo: (mx, s) => mx.broadcastTo(mx.ones([1]), s),
  tile: (mx, s) => mx.tile(mx.ones([2]), s),
};
const axisTakers = {
  sum: (mx, a) => mx.sum(matrix(mx), a),
  mean: (mx, a) => mx.mean(matrix(mx), a),
  max: (mx, a) => mx.max(matrix(mx), a),
  prod: (mx, a) => mx.prod(matrix(mx), a),
  all: (mx, a) => mx.all(matrix(mx), a),
  var: (mx, a) => mx.var(matrix(mx), a),
  argmax: (mx, a) => mx.argmax(matrix(mx), a),
  softmax: (mx, a) => mx.softmax(matrix(mx), a),
  logsumexp: (mx, a) => mx.logsumexp(matrix(mx), a),
  cumsum: (mx, a) => mx.cumsum(matrix(mx), a),
  sort: (mx, a) => mx.sort(matrix(mx), a),
  argsort: (mx, a) => mx.argsort(matrix(mx), a),
  expandDims: (mx, a) => mx.expandDims(matrix(mx), a),
  squeeze: (mx, a) => mx.squeeze(mx.ones([1, 2, 1]), a),
  concatenate: (mx, a) => mx.concatenate([matrix(mx), matrix(mx)], a),
  stack: (mx, a) => mx.stack([matrix(mx), matrix(mx)], a),
  take: (mx, a) => mx.take(matrix(mx), mx.array([0], mx.int32), a),
  // (Repeated axes are valid for roll: the shift applies once per mention, as in NumPy.)
  roll: (mx, a) => mx.roll(matrix(mx), 1, Array.isArray(a) && a[0] === a[1] ? [0, 9] : a),
  topk: (mx, a) => mx.topk(matrix(mx), 1, a),
  moveaxis: (mx, a) => mx.moveaxis(matrix(mx), a, 0),
};
const dtypeTakers = {
  astype: (mx, d) => mx.astype(mx.ones([2]), d),
  zeros: (mx, d) => mx.zeros([2], d),
  array: (mx, d) => mx.array([1, 2], d),
  full: (mx, d) => mx.full([2], 1, d),
  eye: (mx, d) => mx.eye(2, 2, 0, d),
  'random.normal': (mx, d) => mx.random.normal([2], d),
};
const streamTakers = {
  newStream: (mx, s) => mx.newStream(s),
  withStream: (mx, s) => mx.withStream(s, () => mx.ones([2])),
  setDefaultDevice: (mx, s) => mx.setDefaultDevice(s),
  add: (mx, s) => mx.add(mx.ones([2]), 1, { stream: s }),
  sum: (mx, s) => mx.sum(mx.ones([2]), { stream: s }),
};
const functionTakers = {
  grad: (mx, f) => mx.grad(f),
  valueAndGrad: (mx, f) => mx.valueAndGrad(f),
  vmap: (mx, f) => mx.vmap(f),
  compile: (mx, f) => mx.compile(f),
  jacfwd: (mx, f) => mx.jacfwd(f),
  hessian: (mx, f) => mx.hessian(f),
  checkpoint: (mx, f) => mx.checkpoint(f),
  customFunction: (mx, f) => mx.customFunction(f),
  withStream: (mx, f) => mx.withStream(mx.cpu, f),
  treeMap: (mx, f) => mx.treeMap(f, [mx.ones([2])]),
};

const sq = (mx) => (x) => mx.sum(mx.multiply(x, x));
const misuse = {
  'grad of an integer input': { names: ['grad'], run: (mx) => mx.grad(sq(mx))(mx.array([1, 2], mx.int32)) },
  'grad of a [2] output': { names: ['grad'], run: (mx) => mx.grad((x) => mx.multiply(x, 2))(mx.ones([2])) },
  'grad of a [1, 1] output': { names: ['grad'], run: (mx) => mx.grad((x) => mx.reshape(mx.sum(x), [1, 1]))(mx.ones([2])) },
  'grad of [loss, aux]': { names: ['grad'], run: (mx) => mx.grad((x) => [mx.sum(x), x])(mx.ones([2])) },
  'grad with argnums out of range': { names: ['grad'], run: (mx) => mx.grad(sq(mx), 3)(mx.ones([2])) },
  'grad with argnums 1.5': { names: ['grad'], run: (mx) => mx.grad(sq(mx), 1.5)(mx.ones([2])) },
  'vmap with inAxes out of range': { names: ['vmap'], run: (mx) => mx.vmap(sq(mx), 4)(mx.ones([2])) },
  'vmap with mismatched batch sizes': { names: ['vmap'], run: (mx) => mx.vmap(mx.add)(mx.ones([2]), mx.ones([3])) },
  'compile with an unknown option': { names: ['compile'], run: (mx) => mx.compile(sq(mx), { shapless: true }) },
  'hessian with NaN argnums': { names: ['hessian'], run: (mx) => mx.hessian(sq(mx), NaN) },
  'jvp with a tangent of another shape': { names: ['jvp'], run: (mx) => mx.jvp(sq(mx), [mx.ones([2])], [mx.ones([3])]) },
  'vjp with a cotangent of another shape': { names: ['vjp'], run: (mx) => mx.vjp((x) => mx.multiply(x, 2), [mx.ones([2])], [mx.ones([3])]) },
  'jvp with primals not a list': { names: ['jvp'], run: (mx) => mx.jvp(sq(mx), mx.ones([2]), mx.ones([2])) },
  'eval of a class instance': { names: ['eval'], run: (mx) => mx.eval(realize({ $: 'instance' }, mx)) },
  'eval of a Map': { names: ['eval'], run: (mx) => mx.eval(realize({ $: 'map' }, mx)) },
  'eval of a cyclic tree': { names: ['eval'], run: (mx) => mx.eval(realize({ $: 'cycle' }, mx)) },
  'treeLeaves of a cyclic tree': { names: ['treeLeaves'], run: (mx) => mx.treeLeaves(realize({ $: 'cycle' }, mx)) },
  'treeMap over a cyclic tree': { names: ['treeMap'], run: (mx) => mx.treeMap((x) => x, realize({ $: 'cycle' }, mx)) },
  'compile called with a cyclic tree': { names: ['compile'], run: (mx) => mx.compile((t) => t[0])(realize({ $: 'cycle' }, mx)) },
  'registerBackend(5)': { names: ['registerBackend'], run: (mx) => mx.registerBackend(5) },
  'registerBackend({})': { names: ['registerBackend'], run: (mx) => mx.registerBackend({}) },
  'registerBackend without fromHost': {
    names: ['registerBackend'],
    run: (mx) => mx.registerBackend({ name: 'fuzz-partial', devices: ['cpu'], execute: () => [], read: () => new Float32Array() }),
  },
  'triu with a string k': { names: ['triu'], run: (mx) => mx.triu(mx.ones([3, 3]), '1') },
  'full with an Array of the wrong shape': { names: ['full'], run: (mx) => mx.full([3, 3], mx.zeros([5])) },
  'categorical over an empty axis': { names: ['categorical'], run: (mx) => mx.random.categorical(mx.zeros([3, 0])) },
  'diag with k = 1e9': { names: ['diag'], run: (mx) => mx.diag(mx.ones([3]), 1e9) },
  'reshape to another size': { names: ['reshape'], run: (mx) => mx.reshape(mx.ones([4]), [5]) },
  'transpose with an axis out of range': { names: ['transpose'], run: (mx) => mx.transpose(mx.ones([2, 3]), [0, 5]) },
  'matmul of mismatched inner dims': { names: ['matmul'], run: (mx) => mx.matmul(mx.ones([2, 3]), mx.ones([2, 3])) },
  'ragged nested list': { names: ['array'], run: (mx) => mx.array([[1, 2], [3]]) },
  'string in a nested list': { names: ['array'], run: (mx) => mx.array([1, 'a']) },
  'use after dispose': {
    names: ['dispose'],
    run: (mx) => {
      const y = mx.add(mx.ones([2]), 1);
      y.dispose();
      return y.tolist();
    },
  },
};

// nn layers, Module methods and optimizers fed values no MLX signature accepts.
const notADim = fc.oneof(poison, fc.constantFrom(1.5, NaN, Infinity, -3, '3', { $: 'array' }, [2]));
const nnTakers = {
  'Linear(inputDims)': { names: ['Linear'], run: (mx, v) => new mx.nn.Linear(v, 2) },
  'Linear(outputDims)': { names: ['Linear'], run: (mx, v) => new mx.nn.Linear(3, v) },
  'Conv2d(kernelSize)': { names: ['Conv2d'], run: (mx, v) => new mx.nn.Conv2d(1, 2, v) },
  // (A list of one count is a valid 1-D stride; a list of two is not.)
  'Conv1d(stride)': { names: ['Conv1d'], run: (mx, v) => new mx.nn.Conv1d(1, 2, 3, Array.isArray(v) ? [...v, 2] : v) },
  'Embedding(numEmbeddings)': { names: ['Embedding'], run: (mx, v) => new mx.nn.Embedding(v, 4) },
  'LayerNorm(dims)': { names: ['LayerNorm'], run: (mx, v) => new mx.nn.LayerNorm(v) },
  'RMSNorm(dims)': { names: ['RMSNorm'], run: (mx, v) => new mx.nn.RMSNorm(v) },
  'BatchNorm(numFeatures)': { names: ['BatchNorm'], run: (mx, v) => new mx.nn.BatchNorm(v) },
  'MultiHeadAttention(numHeads)': { names: ['MultiHeadAttention'], run: (mx, v) => new mx.nn.MultiHeadAttention(8, v) },
  'MaxPool2d(kernelSize)': { names: ['MaxPool2d'], run: (mx, v) => new mx.nn.MaxPool2d(v) },
  'RNN(hiddenSize)': { names: ['RNN'], run: (mx, v) => new mx.nn.RNN(3, v) },
  'Dropout(p)': { names: ['Dropout'], run: (mx, v) => new mx.nn.Dropout(typeof v === 'number' ? v + 2 : v) },
  'Linear forward': { names: ['Linear'], run: (mx, v) => new mx.nn.Linear(3, 2).forward(v) },
  'Module.update': { names: ['update'], run: (mx, v) => new mx.nn.Linear(3, 2).update(v) },
  'Module.loadWeights': { names: ['loadWeights'], run: (mx, v) => new mx.nn.Linear(3, 2).loadWeights(v) },
  // (A string is a valid key; with strict it must name a member.)
  'Module.freeze': { names: ['freeze'], run: (mx, v) => new mx.nn.Linear(3, 2).freeze({ keys: v, strict: typeof v === 'string' }) },
  // (An Array is a valid learning rate, as in MLX.)
  'SGD(learningRate)': { names: ['SGD'], run: (mx, v) => new mx.optimizers.SGD(typeof v === 'number' || v instanceof mx.Array ? String(v) : v) },
  'Adam(betas)': { names: ['Adam'], run: (mx, v) => new mx.optimizers.Adam(0.1, v) },
  'AdamW(weightDecay)': { names: ['AdamW'], run: (mx, v) => new mx.optimizers.AdamW(0.1, [0.9, 0.999], 1e-8, typeof v === 'number' ? String(v) : v) },
  'Optimizer.update(gradients)': {
    names: ['SGD'],
    run: (mx, v) => {
      const model = new mx.nn.Linear(3, 2);
      return new mx.optimizers.SGD(0.1).update(model, v);
    },
  },
};

// Edge input that is legal or deserves a clear Error, never a crash: extreme sizes, values and depths.
const edge = fc.oneof(
  fc.record({
    kind: fc.constant('huge-output'),
    op: fc.constantFrom('add', 'toTypedArray', 'sum-eye', 'matmul', 'normal', 'compiled', 'asyncEval'),
    n: fc.constantFrom(1e10, 1e12, 2 ** 40),
  }),
  fc.record({ kind: fc.constant('deep-list'), depth: fc.integer({ min: 1, max: 20000 }) }),
  fc.record({
    kind: fc.constant('deep-tree'),
    depth: fc.integer({ min: 1, max: 20000 }),
    as: fc.constantFrom('list', 'object'),
    to: fc.constantFrom('treeLeaves', 'treeMap', 'eval', 'grad'),
  }),
  fc.record({
    kind: fc.constant('int-cast'),
    value: fc.constantFrom(Infinity, -Infinity, NaN, 1e300, -1e300, 2 ** 63, 2 ** 64, -(2 ** 63) - 4096),
    dtype: fc.constantFrom('int8', 'uint8', 'int32', 'uint32', 'int64', 'bool', 'float16', 'bfloat16'),
    via: fc.constantFrom('array', 'full', 'astype'),
  }),
  fc.record({
    kind: fc.constant('chain'),
    length: fc.integer({ min: 100, max: 20000 }),
    under: fc.constantFrom('eager', 'grad', 'vmap', 'compile'),
  }),
  fc.record({
    kind: fc.constant('empty'),
    op: fc.constantFrom('sum', 'max', 'mean', 'argmax', 'softmax', 'sort', 'matmul', 'concatenate', 'take', 'cumsum', 'var'),
  }),
);

function runEdge(spec, mx) {
  switch (spec.kind) {
    case 'huge-output': {
      const n = spec.n;
      const big = {
        add: () => mx.eval(mx.add(mx.zeros([n]), 1)),
        toTypedArray: () => mx.zeros([n]).toTypedArray(),
        'sum-eye': () => mx.eval(mx.sum(mx.eye(Math.ceil(Math.sqrt(n))))),
        matmul: () => mx.eval(mx.matmul(mx.ones([Math.ceil(Math.sqrt(n)), 1]), mx.ones([1, Math.ceil(Math.sqrt(n))]))),
        normal: () => mx.eval(mx.random.normal([n])),
        compiled: () => mx.eval(mx.compile((x) => mx.exp(mx.add(x, 1)))(mx.zeros([n]))),
        asyncEval: () => mx.asyncEval(mx.add(mx.zeros([n]), 1)),
      };
      return big[spec.op]();
    }
    case 'deep-list':
      return mx.array(realize({ $: 'deep', depth: spec.depth }, mx));
    case 'deep-tree': {
      const tree = realize({ $: 'deep', depth: spec.depth, leaf: 'array', as: spec.as }, mx);
      const use = {
        treeLeaves: () => mx.treeLeaves(tree),
        treeMap: () => mx.treeMap((x) => mx.add(x, 1), tree),
        eval: () => mx.eval(tree),
        grad: () => mx.grad((t) => mx.sum(mx.treeLeaves(t)[0]))(tree),
      };
      return use[spec.to]();
    }
    case 'int-cast': {
      const make = {
        array: () => mx.array([spec.value, 1], spec.dtype),
        full: () => mx.full([2], spec.value, spec.dtype),
        astype: () => mx.astype(mx.array([spec.value, 1], mx.float64), spec.dtype),
      };
      return make[spec.via]();
    }
    case 'chain': {
      const f = (x) => {
        let y = x;
        for (let i = 0; i < spec.length; i++) y = i % 2 ? mx.multiply(y, 0.999) : mx.add(y, 1e-3);
        return mx.sum(y);
      };
      const x = mx.ones([3]);
      const run = { eager: () => f(x), grad: () => mx.grad(f)(x), vmap: () => mx.vmap(f)(mx.ones([2, 3])), compile: () => mx.compile(f)(x) };
      return run[spec.under]();
    }
    case 'empty': {
      const e = mx.zeros([0, 3]);
      const ops = {
        sum: () => mx.sum(e, 0),
        max: () => mx.max(e, 0),
        mean: () => mx.mean(e, 0),
        argmax: () => mx.argmax(e, 0),
        softmax: () => mx.softmax(e, 0),
        sort: () => mx.sort(e, 0),
        matmul: () => mx.matmul(e, mx.zeros([3, 0])),
        concatenate: () => mx.concatenate([e, e], 0),
        take: () => mx.take(e, mx.array([0], mx.int32), 0),
        cumsum: () => mx.cumsum(e, 0),
        var: () => mx.var(e, 0),
      };
      return ops[spec.op]();
    }
    default:
      throw new Error(`fuzz: unknown edge case ${spec.kind}`);
  }
}

// Weight files, saved for real and then mutated; loading must give the weights or an Error naming the file.
const mutation = fc.oneof(
  fc.record({ how: fc.constant('truncate'), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ how: fc.constant('flip'), at: fc.double({ min: 0, max: 1, noNaN: true }), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ how: fc.constant('header-length'), value: fc.constantFrom('0', '1', '7', '2147483648', '9007199254740992', '18446744073709551615') }),
  fc.record({ how: fc.constant('append'), bytes: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ how: fc.constant('empty') }),
  fc.record({ how: fc.constant('garbage'), length: fc.integer({ min: 1, max: 4096 }) }),
);
function mutate(bytes, m, rand) {
  const b = Buffer.from(bytes);
  switch (m.how) {
    case 'truncate':
      return b.subarray(0, Math.floor(m.at * b.length));
    case 'flip':
      b[Math.min(b.length - 1, Math.floor(m.at * b.length))] ^= m.byte || 1;
      return b;
    case 'header-length':
      b.writeBigUInt64LE(BigInt(m.value), 0);
      return b;
    case 'append':
      return Buffer.concat([b, Buffer.alloc(m.bytes, 0xab)]);
    case 'empty':
      return Buffer.alloc(0);
    case 'garbage':
      return Buffer.from(Array.from({ length: m.length }, (_, i) => (rand * 7919 + i * 104729) & 0xff));
    default:
      throw new Error(`fuzz: unknown mutation ${m.how}`);
  }
}

// Any public function, called with a few values drawn from every kind (valid arrays and shapes too):
// whatever it does with them, the process must survive and the library keep working.
const anyValue = fc.oneof(
  poison,
  fc.constantFrom(0, 1, -1, 2.5, NaN, Infinity, -Infinity, 1e12, 2 ** 53, 'float32', 'abc', true, null, undefined, [], [2], [2, 3], [[1, 2]], [-1], {}),
  fc.constantFrom({ $: 'array' }, { $: 'deep', depth: 50 }),
);
/** Functions that change the library's global state on purpose (the next case would see it). */
const stateful = new Set([
  'setDefaultDevice',
  'useBackend',
  'disableCompile',
  'enableCompile',
  'setCompileCacheSize',
  'clearCompileCache',
  'registerBackend',
  'random.seed',
]);
function publicFunctions(mx) {
  const own = (ns, o) =>
    Object.entries(o)
      .filter(([n, v]) => typeof v === 'function' && !/^[A-Z]/.test(n))
      .map(([n]) => (ns ? `${ns}.${n}` : n));
  return [...own('', mx), ...own('random', mx.random), ...own('nn', mx.nn), ...own('nn.losses', mx.nn.losses)].filter((n) => !stateful.has(n)).sort();
}

const families = {
  'shape slot': {
    arb: fc.record({ fn: fc.constantFrom(...Object.keys(shapeTakers)), value: notAShape }),
    spec: (c) => ({ expect: 'error', names: [c.fn.split('.').pop()], label: `${c.fn}(${tag(c.value)})` }),
    run: (c, mx) => shapeTakers[c.fn](mx, realize(c.value, mx)),
  },
  'axis slot': {
    arb: fc.record({ fn: fc.constantFrom(...Object.keys(axisTakers)), value: notAnAxis }),
    spec: (c) => ({ expect: 'error', names: [c.fn], label: `${c.fn}(x, axis=${tag(c.value)})` }),
    run: (c, mx) => axisTakers[c.fn](mx, realize(c.value, mx)),
  },
  'dtype slot': {
    arb: fc.record({ fn: fc.constantFrom(...Object.keys(dtypeTakers)), value: notADtype }),
    spec: (c) => ({ expect: 'error', names: [c.fn.split('.').pop()], label: `${c.fn}(..., dtype=${tag(c.value)})` }),
    run: (c, mx) => dtypeTakers[c.fn](mx, realize(c.value, mx)),
  },
  'stream slot': {
    arb: fc.record({ fn: fc.constantFrom(...Object.keys(streamTakers)), value: notAStream }),
    spec: (c) => ({ expect: 'error', names: [c.fn], label: `${c.fn}(stream=${tag(c.value)})` }),
    run: (c, mx) => streamTakers[c.fn](mx, realize(c.value, mx)),
  },
  'function slot': {
    arb: fc.record({ fn: fc.constantFrom(...Object.keys(functionTakers)), value: notAFunction }),
    spec: (c) => ({ expect: 'error', names: [c.fn], label: `${c.fn}(${tag(c.value)})` }),
    run: (c, mx) => functionTakers[c.fn](mx, realize(c.value, mx)),
  },
  'nn and optimizers': {
    arb: fc.record({ fn: fc.constantFrom(...Object.keys(nnTakers)), value: notADim }),
    spec: (c) => ({ expect: 'error', names: nnTakers[c.fn].names, label: `${c.fn} given ${tag(c.value)}` }),
    run: (c, mx) => nnTakers[c.fn].run(mx, realize(c.value, mx)),
  },
  'any export': {
    arb: fc.record({ pick: fc.nat(), args: fc.array(anyValue, { maxLength: 4 }) }),
    spec: (c) => ({ expect: 'any', label: `export #${c.pick} given (${c.args.map(tag).join(', ')})` }),
    run: (c, mx, spec) => {
      const names = publicFunctions(mx);
      const name = names[c.pick % names.length];
      spec.label = `${name}(${c.args.map(tag).join(', ')})`;
      const fn = name.split('.').reduce((o, k) => o[k], mx);
      return fn(...c.args.map((v) => realize(v, mx)));
    },
  },
  misuse: {
    arb: fc.record({ name: fc.constantFrom(...Object.keys(misuse)) }),
    spec: (c) => ({ expect: 'error', names: misuse[c.name].names, label: c.name }),
    run: (c, mx) => misuse[c.name].run(mx),
  },
  edge: {
    arb: edge,
    spec: (c) => ({ expect: 'any', names: c.kind === 'huge-output' ? ['out of memory', 'at most 2^50'] : [], label: `${c.kind} ${JSON.stringify(c)}` }),
    run: runEdge,
  },
  'weight files': {
    arb: fc.record({ format: fc.constantFrom('safetensors', 'npz'), mutation, rand: fc.integer({ min: 0, max: 1e6 }) }),
    spec: (c) => ({ expect: 'any', label: `loadWeights(${c.format} ${JSON.stringify(c.mutation)})` }),
    run: (c, mx, spec) => {
      const dir = mkdtempSync(join(tmpdir(), 'mlx-ts-fuzz-'));
      try {
        const file = join(dir, `weights.${c.format}`);
        const model = new mx.nn.Linear(3, 2);
        model.saveWeights(file);
        writeFileSync(file, mutate(readFileSync(file), c.mutation, c.rand));
        spec.names = [file];
        return model.loadWeights(file);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
};
export const FAMILIES = Object.keys(families);

function tag(v) {
  if (Array.isArray(v)) return `[${v.map(tag).join(', ')}]`;
  if (v !== null && typeof v === 'object') return '$' in v ? `<${v.$}>` : JSON.stringify(v);
  return typeof v === 'string' ? `'${v}'` : String(v);
}

const caseArb = fc.oneof(...FAMILIES.map((family) => families[family].arb.map((c) => ({ family, c }))));

/** Case `index` of run `seed`, as plain data. */
export function caseSpec(seed, index) {
  const [{ family, c }] = fc.sample(caseArb, { seed: (Math.imul(seed, 0x9e3779b1) ^ index) | 0, numRuns: 1 });
  return { family, c, ...families[family].spec(c) };
}

/** Runs a case in this process (the worker); its value is whatever the API returned. */
export function runCase(spec, mx) {
  return families[spec.family].run(spec.c, mx, spec);
}
