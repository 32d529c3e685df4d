/**
 * What the tests call: `mlx-ts/internals`, the public API of `mlx-ts` (the same objects) and the
 * internals some tests need (primitive tables, raw nodes, backends by name). Both entries register
 * the reference backend and, when its addon built, the native CPU backend. test/package.test.ts
 * checks what the public entry exports.
 */
export * from 'mlx-ts/internals';
