import * as mx from 'mlx-ts';
import { CharLM } from '../examples/char-lm/model.mjs';
import { trainStep } from '../examples/lib/train-step.mjs';
import { charLmTokens, charLmWeights } from './lib/common.mjs';
const p = { batch: 24, context: 64, vocab: 63, dims: 96, layers: 2, heads: 4, mlpDims: 384, lr: 3e-3, weightDecay: 0.01 };
const [x, y] = charLmTokens(p).map((t) => mx.reshape(mx.array(t), [p.batch, p.context]));
const m = new CharLM({ vocabSize: p.vocab, dims: p.dims, layers: p.layers, heads: p.heads, mlpDims: p.mlpDims, context: p.context });
m.update(mx.utils.treeUnflatten(charLmWeights(p).map(([k, d, s]) => [k, mx.reshape(mx.array(d), s)])));
const opt = new mx.optimizers.AdamW({ learningRate: p.lr, weightDecay: p.weightDecay });
const step = trainStep(m, opt, { compile: process.argv[2] !== 'eager' });
for (let i = 0; i < 5; i++) mx.eval(step(x, y));
const N = 20; const t0 = performance.now();
for (let i = 0; i < N; i++) { const l = step(x, y); mx.eval(l); }
console.log(((performance.now() - t0) / N).toFixed(1), 'ms/step');
