export { referenceBackend, registerKernel } from './backend.js';
export type { Kernel, KernelCall, KernelTable, MultiKernel, Operand } from './kernel.js';
