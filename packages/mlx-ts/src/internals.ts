/**
 * `import * as internals from 'mlx-ts/internals'`: everything `mlx-ts` exports and everything
 * `@mlx-ts/core` and `@mlx-ts/transforms` export (the same objects), for backend and primitive authors and
 * the repository's own tests: raw node construction (`node`, `customNode`, `multiNode`,
 * `moveAxisNode`), `registerPrimitive` and the primitive tables, the transform rule tables,
 * trace brackets (`enterTrace`/`exitTrace`), the Array's internal keys, the evaluator's entry
 * points and the validation helpers. Nothing here is covered by semver.
 */
export * from './index.js';
export * from '@mlx-ts/core';
export * from '@mlx-ts/transforms';
