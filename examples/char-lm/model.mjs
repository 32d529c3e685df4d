// A decoder-only Transformer over characters (the LLaMA layout at toy scale): token embedding, blocks
// of pre-RMSNorm causal self-attention with rotary positions and a GELU MLP, a final RMSNorm and an
// output head. Attention keeps a key-value cache while generating, so each new token is one step.
import * as mx from 'mlx-ts';

const { nn } = mx;

/**
 * The keys and values a layer has seen while generating, [B, H, S, D] each. It keeps the last
 * `maxSize - 1`, so that a new token attends to at most `maxSize` positions (itself included): rotary
 * positions make attention depend on distances only, so a window as long as the training context
 * keeps every distance in the range the model was trained on.
 */
export class KVCache {
  keys = null;
  values = null;
  /** Positions seen so far: the position of the next token. */
  offset = 0;

  constructor(maxSize) {
    this.maxSize = maxSize;
  }

  /** Appends the new keys and values; returns all cached ones, the new included. */
  updateAndFetch(keys, values) {
    const steps = keys.shape[2];
    if (this.keys === null) [this.keys, this.values] = [keys, values];
    else [this.keys, this.values] = [mx.concatenate([this.keys, keys], 2), mx.concatenate([this.values, values], 2)];
    this.offset += steps;
    const [k, v] = [this.keys, this.values];
    const excess = this.keys.shape[2] - (this.maxSize - 1);
    if (excess > 0) [this.keys, this.values] = [this.keys.index(':', ':', `${excess}:`), this.values.index(':', ':', `${excess}:`)];
    return [k, v];
  }
}

/** Multi-head causal self-attention with rotary positions; the projections are named as nn.MultiHeadAttention's. */
export class Attention extends nn.Module {
  constructor(dims, heads) {
    super();
    if (dims % heads !== 0) throw new Error(`Attention: dims ${dims} is not a multiple of heads ${heads}`);
    this.heads = heads;
    this.queryProj = new nn.Linear(dims, dims, { bias: false });
    this.keyProj = new nn.Linear(dims, dims, { bias: false });
    this.valueProj = new nn.Linear(dims, dims, { bias: false });
    this.outProj = new nn.Linear(dims, dims, { bias: false });
    this.rope = new nn.RoPE(dims / heads);
  }

  /** x [B, T, dims] -> [B, T, dims]; with a cache, x holds the T positions after the cached ones. */
  forward(x, cache = null) {
    const [B, T] = x.shape;
    // [B, T, dims] -> [B, heads, T, dims / heads]
    const split = (y) => mx.transpose(mx.reshape(y, [B, T, this.heads, -1]), [0, 2, 1, 3]);
    const offset = cache?.offset ?? 0;
    const q = this.rope.forward(split(this.queryProj.forward(x)), offset);
    let k = this.rope.forward(split(this.keyProj.forward(x)), offset);
    let v = split(this.valueProj.forward(x));
    if (cache !== null) [k, v] = cache.updateAndFetch(k, v);
    // 'causal' aligns the T queries with the last T keys, so a prefill after cached positions is masked right.
    const o = mx.fast.scaledDotProductAttention(q, k, v, { scale: 1 / Math.sqrt(q.shape[3]), mask: T > 1 ? 'causal' : undefined });
    return this.outProj.forward(mx.reshape(mx.transpose(o, [0, 2, 1, 3]), [B, T, -1]));
  }
}

/** A pre-norm residual block: x + attention(norm(x)), then x + mlp(norm(x)). */
export class Block extends nn.Module {
  constructor(dims, heads, mlpDims) {
    super();
    this.attentionNorm = new nn.RMSNorm(dims);
    this.attention = new Attention(dims, heads);
    this.mlpNorm = new nn.RMSNorm(dims);
    this.up = new nn.Linear(dims, mlpDims, { bias: false });
    this.down = new nn.Linear(mlpDims, dims, { bias: false });
  }

  forward(x, cache = null) {
    x = mx.add(x, this.attention.forward(this.attentionNorm.forward(x), cache));
    return mx.add(x, this.down.forward(nn.gelu(this.up.forward(this.mlpNorm.forward(x)))));
  }
}

/**
 * The language model. `config`: { vocabSize, dims, layers, heads, mlpDims, context } (context: the
 * training window, also the generation cache's size). forward(tokens [B, T], caches?) -> logits [B, T, vocabSize].
 */
export class CharLM extends nn.Module {
  constructor(config) {
    super();
    const { vocabSize, dims, layers, heads, mlpDims } = config;
    this.config = config;
    this.embedding = new nn.Embedding(vocabSize, dims);
    this.layers = Array.from({ length: layers }, () => new Block(dims, heads, mlpDims));
    this.norm = new nn.RMSNorm(dims);
    this.head = new nn.Linear(dims, vocabSize, { bias: false });
  }

  forward(tokens, caches = null) {
    let x = this.embedding.forward(tokens);
    this.layers.forEach((layer, i) => {
      x = layer.forward(x, caches?.[i] ?? null);
    });
    return this.head.forward(this.norm.forward(x));
  }

  /** One empty cache per layer, for generate(). */
  makeCaches() {
    return this.layers.map(() => new KVCache(this.config.context));
  }
}

/** Mean next-token cross-entropy (nats per character) of logits [B, T, V] against targets [B, T]. */
export const lossOf = (model, x, y) => mx.mean(nn.losses.crossEntropy(model.forward(x), y));

/**
 * Mean cross-entropy of `model` over the windows (allWindows' output), batchSize windows at a time,
 * as a number: every window's targets count once.
 */
export function evaluate(model, [x, y], batchSize = 64) {
  const wasTraining = model.training;
  model.eval();
  let total = 0;
  for (let i = 0; i < x.shape[0]; i += batchSize) {
    const rows = `${i}:${i + batchSize}`;
    const loss = mx.sum(nn.losses.crossEntropy(model.forward(x.index(rows)), y.index(rows)));
    mx.eval(loss);
    total += loss.item();
  }
  model.train(wasTraining);
  return total / y.size;
}

/**
 * A token id drawn from logits [V]: argmax when temperature is 0; otherwise from softmax(logits /
 * temperature) restricted to the smallest set of most likely tokens whose probability reaches topP
 * (nucleus sampling), with `key`.
 */
export function sample(logits, { temperature = 1, topP = 1, key }) {
  if (temperature === 0) return mx.argmax(logits, -1);
  const probs = mx.softmax(mx.divide(logits, temperature), -1);
  if (topP >= 1) return mx.random.categorical(mx.log(probs), { key });
  // Ascending order: a token is kept when the tokens at least as likely as it (itself included) hold
  // more than 1 - topP of the rest, which is the nucleus; the most likely token is always kept.
  const order = mx.argsort(probs, -1);
  const sorted = mx.take(probs, order, -1);
  const kept = mx.where(mx.greater(mx.cumsum(sorted, -1), 1 - topP), sorted, 0);
  return mx.take(order, mx.random.categorical(mx.log(kept), { key }), -1);
}

/**
 * Generates `maxTokens` ids after the prompt ids (a JS array; its last `context` are used) with a
 * key-value cache: the prompt is one forward pass, then each token one single-position step. `key`
 * seeds the draws. Returns { tokens, seconds, tokensPerSecond } (the prompt's pass included in the time).
 */
export function generate(model, prompt, { maxTokens, temperature = 1, topP = 1, key }) {
  const wasTraining = model.training;
  model.eval();
  const t0 = performance.now();
  const caches = model.makeCaches();
  const keys = mx.random.split(key, maxTokens);
  let input = mx.array([prompt.slice(-model.config.context)], mx.int32);
  const tokens = [];
  for (let i = 0; i < maxTokens; i++) {
    const logits = model.forward(input, caches);
    const next = sample(logits.index(0, -1), { temperature, topP, key: keys.index(i) });
    input = mx.reshape(mx.astype(next, mx.int32), [1, 1]);
    mx.eval(input);
    tokens.push(input.item());
  }
  const seconds = (performance.now() - t0) / 1000;
  model.train(wasTraining);
  return { tokens, seconds, tokensPerSecond: maxTokens / seconds };
}
