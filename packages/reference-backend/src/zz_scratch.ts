import type { KernelTable } from './kernel.js';
import { coreKernels } from './kernels/index.js';
const { matmul: _m, ...rest } = coreKernels;
export const broken: KernelTable = rest;
