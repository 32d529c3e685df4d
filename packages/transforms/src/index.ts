/** Function transformations: autodiff (grad, vjp, jvp, jacobians), vmap, custom rules, checkpointing. */
export { grad, valueAndGrad, type Argnums, type GradOptions, type GradsOf, type TangentsOf } from './grad.js';
export { vjp, jvp, type OutputsOf } from './vjp.js';
export { customFunction, type CustomFunction, type CustomVjp, type CustomJvp, type CustomVmap, type RuleArgs, type ZerosOr } from './custom.js';
export { checkpoint } from './checkpoint.js';
export { jacfwd, jacrev, hessian, type JacobianOf, type HessianOf } from './jacobian.js';
export { vmap, type AxesOf, type InAxesOf, type VmapOptions } from './vmap.js';
export * from './compile/index.js';
