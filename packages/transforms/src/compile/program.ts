/**
 * The fused program of a `compiled` node (core's `CompiledParams`), as backends read it.
 *
 * A program is a straight line of elementwise instructions over registers. Registers
 * `0..nInputs-1` are the inputs: each a strided view of the output's shape (broadcast inputs have
 * stride 0, so no input needs index arithmetic beyond its strides). Instruction `k` writes
 * register `nInputs + k`; the last instruction's register is the output. An interpreter runs it
 * over tiles: for each tile of the output (a run of the innermost merged dimension), load each
 * input register's tile (converting to the compute type), run the instructions over the tile in
 * order, store the last register. Every instruction follows the kernel contract of its primitive
 * (DESIGN.md): registers of a binary op share a dtype, float16/bfloat16 compute in float32 and
 * round to their dtype when written to a register, integer arithmetic wraps, `astype` casts to
 * the instruction's dtype, `constant` (no args) fills its register with `value`.
 *
 * The CPU backend flattens it into its step program (packages/cpu-backend/src/program.ts:
 * nInputs, nInstrs, then per instruction opcode, dtype code, nArgs, args, value); a Metal backend
 * can generate one kernel per program from the same list.
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
