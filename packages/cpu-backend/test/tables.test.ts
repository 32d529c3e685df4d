/**
 * Core's elementwise families (core/src/ir/primitives.ts) are the one source of which elementwise
 * primitives exist and what dtypes each takes and gives. The addon's table (native/ops.h), which
 * generates its kernels' dispatch and the generated kernels' forms (src/jit/codegen.ts), must list
 * the same ops by family and kind, and its dtype table must be core's codes: an elementwise
 * primitive added to core without its native kernel and functor fails here.
 */
import { allDtypes, bool, float32, getPrimitiveDef, primitiveNames, unaryFloat, binaryFloat, unaryInteger, binaryInteger, type Primitive } from '@mlx-ts/core';
import { describe, expect, test } from 'vitest';
import { addon, checkTables, coreElementwise } from '../src/addon.js';
import { forms } from '../src/jit/codegen.js';

/** Core's elementwise primitives, from the primitive table itself (astype casts; it has no functor). */
const elementwise = primitiveNames.filter((p) => ['unary', 'binary'].includes(getPrimitiveDef(p).kind) && p !== 'astype');
const arity = (p: Primitive) => (getPrimitiveDef(p).kind === 'unary' ? 1 : 2);
const floatOnly: readonly string[] = [...unaryFloat, ...binaryFloat];
const integerOnly: readonly string[] = [...unaryInteger, ...binaryInteger];

describe('one source for elementwise facts', () => {
  test('every elementwise primitive of core has a generated-kernel form of its arity and dtype rule', () => {
    for (const p of elementwise) {
      const form = forms.get(p);
      expect(form, `no form for '${p}': add it to native/ops.h`).toBeDefined();
      expect(form!.arity, p).toBe(arity(p));
      expect(form!.accepts, p).toBe(floatOnly.includes(p) ? 'float' : integerOnly.includes(p) ? 'integer' : 'any');
    }
    expect([...forms.keys()].sort()).toEqual([...elementwise].sort());
  });

  test("the addon's elementwise table is core's families, its kinds core's output rules", () => {
    const byFamily = (family: string, kind: string) =>
      addon.elementwiseOps
        .filter((op) => op.family === family && op.kind === kind)
        .map((op) => op.name)
        .sort();
    for (const [family, kinds] of Object.entries(coreElementwise)) {
      for (const [kind, names] of Object.entries(kinds)) expect(byFamily(family, kind), `${family} ${kind}`).toEqual([...names].sort());
    }
    for (const op of addon.elementwiseOps) {
      const p = op.name as Primitive;
      const out = getPrimitiveDef(p).output(
        Array.from({ length: arity(p) }, () => ({ shape: [2], dtype: float32 })),
        {} as never,
      );
      expect(out.dtype, op.name).toBe(op.kind === 'predicate' ? bool : float32);
      expect(op.family, op.name).toBe(getPrimitiveDef(p).kind);
    }
  });

  test("the addon's dtypes are core's, by code", () => {
    expect(addon.dtypes.map((d) => [d.name, d.size])).toEqual([...allDtypes].sort((a, b) => a.code - b.code).map((d) => [d.name, d.size]));
  });

  test('a stale addon is refused at load, with the fix', () => {
    const moved = addon.elementwiseOps.map((op) => (op.name === 'exp' ? { ...op, kind: 'any_dtype' as const } : op));
    expect(() => checkTables({ ...addon, elementwiseOps: moved })).toThrow(
      /elementwise primitives \(family kind name\) differ from @mlx-ts\/core's: the addon has \[unary any_dtype exp\] where core has \[unary float_only exp\]\. Rebuild the addon/,
    );
    expect(() => checkTables({ ...addon, elementwiseOps: addon.elementwiseOps.slice(1) })).toThrow(/the addon has \[\] where core has \[unary any_dtype abs\]/);
    expect(() => checkTables({ ...addon, dtypes: addon.dtypes.slice().reverse() })).toThrow(/the addon's dtypes \(code name size\) differ.*Rebuild the addon/);
  });
});
