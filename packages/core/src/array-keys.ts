/**
 * The keys of the Array's internal fields (array.ts says what each holds). Symbols rather than
 * names, so that `Object.keys(x)`, `for...in` and editor completion on an Array show only its
 * public members; a symbol key costs a property access no more than a name does. This module is
 * reachable from `@mlx-ts/core` and `mlx-ts/internals`, not from `mlx-ts`, so completion on a
 * user's Array never offers them.
 */
export const $prim: unique symbol = Symbol('prim');
export const $params: unique symbol = Symbol('params');
export const $inputs: unique symbol = Symbol('inputs');
export const $stream: unique symbol = Symbol('stream');
export const $data: unique symbol = Symbol('data');
export const $tracer: unique symbol = Symbol('tracer');
export const $placeholder: unique symbol = Symbol('placeholder');
export const $mark: unique symbol = Symbol('mark');
export const $view: unique symbol = Symbol('view');
export const $layout: unique symbol = Symbol('layout');
export const $siblings: unique symbol = Symbol('siblings');
export const $disposed: unique symbol = Symbol('disposed');
export const $pending: unique symbol = Symbol('pending');
export const $uses: unique symbol = Symbol('uses');
