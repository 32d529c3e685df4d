/**
 * C++ source for a fused elementwise program (core's `CompiledParams`). The kernel computes each
 * element's registers in local variables, so the compiler keeps them in CPU registers and
 * vectorizes the loop, where the interpreter (native/compiled.cc) streams tiles through one
 * kernel per instruction. Every register keeps its dtype's storage type and every instruction
 * calls the functor the interpreter calls (native/functors.h), so both round identically.
 *
 * A backend for another device would emit its own language from the same program; nothing here
 * depends on how the source is built or loaded (compiler.ts).
 */
import { bool, type CompiledParams, type Dtype } from '@mlx-ts/core';
import { addon } from '../addon.js';

/** C++ storage types by `Dtype.code` (native/dtype.h's table, which the addon checked against core's codes at load). */
const storageTypes: readonly string[] = addon.dtypes.map((d) => d.storage);

/** How an elementwise primitive is computed, from its entry in native/ops.h. */
export interface OpForm {
  /** Its scalar function in native/functors.h, the one the interpreter calls. */
  readonly functor: string;
  readonly arity: 1 | 2;
  /** The dtypes the interpreter accepts, by its kind: floating only, integer only (not bool), or any. */
  readonly accepts: 'float' | 'integer' | 'any';
}

/**
 * Every elementwise primitive the addon runs, from its own table (so a generated kernel calls
 * exactly the functor the interpreter calls), which the addon checked against core's families.
 */
export const forms: ReadonlyMap<string, OpForm> = new Map<string, OpForm>(
  addon.elementwiseOps.map((op) => [
    op.name,
    { functor: op.functor, arity: op.family === 'unary' ? 1 : 2, accepts: op.kind === 'float_only' ? 'float' : op.kind === 'int_only' ? 'integer' : 'any' },
  ]),
);

/**
 * The kernel for `p` with inputs of `inputDtypes` (one function, its name left for `named` to
 * fill in, since the name holds a hash of this text), or null when the program has an
 * instruction the interpreter alone handles (it then reports any error itself).
 */
export function kernelSource(p: CompiledParams, inputDtypes: readonly Dtype[]): string | null {
  if (inputDtypes.length !== p.nInputs) return null;
  const dtypes: readonly Dtype[] = [...inputDtypes, ...p.instrs.map((ins) => ins.dtype)];
  const types: string[] = inputDtypes.map((d) => storageTypes[d.code]!);
  const hoisted: string[] = [];
  const body: string[] = [];
  let floatToInt = false;
  for (let i = 0; i < p.nInputs; i++) body.push(`    const ${types[i]} r${i} = in${i}[j];`);
  for (let k = 0; k < p.instrs.length; k++) {
    const ins = p.instrs[k]!;
    const r = p.nInputs + k;
    const t = storageTypes[ins.dtype.code]!;
    types.push(t);
    const a = ins.args.map((x) => `r${x}`);
    if (ins.op === 'constant') {
      // A parameter, not a literal: programs that differ only in constants share one kernel.
      hoisted.push(`  const ${t} r${r} = to<${t}>(constants[${hoisted.length}]);`);
      continue;
    }
    let expr: string;
    if (ins.op === 'astype') {
      if (a.length !== 1) return null;
      const from = dtypes[ins.args[0]!]!;
      floatToInt ||= from.isFloating && !ins.dtype.isFloating;
      expr = types[ins.args[0]!] === t ? a[0]! : `to<${t}>(load(${a[0]}))`;
    } else if (ins.op === 'where') {
      if (a.length !== 3 || dtypes[ins.args[0]!] !== bool) return null;
      expr = `${a[0]}.v ? ${a[1]} : ${a[2]}`;
    } else {
      const form = forms.get(ins.op);
      if (!form || a.length !== form.arity) return null;
      // What the interpreter refuses, a kernel must not compute; the interpreter then reports it.
      if ((form.accepts === 'float' && !ins.dtype.isFloating) || (form.accepts === 'integer' && !ins.dtype.isInteger)) return null;
      expr = `to<${t}>(fn::${form.functor}{}(${a.map((x) => `load(${x})`).join(', ')}))`;
    }
    body.push(`    const ${t} r${r} = ${expr};`);
  }
  const last = p.nInputs + p.instrs.length - 1;
  const outType = types[last]!;
  const lines = [
    `// ${p.name}`,
    // Without trapping math GCC folds a float -> int -> float round trip into trunc(), which
    // gives -0 for -0.5 where the separate casts give +0; it also stops some vectorization, so it
    // is asked for only where a float becomes an integer.
    `MLX_TS_JIT_EXPORT ${floatToInt ? '__attribute__((optimize("trapping-math"))) ' : ''}void ${namePlaceholder}(const void* const* in, void* out, int64_t n, const double* constants) {`,
    ...inputDtypes.map((_, i) => `  const ${types[i]}* __restrict in${i} = static_cast<const ${types[i]}*>(in[${i}]);`),
    `  ${outType}* __restrict y = static_cast<${outType}*>(out);`,
    ...hoisted,
    '  for (int64_t j = 0; j < n; ++j) {',
    ...body,
    `    y[j] = r${last};`,
    '  }',
    '}',
  ];
  return lines.join('\n') + '\n';
}

const namePlaceholder = '@KERNEL@';

/** The exported name of the kernel with this key (native/jit.cc looks it up by the key it expects). */
export const kernelSymbol = (key: string): string => `mlx_ts_kernel_${key}`;

/** A kernel's source under its name, from `kernelSource`'s text. */
export function named(source: string, key: string): string {
  return source.replace(namePlaceholder, kernelSymbol(key));
}

/** One translation unit holding several kernels, each from `named`. */
export function translationUnit(kernels: readonly string[]): string {
  return [
    '// Generated by mlx-ts (packages/cpu-backend/src/jit/codegen.ts).',
    '#include "jit_kernel.h"',
    'using namespace mlx_cpu;',
    'MLX_TS_JIT_EXPORT const int mlx_ts_kernel_abi = MLX_TS_JIT_ABI;',
    ...kernels,
  ].join('\n');
}
