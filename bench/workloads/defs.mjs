// The workloads of issue 4. Every runner (the JS adapters and bench/python/bench.py) receives
// this list as JSON and implements each `kind` the same way; `params` fix the sizes.
//
// metric.amount: GFLOP (unit GFLOP/s) or GB moved, read + write (unit GB/s) per run;
// metric.ops: tiny ops per run (unit us/op). `scale`: how much slower than the previous
// workload of the same group a run is expected to be (a library whose predicted time exceeds
// --max-run-ms skips it).

const mm = (n) => ({
  id: `matmul-${n}`,
  kind: 'matmul',
  group: 'matmul',
  scale: 8,
  label: `matmul ${n}x${n} f32`,
  params: { n },
  metric: { unit: 'GFLOP/s', amount: (2 * n ** 3) / 1e9 },
});

export const WORKLOADS = [
  mm(256),
  mm(512),
  mm(1024),
  mm(2048),
  {
    id: 'exp-1e6',
    kind: 'expmul',
    group: 'exp',
    label: 'exp(x)*x+1, 1e6 f32',
    params: { n: 1e6 },
    metric: { unit: 'GB/s', amount: (8 * 1e6) / 1e9 },
  },
  {
    id: 'exp-1e7',
    kind: 'expmul',
    group: 'exp',
    scale: 10,
    label: 'exp(x)*x+1, 1e7 f32',
    params: { n: 1e7 },
    metric: { unit: 'GB/s', amount: (8 * 1e7) / 1e9 },
  },
  {
    id: 'sum-1e7',
    kind: 'sum',
    label: 'sum, 1e7 f32',
    params: { n: 1e7 },
    metric: { unit: 'GB/s', amount: (4 * 1e7) / 1e9 },
  },
  {
    id: 'softmax-4096x1024',
    kind: 'softmax',
    label: 'softmax [4096,1024] axis -1',
    params: { rows: 4096, cols: 1024 },
    metric: { unit: 'GB/s', amount: (8 * 4096 * 1024) / 1e9 },
  },
  {
    id: 'rmsnorm-4096x1024',
    kind: 'rmsnorm',
    group: 'fast',
    label: 'mx.fast.rmsNorm [4096,1024]',
    params: { rows: 4096, cols: 1024, eps: 1e-5 },
    metric: { unit: 'GB/s', amount: (8 * 4096 * 1024) / 1e9 },
  },
  {
    id: 'layernorm-4096x1024',
    kind: 'layernorm',
    group: 'fast',
    label: 'mx.fast.layerNorm [4096,1024]',
    params: { rows: 4096, cols: 1024, eps: 1e-5 },
    metric: { unit: 'GB/s', amount: (8 * 4096 * 1024) / 1e9 },
  },
  {
    id: 'rope-1x32x512x128',
    kind: 'rope',
    group: 'fast',
    label: 'mx.fast.rope [1,32,512,128], dims 128',
    params: { b: 1, h: 32, t: 512, d: 128, base: 10000, offset: 0 },
    metric: { unit: 'GB/s', amount: (8 * 32 * 512 * 128) / 1e9 },
  },
  {
    id: 'mlp-step',
    kind: 'mlp',
    label: 'MLP train step 256x784-512-10',
    params: { batch: 256, din: 784, hidden: 512, dout: 10, lr: 0.1 },
    metric: null,
  },
  {
    id: 'mlp-step-adam',
    kind: 'mlp-adam',
    label: 'mlp-step with a hand-written Adam update',
    params: { batch: 256, din: 784, hidden: 512, dout: 10, lr: 1e-3 },
    metric: null,
  },
  {
    id: 'nn-mlp-step',
    kind: 'nn-mlp',
    label: 'mlp-step with nn.Linear + Adam',
    params: { batch: 256, din: 784, hidden: 512, dout: 10, lr: 1e-3 },
    metric: null,
  },
  {
    id: 'cnn-step',
    kind: 'cnn',
    label: "the digits demo's CNN train step, batch 256",
    params: { batch: 256, c1: 16, c2: 32, classes: 10, lr: 2e-3 },
    metric: null,
  },
  {
    id: 'charlm-step',
    kind: 'charlm',
    label: "examples/char-lm's default train step, 24x64 tokens",
    params: { batch: 24, context: 64, vocab: 63, dims: 96, layers: 2, heads: 4, mlpDims: 384, lr: 3e-3, weightDecay: 0.01 },
    metric: null,
  },
  {
    id: 'charlm-generate',
    kind: 'charlmgen',
    label: "char-lm's default model: 256 tokens greedy, KV cache",
    params: { prompt: 16, tokens: 256, vocab: 63, dims: 96, layers: 2, heads: 4, mlpDims: 384, context: 64 },
    metric: { unit: 'tokens/s', amount: 256 },
  },
  {
    id: 'fft-2^20',
    kind: 'fft',
    label: 'complex64 fft, 2^20 points',
    params: { shape: [1 << 20] },
    metric: { unit: 'GFLOP/s', amount: (5 * 2 ** 20 * 20) / 1e9 },
  },
  {
    id: 'fft2-1024',
    kind: 'fft',
    label: 'complex64 fft2, 1024 x 1024',
    params: { shape: [1024, 1024] },
    metric: { unit: 'GFLOP/s', amount: (5 * 2 ** 20 * 20) / 1e9 },
  },
  {
    id: 'per-example-grad',
    kind: 'pergrad',
    label: 'per-example grads, linear 1024x128',
    params: { batch: 1024, features: 128 },
    metric: null,
  },
  {
    id: 'conv2d-fwd',
    kind: 'conv2d',
    group: 'conv2d',
    label: 'conv2d [64,28,28,32] * 64x3x3, pad 1',
    params: { n: 64, h: 28, w: 28, cin: 32, cout: 64, k: 3, pad: 1, backward: false },
    metric: { unit: 'GFLOP/s', amount: (2 * 64 * 28 * 28 * 64 * 3 * 3 * 32) / 1e9 },
  },
  {
    id: 'conv2d-fwd-bwd',
    kind: 'conv2d',
    group: 'conv2d',
    scale: 3,
    label: 'conv2d fwd + both grads, same',
    params: { n: 64, h: 28, w: 28, cin: 32, cout: 64, k: 3, pad: 1, backward: true },
    metric: { unit: 'GFLOP/s', amount: (3 * 2 * 64 * 28 * 28 * 64 * 3 * 3 * 32) / 1e9 },
  },
  {
    id: 'attention-1024',
    kind: 'attention',
    label: 'attention fwd+bwd T=1024',
    params: { b: 1, h: 8, t: 1024, d: 64 },
    metric: null,
  },
  {
    id: 'matvec-4096',
    kind: 'matvec',
    group: 'qmatvec',
    label: 'x[1,4096] @ W[4096,4096] f32 (batch-1 decode)',
    params: { n: 4096 },
    metric: { unit: 'GB/s', amount: (4 * 4096 * 4096) / 1e9 },
  },
  {
    id: 'qmatvec-4096-q4',
    kind: 'qmatvec',
    group: 'qmatvec',
    label: 'quantizedMatmul x[1,4096], W[4096,4096] 4-bit g64',
    params: { n: 4096, bits: 4, groupSize: 64 },
    // The dense matrix's bytes, so the rate compares with matvec-4096's directly.
    metric: { unit: 'GB/s', amount: (4 * 4096 * 4096) / 1e9 },
  },
  {
    id: 'dispatch-1000',
    kind: 'dispatch',
    label: 'dispatch: 1000 ops on 0-d',
    params: { ops: 1000 },
    metric: { unit: 'us/op', ops: 1000 },
  },
];

// Size sweeps (issue 16): cost against size, from dispatch-bound to FLOP- or bandwidth-bound, for
// the plot run.mjs writes. Their ids start with "sweep-"; they run only when a filter names them
// (`bench sweep`, `bench sweep-matmul`), since a full sweep takes minutes per library.
const sweepMatmul = (m, k, n) => ({
  id: m === k && k === n ? `sweep-matmul-${n}` : `sweep-matmul-${m}x${k}x${n}`,
  kind: 'matmul',
  group: 'sweep-matmul',
  scale: 8,
  sweep: { chart: 'matmul', x: (2 * m * k * n) / 1e9 },
  label: m === k && k === n ? `matmul ${n}x${n} f32` : `matmul [${m},${k}]x[${k},${n}] f32`,
  params: { m, k, n },
  metric: { unit: 'GFLOP/s', amount: (2 * m * k * n) / 1e9 },
});
const EXPONENTS = [3, 4, 5, 6, 7, 8];
// softmax rows of 1000 (one row of 1000 at 1e3).
const SOFTMAX_COLS = 1000;
export const SWEEPS = [
  ...[64, 128, 256, 512, 1024, 2048, 4096].map((n) => sweepMatmul(n, n, n)),
  sweepMatmul(256, 784, 512),
  ...EXPONENTS.map((e) => ({
    id: `sweep-sum-1e${e}`,
    kind: 'sum',
    group: 'sweep-sum',
    scale: 10,
    sweep: { chart: 'sum', x: 10 ** e },
    label: `sum, 1e${e} f32`,
    params: { n: 10 ** e },
    metric: { unit: 'GB/s', amount: (4 * 10 ** e) / 1e9 },
  })),
  ...EXPONENTS.map((e) => ({
    id: `sweep-softmax-1e${e}`,
    kind: 'softmax',
    group: 'sweep-softmax',
    scale: 10,
    sweep: { chart: 'softmax', x: 10 ** e },
    label: `softmax [${10 ** e / SOFTMAX_COLS},${SOFTMAX_COLS}] axis -1`,
    params: { rows: 10 ** e / SOFTMAX_COLS, cols: SOFTMAX_COLS },
    metric: { unit: 'GB/s', amount: (8 * 10 ** e) / 1e9 },
  })),
];

/**
 * Selects workloads whose id, kind or group contains any of the filters (all but the sweeps when
 * none); a sweep runs only when a filter containing "sweep" matches it.
 */
export function selectWorkloads(filters) {
  if (!filters.length) return WORKLOADS;
  const hit = (w, f) => w.id.includes(f) || w.kind === f || w.group === f;
  const sweeps = filters.filter((f) => f.includes('sweep'));
  return [...WORKLOADS.filter((w) => filters.some((f) => hit(w, f))), ...SWEEPS.filter((w) => sweeps.some((f) => hit(w, f)))];
}

/*
 * Definitions every runner implements (inputs from gen() in bench/lib/common.mjs, float32):
 * matmul:   a = gen(m*k, 1) [m,k], b = gen(k*n, 2) [k,n] (m and k default to n); out a @ b.
 * matvec:   x = gen(n, 1) [1,n], w = gen(n*n, 2) [n,n]; out x @ w.
 * qmatvec:  x = gen(n, 1) [1,n], w = gen(n*n, 2) [n,n] quantized (mx.quantize, groupSize, bits) untimed;
 *           out mx.quantizedMatmul(x, wq, scales, biases) = x @ dequantize(w)ᵀ (mlx-ts only).
 * expmul:   x = gen(n, 3); out exp(x) * x + 1.
 * sum:      x = gen(n, 4, 1, 0.5) (values in [0,1)); out sum(x) (a scalar).
 * softmax:  x = gen(rows*cols, 5, 8) [rows,cols]; out softmax(x, -1).
 * rmsnorm:  x = gen(rows*cols, 30, 4) [rows,cols], w = gen(cols, 31, 1, 1); out x * rsqrt(mean(x², -1) + eps) * w.
 * layernorm: x and w as rmsnorm, b = gen(cols, 32); out (x - mean) * rsqrt(var + eps) * w + b over the last axis.
 * rope:     x = gen(b*h*t*d, 33) [b,h,t,d]; out MLX's non-traditional rope over all d features (pairs i,
 *           i + d/2; position offset + t; angles (offset + t) * base^(-2i/d)). torch composes it as
 *           x * cos + rotate_half(x) * sin from cos/sin tables made once, as models cache them.
 * mlp:      x = gen(B*Din, 6) [B,Din]; y = oneHot(B, Dout) ; params w1 = gen(Din*H, 7, 0.1) [Din,H],
 *           b1 = zeros[H], w2 = gen(H*Dout, 8, 0.3) [H,Dout], b2 = zeros[Dout];
 *           loss = mean_b(-sum_k y * logSoftmax(relu(x@w1+b1)@w2+b2)); one step = loss and grads,
 *           then p -= lr * g for every param; forced: the loss and the new params.
 *           Checked: the loss of the first step (fresh params).
 * mlp-adam: mlp with Adam's update in place of SGD's (betas 0.9/0.999, eps 1e-8, no bias correction):
 *           m = 0.9 m + 0.1 g, v = 0.999 v + 0.001 g², p -= lr m / (sqrt(v) + eps), moments from zero.
 * nn-mlp:   the mlp workload's model, data and loss as layers: fc1 = Linear(Din, H), fc2 = Linear(H, Dout)
 *           with weight = the transpose of mlp's w1 / w2 ([out, in], MLX's and torch's layout), bias zeros;
 *           loss = mean cross-entropy of fc2(relu(fc1(x))) against y (one-hot); one step = loss and
 *           grads, then one Adam update (lr, betas 0.9/0.999, eps 1e-8; MLX's Adam has no bias
 *           correction by default, torch's always has: the updates differ, the first loss does not).
 *           Checked: the loss of the first step (equal to mlp's).
 * cnn:      examples/digits' CNN: x = gen(B*64, 15) [B,8,8,1] (NHWC), labels (7 i) mod classes;
 *           conv1 = Conv2d(1, c1, 3, padding 1), weight = gen(c1*9, 16, 0.6) [c1,3,3,1]; conv2 =
 *           Conv2d(c1, c2, 3, padding 1), weight = gen(c2*9*c1, 17, 0.2) [c2,3,3,c1]; head =
 *           Linear(16*c2, classes), weight = gen(classes*16*c2, 18, 0.1) [classes, 16*c2] over the
 *           features in (h, w, c) order; biases zeros. logits = head(flatten(maxpool2x2(relu(conv2(
 *           relu(conv1(x))))))); loss = mean cross-entropy (class indices); one Adam step as nn-mlp.
 *           Libraries with NCHW / other filter layouts get the weights transposed and flatten the
 *           pooled activations in (h, w, c) order, so every library computes the same function.
 *           Checked: the loss of the first step.
 * charlm:   examples/char-lm's model (CharLM: embedding, `layers` pre-RMSNorm blocks of causal
 *           self-attention with non-traditional RoPE base 10000 and a GELU MLP, final RMSNorm, head; no
 *           biases) with the weights of charLmWeights() (bench/lib/common.mjs) on the tokens of
 *           charLmTokens(); loss = mean cross-entropy over all batch x context positions; one step =
 *           loss and grads, then one AdamW update (lr, betas 0.9/0.999, eps 1e-8, weightDecay;
 *           torch's AdamW corrects the bias, MLX's does not: the first loss agrees, later ones not).
 *           Checked: the loss of the first step.
 * charlmgen: charlm's model and weights (batch 1); the prompt is the first `prompt` tokens of
 *           charLmTokens' first window; `tokens` tokens generated greedily (argmax), each one forward
 *           step of one position against a key-value cache of the last context - 1 positions (as
 *           examples/char-lm's KVCache), the token read back to the host before the next step.
 *           Checked: the logits of the prompt's last position.
 * fft:      z = gen(N, 40) + i gen(N, 41) as complex64, N = prod(shape); the transform over every axis of
 *           `shape` (fft for one axis, fft2 for two; NumPy computes in complex128 before 2.0 and casts
 *           back); out |fft(z)| (float32). Rate: 5 N log2 N flops per transform.
 * pergrad:  w = gen(F, 9) [F], X = gen(B*F, 10) [B,F], Y = gen(B, 11) [B];
 *           loss(w, x, y) = 0.5 * (sum(x * w) - y)^2; out: the per-example gradients [B,F]
 *           (vmap(grad(loss), in_axes=(None, 0, 0)), or a loop of grad over the batch).
 * attention: q, k, v = gen(b*h*t*d, 20 / 21 / 22, 0.5) [b,h,t,d], g = gen(b*h*t*d, 23) [b,h,t,d]; causal
 *           scaled dot-product attention, scale 1/sqrt(d) (mx.fast.scaledDotProductAttention,
 *           torch.nn.functional.scaled_dot_product_attention(is_causal=True), whose alignment is
 *           MLX's when Tq = Tk); out and the q, k, v gradients for the cotangent g;
 *           out concat(o, gq, gk, gv) ravelled.
 * dispatch: x = 1.5 (0-d float32); ops/2 times: x = x * 0.999; x = x + 0.001; out x.
 * conv2d:   x = gen(n*h*w*cin, 12) [n,h,w,cin] (NHWC), wt = gen(cout*k*k*cin, 13, 0.1) [cout,k,k,cin],
 *           y = conv2d(x, wt, stride 1, padding pad); out y (NHWC order). backward: also the input and
 *           weight gradients for the cotangent g = gen(n*h*w*cout, 14) [n,h,w,cout] (NHWC);
 *           out concat(gx.ravel(), gwt.ravel()) in the NHWC / [cout,k,k,cin] orders. Libraries
 *           with other layouts (torch NCHW, tfjs [k,k,cin,cout] filters, jax-js NCHW) get the
 *           same arrays transposed (and made contiguous) before timing; only the check transposes back.
 */
