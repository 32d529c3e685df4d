export * from './activations.js';
export * as losses from './losses.js';
