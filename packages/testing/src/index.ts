/**
 * @mlx-ts/testing: property-based tests for mlx-ts primitives, built on fast-check.
 * See README.md for defining a primitive and testing it in a dozen lines.
 */
export * from './arbitraries.js';
export * from './compare.js';
export * from './checks.js';
export * from './property.js';
export { default as fc } from 'fast-check';
