/** Function transformations: autodiff (grad, vjp, jvp, jacobians), vmap, custom rules, checkpointing. */
export { grad, valueAndGrad, type GradOptions } from './grad.js';
export { vjp, jvp } from './vjp.js';
export { customFunction, type CustomFunction, type CustomVjp, type CustomJvp, type CustomVmap } from './custom.js';
export { checkpoint } from './checkpoint.js';
export { jacfwd, jacrev, hessian } from './jacobian.js';
export { vmap } from './vmap.js';
export * from './compile/index.js';
