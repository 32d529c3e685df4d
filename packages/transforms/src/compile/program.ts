/**
 * Printing a `compiled` node's program (core's `CompiledParams`, whose doc is the contract
 * backends implement) for `compile`'s inspection helpers.
 */
import type { CompiledParams } from '@mlx-ts/core';

/** One line per instruction: `r2:float32 = exp(r0)`, `r3:float32 = 1`. */
export function programToString(p: CompiledParams): string {
  const lines: string[] = [];
  p.instrs.forEach((ins, k) => {
    const r = `r${p.nInputs + k}:${ins.dtype.name}`;
    if (ins.op === 'constant') lines.push(`${r} = ${ins.value}`);
    else lines.push(`${r} = ${ins.op}(${ins.args.map((a) => `r${a}`).join(', ')})`);
  });
  return lines.join('\n');
}
