/**
 * `compiled`: the fused elementwise program `compile` builds (core's `CompiledParams`). The
 * reference runs it one instruction at a time over whole arrays with the ordinary kernels,
 * rounding every register to its dtype as storing it would, so a fused program gives exactly
 * what the unfused ops give. (Registers never reach storage; only the last one is returned.)
 */
import type { CompiledParams, Dtype } from '@mlx-ts/core';
import type { Kernel, Operand } from '../kernel.js';
import { roundInPlace, rounderFor } from '../rounding.js';
import { binaryKernels, whereKernel } from './binary.js';
import { astypeKernel, unaryKernels } from './unary.js';

const elementwise: Record<string, Kernel<any>> = { ...unaryKernels, ...binaryKernels, where: whereKernel, astype: astypeKernel };

export const compiledKernel: Kernel<CompiledParams> = ({ inputs, params, shape }) => {
  if (inputs.length !== params.nInputs) throw new Error(`compiled: expected ${params.nInputs} inputs, got ${inputs.length}`);
  const size = shape.reduce((n, d) => n * d, 1);
  const regs: Operand[] = inputs.slice();
  for (const ins of params.instrs) {
    let data: Float64Array;
    const dtype: Dtype = ins.dtype;
    if (ins.op === 'constant') {
      data = new Float64Array(size).fill(rounderFor(dtype)(ins.value!));
    } else {
      const kernel = elementwise[ins.op];
      if (!kernel) throw new Error(`compiled: '${ins.op}' is not an elementwise primitive`);
      const args = ins.args.map((r) => {
        const x = regs[r];
        if (!x) throw new Error(`compiled: instruction ${ins.op} reads register ${r}, which is not written yet`);
        return x;
      });
      data = kernel({ inputs: args, params: ins.op === 'astype' ? { dtype } : {}, shape, dtype });
      if (args.some((x) => x.data === data)) data = data.slice();
      roundInPlace(data, dtype);
    }
    regs.push({ data, shape, dtype });
  }
  const out = regs[regs.length - 1]!.data;
  return inputs.some((x) => x.data === out) ? out.slice() : out;
};
