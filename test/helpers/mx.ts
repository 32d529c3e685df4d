/**
 * The public API under test: everything goes through `mlx-ts`, which registers the reference
 * backend and, when its addon built, the native CPU backend.
 */
export * from 'mlx-ts';
