/**
 * The convolution primitive's transform rules. Every derivative is itself a convolution (as MLX's
 * `Convolution::vjp`), so they nest to any order and run on the backends' convolution kernels:
 * - input cotangent: the cotangent convolved with the weight's channels swapped per group and
 *   its kernel reversed, input dilation = the forward stride, stride = the forward input dilation;
 * - weight cotangent: the input and the cotangent swap roles (batch <-> channels), so the
 *   forward stride becomes the kernel dilation and the output is the kernel's shape.
 */
import type { Array } from '../../array.js';
import { moveAxisNode, node, reshapeNode as reshape, transposeNode as transpose } from '../../graph.js';
import { identityPerm } from '../../shape.js';
import { type ConvolutionParams, dilatedSize } from '../primitives.js';
import type { JvpRule, VjpRule, VmapRule } from '../rules.js';
import { ad } from './ad.js';

const conv = (x: Array, w: Array, p: ConvolutionParams): Array => node('convolution', [x, w], p);

/** Swaps axes a and b (negative counts from the end). */
function swap(x: Array, a: number, b: number): Array {
  const perm = identityPerm(x.ndim);
  const i = a < 0 ? a + x.ndim : a,
    j = b < 0 ? b + x.ndim : b;
  perm[i] = j;
  perm[j] = i;
  return transpose(x, perm);
}

/**
 * Splits axis `at` (size G*m) into [G, m], swaps axes `a` and `b` of the result, and merges the
 * group axis back with the one after it: MLX's group_transpose. With one group it is the plain
 * swap of the first and last axes.
 */
function groupTranspose(x: Array, groups: number, at: number, a: number, b: number): Array {
  if (groups === 1) return swap(x, 0, -1);
  const ax = at < 0 ? at + x.ndim : at;
  const split = [...x.shape.slice(0, ax), groups, x.shape[ax]! / groups, ...x.shape.slice(ax + 1)];
  const t = swap(reshape(x, split), a, b);
  return reshape(t, [...t.shape.slice(0, ax), t.shape[ax]! * t.shape[ax + 1]!, ...t.shape.slice(ax + 2)]);
}

/** Reverses the spatial axes (all but the first and last). */
function reverseSpatial(x: Array): Array {
  let out = x;
  for (let ax = 1; ax < x.ndim - 1; ax++) out = ad.reverse(out, ax);
  return out;
}

export const convolutionJvp: JvpRule<ConvolutionParams> = ([x, w], [tx, tw], p, y) =>
  ad.sumTerms([tx ? conv(tx, w!, p) : null, tw ? conv(x!, tw, p) : null], y);

function inputCotangent(x: Array, w: Array, g: Array, p: ConvolutionParams): Array {
  const nsp = x.ndim - 2;
  const low: number[] = [],
    high: number[] = [];
  for (let i = 0; i < nsp; i++) {
    // Output position o read dilated input positions o*stride + k*kd - low; the transposed
    // correlation maps them back, so the cotangent (dilated by the stride) is padded to span the
    // whole dilated input and sampled at every inputDilation-th position.
    const kd = dilatedSize(w.shape[i + 1]!, p.kernelDilation[i]!);
    low.push(kd - 1 - p.paddingLow[i]!);
    high.push(dilatedSize(x.shape[i + 1]!, p.inputDilation[i]!) - dilatedSize(g.shape[i + 1]!, p.stride[i]!) + p.paddingLow[i]!);
  }
  const wt = groupTranspose(w, p.groups, 0, 1, -1); // [Cin, ...k, Cout / groups]
  return conv(g, wt, {
    stride: p.inputDilation.slice(),
    paddingLow: low,
    paddingHigh: high,
    kernelDilation: p.kernelDilation.slice(),
    inputDilation: p.stride.slice(),
    groups: p.groups,
    flip: !p.flip,
  });
}

function weightCotangent(x: Array, w: Array, g: Array, p: ConvolutionParams): Array {
  const nsp = x.ndim - 2;
  const high: number[] = [];
  for (let i = 0; i < nsp; i++) {
    // Chosen so the output spans exactly the kernel: (k - 1) * kernelDilation + 1 positions.
    const span = dilatedSize(x.shape[i + 1]!, p.inputDilation[i]!) + p.paddingLow[i]!;
    high.push(dilatedSize(w.shape[i + 1]!, p.kernelDilation[i]!) - 1 - span + dilatedSize(g.shape[i + 1]!, p.stride[i]!));
  }
  const xt = groupTranspose(x, p.groups, -1, 0, -1); // [Cin / groups, ...spatial, groups * N]
  const gt = swap(g, 0, -1); // [Cout, ...spatial', N]
  const out = conv(xt, gt, {
    stride: p.kernelDilation.slice(),
    paddingLow: p.paddingLow.slice(),
    paddingHigh: high,
    kernelDilation: p.stride.slice(),
    inputDilation: p.inputDilation.slice(),
    groups: p.groups,
    flip: false,
  }); // [Cin / groups, ...k, Cout]
  return swap(p.flip ? reverseSpatial(out) : out, 0, -1);
}

export const convolutionVjp: VjpRule<ConvolutionParams> = ([x, w], g, argnums, p) =>
  argnums.map((i) => {
    if (i === 0) return inputCotangent(x!, w!, g, p);
    if (i === 1) return weightCotangent(x!, w!, g, p);
    throw new Error(`convolution: VJP asked for argument ${i}, but the primitive has 2 inputs`);
  });

/**
 * A batched input folds into N; a batched weight folds into the groups (entry b's output
 * channels read entry b's input channels), with the input broadcast when only the weight is batched.
 */
export const convolutionVmap: VmapRule<ConvolutionParams> = ([x, w], [xa, wa], p) => {
  if (wa === null || wa === undefined) {
    const x0 = moveAxisNode(x!, xa!, 0); // [B, N, ...spatial, Cin]
    const [b, n] = x0.shape as [number, number];
    const out = conv(reshape(x0, [b * n, ...x0.shape.slice(2)]), w!, p);
    return [reshape(out, [b, n, ...out.shape.slice(1)]), 0];
  }
  const w0 = moveAxisNode(w!, wa, 0); // [B, Cout, ...k, Cin / groups]
  const b = w0.shape[0]!;
  const x0 = xa === null || xa === undefined ? ad.broadcastTo(x!, [b, ...x!.shape]) : moveAxisNode(x!, xa, 0);
  const xc = moveAxisNode(x0, 0, x0.ndim - 2); // [N, ...spatial, B, Cin]
  const xs = xc.shape;
  const xf = reshape(xc, [...xs.slice(0, -2), xs[xs.length - 2]! * xs[xs.length - 1]!]);
  const wf = reshape(w0, [b * w0.shape[1]!, ...w0.shape.slice(2)]);
  const out = conv(xf, wf, { ...p, groups: p.groups * b }); // [N, ...spatial', B * Cout]
  const os = out.shape;
  return [reshape(out, [...os.slice(0, -1), b, os[os.length - 1]! / b]), os.length - 1];
};
