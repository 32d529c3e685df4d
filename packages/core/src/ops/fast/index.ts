/** MLX's `mx.fast`: fused kernels for the hot spots of transformers, each one primitive. */
export { type AttentionMaskInput, scaledDotProductAttention, type ScaledDotProductAttentionOpts } from './scaled-dot-product-attention.js';
