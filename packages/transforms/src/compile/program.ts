/**
 * The fused program of a `compiled` node (core's `CompiledParams`) as a native backend reads it.
 *
 * A program is a straight line of elementwise instructions over registers. Registers
 * `0..nInputs-1` are the inputs: each a strided view of the output's shape (broadcast inputs have
 * stride 0, so no input ever needs index arithmetic beyond its strides). Instruction `k` writes
 * register `nInputs + k`; the last instruction's register is the output. An interpreter runs it
 * over tiles: for each tile of the output (say 1024 elements of the innermost merged dimension),
 * load each input register's tile (converting to the compute type), run the instructions over the
 * tile in order, store the last register. Every instruction follows the kernel contract of its
 * primitive (DESIGN.md): registers of a binary op share a dtype, float16/bfloat16 compute in
 * float32 and round to their dtype when written to a register, integer arithmetic wraps, `astype`
 * casts to the instruction's dtype, `constant` fills its register with `value`.
 *
 * `encodeProgram` flattens it to a Float64Array (the CPU backend's program format):
 *
 *     [1 (version), nInputs, nInstrs,
 *      then per instruction, 5 numbers: opcode, dtype code, a, b, c]
 *
 * where a, b, c are argument registers (-1 when unused) and, for `constant` (opcode -1), `a` is
 * the value (a double holds it exactly). Dtype codes are `Dtype.code`. Opcodes come from the
 * caller's table (the CPU backend numbers primitives by its addon's op list); by default the
 * index in `PROGRAM_OPS`.
 */
import type { CompiledParams } from '@mlx-ts/core';
import { FUSIBLE } from './fuse.js';

/** The primitives a program may use, in the default opcode order. */
export const PROGRAM_OPS: readonly string[] = [...FUSIBLE];

export const PROGRAM_VERSION = 1;
export const INSTR_WIDTH = 5;
export const CONSTANT_OPCODE = -1;

export function encodeProgram(p: CompiledParams, opcode: (op: string) => number = (op) => PROGRAM_OPS.indexOf(op)): Float64Array {
  const out = new Float64Array(3 + INSTR_WIDTH * p.instrs.length);
  out[0] = PROGRAM_VERSION;
  out[1] = p.nInputs;
  out[2] = p.instrs.length;
  p.instrs.forEach((ins, k) => {
    const o = 3 + INSTR_WIDTH * k;
    if (ins.op === 'constant') {
      out[o] = CONSTANT_OPCODE;
      out[o + 1] = ins.dtype.code;
      out[o + 2] = ins.value!;
      out[o + 3] = -1;
      out[o + 4] = -1;
      return;
    }
    const code = opcode(ins.op);
    if (!(code >= 0)) throw new Error(`encodeProgram: no opcode for '${ins.op}'`);
    out[o] = code;
    out[o + 1] = ins.dtype.code;
    for (let j = 0; j < 3; j++) out[o + 2 + j] = ins.args[j] ?? -1;
  });
  return out;
}

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
