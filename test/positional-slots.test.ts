/**
 * Issue 14: every optional argument slot of every exported function rejects a value of the wrong
 * kind (given positionally or as an option) with an Error naming the function and the slot; none
 * is accepted by coercion or silently ignored. The rows are checked against the exports, so a new
 * export without a row (or a reasoned exemption) fails here.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mx } from './helpers/index.js';

type A = mx.Array;

/** What a slot holds; each kind comes with values of other kinds that must be refused. */
type Kind =
  | 'seed'
  | 'int'
  | 'ints'
  | 'bool'
  | 'number'
  | 'dtype'
  | 'shape'
  | 'key'
  | 'array'
  | 'enum'
  | 'argnums'
  | 'axisSpec'
  | 'stream'
  | 'device'
  | 'function'
  | 'group';

const wrong: Record<Kind, () => unknown[]> = {
  int: () => ['1', 1.5, NaN, Infinity, [1], 1n, Symbol('s'), mx.zeros([2])],
  // a seed may be a BigInt (up to 64 bits)
  seed: () => ['1', 1.5, NaN, Infinity, [1], Symbol('s'), mx.zeros([2])],
  ints: () => ['1', 1.5, NaN, [1, '2'], [1n], 1n, Symbol('s'), mx.zeros([2])],
  bool: () => [1, 'true', 1n, Symbol('s'), [true], mx.array(true)],
  number: () => ['1', 1n, Symbol('s'), [1], mx.zeros([2])],
  dtype: () => [5, 'float', 1n, Symbol('s'), [], mx.zeros([2])],
  shape: () => ['2', [2, 10n], [Infinity], [-1], 1.5, Symbol('s'), mx.zeros([2])],
  key: () => [5, [0, 1], '0', 1n, Symbol('s')],
  array: () => ['1', 1n, Symbol('s'), () => 1],
  enum: () => ['bogus', 5, 1n, Symbol('s')],
  argnums: () => ['1', 1.5, NaN, 1n, Symbol('s'), [0, '1']],
  axisSpec: () => ['1', 1.5, NaN, 1n, Symbol('s')],
  stream: () => [5, 'cpu', 1n, Symbol('s'), mx.zeros([2])],
  device: () => [5, 'cpu', 1n, Symbol('s'), mx.zeros([2])],
  function: () => [5, 'f', 1n, Symbol('s'), mx.zeros([2])],
  group: () => [5, 'world', 1n, Symbol('s'), mx.zeros([2])],
};

interface Row {
  /** The valid leading (required) arguments. */
  lead: () => unknown[];
  /** The optional positional slots, in order: [name, kind]. */
  slots?: [string, Kind][];
  /** Slots that only an options object names (no positional form). */
  options?: [string, Kind][];
  /** The function takes no options object (no `{ stream }`): only its slots are fed wrong kinds. */
  noOptions?: boolean;
  /** Required arguments fed wrong kinds too: [index into lead, the word the message names, kind]. */
  required?: [number, string, Kind][];
  /** For functions that return a function (transforms): how to call it so that the arguments are read. */
  invoke?: (g: any) => unknown;
}

const x = (): A => mx.ones([2, 3]);
const sq = (): A => mx.ones([3, 3]);
const ints = (): A => mx.ones([2, 3], mx.int32);
const key = (): A => mx.random.key(0);
const f = (a: A): A => mx.sum(mx.multiply(a, a));
const elementwise = (n: number): Row => ({ lead: () => (n === 1 ? [x()] : [x(), x()]) });
const reduce = (extra: [string, Kind][] = []): Row => ({ lead: () => [x()], slots: [['axis', 'ints'], ['keepdims', 'bool'], ...extra] });
const scan: Row = {
  lead: () => [x()],
  slots: [
    ['axis', 'int'],
    ['reverse', 'bool'],
    ['inclusive', 'bool'],
  ],
};
const conv = (nsp: number, transpose: boolean): Row => ({
  lead: () => [mx.ones([1, ...Array(nsp).fill(4), 1]), mx.ones([1, ...Array(nsp).fill(2), 1])],
  slots: [
    ['stride', 'ints'],
    ['padding', 'ints'],
    ['dilation', 'ints'],
    ...(transpose ? [['outputPadding', 'ints'] as [string, Kind]] : []),
    ['groups', 'int'],
  ],
});
const argnums: Row = { lead: () => [f], slots: [['argnums', 'argnums']], noOptions: true, invoke: (g) => g(x()) };
const noArgs: Row = { lead: () => [], noOptions: true };
const collective: Row = { lead: () => [x()], slots: [['group', 'group']] };

const files = mkdtempSync(join(tmpdir(), 'mlx-ts-slots-'));
const savedFile = (): string => {
  const file = join(files, 'w.safetensors');
  mx.saveSafetensors(file, { w: x() }, { k: 'v' });
  return file;
};

const rows: Record<string, Row> = {
  // creation
  array: { lead: () => [[1, 2]], slots: [['dtype', 'dtype']] },
  zeros: { lead: () => [[2]], slots: [['dtype', 'dtype']], required: [[0, 'shape', 'shape']] },
  ones: { lead: () => [[2]], slots: [['dtype', 'dtype']], required: [[0, 'shape', 'shape']] },
  full: { lead: () => [[2], 1], slots: [['dtype', 'dtype']], required: [[0, 'shape', 'shape']] },
  zerosLike: { lead: () => [x()] },
  onesLike: { lead: () => [x()] },
  // arange(start, stop, step) come first: a number after them is where dtype goes.
  arange: { lead: () => [0, 5, 1], slots: [['dtype', 'dtype']] },
  linspace: {
    lead: () => [0, 1],
    slots: [
      ['num', 'int'],
      ['dtype', 'dtype'],
    ],
  },
  eye: {
    lead: () => [3],
    slots: [
      ['m', 'int'],
      ['k', 'int'],
      ['dtype', 'dtype'],
    ],
  },
  tri: {
    lead: () => [3],
    slots: [
      ['m', 'int'],
      ['k', 'int'],
      ['dtype', 'dtype'],
    ],
  },
  identity: { lead: () => [3], slots: [['dtype', 'dtype']] },
  tril: { lead: () => [sq()], slots: [['k', 'int']] },
  triu: { lead: () => [sq()], slots: [['k', 'int']] },
  astype: { lead: () => [x(), 'int32'], required: [[1, 'dtype', 'dtype']] },
  broadcastTo: { lead: () => [x(), [2, 2, 3]], required: [[1, 'shape', 'shape']] },
  stopGradient: elementwise(1),
  // elementwise (core's families, then the ops composed from them)
  ...Object.fromEntries(
    [
      ...mx.unaryFloat,
      ...mx.unaryPredicate,
      'abs',
      'negative',
      'sign',
      'square',
      'reciprocal',
      'log2',
      'log10',
      'degrees',
      'radians',
      'floor',
      'ceil',
      'isposinf',
      'isneginf',
      'isfinite',
    ].map((n) => [n, elementwise(1)]),
  ),
  ...Object.fromEntries(
    [...mx.binaryAnyDtype, ...mx.binaryFloat, ...mx.binaryPredicate, 'divmod', 'logaddexp', 'inner', 'outer', 'kron'].map((n) => [n, elementwise(2)]),
  ),
  matmul: { lead: () => [sq(), sq()] },
  ...Object.fromEntries(['bitwiseAnd', 'bitwiseOr', 'bitwiseXor', 'leftShift', 'rightShift'].map((n) => [n, { lead: () => [ints(), ints()] }])),
  bitwiseInvert: { lead: () => [ints()] },
  einsum: { lead: () => ['ij,jk', sq(), sq()] },
  einsumPath: { lead: () => ['ij,jk', sq(), sq()], noOptions: true },
  save: { lead: () => [join(files, 'a.npy'), x()], noOptions: true },
  saveSafetensors: { lead: () => [join(files, 'b.safetensors'), { w: x() }], noOptions: true },
  saveGguf: { lead: () => [join(files, 'c.gguf'), { w: x() }], noOptions: true },
  load: {
    lead: () => [savedFile()],
    slots: [
      ['format', 'enum'],
      ['returnMetadata', 'bool'],
    ],
  },
  hadamardTransform: { lead: () => [mx.ones([2, 4])], slots: [['scale', 'number']] },
  round: { lead: () => [x()], slots: [['decimals', 'int']] },
  clip: { lead: () => [x(), 0, 1] },
  where: { lead: () => [true, x(), x()] },
  nanToNum: {
    lead: () => [x()],
    slots: [
      ['nan', 'number'],
      ['posinf', 'number'],
      ['neginf', 'number'],
    ],
  },
  // reductions
  sum: reduce(),
  prod: reduce(),
  max: reduce(),
  min: reduce(),
  all: reduce(),
  any: reduce(),
  mean: reduce(),
  logsumexp: reduce(),
  var: reduce([['ddof', 'int']]),
  std: reduce([['ddof', 'int']]),
  argmax: {
    lead: () => [x()],
    slots: [
      ['axis', 'int'],
      ['keepdims', 'bool'],
    ],
  },
  argmin: {
    lead: () => [x()],
    slots: [
      ['axis', 'int'],
      ['keepdims', 'bool'],
    ],
  },
  softmax: { lead: () => [x()], slots: [['axis', 'ints']], options: [['precise', 'bool']] },
  isclose: {
    lead: () => [x(), x()],
    slots: [
      ['rtol', 'number'],
      ['atol', 'number'],
      ['equalNan', 'bool'],
    ],
  },
  allclose: {
    lead: () => [x(), x()],
    slots: [
      ['rtol', 'number'],
      ['atol', 'number'],
      ['equalNan', 'bool'],
    ],
  },
  arrayEqual: { lead: () => [x(), x()], slots: [['equalNan', 'bool']] },
  cumsum: scan,
  cumprod: scan,
  cummax: scan,
  cummin: scan,
  // quantization
  quantize: {
    lead: () => [mx.ones([2, 64])],
    slots: [
      ['groupSize', 'int'],
      ['bits', 'int'],
      ['mode', 'enum'],
    ],
  },
  dequantize: {
    lead: () => mx.quantize(mx.ones([2, 64])),
    slots: [
      ['groupSize', 'int'],
      ['bits', 'int'],
      ['mode', 'enum'],
      ['dtype', 'dtype'],
    ],
  },
  quantizedMatmul: {
    lead: () => [mx.ones([1, 64]), ...mx.quantize(mx.ones([2, 64]))],
    slots: [
      ['transpose', 'bool'],
      ['groupSize', 'int'],
      ['bits', 'int'],
      ['mode', 'enum'],
    ],
  },
  // sorting
  sort: { lead: () => [x()], slots: [['axis', 'int']] },
  argsort: { lead: () => [x()], slots: [['axis', 'int']] },
  topk: { lead: () => [x(), 1], slots: [['axis', 'int']], required: [[1, 'k', 'int']] },
  topkWithIndices: { lead: () => [x(), 1], slots: [['axis', 'int']], required: [[1, 'k', 'int']] },
  partition: { lead: () => [x(), 0], slots: [['axis', 'int']], required: [[1, 'kth', 'int']] },
  argpartition: { lead: () => [x(), 0], slots: [['axis', 'int']], required: [[1, 'kth', 'int']] },
  // shapes
  // -1 is a valid reshape dimension (inferred), so the wrong shapes are the integer lists' ones.
  reshape: { lead: () => [x(), [3, 2]], required: [[1, 'shape', 'ints']] },
  transpose: { lead: () => [x()], slots: [['axes', 'ints']] },
  swapaxes: { lead: () => [x(), 0, 1], required: [[1, 'axis1', 'int']] },
  moveaxis: { lead: () => [x(), 0, 1], required: [[1, 'source', 'ints']] },
  expandDims: { lead: () => [x(), 0], required: [[1, 'axis', 'ints']] },
  squeeze: { lead: () => [mx.ones([1, 3])], slots: [['axis', 'ints']] },
  flatten: {
    lead: () => [x()],
    slots: [
      ['startAxis', 'int'],
      ['endAxis', 'int'],
    ],
  },
  broadcastArrays: { lead: () => [x(), x()] },
  atleast1d: { lead: () => [x()] },
  atleast2d: { lead: () => [x()] },
  atleast3d: { lead: () => [x()] },
  meshgrid: {
    lead: () => [mx.ones([2]), mx.ones([3])],
    options: [
      ['sparse', 'bool'],
      ['indexing', 'enum'],
    ],
  },
  concatenate: { lead: () => [[x(), x()]], slots: [['axis', 'int']] },
  stack: { lead: () => [[x(), x()]], slots: [['axis', 'int']] },
  split: { lead: () => [x(), 2], slots: [['axis', 'int']] },
  tile: { lead: () => [x(), 2], required: [[1, 'reps', 'ints']] },
  repeat: { lead: () => [x(), 2], slots: [['axis', 'int']], required: [[1, 'repeats', 'int']] },
  pad: {
    lead: () => [x(), 1],
    slots: [
      ['mode', 'enum'],
      ['constantValues', 'array'],
    ],
  },
  roll: { lead: () => [x(), 1], slots: [['axis', 'ints']], required: [[1, 'shift', 'ints']] },
  sliceArray: { lead: () => [x(), [0], [1]], slots: [['step', 'ints']], noOptions: true },
  // indexing
  take: { lead: () => [x(), [0]], slots: [['axis', 'int']] },
  takeAlongAxis: { lead: () => [x(), mx.zeros([1, 3], mx.int32), 0], required: [[2, 'axis', 'int']] },
  putAlongAxis: { lead: () => [x(), mx.zeros([1, 3], mx.int32), 0, 0], required: [[3, 'axis', 'int']] },
  // linear algebra
  tensordot: { lead: () => [x(), x()], slots: [['axes', 'ints']] },
  addmm: {
    lead: () => [sq(), sq(), sq()],
    slots: [
      ['alpha', 'number'],
      ['beta', 'number'],
    ],
  },
  diagonal: {
    lead: () => [sq()],
    slots: [
      ['offset', 'int'],
      ['axis1', 'int'],
      ['axis2', 'int'],
    ],
  },
  diag: { lead: () => [sq()], slots: [['k', 'int']] },
  trace: {
    lead: () => [sq()],
    slots: [
      ['offset', 'int'],
      ['axis1', 'int'],
      ['axis2', 'int'],
      ['dtype', 'dtype'],
    ],
  },
  conv1d: conv(1, false),
  conv2d: conv(2, false),
  conv3d: conv(3, false),
  convTranspose1d: conv(1, true),
  convTranspose2d: conv(2, true),
  convTranspose3d: conv(3, true),
  convGeneral: {
    lead: () => [mx.ones([1, 4, 1]), mx.ones([1, 2, 1])],
    slots: [
      ['stride', 'ints'],
      ['padding', 'ints'],
      ['kernelDilation', 'ints'],
      ['inputDilation', 'ints'],
      ['groups', 'int'],
      ['flip', 'bool'],
    ],
  },
  // random
  'random.key': { lead: () => [0], noOptions: true, required: [[0, 'seed', 'seed']] },
  'random.split': { lead: () => [key()], slots: [['num', 'int']], required: [[0, 'key', 'key']] },
  'random.bits': {
    lead: () => [],
    slots: [
      ['shape', 'shape'],
      ['width', 'int'],
      ['key', 'key'],
    ],
  },
  'random.uniform': {
    lead: () => [],
    slots: [
      ['low', 'array'],
      ['high', 'array'],
      ['shape', 'shape'],
      ['dtype', 'dtype'],
      ['key', 'key'],
    ],
  },
  'random.normal': {
    lead: () => [],
    slots: [
      ['shape', 'shape'],
      ['dtype', 'dtype'],
      ['loc', 'array'],
      ['scale', 'array'],
      ['key', 'key'],
    ],
  },
  'random.randint': {
    lead: () => [0, 5],
    slots: [
      ['shape', 'shape'],
      ['dtype', 'dtype'],
      ['key', 'key'],
    ],
  },
  'random.bernoulli': {
    lead: () => [],
    slots: [
      ['p', 'array'],
      ['shape', 'shape'],
      ['key', 'key'],
    ],
  },
  'random.truncatedNormal': {
    lead: () => [-1, 1],
    slots: [
      ['shape', 'shape'],
      ['dtype', 'dtype'],
      ['key', 'key'],
    ],
  },
  'random.gumbel': {
    lead: () => [],
    slots: [
      ['shape', 'shape'],
      ['dtype', 'dtype'],
      ['key', 'key'],
    ],
  },
  'random.laplace': {
    lead: () => [],
    slots: [
      ['shape', 'shape'],
      ['dtype', 'dtype'],
      ['loc', 'number'],
      ['scale', 'number'],
      ['key', 'key'],
    ],
  },
  'random.categorical': {
    lead: () => [x()],
    slots: [
      ['axis', 'int'],
      ['shape', 'shape'],
      ['numSamples', 'int'],
      ['key', 'key'],
    ],
  },
  'random.permutation': {
    lead: () => [5],
    slots: [
      ['axis', 'int'],
      ['key', 'key'],
    ],
  },
  real: elementwise(1),
  imag: elementwise(1),
  conjugate: elementwise(1),
  conj: elementwise(1),
  // mx.fft
  ...Object.fromEntries(
    ['fft', 'ifft', 'rfft', 'irfft'].map((n) => [
      `fft.${n}`,
      {
        lead: () => [x()],
        slots: [
          ['n', 'int'],
          ['axis', 'int'],
          ['norm', 'enum'],
        ],
      } as Row,
    ]),
  ),
  ...Object.fromEntries(
    ['fft2', 'ifft2', 'fftn', 'ifftn', 'rfft2', 'irfft2', 'rfftn', 'irfftn'].map((n) => [
      `fft.${n}`,
      {
        lead: () => [x()],
        slots: [
          ['s', 'ints'],
          ['axes', 'ints'],
          ['norm', 'enum'],
        ],
      } as Row,
    ]),
  ),
  'fft.fftshift': { lead: () => [x()], slots: [['axes', 'ints']] },
  'fft.ifftshift': { lead: () => [x()], slots: [['axes', 'ints']] },
  // mx.fast
  'fast.rmsNorm': { lead: () => [x(), mx.ones([3]), 1e-5], required: [[2, 'eps', 'number']] },
  'fast.layerNorm': { lead: () => [x(), mx.ones([3]), mx.zeros([3]), 1e-5], required: [[3, 'eps', 'number']] },
  // MLX's keyword-only options are one required object here: core/test/fast.test.ts feeds each of them wrong kinds.
  'fast.rope': {
    lead: () => [mx.ones([1, 2, 4]), 4, { traditional: false, base: 10000, scale: 1, offset: 0 }],
    noOptions: true,
    required: [[1, 'dims', 'int']],
  },
  // scale is required, as in MLX: the lead's last entry
  'fast.scaledDotProductAttention': {
    lead: () => [mx.ones([1, 2, 3, 4]), mx.ones([1, 1, 5, 4]), mx.ones([1, 1, 5, 4]), 0.5],
    slots: [['mask', 'array']],
    required: [[3, 'scale', 'number']],
  },
  // devices, streams and dtypes
  defaultDevice: noArgs,
  setDefaultDevice: { lead: () => [mx.cpu], noOptions: true, required: [[0, 'Device', 'device']] },
  defaultStream: { lead: () => [], slots: [['Device', 'device']], noOptions: true },
  newStream: { lead: () => [], slots: [['Device', 'device']], noOptions: true },
  withStream: {
    lead: () => [mx.cpu, () => 1],
    noOptions: true,
    required: [
      [0, 'Stream or Device', 'stream'],
      [1, 'function', 'function'],
    ],
  },
  promoteTypes: {
    lead: () => ['float32', mx.int32],
    noOptions: true,
    required: [
      [0, 'dtype', 'dtype'],
      [1, 'dtype', 'dtype'],
    ],
  },
  // transforms
  grad: argnums,
  valueAndGrad: argnums,
  jacrev: argnums,
  jacfwd: argnums,
  hessian: argnums,
  vmap: {
    lead: () => [(a: A) => mx.exp(a)],
    slots: [
      ['inAxes', 'axisSpec'],
      ['outAxes', 'axisSpec'],
    ],
    noOptions: true,
    invoke: (g) => g(x()),
  },
  vjp: { lead: () => [f, [x()], [mx.array(1)]], noOptions: true, required: [[0, 'function', 'function']] },
  jvp: { lead: () => [f, [x()], [x()]], noOptions: true, required: [[0, 'function', 'function']] },
  compile: {
    lead: () => [f],
    slots: [
      ['inputs', 'number'],
      ['outputs', 'number'],
      ['shapeless', 'bool'],
    ],
    noOptions: true,
    invoke: (g) => g(x()),
  },
  checkpoint: { lead: () => [f], noOptions: true, required: [[0, 'function', 'function']], invoke: (g) => g(x()) },
  customFunction: { lead: () => [f], noOptions: true, required: [[0, 'function', 'function']] },
  setCompileCacheSize: { lead: () => [mx.compileCacheSize()], noOptions: true, required: [[0, 'integer', 'int']] },
  // nn: the functional forms
  ...Object.fromEntries(
    [
      'sigmoid',
      'relu',
      'relu2',
      'relu6',
      'softplus',
      'softsign',
      'silu',
      'logSigmoid',
      'gelu',
      'geluApprox',
      'geluFastApprox',
      'selu',
      'mish',
      'hardswish',
      'tanh',
    ].map((n) => [`nn.${n}`, { lead: () => [x()], noOptions: true }]),
  ),
  'nn.quantize': {
    lead: () => [new mx.nn.Linear(64, 8)],
    slots: [
      ['groupSize', 'int'],
      ['bits', 'int'],
      ['classPredicate', 'function'],
    ],
    options: [['mode', 'enum']],
  },
  'nn.prelu': { lead: () => [x(), mx.ones([3])], noOptions: true },
  'nn.leakyRelu': { lead: () => [x()], slots: [['negativeSlope', 'number']] },
  'nn.elu': { lead: () => [x()], slots: [['alpha', 'number']] },
  'nn.celu': { lead: () => [x()], slots: [['alpha', 'number']] },
  'nn.softshrink': { lead: () => [x()], slots: [['lambd', 'number']] },
  'nn.hardShrink': { lead: () => [x()], slots: [['lambd', 'number']] },
  'nn.step': { lead: () => [x()], slots: [['threshold', 'number']] },
  'nn.hardTanh': {
    lead: () => [x()],
    slots: [
      ['minVal', 'number'],
      ['maxVal', 'number'],
    ],
  },
  'nn.softmax': { lead: () => [x()], slots: [['axis', 'int']] },
  'nn.softmin': { lead: () => [x()], slots: [['axis', 'int']] },
  'nn.logSoftmax': { lead: () => [x()], slots: [['axis', 'int']] },
  'nn.glu': { lead: () => [mx.ones([2, 4])], slots: [['axis', 'int']] },
  'nn.upsampleNearest': { lead: () => [mx.ones([1, 2, 1]), [2]], noOptions: true, required: [[1, 'scaleFactor', 'shape']] },
  'nn.upsampleLinear': {
    lead: () => [mx.ones([1, 2, 1]), [2]],
    slots: [
      ['alignCorners', 'bool'],
      ['antialias', 'bool'],
    ],
    noOptions: true,
  },
  'nn.upsampleCubic': {
    lead: () => [mx.ones([1, 4, 1]), [2]],
    slots: [
      ['alignCorners', 'bool'],
      ['antialias', 'bool'],
    ],
    noOptions: true,
  },
  // nn.losses
  'nn.losses.crossEntropy': {
    lead: () => [x(), mx.array([0, 2], mx.int32)],
    slots: [
      ['weights', 'array'],
      ['axis', 'int'],
      ['labelSmoothing', 'number'],
      ['reduction', 'enum'],
    ],
  },
  'nn.losses.binaryCrossEntropy': {
    lead: () => [x(), mx.zeros([2, 3])],
    slots: [
      ['weights', 'array'],
      ['withLogits', 'bool'],
      ['reduction', 'enum'],
    ],
  },
  'nn.losses.l1Loss': { lead: () => [x(), x()], slots: [['reduction', 'enum']] },
  'nn.losses.mseLoss': { lead: () => [x(), x()], slots: [['reduction', 'enum']] },
  'nn.losses.nllLoss': {
    lead: () => [x(), mx.array([0, 2], mx.int32)],
    slots: [
      ['axis', 'int'],
      ['reduction', 'enum'],
    ],
  },
  'nn.losses.gaussianNllLoss': {
    lead: () => [x(), x(), x()],
    slots: [
      ['full', 'bool'],
      ['eps', 'number'],
      ['reduction', 'enum'],
    ],
  },
  'nn.losses.klDivLoss': {
    lead: () => [x(), x()],
    slots: [
      ['axis', 'int'],
      ['reduction', 'enum'],
    ],
  },
  'nn.losses.smoothL1Loss': {
    lead: () => [x(), x()],
    slots: [
      ['beta', 'number'],
      ['reduction', 'enum'],
    ],
  },
  'nn.losses.tripletLoss': {
    lead: () => [x(), x(), x()],
    slots: [
      ['axis', 'int'],
      ['p', 'number'],
      ['margin', 'number'],
      ['eps', 'number'],
      ['reduction', 'enum'],
    ],
  },
  'nn.losses.hingeLoss': { lead: () => [x(), x()], slots: [['reduction', 'enum']] },
  'nn.losses.huberLoss': {
    lead: () => [x(), x()],
    slots: [
      ['delta', 'number'],
      ['reduction', 'enum'],
    ],
  },
  'nn.losses.logCoshLoss': { lead: () => [x(), x()], slots: [['reduction', 'enum']] },
  'nn.losses.cosineSimilarityLoss': {
    lead: () => [x(), x()],
    slots: [
      ['axis', 'int'],
      ['eps', 'number'],
      ['reduction', 'enum'],
    ],
  },
  'nn.losses.marginRankingLoss': {
    lead: () => [x(), x(), x()],
    slots: [
      ['margin', 'number'],
      ['reduction', 'enum'],
    ],
  },
  disableCompile: noArgs,
  enableCompile: noArgs,
  isCompileEnabled: noArgs,
  compileCacheSize: noArgs,
  clearCompileCache: noArgs,
  'distributed.isAvailable': noArgs,
  'distributed.init': {
    lead: () => [],
    slots: [
      ['strict', 'bool'],
      ['backend', 'enum'],
    ],
  },
  'distributed.allSum': collective,
  'distributed.allMax': collective,
  'distributed.allMin': collective,
  'distributed.allGather': collective,
  logcumsumexp: scan,
  view: { lead: () => [x(), 'int32'], required: [[1, 'dtype', 'dtype']] },
  asStrided: {
    lead: () => [mx.arange(6)],
    slots: [
      ['shape', 'ints'],
      ['strides', 'ints'],
      ['offset', 'int'],
    ],
  },
  gatherMm: {
    lead: () => [mx.ones([2, 2, 3]), mx.ones([2, 3, 2])],
    slots: [
      ['lhsIndices', 'array'],
      ['rhsIndices', 'array'],
      ['sortedIndices', 'bool'],
    ],
  },
  blockMaskedMm: {
    lead: () => [x(), mx.ones([3, 2])],
    slots: [
      ['blockSize', 'int'],
      ['maskOut', 'array'],
      ['maskLhs', 'array'],
      ['maskRhs', 'array'],
    ],
  },
  slice: {
    lead: () => [x(), mx.array([0], mx.int32), [0], [1, 3]],
    required: [
      [2, 'axes', 'ints'],
      [3, 'sliceSize', 'shape'],
    ],
  },
  sliceUpdate: { lead: () => [x(), mx.ones([1, 2]), mx.array([0, 0], mx.int32), [0, 1]], required: [[3, 'axes', 'ints']] },
  // mx.linalg (its errors name the function with its namespace: `linalg.qr: ...`)
  'linalg.norm': {
    lead: () => [x()],
    slots: [
      ['ord', 'number'],
      ['axis', 'ints'],
      ['keepdims', 'bool'],
    ],
  },
  'linalg.svd': { lead: () => [x()], slots: [['computeUv', 'bool']] },
  'linalg.triInv': { lead: () => [sq()], slots: [['upper', 'bool']] },
  'linalg.cholesky': { lead: () => [sq()], slots: [['upper', 'bool']] },
  'linalg.choleskyInv': { lead: () => [sq()], slots: [['upper', 'bool']] },
  'linalg.eigh': { lead: () => [sq()], slots: [['UPLO', 'enum']] },
  'linalg.eigvalsh': { lead: () => [sq()], slots: [['UPLO', 'enum']] },
  'linalg.cross': { lead: () => [mx.ones([3]), mx.ones([3])], slots: [['axis', 'int']] },
  'linalg.solveTriangular': { lead: () => [sq(), mx.ones([3])], options: [['upper', 'bool']] },
  'linalg.solve': { lead: () => [sq(), mx.ones([3])] },
  'linalg.qr': { lead: () => [x()] },
  'linalg.inv': { lead: () => [sq()] },
  'linalg.pinv': { lead: () => [x()] },
  'linalg.lu': { lead: () => [x()] },
  'linalg.luFactor': { lead: () => [x()] },
  'linalg.eig': { lead: () => [sq()] },
  'linalg.eigvals': { lead: () => [sq()] },
};

/** Exports without a row, by reason. */
const exempt: Record<string, string[]> = {
  'building blocks for backend and transform authors (the IR, the evaluator, host encodings, shape arithmetic), whose callers pass checked values': [
    'node',
    'customNode',
    'multiNode',
    'arrayFromStorage',
    'placeholderArray',
    'isTracer',
    'moveAxisNode',
    'registerPrimitive',
    'getPrimitiveDef',
    'getCustomPrimitive',
    'isPrimitive',
    'paramsEqual',
    'programToString',
    'table',
    'jvpRuleOf',
    'vjpRuleOf',
    'vmapRuleOf',
    'enterTrace',
    'exitTrace',
    'isTracing',
    'backendFor',
    'evalArrays',
    'asyncEvalArrays',
    'promoteArgs',
    'broadcastArgs',
    'broadcastFor',
    'parseOpts',
    'readArgs',
    'matchesKind',
    'checkStream',
    'toArray',
    'encodeHost',
    'fromHostData',
    'hostArrayFor',
    'dtypeOfTypedArray',
    'checkShape',
    'checkPermutation',
    'normalizeAxis',
    'normalizeAxes',
    'sliceIndices',
    'broadcastShapes',
    'shapeEqual',
    'shapeSize',
    'fmtShape',
    'contiguousStrides',
    'identityPerm',
    'invertPerm',
    'convOutputSpatial',
    'dilatedSize',
    'floatResult',
    'dtypeLimits',
    'toDtype',
    'roundToDtype',
    'float16BitsToNumber',
    'numberToFloat16Bits',
    'bfloat16BitsToNumber',
    'float32ToBfloat16Bits',
    'describeValue',
    'isArray',
    'resolveStream',
    'random.randomBitsHost',
    'random.threefry2x32Host',
    'donateArray',
  ],
  'trees and backend registration (their argument checks belong to the tree work)': [
    'foldTree',
    'flattenTree',
    'treeMap',
    'treeFlatten',
    'treeUnflatten',
    'treeLeaves',
    'treeNumLeaves',
    'treeBroadcastPrefix',
    'treeDefEqual',
    'treeDefString',
    'isPlainObject',
    'isTreeNode',
    'objectNodeKeys',
    'registerBackend',
    'slotStarts',
    'isRowContiguous',
    'registerDistributedTransport',
    'distributedTransport',
    'getBackendByName',
    'listBackends',
    'useBackend',
    'eval',
    'asyncEval',
    'evalFn',
    'waitForKernels',
  ],
  'variadic index arguments, each checked by the indexing parser (core/test/indexing.test.ts)': ['index', 'at'],
  'takes f and its example arguments, any number of them': ['exportToDot'],
  'seeds the global key sequence: its one argument is checked like random.key (core/test/random.test.ts)': ['random.seed'],
  'point-to-point messages need a peer, so in one process every call is refused; their slots are fed wrong kinds under mpirun (test/distributed/worker.mjs)': [
    'distributed.send',
    'distributed.recv',
    'distributed.recvLike',
  ],
  'takes a gradient tree and one options object (no positional slots), whose every field it checks (test/distributed.test.ts)': ['nn.averageGradients'],
  "nn's model transforms, which check the model and function they take (packages/nn/test)": ['nn.checkpoint', 'nn.valueAndGrad'],
  'variadic arrays and {name: array} objects, each checked by savez (test/io/npy.test.ts)': ['savez', 'savezCompressed'],
  'weight files: their arguments are paths, bytes and named arrays, checked by the file formats (packages/nn/test/io.test.ts, test/io)': [
    'nn.decodeNpy',
    'nn.encodeNpy',
    'nn.decodeSafetensors',
    'nn.encodeSafetensors',
    'nn.loadNpz',
    'nn.saveNpz',
    'nn.loadSafetensors',
    'nn.saveSafetensors',
  ],
  'device plumbing between backend packages and core: internal, called with values mlx-ts and core build (test/devices.test.ts)': [
    'setDeviceAbsenceReason',
    'noBackendError',
    'requireDeviceBackend',
  ],
};

const exported = (): string[] => {
  const names = Object.entries(mx)
    .filter(([n, v]) => typeof v === 'function' && !/^[A-Z]/.test(n))
    .map(([n]) => n);
  const functionsOf = (ns: string): string[] =>
    Object.entries(fnOf(ns) as unknown as Record<string, unknown>)
      .filter(([n, v]) => typeof v === 'function' && !/^[A-Z]/.test(n))
      .map(([n]) => `${ns}.${n}`);
  return [
    ...names,
    ...functionsOf('random'),
    ...functionsOf('fast'),
    ...functionsOf('nn'),
    ...functionsOf('nn.losses'),
    ...functionsOf('distributed'),
    ...functionsOf('linalg'),
    ...functionsOf('fft'),
  ];
  return [...names, ...functionsOf('random'), ...functionsOf('fast'), ...functionsOf('nn'), ...functionsOf('nn.losses'), ...functionsOf('linalg')];
  return [...names, ...functionsOf('random'), ...functionsOf('fast'), ...functionsOf('fft'), ...functionsOf('nn'), ...functionsOf('nn.losses')];
};

const fnOf = (name: string): ((...args: unknown[]) => unknown) => name.split('.').reduce((o: any, k) => o[k], mx) as (...args: unknown[]) => unknown;

const show = (v: unknown): string => (typeof v === 'bigint' ? `${v}n` : typeof v === 'symbol' ? v.toString() : mx.describeValue(v));

/** Runs the call and returns the Error it must throw: a plain Error (not a TypeError or RangeError from inside). */
function failure(row: Row, call: () => unknown): Error {
  try {
    const r = call();
    if (row.invoke) row.invoke(r);
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).constructor, (e as Error).message).toBe(Error);
    return e as Error;
  }
  throw new Error('no error was thrown');
}

describe('every exported function has a row or a reasoned exemption', () => {
  it('rows and exemptions cover the exports exactly', () => {
    const covered = new Set([...Object.keys(rows), ...Object.values(exempt).flat()]);
    const names = exported();
    expect(names.filter((n) => !covered.has(n))).toEqual([]);
    expect([...covered].filter((n) => !names.includes(n))).toEqual([]);
  });
});

describe.each(Object.entries(rows))('%s', (name, row) => {
  const fn = fnOf(name);
  const label = name.split('.').pop()!;
  const named = (e: Error, word: string): void => {
    expect(e.message.startsWith(`${label}:`) || (name.startsWith('linalg.') && e.message.startsWith(`${name}:`)), e.message).toBe(true);
    expect(e.message.toLowerCase()).toContain(word.toLowerCase());
  };

  it('accepts its valid leading arguments', () => {
    const r = fn(...row.lead());
    if (row.invoke) row.invoke(r);
  });

  it.each((row.slots ?? []).map((s, i) => [s[0], s[1], i] as const))('refuses a wrong kind in slot %s (%s)', (slot, kind, i) => {
    for (const v of wrong[kind]()) {
      const e = failure(row, () => fn(...row.lead(), ...Array(i).fill(undefined), v));
      named(e, slot);
      expect(e.message, `${show(v)} in ${slot}`).not.toMatch(/\[object Object\]|Cannot convert|serialize/);
    }
  });

  if (!row.noOptions) {
    it.each([...(row.slots ?? []), ...(row.options ?? [])])('refuses a wrong kind as option %s (%s)', (slot, kind) => {
      for (const v of wrong[kind]())
        named(
          failure(row, () => fn(...row.lead(), { [slot]: v })),
          slot,
        );
    });
    it('refuses an unknown option and a stream that is not one', () => {
      named(
        failure(row, () => fn(...row.lead(), { bogus: 1 })),
        'bogus',
      );
      for (const v of wrong.stream())
        named(
          failure(row, () => fn(...row.lead(), { stream: v })),
          'stream',
        );
    });
  }

  // Every leading array argument refuses what is no array.
  const arrayArgs = row
    .lead()
    .flatMap((v, i) => (v instanceof mx.Array ? [i] : []))
    .map((i) => [i, 'array', 'array'] as [number, string, Kind]);
  it.each([...arrayArgs, ...(row.required ?? [])].map((r) => [r[1], r[2], r[0]] as const))(
    'refuses a wrong kind in the required %s (%s) at %i',
    (word, kind, at) => {
      for (const v of wrong[kind]()) {
        const args = row.lead();
        args[at] = v;
        named(
          failure(row, () => fn(...args)),
          word,
        );
      }
    },
  );
});
