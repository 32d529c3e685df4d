/**
 * `mx.nn`: MLX's `mlx.nn` in camelCase: `Module`, layers, activations, losses, initializers, `valueAndGrad`,
 * `checkpoint` and weight files MLX reads.
 *
 * @module
 */
export { Module, type ModuleFilter, type ModuleParameters, type ModuleTree, type ParameterTree, type FreezeOptions } from './module.js';
export { valueAndGrad } from './value-and-grad.js';
export { checkpoint } from './checkpoint.js';
export { averageGradients, type AverageGradientsOptions } from './distributed.js';
export * as init from './init.js';
export * as utils from './utils.js';
export { Identity, Linear, Bilinear, type LinearOptions } from './layers/linear.js';
export { Embedding } from './layers/embedding.js';
export {
  QuantizedLinear,
  QuantizedEmbedding,
  quantize,
  type Quantizable,
  type QuantizationOptions,
  type QuantizePredicateResult,
  type QuantizeModelOptions,
} from './layers/quantized.js';
export { Sequential, type SequentialLayer } from './layers/containers.js';
export {
  LayerNorm,
  RMSNorm,
  GroupNorm,
  BatchNorm,
  InstanceNorm,
  type LayerNormOptions,
  type RMSNormOptions,
  type GroupNormOptions,
  type BatchNormOptions,
  type InstanceNormOptions,
} from './layers/normalization.js';
export { RoPE, SinusoidalPositionalEncoding, ALiBi, type RoPEOptions, type SinusoidalPositionalEncodingOptions } from './layers/positional-encoding.js';
export { Dropout, Dropout2d, Dropout3d, type DropoutOptions } from './layers/dropout.js';
export { loadSafetensors, saveSafetensors, encodeSafetensors, decodeSafetensors, loadNpz, saveNpz, encodeNpy, decodeNpy } from '@mlx-ts/io';
export type { OptionalArgs } from './options.js';
export * from './activations.js';
export * as losses from './losses.js';
export {
  GLU,
  Sigmoid,
  Mish,
  ReLU,
  ReLU2,
  ReLU6,
  LeakyReLU,
  ELU,
  Softmax,
  Softplus,
  Softsign,
  Softshrink,
  CELU,
  SiLU,
  LogSoftmax,
  LogSigmoid,
  PReLU,
  GELU,
  Tanh,
  Hardswish,
  Step,
  SELU,
  HardTanh,
  HardShrink,
  Softmin,
  type GeluApprox,
} from './layers/activations.js';
export { MaxPool1d, MaxPool2d, MaxPool3d, AvgPool1d, AvgPool2d, AvgPool3d, type PoolOptions } from './layers/pooling.js';
export { Upsample, upsampleNearest, upsampleLinear, upsampleCubic, type UpsampleMode, type UpsampleOptions } from './layers/upsample.js';
export {
  MultiHeadAttention,
  TransformerEncoderLayer,
  TransformerEncoder,
  TransformerDecoderLayer,
  TransformerDecoder,
  Transformer,
  type AttentionMask,
  type Activation,
  type MultiHeadAttentionOptions,
  type TransformerLayerOptions,
  type TransformerStackOptions,
  type TransformerOptions,
  type TransformerEncoderLike,
  type TransformerDecoderLike,
} from './layers/transformer.js';
export { RNN, GRU, LSTM, type RNNOptions } from './layers/recurrent.js';
export {
  Conv1d,
  Conv2d,
  Conv3d,
  ConvTranspose1d,
  ConvTranspose2d,
  ConvTranspose3d,
  type ConvOptions,
  type ConvTransposeOptions,
} from './layers/convolution.js';
