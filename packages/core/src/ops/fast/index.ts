/** MLX's `mx.fast`: fused kernels for the hot spots of transformers, each one primitive. */
export { rmsNorm } from './rms-norm.js';
export { layerNorm } from './layer-norm.js';
export { rope, type RopeOpts } from './rope.js';
export { type AttentionMaskInput, scaledDotProductAttention, type ScaledDotProductAttentionOpts } from './scaled-dot-product-attention.js';
