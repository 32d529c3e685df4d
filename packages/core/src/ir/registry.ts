/**
 * Lookup across the core table and primitives registered from outside core. An extension
 * primitive brings everything a core one has: its output rule and its three transform rules;
 * backends then register kernels for it by name.
 */
import { type Aval, isPrimitive, type PrimitiveDef, type PrimitiveKind, primitives } from './primitives.js';
import type { JvpRule, VjpRule, VmapRule } from './rules.js';

export interface CustomPrimitive<P = unknown> {
  readonly name: string;
  /** 'view': an identity view of its first input (the evaluator runs no kernel for it). */
  readonly kind?: PrimitiveKind;
  output(inputs: readonly Aval[], params: P): Aval;
  equivalent?(a: P, b: P): boolean;
  jvp: JvpRule<P>;
  vjp: VjpRule<P>;
  vmap: VmapRule<P>;
}

const custom = new Map<string, CustomPrimitive<any>>();
/** Their definitions in the core table's form, made once (every node made looks one up). */
const customDefs = new Map<string, PrimitiveDef<any>>();

export function registerPrimitive<P>(def: CustomPrimitive<P>): void {
  const fn = 'registerPrimitive';
  if (typeof def?.name !== 'string' || def.name === '') throw new Error(`${fn}: expected a primitive with a non-empty name`);
  if (isPrimitive(def.name)) throw new Error(`${fn}: '${def.name}' is a core primitive and cannot be redefined`);
  for (const member of ['output', 'jvp', 'vjp', 'vmap'] as const) {
    if (typeof def[member] !== 'function') throw new Error(`${fn}: primitive '${def.name}' needs a '${member}' function, got ${typeof def[member]}`);
  }
  custom.set(def.name, def);
  customDefs.set(def.name, { kind: def.kind ?? 'other', output: def.output, ...(def.equivalent ? { equivalent: def.equivalent } : {}) });
}

export function getCustomPrimitive(name: string): CustomPrimitive<any> | undefined {
  return custom.get(name);
}

export function getPrimitiveDef(name: string): PrimitiveDef<any> {
  if (isPrimitive(name)) return primitives[name] as PrimitiveDef<any>;
  const d = customDefs.get(name);
  if (!d) throw new Error(`primitive: unknown primitive '${name}'`);
  return d;
}
