/** The rules the transforms look up by primitive name, from core's tables or a registered primitive. */
import { getCustomPrimitive } from './registry.js';
import { isPrimitive } from './primitives.js';
import type { JvpRule, MultiJvpRule, MultiVjpRule, MultiVmapRule, VjpRule, VmapRule } from './rules.js';
import { jvpRules } from './rules/jvp.js';
import { vjpRules } from './rules/vjp.js';
import { vmapRules } from './rules/vmap.js';

/**
 * A primitive's rule of one transform, core or registered. Whether it is the single- or the
 * multi-output form follows from the primitive (`getPrimitiveDef(prim).outputs`); callers that
 * hold a node know it from `[$siblings]`.
 */
export type AnyJvpRule = JvpRule<any> | MultiJvpRule<any>;
export type AnyVjpRule = VjpRule<any> | MultiVjpRule<any>;
export type AnyVmapRule = VmapRule<any> | MultiVmapRule<any>;

function ruleOf<R>(what: string, core: Record<string, unknown>, prim: string, member: 'jvp' | 'vjp' | 'vmap'): R {
  if (isPrimitive(prim)) return core[prim] as R;
  const c = getCustomPrimitive(prim);
  if (!c) throw new Error(`${what}: unknown primitive '${prim}'`);
  return c[member] as R;
}
/** A primitive's JVP rule, core or registered. */
export const jvpRuleOf = (prim: string): AnyJvpRule => ruleOf('jvp', jvpRules, prim, 'jvp');
/** A primitive's VJP rule, core or registered. */
export const vjpRuleOf = (prim: string): AnyVjpRule => ruleOf('vjp', vjpRules, prim, 'vjp');
/** A primitive's vmap rule, core or registered. */
export const vmapRuleOf = (prim: string): AnyVmapRule => ruleOf('vmap', vmapRules, prim, 'vmap');
