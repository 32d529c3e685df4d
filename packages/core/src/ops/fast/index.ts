/** `mx.fast`: MLX's fused kernels, one primitive each. */
export { rmsNorm } from './rms-norm.js';
export { layerNorm } from './layer-norm.js';
export { rope, type RopeOpts } from './rope.js';
