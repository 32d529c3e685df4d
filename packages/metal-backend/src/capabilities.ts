/**
 * Which primitives run as Metal kernels and which run on the CPU over the same (unified-memory)
 * buffers. One entry per core primitive, typed over core's list, so a new primitive without an
 * entry is a compile error (and test/metal/capabilities.test.ts compares the keys at run time).
 * host/plan.h is what dispatches: the fake-device tests run every `metal` entry through it and the
 * shimmed kernels, so the table cannot claim a kernel the planner does not use.
 */
import { argReductions, binaryFloat, binaryInteger, reductions, scans, unaryInteger, unaryPredicate, type Primitive } from '@mlx-ts/core';

/** How the Metal backend runs one primitive. */
export type Capability =
  /** Kernels in `file` (under kernels/) for `dtypes`; other dtypes and the cases in `limits` run on the CPU. */
  | { readonly kind: 'metal'; readonly file: string; readonly dtypes: readonly string[]; readonly limits?: string }
  /** No Metal kernel yet: the CPU backend runs it over the same buffers; `why` says what is missing. */
  | { readonly kind: 'cpu'; readonly why: string }
  /** Folded into strides by the evaluator: never reaches a backend. */
  | { readonly kind: 'view' };

const floats = ['float32', 'float16', 'bfloat16'] as const;
const metal = (file: string, limits?: string, dtypes: readonly string[] = floats): Capability =>
  limits === undefined ? { kind: 'metal', file, dtypes } : { kind: 'metal', file, dtypes, limits };
const cpu = (why: string): Capability => ({ kind: 'cpu', why });
const view: Capability = { kind: 'view' };
const each = <K extends string>(names: readonly K[], c: Capability) => Object.fromEntries(names.map((n) => [n, c])) as Record<K, Capability>;

const elementwise = metal('elementwise.metal', 'integer and bool dtypes run on the CPU');
const notYet = (what: string) => cpu(`not written yet: ${what}`);

/** The capability of every core primitive (the README's table is this one). */
export const capabilities: { readonly [P in Primitive]: Capability } = {
  ...each(['abs', 'negative', 'sign', 'square', 'floor', 'ceil', 'round', 'exp', 'log', 'sin', 'cos', 'tan', 'tanh', 'sinh', 'cosh'] as const, elementwise),
  ...each(['arcsin', 'arccos', 'arctan', 'sqrt', 'rsqrt', 'sigmoid', 'erf'] as const, elementwise),
  ...each(['log1p', 'expm1', 'arcsinh', 'arccosh', 'arctanh', 'erfinv'] as const, notYet('a Metal functor matching the CPU backend within tolerance')),
  ...each(unaryInteger, notYet('integer elementwise kernels')),
  ...each(unaryPredicate, notYet('predicate unary kernels')),
  ...each(['add', 'subtract', 'multiply', 'power', 'maximum', 'minimum'] as const, elementwise),
  ...each(binaryFloat, elementwise),
  ...each(['floorDivide', 'remainder'] as const, notYet("floorDivide/remainder kernels with the CPU backend's sign rules")),
  ...each(binaryInteger, notYet('integer elementwise kernels')),
  ...each(['equal', 'notEqual', 'greater', 'greaterEqual', 'less', 'lessEqual'] as const, elementwise),
  ...each(['logicalAnd', 'logicalOr'] as const, notYet('bool elementwise kernels')),
  ...each(reductions, metal('reduce.metal', 'empty reductions and integer dtypes run on the CPU')),
  ...each(argReductions, metal('reduce.metal', 'integer dtypes run on the CPU')),
  ...each(
    scans.filter((p) => p !== 'logcumsumexp'),
    metal('scan.metal', 'the last axis only; other axes and integer dtypes run on the CPU'),
  ),
  logcumsumexp: notYet('a log-add-exp scan kernel'),
  astype: metal('elementwise.metal', 'casts from or to bool run on the CPU', [...floats, 'int32', 'uint32']),
  stopGradient: view,
  where: metal('elementwise.metal', 'bool values run on the CPU', [...floats, 'int32', 'uint32']),
  sort: metal(
    'sort.metal',
    'the last axis, rows of at most 512 (a bitonic network in one threadgroup); longer rows, other axes and integer dtypes run on the CPU',
  ),
  softmax: metal('softmax.metal', 'the last axis only'),
  logsumexp: metal('softmax.metal'),
  argsort: metal(
    'sort.metal',
    'the last axis, rows of at most 512 (a bitonic network in one threadgroup); longer rows, other axes and integer dtypes run on the CPU',
  ),
  reshape: view,
  transpose: view,
  broadcastTo: view,
  slice: view,
  concatenate: metal('elementwise.metal', 'bool runs on the CPU', [...floats, 'int32', 'uint32']),
  pad: metal('elementwise.metal', 'bool and negative widths (crops) run on the CPU', [...floats, 'int32', 'uint32']),
  gather: metal('gather.metal', 'bool values and indices other than int32/uint32 run on the CPU', [...floats, 'int32', 'uint32']),
  gatherAxis: notYet('gather kernels'),
  scatter: notYet('scatter kernels (atomics for the adding modes)'),
  scatterAxis: notYet('scatter kernels (atomics for the adding modes)'),
  matmul: metal('matmul.metal', 'K = 0 runs on the CPU'),
  arange: notYet('arange kernel'),
  randomBits: metal('random.metal', undefined, ['uint32']),
  compiled: cpu(
    'MSL is generated (src/codegen.ts, checked through the shim); the binding runs compiled steps on the CPU until it compiles the generated kernels',
  ),
  divmod: notYet('divmod kernel'),
  topk: notYet('topk kernel'),
  convolution: notYet('convolution kernels'),
  quantizedMatmul: notYet('quantized matmul kernels'),
  rmsNorm: notYet('rmsNorm kernel'),
  layerNorm: notYet('layerNorm kernel'),
  rope: notYet('rope kernel'),
  scaledDotProductAttention: notYet('attention kernel'),
  allReduce: cpu("collectives run through the CPU backend's MPI transport"),
  allGather: cpu("collectives run through the CPU backend's MPI transport"),
  send: cpu("collectives run through the CPU backend's MPI transport"),
  recv: cpu("collectives run through the CPU backend's MPI transport"),
  view: notYet('a byte-copy kernel'),
  ...each(['qr', 'svd', 'inv', 'triInv', 'cholesky', 'eigh', 'luFactor'] as const, cpu("factorizations run through the CPU backend's LAPACK, as MLX's")),
  ...each(['imag', 'conjugate', 'fft'] as const, notYet('complex64 kernels')),
  ...each(['eig', 'eigvals'] as const, cpu("factorizations run through the CPU backend's LAPACK, as MLX's (its eig is CPU-only)")),
};

/** The primitives with a Metal kernel. */
export function metalPrimitives(): Primitive[] {
  return (Object.keys(capabilities) as Primitive[]).filter((p) => capabilities[p].kind === 'metal');
}
