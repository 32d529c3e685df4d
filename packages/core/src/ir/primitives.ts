/**
 * The IR: one entry per primitive, declared once. Like MLX's `primitives.h`, every entry has the
 * same few members (its params type, its output rule, how two nodes compare for CSE, whether
 * it is a view). JVP, VJP and vmap rules live in tables typed over `Primitive` (see rules/), so a
 * primitive added here without its rules does not compile.
 *
 * Ops in `ops/` promote and broadcast before building a node: a kernel sees inputs of the shapes
 * and dtypes its rule below demands, never a mix.
 */
import { bool, complex64, Dtype, float32, uint32 } from '../dtype.js';
import type { Shape } from '../shape.js';
import { table } from './table.js';

export type ScatterMode = 'set' | 'add' | 'multiply' | 'maximum' | 'minimum';

type NoParams = Record<string, never>;
export interface ScanParams {
  axis: number;
  reverse: boolean;
  inclusive: boolean;
}

// The elementwise families: the single source of which elementwise primitives exist, what dtypes
// each takes and what it gives. The float families take floating dtypes only, so their ops cast
// integer and bool inputs to float first (ops/elementwise.ts); the integer families take integer
// dtypes only, and their ops refuse floats and map bool to logical ops (ops/bitwise.ts); the cpu backend checks its native
// table (each op's family, kind and functor) against these lists when it loads the addon.
/** Unary primitives on every dtype whose output has the input's shape and dtype. */
export const unaryAnyDtype = ['abs', 'negative', 'sign', 'square', 'floor', 'ceil', 'round'] as const;
/** Unary primitives on floating dtypes only whose output has the input's shape and dtype. */
export const unaryFloat = [
  'exp',
  'log',
  'log1p',
  'expm1',
  'sin',
  'cos',
  'tan',
  'tanh',
  'sinh',
  'cosh',
  'arcsin',
  'arccos',
  'arctan',
  'arcsinh',
  'arccosh',
  'arctanh',
  'sqrt',
  'rsqrt',
  'sigmoid',
  'erf',
  'erfinv',
] as const;
/** Unary primitives on integer dtypes only (not bool) whose output has the input's shape and dtype. */
export const unaryInteger = ['bitwiseInvert'] as const;
/** Unary primitives whose output has the input's shape and dtype. */
export const unarySameDtype = [...unaryAnyDtype, ...unaryFloat, ...unaryInteger] as const;
/** Unary primitives whose output is bool. */
export const unaryPredicate = ['isnan', 'isinf', 'logicalNot'] as const;
/** Binary primitives on equal shapes and dtypes (any dtype) whose output has that dtype. */
export const binaryAnyDtype = ['add', 'subtract', 'multiply', 'power', 'maximum', 'minimum', 'floorDivide', 'remainder'] as const;
/** Binary primitives on equal shapes and floating dtypes whose output has that dtype. */
export const binaryFloat = ['divide', 'arctan2'] as const;
/**
 * Binary primitives on equal shapes and integer dtypes only (not bool) whose output has that
 * dtype. A shift by a negative count or by at least the dtype's width gives 0, or -1 for a right
 * shift of a negative value (NumPy's results; C++ leaves them undefined).
 */
export const binaryInteger = ['bitwiseAnd', 'bitwiseOr', 'bitwiseXor', 'leftShift', 'rightShift'] as const;
/** Binary primitives on equal shapes and dtypes whose output has that dtype. */
export const binarySameDtype = [...binaryAnyDtype, ...binaryFloat, ...binaryInteger] as const;
/** Binary primitives whose output is bool. */
export const binaryPredicate = ['equal', 'notEqual', 'greater', 'greaterEqual', 'less', 'lessEqual', 'logicalAnd', 'logicalOr'] as const;
/** The reduction primitives (`{ axes }`, keepdims output). */
export const reductions = ['sum', 'prod', 'max', 'min'] as const;
/** The arg-reduction primitives (`{ axis }`, uint32 output). */
export const argReductions = ['argmax', 'argmin'] as const;
/** The scan primitives (`{ axis, reverse, inclusive }`). */
export const scans = ['cumsum', 'cumprod', 'cummax', 'cummin', 'logcumsumexp'] as const;

export type UnaryAnyDtype = (typeof unaryAnyDtype)[number];
export type UnaryFloat = (typeof unaryFloat)[number];
export type UnaryInteger = (typeof unaryInteger)[number];
export type UnarySameDtype = (typeof unarySameDtype)[number];
export type UnaryPredicate = (typeof unaryPredicate)[number];
export type BinaryAnyDtype = (typeof binaryAnyDtype)[number];
export type BinaryFloat = (typeof binaryFloat)[number];
export type BinaryInteger = (typeof binaryInteger)[number];
export type BinarySameDtype = (typeof binarySameDtype)[number];
export type BinaryPredicate = (typeof binaryPredicate)[number];
export type Reduction = (typeof reductions)[number];
export type ArgReduction = (typeof argReductions)[number];
export type Scan = (typeof scans)[number];

/** Params of every primitive: the single source of the set of primitive names. */
export type PrimitiveParams = { [P in UnarySameDtype | UnaryPredicate | BinarySameDtype | BinaryPredicate]: NoParams } & {
  [P in Reduction]: { axes: number[] }; // output keeps reduced axes as size 1
} & {
  [P in ArgReduction]: { axis: number }; // keepdims, uint32 output
} & {
  [P in Scan]: ScanParams;
} & {
  astype: { dtype: Dtype };
  stopGradient: NoParams;
  where: NoParams; // (cond: bool, a, b), equal shapes, a and b of one dtype
  sort: { axis: number };
  softmax: { axis: number };
  logsumexp: { axis: number };
  argsort: { axis: number };
  // Views: computed by the evaluator from strides, no kernel.
  reshape: { shape: number[] };
  transpose: { perm: number[] };
  broadcastTo: { shape: number[] };
  slice: { start: number[]; step: number[]; shape: number[] }; // normalized: in-range starts, nonzero steps
  concatenate: { axis: number };
  pad: { low: number[]; high: number[]; value: number };
  /** take: out = a.shape[:axis] + idx.shape + a.shape[axis+1:]; negative indices wrap, others clamp. */
  gather: { axis: number };
  /** takeAlongAxis: idx has a's ndim and a's shape except at axis; out has idx's shape. */
  gatherAxis: { axis: number };
  /** Inverse of gather: (a, idx, updates of gather's output shape) -> a's shape. */
  scatter: { axis: number; mode: ScatterMode };
  /** Inverse of gatherAxis: (a, idx, updates of idx's shape) -> a's shape. */
  scatterAxis: { axis: number; mode: ScatterMode };
  /** (a [...B, M, K], b [...B, K, N]) of one floating dtype, equal batch dims. */
  matmul: NoParams;
  arange: { start: number; step: number; n: number; dtype: Dtype };
  /** (key uint32 [2]) -> uint32 bits of `shape`, threefry2x32 (see random.ts for the counter layout). */
  randomBits: { shape: number[] };
  /** A fused elementwise program made by `compile` (see `CompiledParams`). */
  compiled: CompiledParams;
  /** (a, b) of one shape and dtype -> [floorDivide(a, b), remainder(a, b)], computed together. */
  divmod: NoParams;
  /**
   * The `k` largest elements along the last axis and their indices: [values, uint32 indices], each
   * [..., k], largest first; NaN counts as the largest, equal values keep their index order.
   */
  topk: { k: number };
  /** Channels-last convolution (see `ConvolutionParams`). */
  convolution: ConvolutionParams;
  /** Affine-quantized matrix product (see `QuantizedMatmulParams`). */
  quantizedMatmul: QuantizedMatmulParams;
  /** mx.fast.rmsNorm: (x [..., D], weight [D]) of one floating dtype -> x * rsqrt(mean(x²) + eps) * weight over the last axis. */
  rmsNorm: { eps: number };
  /** mx.fast.layerNorm: (x [..., D], weight [D], bias [D]) of one floating dtype -> (x - mean) * rsqrt(var + eps) * weight + bias over the last axis. */
  layerNorm: { eps: number };
  /** mx.fast.rope: rotary positional encoding (see `RopeParams`). */
  rope: RopeParams;
  /** Fused attention (see `ScaledDotProductAttentionParams`). */
  scaledDotProductAttention: ScaledDotProductAttentionParams;
  /** `mx.distributed.allSum`/`allMax`/`allMin`: the elementwise reduction of x over the group's processes. */
  allReduce: DistributedParams & { reduce: 'sum' | 'max' | 'min' };
  /** `mx.distributed.allGather`: the processes' x concatenated along axis 0 in rank order (a 0-d x gives [size]). */
  allGather: DistributedParams;
  /** `mx.distributed.send`: sends x to process `dst`; the output is x. */
  send: DistributedParams & { dst: number };
  /** `mx.distributed.recv`: no inputs; receives an array of `shape` and `dtype` from process `src`. */
  recv: DistributedParams & { src: number; shape: number[]; dtype: Dtype };
  /**
   * `mx.view`: the input's bytes in row-major order read as `dtype`; the last axis scales by the
   * ratio of the item sizes (a 0-d input keeps its size). Not a view in the evaluator's sense:
   * a bit cast needs a kernel (the reference backend stores numbers, not bytes).
   */
  view: { dtype: Dtype };
  /*
   * mx.linalg (DESIGN.md "Kernel contracts"): each reads matrices [..., M, N] (square where noted)
   * of float32 or float64 and works on every matrix of the leading axes independently.
   */
  /** Reduced QR: (a [..., M, N]) -> [Q [..., M, K], R [..., K, N]], K = min(M, N), R upper triangular. */
  qr: NoParams;
  /** Full SVD: (a [..., M, N]) -> [U [..., M, M], S [..., K] descending, Vt [..., N, N]], a = U diag(S) Vt. */
  svd: NoParams;
  /** The inverse of a square matrix; a singular one is an error. */
  inv: NoParams;
  /** The inverse of the triangle of a square matrix (`upper` or lower) that it reads; the other triangle of the output is 0. */
  triInv: { upper: boolean };
  /** The Cholesky factor of the matrix whose `upper` (or lower) triangle it reads: L (a = L Lᵀ) or U (a = Uᵀ U), the other triangle 0. */
  cholesky: { upper: boolean };
  /** Symmetric eigendecomposition reading triangle `uplo`: [w [..., N] ascending, V [..., N, N] eigenvectors as columns]. */
  eigh: { uplo: 'L' | 'U' };
  /**
   * LU with partial pivoting: (a [..., M, N]) -> [LU [..., M, N] (unit-lower L below the diagonal,
   * U on and above it), pivots uint32 [..., K] (row i was swapped with row pivots[i], in order),
   * perm uint32 [..., M] (row i of a is row perm[i] of L U: a = (L U)[perm])].
   */
  luFactor: NoParams;
  /** `mx.imag`: complex64 -> float32, the imaginary part (the real part is `astype` to float32). */
  imag: NoParams;
  /** `mx.conjugate`: complex64 -> complex64, the imaginary part negated. */
  conjugate: NoParams;
  /** The discrete Fourier transform over `axes` (see `FftParams`). */
  fft: FftParams;
  /**
   * General eigendecomposition: (a [..., N, N] float32, float64 or complex64) -> [w complex64
   * [..., N], V complex64 [..., N, N]] with a V = V diag(w); eigenvalues in no specified order,
   * each eigenvector (column of V) of unit 2-norm with its first entry of largest modulus real and positive.
   */
  eig: NoParams;
  /** The eigenvalues alone of `eig`: (a [..., N, N]) -> complex64 [..., N], in no specified order. */
  eigvals: NoParams;
};

/**
 * `fft`: the DFT over `axes` (distinct, in-range) of signals of lengths `n` (one per axis, each >= 1).
 * Complex (`real: false`): complex64 in and out, same shape, `n[i]` = the axis length. `real` and
 * forward (rfft): float32 in with `n` the axis lengths, complex64 out with the last axis n/2+1 long.
 * `real` and `inverse` (irfft): complex64 in whose last axis is n/2+1 long (ops pad or cut it),
 * float32 out with the last axis `n[last]` long, taking the bins above n/2 as the conjugates of the
 * ones below (the imaginary parts of bin 0, and of bin n/2 for even n, are ignored).
 * `inverse` uses e^{+2πi jk/n} and divides by the product of `n` (NumPy's "backward" norm).
 */
export interface FftParams {
  readonly axes: readonly number[];
  readonly n: readonly number[];
  readonly inverse: boolean;
  readonly real: boolean;
}

/**
 * `quantizedMatmul`: (x [..., K], w uint32 2-D, scales, biases) with x, scales and biases of one
 * floating dtype -> [..., N] of that dtype. w holds MLX's packed codes, one little-endian bit stream
 * of `bits`-bit codes per row in uint32 words; scales and biases have one entry per `groupSize`
 * codes of a row. `transpose`: w is [N, K * bits / 32] and the result is x @ W^T; otherwise w is
 * [K, N * bits / 32] and the result is x @ W, where W = code * scale + bias per group.
 */
export interface QuantizedMatmulParams {
  readonly groupSize: number;
  readonly bits: number;
  readonly transpose: boolean;
}

/**
 * `rope`: (x [B, ..., T, D] floating, offset int32 [] or [B], freqs float32 [dims / 2] optional)
 * -> x's shape and dtype. Position t of row b is `(offset[b] + t) * scale`; pair i of the first
 * `dims` features turns by the angle position * θ_i, θ_i = base^(-2i / dims) or 1 / freqs[i] when
 * freqs is given (then `base` is unused). `traditional` pairs features (2i, 2i + 1), otherwise
 * (i, i + dims / 2); features from `dims` on pass through. `forward: false` turns the other way
 * (the VJP: the rotation's transpose).
 */
export interface RopeParams {
  readonly dims: number;
  readonly traditional: boolean;
  readonly base: number;
  readonly scale: number;
  readonly forward: boolean;
}

/**
 * `scaledDotProductAttention`: (q [B, Hq, Tq, D], k [B, Hkv, Tk, D], v [B, Hkv, Tk, Dv], mask?)
 * -> [B, Hq, Tq, Dv] of q's dtype, `softmax(scale q k^T + mask) v` along the keys; q, k, v share
 * one floating dtype and Hq is a multiple of Hkv (query head h reads key/value head
 * floor(h / (Hq / Hkv))). The optional mask has shape [B, Hq, Tq, Tk] (ops broadcast it, so its
 * strides may be 0): bool (false puts the dtype's lowest finite value in place of the score, so a
 * row with no key kept averages every value, as MLX) or q's dtype (added to the scores).
 * `causal` keeps key j for query i where j <= i + Tk - Tq (the queries are the last Tq
 * positions), masking the rest as a false bool mask does. Softmax as the `softmax` primitive (its
 * max taken as 0 where infinite); float16/bfloat16 accumulate in float32 and round once.
 */
export interface ScaledDotProductAttentionParams {
  readonly scale: number;
  readonly causal: boolean;
}

/**
 * The process group a distributed primitive communicates over: `group` is the CPU backend's id
 * for it, `rank` this process's place in it and `size` its process count (the shape and
 * derivative rules read them, so a graph is self-contained). Only groups of 2 or more processes
 * reach a kernel: the ops return their input for a group of one, as MLX's do.
 */
export interface DistributedParams {
  readonly group: number;
  readonly rank: number;
  readonly size: number;
}

/**
 * `convolution`: (input [N, ...spatial, Cin], weight [Cout, ...kernel, Cin / groups]) of one
 * floating dtype -> [N, ...spatial', Cout], every array field one entry per spatial axis. The
 * input is dilated (`inputDilation - 1` zeros between elements), padded (`paddingLow`/`High`,
 * negative values crop, which the VJP rules use), then correlated with the dilated kernel at
 * `stride`; `flip` reverses the kernel's spatial axes (a true convolution). Output channel `o`
 * reads input channels of group `floor(o / (Cout / groups))`.
 */
export interface ConvolutionParams {
  readonly stride: readonly number[];
  readonly paddingLow: readonly number[];
  readonly paddingHigh: readonly number[];
  readonly kernelDilation: readonly number[];
  readonly inputDilation: readonly number[];
  readonly groups: number;
  readonly flip: boolean;
}

/** Length of `n` elements with `d - 1` zeros between each pair (0 stays 0). */
export const dilatedSize = (n: number, d: number): number => (n === 0 ? 0 : (n - 1) * d + 1);

/** The convolution's output spatial sizes; ops check each is at least 1. */
export function convOutputSpatial(input: Shape, weight: Shape, p: ConvolutionParams): number[] {
  return p.stride.map((s, i) => {
    const span = dilatedSize(input[i + 1]!, p.inputDilation[i]!) + p.paddingLow[i]! + p.paddingHigh[i]!;
    return Math.floor((span - dilatedSize(weight[i + 1]!, p.kernelDilation[i]!)) / s) + 1;
  });
}

/**
 * One instruction of a fused elementwise program. Registers `0..nInputs-1` hold the inputs;
 * instruction `k` writes register `nInputs + k`. `op` is an elementwise primitive (`unary`,
 * `binary` or `where` kind, or `astype`, whose target is `dtype`) applied to the registers in
 * `args` under that primitive's kernel contract, or `'constant'` (no args) broadcasting `value`.
 */
export interface CompiledInstr {
  readonly op: string;
  /** The dtype of the register it writes (what the primitive's output rule gives). */
  readonly dtype: Dtype;
  readonly args: readonly number[];
  /** Only for `'constant'`: the value, already representable in `dtype`. */
  readonly value?: number;
}

/**
 * `compiled`: `compile`'s fused elementwise kernel, and the whole contract backends implement for
 * it (DESIGN.md and the backends point here). A program is a straight line of instructions over
 * registers. Registers `0..nInputs-1` are the inputs, each a strided view of the output's shape
 * (broadcast inputs have stride 0, folded in by the evaluator). Instruction `k` writes register
 * `nInputs + k`; the last instruction's register is the output. Every instruction follows the
 * kernel contract of its primitive: the registers of a binary op share a dtype, float16/bfloat16
 * compute in float32 and round to their dtype when written to a register, integer arithmetic
 * wraps, `astype` casts to the instruction's dtype, `constant` (no args) fills its register with
 * `value`. How a backend walks the elements (one at a time, in tiles, in generated code) is its
 * own choice; intermediates never need to reach memory.
 */
export interface CompiledParams {
  readonly nInputs: number;
  readonly instrs: readonly CompiledInstr[];
  /** A short label for graphs and errors, e.g. `exp_multiply_add`. */
  readonly name: string;
}

export type Primitive = keyof PrimitiveParams;
/** The views: the evaluator folds them into strides, so no backend ever sees one. */
export const viewPrimitives = ['reshape', 'transpose', 'broadcastTo', 'slice', 'stopGradient'] as const;
export type ViewPrimitive = (typeof viewPrimitives)[number];
/** The primitives a backend runs a kernel for. */
export type KernelPrimitive = Exclude<Primitive, ViewPrimitive>;
/**
 * Primitives with several outputs (MLX's siblings): one node per output, made together by
 * `multiNode`, evaluated together in one step, and differentiated and batched by rules that take
 * and return one array per output.
 */
export const multiOutputPrimitives = ['divmod', 'topk', 'qr', 'svd', 'eigh', 'luFactor', 'eig'] as const;
export type MultiOutputPrimitive = (typeof multiOutputPrimitives)[number];
export type SingleOutputPrimitive = Exclude<Primitive, MultiOutputPrimitive>;
export type Params<P extends Primitive> = PrimitiveParams[P];

/** What a rule sees of an array when only its type matters (tracing, abstract evaluation). */
export interface Aval {
  readonly shape: Shape;
  readonly dtype: Dtype;
}

export type PrimitiveKind = 'unary' | 'binary' | 'ternary' | 'reduce' | 'scan' | 'view' | 'other';

export interface PrimitiveDef<P extends Primitive> {
  readonly kind: PrimitiveKind;
  /** Output shape and dtype from the inputs' avals; ops have already validated the inputs. For a multi-output primitive, the first output's. */
  output(inputs: readonly Aval[], params: Params<P>): Aval;
  /** Every output's shape and dtype, for a primitive with several outputs (absent: one output). */
  outputs?(inputs: readonly Aval[], params: Params<P>): Aval[];
  /** Two nodes with equal inputs compute the same value when this holds (CSE). Default: params deep-equal. */
  equivalent?(a: Params<P>, b: Params<P>): boolean;
}

const same = (inputs: readonly Aval[]): Aval => inputs[0]!;

/*
 * The view rules (and arange's) check their params although the ops already did: a raw node with
 * inconsistent params would otherwise describe a view reading outside its input, and the
 * evaluator's stride walk would never terminate on it.
 */
function badParams(prim: string, what: string): never {
  throw new Error(`${prim}: inconsistent params for a raw node: ${what}`);
}
function checkedDims(prim: string, shape: readonly number[]): readonly number[] {
  if (!globalThis.Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    badParams(prim, `the shape must be non-negative integers, got [${String(shape)}]`);
  }
  return shape;
}
const sizeOf = (shape: readonly number[]): number => shape.reduce((n, d) => n * d, 1);
function checkedReshape(from: Shape, to: readonly number[]): readonly number[] {
  if (sizeOf(checkedDims('reshape', to)) !== sizeOf(from)) badParams('reshape', `[${from.join(', ')}] has a different size from [${to.join(', ')}]`);
  return to;
}
function checkedTranspose(from: Shape, perm: readonly number[]): number[] {
  const seen = new Set(perm);
  if (perm.length !== from.length || seen.size !== perm.length || !perm.every((i) => Number.isInteger(i) && i >= 0 && i < from.length)) {
    badParams('transpose', `perm [${String(perm)}] is not a permutation of ${from.length} axes`);
  }
  return perm.map((i) => from[i]!);
}
function checkedBroadcast(from: Shape, to: readonly number[]): readonly number[] {
  checkedDims('broadcastTo', to);
  const lead = to.length - from.length;
  if (lead < 0 || from.some((d, i) => d !== 1 && d !== to[lead + i])) badParams('broadcastTo', `[${from.join(', ')}] does not broadcast to [${to.join(', ')}]`);
  return to;
}
function checkedSlice(from: Shape, p: Params<'slice'>): readonly number[] {
  const n = from.length;
  checkedDims('slice', p.shape);
  if (p.shape.length !== n || p.start.length !== n || p.step.length !== n) badParams('slice', `start, step and shape must each have ${n} entries`);
  for (let i = 0; i < n; i++) {
    const [start, step, len] = [p.start[i]!, p.step[i]!, p.shape[i]!];
    const last = start + (len - 1) * step;
    if (len > 0 && !(Number.isInteger(start) && Number.isInteger(step) && step !== 0 && start >= 0 && start < from[i]! && last >= 0 && last < from[i]!)) {
      badParams('slice', `axis ${i} reads outside 0..${from[i]! - 1} (start ${start}, step ${step}, length ${len})`);
    }
  }
  return p.shape;
}
const predicate = (inputs: readonly Aval[]): Aval => ({ shape: inputs[0]!.shape, dtype: bool });

function keepAxes(shape: Shape, axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/** A multi-output primitive's entry: `output` is its first output's aval. */
function multi<P extends MultiOutputPrimitive>(
  kind: PrimitiveKind,
  outputs: (inputs: readonly Aval[], params: Params<P>) => Aval[],
): PrimitiveDef<P> & { outputs: NonNullable<PrimitiveDef<P>['outputs']> } {
  return { kind, output: (inputs, params) => outputs(inputs, params)[0]!, outputs };
}

type PrimitiveTable = {
  readonly [P in Primitive]: P extends MultiOutputPrimitive ? PrimitiveDef<P> & { outputs: NonNullable<PrimitiveDef<P>['outputs']> } : PrimitiveDef<P>;
};

/** Every core primitive's kind and output rule (shape and dtype from the inputs and params). */
export const primitives: PrimitiveTable = {
  ...table(unarySameDtype, { kind: 'unary', output: same }),
  ...table(unaryPredicate, { kind: 'unary', output: predicate }),
  ...table(binarySameDtype, { kind: 'binary', output: same }),
  ...table(binaryPredicate, { kind: 'binary', output: predicate }),
  ...table(reductions, {
    kind: 'reduce',
    output: ([a]: readonly Aval[], p: { axes: number[] }) => ({ shape: keepAxes(a!.shape, p.axes), dtype: a!.dtype }),
  }),
  ...table(argReductions, {
    kind: 'reduce',
    output: ([a]: readonly Aval[], p: { axis: number }) => ({ shape: keepAxes(a!.shape, [p.axis]), dtype: uint32 }),
  }),
  ...table(scans, { kind: 'scan', output: same }),
  // The magnitude of a complex number is real, as in MLX.
  abs: { kind: 'unary', output: ([a]) => (a!.dtype === complex64 ? { shape: a!.shape, dtype: float32 } : a!) },
  astype: { kind: 'unary', output: ([a], p) => ({ shape: a!.shape, dtype: p.dtype }) },
  stopGradient: { kind: 'view', output: same },
  where: { kind: 'ternary', output: (inputs) => inputs[1]! },
  sort: { kind: 'other', output: same },
  /** exp(x - m) / sum(exp(x - m)) along `axis`, m the lane's max (0 where that is infinite); floating dtypes. */
  softmax: { kind: 'other', output: same },
  /** log(sum(exp(x - m))) + m along `axis` (kept as size 1), m as in softmax; floating dtypes. */
  logsumexp: { kind: 'reduce', output: ([a], p) => ({ shape: keepAxes(a!.shape, [p.axis]), dtype: a!.dtype }) },
  argsort: { kind: 'other', output: ([a]) => ({ shape: a!.shape, dtype: uint32 }) },
  reshape: { kind: 'view', output: ([a], p) => ({ shape: checkedReshape(a!.shape, p.shape), dtype: a!.dtype }) },
  transpose: { kind: 'view', output: ([a], p) => ({ shape: checkedTranspose(a!.shape, p.perm), dtype: a!.dtype }) },
  broadcastTo: { kind: 'view', output: ([a], p) => ({ shape: checkedBroadcast(a!.shape, p.shape), dtype: a!.dtype }) },
  slice: { kind: 'view', output: ([a], p) => ({ shape: checkedSlice(a!.shape, p), dtype: a!.dtype }) },
  concatenate: {
    kind: 'other',
    output: (inputs, p) => {
      const shape = inputs[0]!.shape.slice();
      shape[p.axis] = inputs.reduce((n, x) => n + x.shape[p.axis]!, 0);
      return { shape, dtype: inputs[0]!.dtype };
    },
  },
  pad: {
    kind: 'other',
    output: ([a], p) => ({ shape: a!.shape.map((d, i) => d + p.low[i]! + p.high[i]!), dtype: a!.dtype }),
  },
  gather: {
    kind: 'other',
    output: ([a, idx], p) => ({
      shape: [...a!.shape.slice(0, p.axis), ...idx!.shape, ...a!.shape.slice(p.axis + 1)],
      dtype: a!.dtype,
    }),
  },
  gatherAxis: { kind: 'other', output: ([a, idx]) => ({ shape: idx!.shape, dtype: a!.dtype }) },
  scatter: { kind: 'other', output: same },
  scatterAxis: { kind: 'other', output: same },
  matmul: {
    kind: 'other',
    output: ([a, b]) => ({ shape: [...a!.shape.slice(0, -1), b!.shape[b!.shape.length - 1]!], dtype: a!.dtype }),
  },
  arange: { kind: 'other', output: (_inputs, p) => ({ shape: checkedDims('arange', [p.n]), dtype: p.dtype }) },
  randomBits: { kind: 'other', output: (_inputs, p) => ({ shape: p.shape, dtype: uint32 }) },
  compiled: {
    kind: 'other',
    output: (inputs, p) => ({ shape: inputs[0]!.shape, dtype: p.instrs[p.instrs.length - 1]!.dtype }),
  },
  divmod: multi('other', ([a]) => [a!, a!]),
  topk: multi<'topk'>('other', ([a], p) => {
    const shape = [...a!.shape.slice(0, -1), p.k];
    return [
      { shape, dtype: a!.dtype },
      { shape, dtype: uint32 },
    ];
  }),
  convolution: {
    kind: 'other',
    output: ([x, w], p) => ({ shape: [x!.shape[0]!, ...convOutputSpatial(x!.shape, w!.shape, p), w!.shape[0]!], dtype: x!.dtype }),
  },
  quantizedMatmul: {
    kind: 'other',
    output: ([x, w], p) => ({
      shape: [...x!.shape.slice(0, -1), p.transpose ? w!.shape[0]! : (w!.shape[1]! * 32) / p.bits],
      dtype: x!.dtype,
    }),
  },
  rmsNorm: { kind: 'other', output: same },
  layerNorm: { kind: 'other', output: same },
  rope: { kind: 'other', output: same },
  scaledDotProductAttention: {
    kind: 'other',
    output: ([q, , v]) => ({ shape: [...q!.shape.slice(0, 3), v!.shape[3]!], dtype: q!.dtype }),
  },
  allReduce: { kind: 'other', output: same },
  allGather: {
    kind: 'other',
    output: ([x], p) => ({ shape: x!.shape.length === 0 ? [p.size] : [x!.shape[0]! * p.size, ...x!.shape.slice(1)], dtype: x!.dtype }),
  },
  // Each send and receive is its own message: two equal ones are never one node.
  send: { kind: 'other', output: same, equivalent: () => false },
  recv: { kind: 'other', output: (_inputs, p) => ({ shape: checkedDims('recv', p.shape), dtype: p.dtype }), equivalent: () => false },
  view: { kind: 'other', output: ([a], p) => ({ shape: viewShape(a!.shape, a!.dtype, p.dtype), dtype: p.dtype }) },
  qr: multi<'qr'>('other', ([a]) => {
    const [m, n] = a!.shape.slice(-2) as [number, number];
    const k = Math.min(m, n);
    return [
      { shape: [...a!.shape.slice(0, -1), k], dtype: a!.dtype },
      { shape: [...a!.shape.slice(0, -2), k, n], dtype: a!.dtype },
    ];
  }),
  svd: multi<'svd'>('other', ([a]) => {
    const batch = a!.shape.slice(0, -2);
    const [m, n] = a!.shape.slice(-2) as [number, number];
    return [
      { shape: [...batch, m, m], dtype: a!.dtype },
      { shape: [...batch, Math.min(m, n)], dtype: a!.dtype },
      { shape: [...batch, n, n], dtype: a!.dtype },
    ];
  }),
  inv: { kind: 'other', output: same },
  triInv: { kind: 'other', output: same },
  cholesky: { kind: 'other', output: same },
  eigh: multi<'eigh'>('other', ([a]) => [{ shape: a!.shape.slice(0, -1), dtype: a!.dtype }, a!]),
  luFactor: multi<'luFactor'>('other', ([a]) => {
    const [m, n] = a!.shape.slice(-2) as [number, number];
    return [a!, { shape: [...a!.shape.slice(0, -2), Math.min(m, n)], dtype: uint32 }, { shape: a!.shape.slice(0, -1), dtype: uint32 }];
  }),
  imag: { kind: 'other', output: ([a]) => ({ shape: a!.shape, dtype: float32 }) },
  conjugate: { kind: 'other', output: same },
  fft: { kind: 'other', output: ([a], p) => fftOutput(a!, p) },
  eig: multi<'eig'>('other', ([a]) => [
    { shape: a!.shape.slice(0, -1), dtype: complex64 },
    { shape: a!.shape, dtype: complex64 },
  ]),
  eigvals: { kind: 'other', output: ([a]) => ({ shape: a!.shape.slice(0, -1), dtype: complex64 }) },
};

/** The shape `mx.view` gives: the last axis holds the same bytes in items of the new size. */
function viewShape(shape: readonly number[], from: Dtype, to: Dtype): number[] {
  const out = shape.slice();
  if (out.length === 0 || from.size === to.size) return out;
  const last = out.length - 1;
  out[last] = (out[last]! * from.size) / to.size;
  return out;
}

function fftOutput(a: Aval, p: FftParams): Aval {
  if (!p.real) return { shape: a.shape, dtype: complex64 };
  const shape = a.shape.slice();
  const last = p.axes[p.axes.length - 1]!;
  const nLast = p.n[p.n.length - 1]!;
  shape[last] = p.inverse ? nLast : Math.floor(nLast / 2) + 1;
  return { shape, dtype: p.inverse ? float32 : complex64 };
}

/**
 * The primitives that accept complex64 operands (MLX's complex support on the CPU); `node` refuses
 * complex64 for every other one, so no kernel ever sees a dtype its contract does not name.
 */
export const complexPrimitives: ReadonlySet<string> = new Set<Primitive>([
  'add',
  'subtract',
  'multiply',
  'divide',
  'negative',
  'square',
  'exp',
  'abs',
  'equal',
  'notEqual',
  'astype',
  'where',
  'sum',
  'matmul',
  'reshape',
  'transpose',
  'broadcastTo',
  'slice',
  'stopGradient',
  'concatenate',
  'pad',
  'gather',
  'gatherAxis',
  'imag',
  'conjugate',
  'fft',
  'eig',
  'eigvals',
]);

/** The names of the core primitives. */
export const primitiveNames = Object.keys(primitives) as Primitive[];

/** Whether `name` is a core primitive. */
export function isPrimitive(name: string): name is Primitive {
  return Object.prototype.hasOwnProperty.call(primitives, name);
}

/** Structural equality of two primitives' params (dtypes by identity, NaN equal to NaN): when two nodes compute the same thing. */
export function paramsEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Dtype || b instanceof Dtype) return a === b;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return Number.isNaN(a) && Number.isNaN(b);
  }
  const ka = Object.keys(a),
    kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => paramsEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
