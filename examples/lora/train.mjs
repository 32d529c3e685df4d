// LoRA fine-tuning of the char-lm model (examples/char-lm: run it first) on a play it has not seen,
// The Taming of the Shrew: the base model is loaded from its safetensors and JSON config and frozen,
// low-rank adapters are added to the attention's query and value projections, and only they are
// trained (AdamW, compiled step) on the play's first 90%. Prints the held-out last 10%'s loss before
// and after and the trainable fraction of the parameters, saves only the adapters (adapters.safetensors
// and adapter_config.json in --out), reloads them into a fresh copy of the base model, and fuses them
// into the base weights (checking that the fused model's loss is the adapted one's). --quantize
// quantizes the base to 4 bits first (QLoRA).
//
//   node examples/lora/train.mjs                   # after node examples/char-lm/train.mjs
//   node examples/lora/train.mjs --rank 16 --steps 1000 --quantize
//   node examples/lora/train.mjs --help
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as mx from 'mlx-ts';
import { parseFlags } from '../lib/args.mjs';
import { stepProgress } from '../lib/progress.mjs';
import { trainStep } from '../lib/train-step.mjs';
import { allWindows, codec, randomWindows, readText, splitTail, TEXTS } from '../char-lm/data.mjs';
import { CharLM, evaluate, generate } from '../char-lm/model.mjs';
import { adapterWeights, applyLoRA, fuseLoRA, loadAdapters } from './lora.mjs';

const { nn, optimizers, utils } = mx;

const flags = parseFlags('node examples/lora/train.mjs [flags]: LoRA fine-tuning of the char-lm model on The Taming of the Shrew', {
  model: [fileURLToPath(new URL('../char-lm/out', import.meta.url)), 'directory of the char-lm model (model.safetensors, config.json)'],
  targets: ['queryProj,valueProj', 'the attention projections to adapt, comma-separated (of queryProj, keyProj, valueProj, outProj)'],
  rank: [4, 'rank of the adapters'],
  alpha: [8, 'LoRA alpha: the update is scaled by alpha / rank'],
  dropout: [0.05, 'dropout on the input of the adapters'],
  steps: [200, 'training steps'],
  batch: [32, 'windows per step'],
  lr: [2e-3, 'peak learning rate'],
  warmup: [20, 'linear warm-up steps'],
  quantize: [false, 'quantize the base model to 4 bits (groups of 32) first: QLoRA'],
  sampleTokens: [200, 'characters to generate after fine-tuning'],
  prompt: ['PETRUCHIO:\\n', 'prompt for the sample (\\n is a newline)'],
  seed: [0, 'seeds the adapters, dropout, the batches and the sample'],
  out: [fileURLToPath(new URL('./out', import.meta.url)), 'output directory for the adapters'],
});
const modelDir = resolve(flags.model);
const outDir = resolve(flags.out);

/** The base model as char-lm saved it, quantized with --quantize. */
function loadBase() {
  if (!existsSync(join(modelDir, 'config.json')))
    throw new Error(`no char-lm model in ${modelDir} (config.json is missing): run node examples/char-lm/train.mjs first, or pass --model DIR`);
  const saved = JSON.parse(readFileSync(join(modelDir, 'config.json'), 'utf8'));
  const model = new CharLM(saved.model);
  model.loadWeights(join(modelDir, 'model.safetensors'));
  if (flags.quantize) {
    // Groups of 32, not MLX's default 64: the toy model's width (96 by default) is a multiple of 32 only.
    nn.quantize(model, 32, 4);
  }
  mx.eval(model.parameters());
  return { model, saved };
}

const targets = flags.targets.split(',').map((t) => t.trim());
const attentionPaths = (model) => model.layers.flatMap((_, i) => targets.map((t) => `layers.${i}.attention.${t}`));
const loraOptions = { rank: flags.rank, dropout: flags.dropout, scale: flags.alpha / flags.rank };
/** A base model with fresh adapters (seeded, so every call draws the same ones). */
function adaptedBase() {
  const { model, saved } = loadBase();
  mx.random.seed(flags.seed);
  applyLoRA(model, attentionPaths(model), loraOptions);
  return { model, saved };
}

const { model, saved } = adaptedBase();
const { context } = saved.model;
const { encode, decode } = codec([...saved.vocabulary]);
const [trainTokens, heldOutTokens] = splitTail(encode(readText(TEXTS.shrew)), 0.1);
const heldOut = allWindows(heldOutTokens, context);

const count = (tree) => utils.treeFlatten(tree).reduce((n, [, p]) => n + p.size, 0);
const [trainable, total] = [count(model.trainableParameters()), count(model.parameters())];
console.log(
  `mlx-ts LoRA on ${relative(process.cwd(), modelDir)}${flags.quantize ? ' (base quantized to 4 bits)' : ''}: rank ${flags.rank}, alpha ${flags.alpha}, ` +
    `dropout ${flags.dropout} on ${targets.join(', ')} of ${model.layers.length} blocks; ` +
    `${trainable} trainable of ${total} parameters (${((100 * trainable) / total).toFixed(2)}%)`,
);
const lossBefore = evaluate(model, heldOut);
console.log(
  `The Taming of the Shrew: ${trainTokens.shape[0]} training and ${heldOutTokens.shape[0]} held-out characters; held-out loss before ${lossBefore.toFixed(3)} nats/char`,
);

const warmup = Math.min(flags.warmup, flags.steps);
const schedule = optimizers.joinSchedules(
  [optimizers.linearSchedule(0, flags.lr, warmup), optimizers.cosineDecay(flags.lr, Math.max(1, flags.steps - warmup), flags.lr / 10)],
  [warmup],
);
const optimizer = new optimizers.AdamW({ learningRate: schedule, weightDecay: 0 });
const step = trainStep(model, optimizer);
const batchKeys = mx.random.split(mx.random.key(flags.seed + 2), flags.steps);
const bar = stepProgress('lora', flags.steps);
let seconds = 0;
let firstLoss = null;
for (let i = 1; i <= flags.steps; i++) {
  const t0 = performance.now();
  const [x, y] = randomWindows(trainTokens, flags.batch, context, batchKeys.index(i - 1));
  const loss = step(x, y);
  mx.eval(loss, model.parameters(), optimizer.state);
  seconds += (performance.now() - t0) / 1000;
  firstLoss ??= loss.item();
  bar.update(i, { loss: loss.item(), tokensPerSecond: (i * flags.batch * context) / seconds });
}
bar.stop();
const lossAfter = evaluate(model, heldOut);
console.log(`fine-tuned ${flags.steps} steps in ${seconds.toFixed(1)} s; held-out loss ${lossBefore.toFixed(3)} -> ${lossAfter.toFixed(3)} nats/char`);

const { tokens } = generate(model, Array.from(encode(flags.prompt.replaceAll('\\n', '\n')).tolist()), {
  maxTokens: flags.sampleTokens,
  temperature: 0.8,
  topP: 0.95,
  key: mx.random.key(flags.seed + 1),
});
console.log(`\n--- sample after fine-tuning ---\n${flags.prompt.replaceAll('\\n', '\n')}${decode(tokens)}\n---\n`);

const files = { adapters: join(outDir, 'adapters.safetensors'), config: join(outDir, 'adapter_config.json'), summary: join(outDir, 'summary.json') };
mkdirSync(outDir, { recursive: true });
nn.saveSafetensors(files.adapters, adapterWeights(model));
writeFileSync(files.config, JSON.stringify({ model: modelDir, targets, ...loraOptions, alpha: flags.alpha, quantize: flags.quantize }, null, 2) + '\n');

// The adapters alone, into a freshly loaded base: the same held-out loss.
const reloaded = adaptedBase().model;
loadAdapters(reloaded, files.adapters);
const lossReloaded = evaluate(reloaded, heldOut);
// Fused into the base weights: plain linear layers, the same function.
const lossFused = evaluate(fuseLoRA(reloaded), heldOut);
const kib = (file) => (statSync(file).size / 1024).toFixed(1);
console.log(
  `adapters: ${relative(process.cwd(), files.adapters)} (${kib(files.adapters)} KiB; the base model is ${kib(join(modelDir, 'model.safetensors'))} KiB); ` +
    `reloaded: held-out loss ${lossReloaded.toFixed(4)}; fused into the base weights: ${lossFused.toFixed(4)}`,
);
writeFileSync(
  files.summary,
  JSON.stringify({ trainable, total, lossBefore, lossAfter, lossReloaded, lossFused, firstTrainLoss: firstLoss, seconds }, null, 2) + '\n',
);
console.log(`total ${process.uptime().toFixed(1)} s, startup included`);
