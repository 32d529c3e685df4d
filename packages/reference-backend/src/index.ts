export { referenceBackend, registerKernel } from './backend.js';
export type { Kernel, KernelCall, KernelTable, Operand, ViewPrimitive } from './kernel.js';
