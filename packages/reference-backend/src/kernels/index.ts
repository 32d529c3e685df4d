/** The kernel table: one entry per core primitive that reaches a backend. */
import type { KernelTable } from '../kernel.js';
import { arangeKernel } from './arange.js';
import { scaledDotProductAttentionKernel } from './attention.js';
import { binaryKernels, divmodKernel, whereKernel } from './binary.js';
import { compiledKernel } from './compiled.js';
import { convolutionKernel } from './convolution.js';
import { layerNormKernel, rmsNormKernel, ropeKernel } from './fast-norm.js';
import { distributedKernels } from './distributed.js';
import { gatherKernels } from './gather.js';
import { concatenateKernel, padKernel } from './layout.js';
import { choleskyKernel, eighKernel, invKernel, luFactorKernel, qrKernel, svdKernel, triInvKernel } from './linalg.js';
import { matmulKernel } from './matmul.js';
import { quantizedMatmulKernel } from './quantized.js';
import { randomBitsKernel } from './random.js';
import { argmaxKernel, argminKernel, reduceKernels } from './reduce.js';
import { scanKernels } from './scan.js';
import { logsumexpKernel, softmaxKernel } from './softmax.js';
import { argsortKernel, sortKernel, topkKernel } from './sort.js';
import { astypeKernel, unaryKernels } from './unary.js';
import { viewKernel } from './view.js';
import { conjugateKernel, fftKernel, imagKernel } from './complex.js';
import { eigKernel, eigvalsKernel } from './eig.js';

export const coreKernels: KernelTable = {
  ...unaryKernels,
  ...binaryKernels,
  ...reduceKernels,
  ...scanKernels,
  ...gatherKernels,
  astype: astypeKernel,
  where: whereKernel,
  argmax: argmaxKernel,
  argmin: argminKernel,
  sort: sortKernel,
  softmax: softmaxKernel,
  logsumexp: logsumexpKernel,
  argsort: argsortKernel,
  concatenate: concatenateKernel,
  pad: padKernel,
  matmul: matmulKernel,
  arange: arangeKernel,
  randomBits: randomBitsKernel,
  compiled: compiledKernel,
  divmod: divmodKernel,
  topk: topkKernel,
  convolution: convolutionKernel,
  quantizedMatmul: quantizedMatmulKernel,
  rmsNorm: rmsNormKernel,
  layerNorm: layerNormKernel,
  rope: ropeKernel,
  scaledDotProductAttention: scaledDotProductAttentionKernel,
  ...distributedKernels,
  view: viewKernel,
  qr: qrKernel,
  svd: svdKernel,
  inv: invKernel,
  triInv: triInvKernel,
  cholesky: choleskyKernel,
  eigh: eighKernel,
  luFactor: luFactorKernel,
  imag: imagKernel,
  conjugate: conjugateKernel,
  fft: fftKernel,
  eig: eigKernel,
  eigvals: eigvalsKernel,
};
