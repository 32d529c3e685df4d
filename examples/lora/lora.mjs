// LoRA (Hu et al., 2021) as MLX's examples write it (mlx-examples' lora/, mlx-lm's tuner): a frozen
// linear layer plus a trainable low-rank update, y = linear(x) + scale * (dropout(x) A) B, with A
// [inputDims, rank] drawn from U(-1/√inputDims, 1/√inputDims) and B [rank, outputDims] zeros, so the
// adapted model starts as the base model. The base may be an nn.QuantizedLinear (QLoRA).
import * as mx from 'mlx-ts';

const { nn, utils } = mx;

/** Whether `linear` is a quantized layer (nn.QuantizedLinear: packed weight, scales, biases, groupSize, bits). */
const isQuantized = (linear) => typeof linear.bits === 'number' && linear.scales !== undefined;

/** The [outputDims, inputDims] float weight of a linear layer, dequantized when it is quantized. */
function denseWeight(linear) {
  if (!isQuantized(linear)) return linear.weight;
  return mx.dequantize(linear.weight, linear.scales, linear.biases, linear.groupSize, linear.bits);
}

export class LoRALinear extends nn.Module {
  /** Wraps an existing (frozen) nn.Linear or nn.QuantizedLinear: `{ rank = 8, dropout = 0, scale = 20 }` (mlx-lm's defaults). */
  static fromBase(linear, { rank = 8, dropout = 0, scale = 20 } = {}) {
    const [outputDims, packedDims] = linear.weight.shape;
    // A quantized weight packs 32 / bits values into each uint32.
    const inputDims = isQuantized(linear) ? (packedDims * 32) / linear.bits : packedDims;
    const lora = new LoRALinear(inputDims, outputDims, { rank, dropout, scale });
    lora.linear = linear;
    return lora;
  }

  constructor(inputDims, outputDims, { rank = 8, dropout = 0, scale = 20, bias = false } = {}) {
    super();
    if (!Number.isInteger(rank) || rank < 1) throw new Error(`LoRALinear: rank must be a positive integer, got ${rank}`);
    this.linear = new nn.Linear(inputDims, outputDims, { bias });
    this.dropout = new nn.Dropout(dropout);
    this.scale = scale;
    const bound = 1 / Math.sqrt(inputDims);
    this.loraA = mx.random.uniform(-bound, bound, [inputDims, rank]);
    this.loraB = mx.zeros([rank, outputDims]);
  }

  forward(x) {
    const update = mx.matmul(mx.matmul(this.dropout.forward(x), this.loraA), this.loraB);
    return mx.add(this.linear.forward(x), mx.multiply(update, this.scale));
  }

  /**
   * The adapted layer as one nn.Linear: weight + scale Bᵀ Aᵀ (a quantized base is dequantized first,
   * so the fused layer computes what the adapted one does, in float).
   */
  fuse() {
    const weight = denseWeight(this.linear);
    const [outputDims, inputDims] = weight.shape;
    const fused = new nn.Linear(inputDims, outputDims, { bias: this.linear.bias !== undefined });
    const delta = mx.matmul(mx.transpose(mx.multiply(this.loraB, this.scale)), mx.transpose(this.loraA));
    fused.weight = mx.add(weight, mx.astype(delta, weight.dtype));
    if (this.linear.bias !== undefined) fused.bias = this.linear.bias;
    return fused;
  }
}

/**
 * Freezes `model` and replaces each layer at the dotted `paths` (e.g. 'layers.0.attention.queryProj')
 * by a LoRALinear around it (`options` as LoRALinear.fromBase). Only the adapters stay trainable.
 */
export function applyLoRA(model, paths, options) {
  model.freeze();
  const modules = new Map(model.namedModules());
  const adapted = paths.map((path) => {
    const base = modules.get(path);
    if (base === undefined) throw new Error(`applyLoRA: the model has no layer '${path}'`);
    return [path, LoRALinear.fromBase(base, options)];
  });
  model.updateModules(utils.treeUnflatten(adapted));
  return model;
}

/** Replaces every LoRALinear of `model` by its fused nn.Linear. */
export function fuseLoRA(model) {
  const fused = model
    .namedModules()
    .filter(([, m]) => m instanceof LoRALinear)
    .map(([path, m]) => [path, m.fuse()]);
  model.updateModules(utils.treeUnflatten(fused));
  return model;
}

/** The adapters' [path, array] pairs (the trainable parameters of a model that applyLoRA adapted). */
export const adapterWeights = (model) => utils.treeFlatten(model.trainableParameters());

/**
 * Loads adapters saved from adapterWeights into a model adapted the same way: every name in the file
 * must be an adapter of the model and every adapter must be in the file.
 */
export function loadAdapters(model, file) {
  const pairs = nn.loadSafetensors(file);
  const want = new Set(adapterWeights(model).map(([k]) => k));
  const got = new Set(pairs.map(([k]) => k));
  const missing = [...want].filter((k) => !got.has(k));
  const extra = [...got].filter((k) => !want.has(k));
  if (missing.length > 0 || extra.length > 0)
    throw new Error(
      `loadAdapters: ${file} does not match the model's adapters (missing: ${missing.join(', ') || 'none'}; unexpected: ${extra.join(', ') || 'none'})`,
    );
  return model.loadWeights(pairs, false);
}
