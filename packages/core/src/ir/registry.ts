/**
 * Lookup across the core table and primitives registered from outside core. An extension
 * primitive brings everything a core one has: its output rule and its three transform rules;
 * backends then register kernels for it by name.
 */
import { type Aval, isPrimitive, type PrimitiveDef, type PrimitiveKind, primitives } from './primitives.js';
import type { JvpRule, MultiJvpRule, MultiVjpRule, MultiVmapRule, VjpRule, VmapRule } from './rules.js';

interface CustomPrimitiveBase<P> {
  readonly name: string;
  /** 'view': each output is an identity view of the input at its position (the evaluator runs no kernel for it). */
  readonly kind?: PrimitiveKind;
  /** Whether two nodes with these params compute the same thing (default: `paramsEqual`). */
  equivalent?(a: P, b: P): boolean;
  /**
   * The inputs [start, end) derivatives flow through in forward or reverse mode (default: all):
   * the walks follow only those edges and ask the rule only for their tangents and cotangents.
   */
  derivativeInputs?(params: P, mode: 'jvp' | 'vjp'): readonly [number, number];
}

/** A primitive with one output. */
export interface CustomPrimitive<P = unknown> extends CustomPrimitiveBase<P> {
  /** The output's shape and dtype from the inputs' and the params. */
  output(inputs: readonly Aval[], params: P): Aval;
  outputs?: undefined;
  jvp: JvpRule<P>;
  vjp: VjpRule<P>;
  vmap: VmapRule<P>;
}

/** A primitive with several outputs (built with `multiNode`); its rules take and return one array per output. */
export interface CustomMultiPrimitive<P = unknown> extends CustomPrimitiveBase<P> {
  /** Each output's shape and dtype from the inputs' and the params. */
  outputs(inputs: readonly Aval[], params: P): Aval[];
  jvp: MultiJvpRule<P>;
  vjp: MultiVjpRule<P>;
  vmap: MultiVmapRule<P>;
}

export type AnyCustomPrimitive<P = unknown> = CustomPrimitive<P> | CustomMultiPrimitive<P>;

const custom = new Map<string, AnyCustomPrimitive<any>>();
/** Their definitions in the core table's form, made once (every node made looks one up). */
const customDefs = new Map<string, PrimitiveDef<any>>();

/** Registers a primitive defined outside core, with one output: its output rule and its JVP, VJP and vmap rules; backends add kernels for it by name. */
export function registerPrimitive<P>(def: CustomPrimitive<P>): void;
/** Registers a primitive with several outputs (made with `multiNode`), with its rules in their multi-output form. */
export function registerPrimitive<P>(def: CustomMultiPrimitive<P>): void;
export function registerPrimitive<P>(def: AnyCustomPrimitive<P>): void {
  const fn = 'registerPrimitive';
  if (typeof def?.name !== 'string' || def.name === '') throw new Error(`${fn}: expected a primitive with a non-empty name`);
  if (isPrimitive(def.name)) throw new Error(`${fn}: '${def.name}' is a core primitive and cannot be redefined`);
  const multi = def.outputs !== undefined;
  for (const member of [multi ? 'outputs' : 'output', 'jvp', 'vjp', 'vmap'] as const) {
    if (typeof (def as unknown as Record<string, unknown>)[member] !== 'function') {
      throw new Error(`${fn}: primitive '${def.name}' needs a '${member}' function, got ${typeof (def as unknown as Record<string, unknown>)[member]}`);
    }
  }
  custom.set(def.name, def);
  const output = def.outputs ? (inputs: readonly Aval[], p: P) => def.outputs!(inputs, p)[0]! : def.output;
  customDefs.set(def.name, {
    kind: def.kind ?? 'other',
    output,
    ...(def.outputs ? { outputs: def.outputs } : {}),
    ...(def.equivalent ? { equivalent: def.equivalent } : {}),
  });
}

/** The registered (non-core) primitive of that name, if any. */
export function getCustomPrimitive(name: string): AnyCustomPrimitive<any> | undefined {
  return custom.get(name);
}

/** The kind and output rule of a core or registered primitive; an Error for an unknown name. */
export function getPrimitiveDef(name: string): PrimitiveDef<any> {
  if (isPrimitive(name)) return primitives[name] as PrimitiveDef<any>;
  const d = customDefs.get(name);
  if (!d) throw new Error(`primitive: unknown primitive '${name}'`);
  return d;
}
