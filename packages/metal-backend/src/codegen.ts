/**
 * MSL for a fused elementwise program (core's `CompiledParams`), as DESIGN.md's compile section
 * asks of a GPU backend: one thread per element, every register a local of its dtype's type, and
 * every instruction the functor the ordinary kernel calls (kernels/elementwise.metal), so a fused
 * kernel rounds as the unfused kernels do. The source goes after kernels/common.h and
 * elementwise.metal in one library (`newLibraryWithSource` on a Mac, the shim on Linux), its
 * pipeline cached by the program's hash (host_logic.h's PipelineCache).
 *
 * Arguments, in [[buffer]] order: the inputs (strided views of the output's shape), the output,
 * shape, strides (`ndim` per input), ndim, and the constants (float: a program whose constant a
 * float cannot hold exactly gets no kernel).
 */
import type { CompiledParams, Dtype } from '@mlx-ts/core';

/** MSL type per dtype name, for the dtypes a fused kernel's registers may have. */
export const mslTypes: Readonly<Record<string, string>> = { float32: 'float', float16: 'half', bfloat16: 'bfloat', int32: 'int', uint32: 'uint', bool: 'bool' };
const floats = new Set(['float32', 'float16', 'bfloat16']);

/**
 * The functor of kernels/elementwise.metal each fusable primitive calls (test/metal/codegen.test.ts
 * checks that every one is defined there).
 */
export const mslFunctors: Readonly<Record<string, { readonly functor: string; readonly arity: 1 | 2; readonly predicate?: true }>> = {
  ...Object.fromEntries(
    (
      [
        ['exp', 'Exp'],
        ['log', 'Log'],
        ['sin', 'Sin'],
        ['cos', 'Cos'],
        ['tan', 'Tan'],
        ['tanh', 'Tanh'],
        ['sinh', 'Sinh'],
        ['cosh', 'Cosh'],
        ['arcsin', 'Arcsin'],
        ['arccos', 'Arccos'],
        ['arctan', 'Arctan'],
        ['sqrt', 'Sqrt'],
        ['rsqrt', 'Rsqrt'],
        ['sigmoid', 'Sigmoid'],
        ['erf', 'Erf'],
        ['floor', 'Floor'],
        ['ceil', 'Ceil'],
        ['round', 'Round'],
        ['abs', 'Abs'],
        ['negative', 'Negative'],
        ['square', 'Square'],
        ['sign', 'Sign'],
      ] as const
    ).map(([p, f]) => [p, { functor: f, arity: 1 as const }]),
  ),
  ...Object.fromEntries(
    (
      [
        ['add', 'Add'],
        ['subtract', 'Subtract'],
        ['multiply', 'Multiply'],
        ['divide', 'Divide'],
        ['power', 'Power'],
        ['arctan2', 'Arctan2'],
        ['maximum', 'Maximum'],
        ['minimum', 'Minimum'],
      ] as const
    ).map(([p, f]) => [p, { functor: f, arity: 2 as const }]),
  ),
  ...Object.fromEntries(
    (
      [
        ['equal', 'Equal'],
        ['notEqual', 'NotEqual'],
        ['greater', 'Greater'],
        ['greaterEqual', 'GreaterEqual'],
        ['less', 'Less'],
        ['lessEqual', 'LessEqual'],
      ] as const
    ).map(([p, f]) => [p, { functor: f, arity: 2 as const, predicate: true as const }]),
  ),
};

/** A generated kernel: its MSL, its entry point, and the constants to pass (in order). */
export interface MslKernel {
  readonly source: string;
  readonly entry: string;
  readonly constants: readonly number[];
}

/** FNV-1a of the text: the entry's name, so equal programs share one pipeline and others cannot collide silently. */
function hashOf(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/**
 * The kernel for `p` over inputs of `inputDtypes`, or null when an instruction or dtype has no
 * Metal functor (the backend then runs the program's instructions as ordinary steps).
 */
export function mslKernel(p: CompiledParams, inputDtypes: readonly Dtype[]): MslKernel | null {
  if (inputDtypes.length !== p.nInputs) return null;
  const regType: string[] = [];
  const regDtype: string[] = [];
  for (const d of inputDtypes) {
    const t = mslTypes[d.name];
    if (t === undefined) return null;
    regType.push(t);
    regDtype.push(d.name);
  }
  const body: string[] = [];
  const constants: number[] = [];
  for (let i = 0; i < p.nInputs; i++) body.push(`  const ${regType[i]} r${i} = in${i}[strided_loc(i, shape, strides + ${i} * ndim, ndim)];`);
  for (let k = 0; k < p.instrs.length; k++) {
    const ins = p.instrs[k]!;
    const r = p.nInputs + k;
    const t = mslTypes[ins.dtype.name];
    if (t === undefined) return null;
    const a = ins.args.map((x) => `r${x}`);
    let expr: string;
    if (ins.op === 'constant') {
      const v = ins.value!;
      if (Math.fround(v) !== v && !Number.isNaN(v)) return null;
      expr = `${t}(constants[${constants.length}])`;
      constants.push(v);
    } else if (ins.op === 'astype') {
      const from = regDtype[ins.args[0]!]!;
      if (from === 'bool' || ins.dtype.name === 'bool') return null;
      expr = `Cast<${t}>()(${a[0]})`;
    } else if (ins.op === 'where') {
      if (regDtype[ins.args[0]!] !== 'bool') return null;
      expr = `${a[0]} ? ${a[1]} : ${a[2]}`;
    } else {
      const f = mslFunctors[ins.op];
      if (f === undefined || a.length !== f.arity) return null;
      if (!floats.has(regDtype[ins.args[0]!]!)) return null;
      expr = `${f.functor}()(${a.join(', ')})`;
    }
    regType.push(t);
    regDtype.push(ins.dtype.name);
    body.push(`  const ${t} r${r} = ${expr};`);
  }
  const last = p.nInputs + p.instrs.length - 1;
  const n = p.nInputs;
  const params = [
    ...inputDtypes.map((_, i) => `device const ${regType[i]}* in${i} [[buffer(${i})]]`),
    `device ${regType[last]}* out [[buffer(${n})]]`,
    `constant const int* shape [[buffer(${n + 1})]]`,
    `constant const long* strides [[buffer(${n + 2})]]`,
    `constant const int& ndim [[buffer(${n + 3})]]`,
    `constant const float* constants [[buffer(${n + 4})]]`,
    'uint i [[thread_position_in_grid]]',
  ];
  const text = [`(${params.join(',\n    ')}) {`, ...body, `  out[i] = r${last};`, '}'].join('\n');
  const entry = `fused_${hashOf(text)}`;
  return { source: `// ${p.name}\n[[kernel]] void ${entry}${text}\n`, entry, constants };
}
