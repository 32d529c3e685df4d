// A character-level Transformer language model trained on two of Shakespeare's plays (Coriolanus and
// Richard III; the last 10% of the text is held out), with AdamW, a linear warm-up into a cosine decay
// and a compiled training step. Prints samples before and after training (key-value-cached
// generation with temperature and top-p), the validation loss next to the text's unigram entropy (nats
// per character), and writes to --out: model.safetensors, config.json (what examples/lora loads),
// loss.svg and summary.json. Seeded: every run prints the same losses and samples.
//
//   node examples/char-lm/train.mjs                  # the default, about a minute on 2 idle cores
//   node examples/char-lm/train.mjs --steps 3000 --layers 6 --dims 256 --context 128
//   node examples/char-lm/train.mjs --help
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as mx from 'mlx-ts';
import { parseFlags } from '../lib/args.mjs';
import { stepProgress } from '../lib/progress.mjs';
import { writeVegaLiteSvg } from '../lib/svg.mjs';
import { trainStep } from '../lib/train-step.mjs';
import { allWindows, codec, randomWindows, readText, splitTail, TEXTS, unigramEntropy, vocabularyOf } from './data.mjs';
import { CharLM, evaluate, generate } from './model.mjs';

const { optimizers, utils } = mx;

const flags = parseFlags('node examples/char-lm/train.mjs [flags]: trains a character-level Transformer on Shakespeare', {
  steps: [600, 'training steps'],
  layers: [2, 'Transformer blocks'],
  dims: [96, 'model width'],
  heads: [4, 'attention heads'],
  context: [64, 'training window in characters (also the generation cache size)'],
  batch: [24, 'windows per step'],
  lr: [3e-3, 'peak learning rate'],
  warmup: [40, 'linear warm-up steps'],
  weightDecay: [0.01, "AdamW's weight decay"],
  evals: [4, 'validation evaluations during training (the last at the end)'],
  sampleTokens: [300, 'characters to generate before and after training'],
  // 0.6: at the default size's loss (about 1.87 nats/char), 0.8 spells many words wrong and 0.5 repeats "the".
  temperature: [0.6, 'sampling temperature (0: greedy)'],
  topP: [0.95, 'nucleus sampling: the smallest set of likeliest characters holding this probability'],
  prompt: ['KING RICHARD III:\\n', 'prompt for the samples (\\n is a newline)'],
  seed: [0, 'seeds the weights, the batches and the samples'],
  out: [fileURLToPath(new URL('./out', import.meta.url)), 'output directory'],
});
const outDir = resolve(flags.out);
const prompt = flags.prompt.replaceAll('\\n', '\n');

const text = readText(TEXTS.train);
const vocabulary = vocabularyOf(text);
const { encode, decode } = codec(vocabulary);
const [trainTokens, validTokens] = splitTail(encode(text), 0.1);
const validText = decode(validTokens.tolist());
const valid = allWindows(validTokens, flags.context);
const entropy = unigramEntropy(validText);

mx.random.seed(flags.seed);
const config = {
  vocabSize: vocabulary.length,
  dims: flags.dims,
  layers: flags.layers,
  heads: flags.heads,
  mlpDims: 4 * flags.dims,
  context: flags.context,
};
const model = new CharLM(config);
mx.eval(model.parameters());
const parameterCount = utils.treeFlatten(model.parameters()).reduce((n, [, p]) => n + p.size, 0);
console.log(
  `mlx-ts char-lm (backend: ${mx.backendFor('cpu').name}): ${trainTokens.shape[0]} training and ${validTokens.shape[0]} validation characters, ` +
    `${vocabulary.length} distinct; ${flags.layers} blocks of width ${flags.dims}, ${flags.heads} heads, context ${flags.context}: ${parameterCount} parameters`,
);

const sampleKey = mx.random.key(flags.seed + 1);
const showSample = (when) => {
  const { tokens, tokensPerSecond } = generate(model, Array.from(encode(prompt).tolist()), {
    maxTokens: flags.sampleTokens,
    temperature: flags.temperature,
    topP: flags.topP,
    key: sampleKey,
  });
  console.log(`\n--- sample ${when} (temperature ${flags.temperature}, top-p ${flags.topP}; ${tokensPerSecond.toFixed(0)} tokens/s with the KV cache) ---`);
  console.log(prompt + decode(tokens));
  console.log('---\n');
  return { text: prompt + decode(tokens), tokensPerSecond };
};
const before = { validLoss: evaluate(model, valid), sample: showSample('before training') };

const warmup = Math.min(flags.warmup, flags.steps);
const schedule = optimizers.joinSchedules(
  [optimizers.linearSchedule(0, flags.lr, warmup), optimizers.cosineDecay(flags.lr, Math.max(1, flags.steps - warmup), flags.lr / 10)],
  [warmup],
);
const optimizer = new optimizers.AdamW({ learningRate: schedule, weightDecay: flags.weightDecay });
const step = trainStep(model, optimizer);

const batchKeys = mx.random.split(mx.random.key(flags.seed + 2), flags.steps);
const evalAt = new Set(Array.from({ length: flags.evals }, (_, i) => Math.round(((i + 1) * flags.steps) / flags.evals)));
const history = { train: [], valid: [{ step: 0, loss: before.validLoss }] };
const bar = stepProgress('char-lm', flags.steps);
let trainSeconds = 0;
for (let i = 1; i <= flags.steps; i++) {
  const t0 = performance.now();
  const [x, y] = randomWindows(trainTokens, flags.batch, flags.context, batchKeys.index(i - 1));
  const loss = step(x, y);
  mx.eval(loss, model.parameters(), optimizer.state);
  trainSeconds += (performance.now() - t0) / 1000;
  history.train.push({ step: i, loss: loss.item() });
  bar.update(i, { loss: loss.item(), tokensPerSecond: (i * flags.batch * flags.context) / trainSeconds });
  if (evalAt.has(i)) history.valid.push({ step: i, loss: evaluate(model, valid) });
}
bar.stop();
const validLoss = history.valid.at(-1).loss;
const tokensPerSecond = (flags.steps * flags.batch * flags.context) / trainSeconds;
console.log(
  `trained ${flags.steps} steps of ${flags.batch} x ${flags.context} characters in ${trainSeconds.toFixed(1)} s (${Math.round(tokensPerSecond)} tokens/s)\n` +
    `validation loss ${before.validLoss.toFixed(3)} -> ${validLoss.toFixed(3)} nats/char; unigram entropy of the validation text ${entropy.toFixed(3)} nats/char ` +
    `(${validLoss < entropy ? `${(entropy - validLoss).toFixed(3)} below it` : 'NOT below it'})`,
);
const after = showSample('after training');

mkdirSync(outDir, { recursive: true });
const files = {
  weights: join(outDir, 'model.safetensors'),
  config: join(outDir, 'config.json'),
  curve: join(outDir, 'loss.svg'),
  summary: join(outDir, 'summary.json'),
};
model.saveWeights(files.weights);
writeFileSync(files.config, JSON.stringify({ model: config, vocabulary: vocabulary.join(''), training: flags }, null, 2) + '\n');
writeFileSync(
  files.summary,
  JSON.stringify(
    {
      parameters: parameterCount,
      unigramEntropy: entropy,
      validLossBefore: before.validLoss,
      validLoss,
      firstTrainLoss: history.train[0].loss,
      lastTrainLoss: history.train.at(-1).loss,
      trainSeconds,
      tokensPerSecond,
      generationTokensPerSecond: after.tokensPerSecond,
      sampleBefore: before.sample.text,
      sampleAfter: after.text,
      history,
    },
    null,
    2,
  ) + '\n',
);
await writeVegaLiteSvg(lossCurveSpec(history, entropy), files.curve);
for (const [what, file] of Object.entries(files)) console.log(`${what}: ${relative(process.cwd(), file)}`);
console.log(`total ${process.uptime().toFixed(1)} s, startup included`);

/** The training loss per step, the validation loss at its evaluations, and the unigram entropy as a rule. */
function lossCurveSpec({ train, valid }, entropy) {
  const x = { field: 'step', type: 'quantitative', title: 'step' };
  const y = { field: 'loss', type: 'quantitative', title: 'nats per character' };
  const color = { field: 'curve', type: 'nominal', title: null };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'char-lm on Coriolanus and Richard III: cross-entropy (nats per character)',
    width: 520,
    height: 300,
    layer: [
      { data: { values: train.map((r) => ({ ...r, curve: 'train (one batch)' })) }, mark: { type: 'line', opacity: 0.6 }, encoding: { x, y, color } },
      { data: { values: valid.map((r) => ({ ...r, curve: 'validation' })) }, mark: { type: 'line', point: true }, encoding: { x, y, color } },
      {
        data: { values: [{ entropy, label: `unigram entropy ${entropy.toFixed(2)}` }] },
        layer: [
          { mark: { type: 'rule', strokeDash: [4, 4] }, encoding: { y: { field: 'entropy', type: 'quantitative' } } },
          { mark: { type: 'text', align: 'right', dy: -6, x: 'width' }, encoding: { y: { field: 'entropy', type: 'quantitative' }, text: { field: 'label' } } },
        ],
      },
    ],
  };
}
