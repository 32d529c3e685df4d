export * from './dtype.js';
export * from './shape.js';
export * from './device.js';
export * from './backend.js';
export {
  Array,
  Storage,
  type ArrayData,
  type NestedList,
  isArray,
  enterTrace,
  exitTrace,
  isTracing,
  isTracer,
  arrayFromStorage,
  placeholderArray,
  type Complex,
} from './array.js';
export * from './array-keys.js';
export { evalArrays, asyncEvalArrays, donateArray } from './eval.js';
export { node, customNode, multiNode, moveAxisNode } from './graph.js';
export * from './ir/primitives.js';
export * from './ir/rules.js';
export * from './ir/registry.js';
export { table } from './ir/table.js';
export * from './ops/index.js';
export * as random from './random.js';
export * as fast from './ops/fast/index.js';
export * as linalg from './linalg/index.js';
export * as fft from './ops/fft.js';
export * as distributed from './distributed.js';
export * from './distributed-transport.js';
import './array-methods.js';
export * from './tree.js';
export { describeValue } from './describe.js';
export { vmapRules } from './ir/rules/vmap.js';
export { jvpRules } from './ir/rules/jvp.js';
export { vjpRules } from './ir/rules/vjp.js';
export * from './ir/rule-lookup.js';
export * from './constants.js';
