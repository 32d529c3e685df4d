// The examples on tiny budgets, so that they cannot silently break. The digits demo (examples/digits):
// its data loading and split, and each of its experiments (model, optimizer, compiled step) for two
// steps; the char-lm and lora scripts, run as a user runs them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import * as mx from 'mlx-ts';

// A computed specifier: the examples are plain JS modules without type declarations.
const example = (file: string) => import(fileURLToPath(new URL(`../examples/digits/${file}`, import.meta.url)));
const { loadDigits, splitDigits } = await example('data.mjs');
const { fit } = await example('fit.mjs');
const experiments: { name: string; batchSize: number }[] = (await example('models.mjs')).experiments;
const { epochLine } = await example('progress.mjs');

describe('examples/digits', () => {
  const digits = loadDigits();
  const data = splitDigits(digits, mx.random.key(0));

  test('loads the 1797 digits and splits them 80/20 by a key', () => {
    expect(digits.x.shape).toEqual([1797, 64]);
    expect(mx.max(digits.x).item()).toBe(1);
    expect([...new Set(digits.y.tolist() as number[])].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(data.xTrain.shape).toEqual([1438, 64]);
    expect(data.yTest.shape).toEqual([359]);
    expect(splitDigits(digits, mx.random.key(0)).yTest.tolist()).toEqual(data.yTest.tolist());
    expect(splitDigits(digits, mx.random.key(1)).yTest.tolist()).not.toEqual(data.yTest.tolist());
  });

  test.each(experiments)('$name trains for two steps, the same on every run', (experiment) => {
    // Two full batches of the experiment's size: one epoch is two compiled steps.
    const rows = 2 * experiment.batchSize;
    const tiny = { ...data, xTrain: data.xTrain.index(`:${rows}`), yTrain: data.yTrain.index(`:${rows}`) };
    const run = () => {
      const steps: number[] = [];
      const { history } = fit(experiment, tiny, { epochs: 1, onStep: (s: { loss: number }) => steps.push(s.loss) });
      return { steps, history };
    };
    const a = run();
    expect(a.steps).toHaveLength(2);
    expect(a.history).toHaveLength(1);
    const [r] = a.history;
    expect(Number.isFinite(r.trainLoss) && Number.isFinite(r.testLoss)).toBe(true);
    expect(r.testAccuracy).toBeGreaterThanOrEqual(0);
    expect(r.testAccuracy).toBeLessThanOrEqual(1);
    expect(epochLine(experiment.name, 1, r)).toMatch(
      new RegExp(`^${experiment.name} epoch 1/1  train loss \\d+\\.\\d{4}  test loss \\d+\\.\\d{4}  test accuracy \\d+\\.\\d%  \\d+ samples/s$`),
    );
    const b = run();
    expect(b.steps).toEqual(a.steps);
    expect(b.history[0].testLoss).toBe(r.testLoss);
  });
});

// The char-lm and LoRA scripts end to end, as a user runs them, on a model small enough to train in
// seconds: the files they write, the losses they report, and that two runs print the same.
describe('examples/char-lm and examples/lora', () => {
  const script = (name: string) => fileURLToPath(new URL(`../examples/${name}/train.mjs`, import.meta.url));
  const run = (name: string, args: string[]) => execFileSync(process.execPath, [script(name), ...args], { encoding: 'utf8' });
  const json = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
  const dir = mkdtempSync(join(tmpdir(), 'mlx-ts-char-lm-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const tiny = ['--steps', '30', '--layers', '1', '--dims', '32', '--heads', '2', '--context', '32', '--batch', '8', '--warmup', '5'];
  const charLm = (out: string) => run('char-lm', [...tiny, '--evals', '1', '--sample-tokens', '40', '--out', out]);

  test('char-lm trains, samples, and saves its weights, config and loss curve, the same on every run', () => {
    const stdout = charLm(join(dir, 'a'));
    expect(stdout).toMatch(/--- sample before training .* tokens\/s with the KV cache\) ---\nKING RICHARD III:\n/);
    expect(stdout).toMatch(/validation loss \d\.\d{3} -> \d\.\d{3} nats\/char; unigram entropy of the validation text 3\.\d{3} nats\/char/);
    const s = json(join(dir, 'a', 'summary.json'));
    expect(s.validLoss).toBeLessThan(s.validLossBefore - 0.5);
    expect(s.lastTrainLoss).toBeLessThan(s.firstTrainLoss);
    expect(s.sampleAfter).toHaveLength('KING RICHARD III:\n'.length + 40);
    const config = json(join(dir, 'a', 'config.json'));
    expect(config.model).toEqual({ vocabSize: 63, dims: 32, layers: 1, heads: 2, mlpDims: 128, context: 32 });
    expect(config.vocabulary).toHaveLength(63);
    expect(readFileSync(join(dir, 'a', 'loss.svg'), 'utf8')).toMatch(/^<svg/);
    const names = mx.nn.loadSafetensors(join(dir, 'a', 'model.safetensors')).map(([k]) => k);
    expect(names).toContain('layers.0.attention.query_proj.weight');
    expect(names).toHaveLength(11);

    charLm(join(dir, 'b'));
    const t = json(join(dir, 'b', 'summary.json'));
    expect(t.history).toEqual(s.history);
    expect([t.sampleBefore, t.sampleAfter]).toEqual([s.sampleBefore, s.sampleAfter]);
  });

  test('lora fine-tunes adapters only, lowers the held-out loss, and its saved, reloaded and fused adapters agree', () => {
    const out = join(dir, 'lora');
    const stdout = run('lora', ['--model', join(dir, 'a'), '--steps', '30', '--batch', '8', '--warmup', '5', '--sample-tokens', '20', '--out', out]);
    expect(stdout).toMatch(/held-out loss \d\.\d{3} -> \d\.\d{3} nats\/char/);
    const s = json(join(out, 'summary.json'));
    expect(s.lossAfter).toBeLessThan(s.lossBefore);
    // rank 4 on the query and value projections (32 x 32) of the one block: 2 x 4 x (32 + 32)
    expect(s.trainable).toBe(512);
    expect(s.lossReloaded).toBe(s.lossAfter);
    expect(Math.abs(s.lossFused - s.lossAfter)).toBeLessThan(1e-5);
    const adapters = mx.nn.loadSafetensors(join(out, 'adapters.safetensors'));
    expect(adapters.map(([k, v]) => [k, v.shape]).sort()).toEqual([
      ['layers.0.attention.queryProj.loraA', [32, 4]],
      ['layers.0.attention.queryProj.loraB', [4, 32]],
      ['layers.0.attention.valueProj.loraA', [32, 4]],
      ['layers.0.attention.valueProj.loraB', [4, 32]],
    ]);
    expect(json(join(out, 'adapter_config.json'))).toMatchObject({ rank: 4, alpha: 8, scale: 2, targets: ['queryProj', 'valueProj'] });
  });

  test('lora --quantize fine-tunes adapters on a 4-bit base (QLoRA) and fuses them into a dense model', () => {
    const out = join(dir, 'qlora');
    run('lora', ['--model', join(dir, 'a'), '--quantize', '--steps', '30', '--batch', '8', '--warmup', '5', '--sample-tokens', '5', '--out', out]);
    const s = json(join(out, 'summary.json'));
    expect(s.lossAfter).toBeLessThan(s.lossBefore);
    expect(s.lossReloaded).toBe(s.lossAfter);
    // The fused layer is the dequantized base plus the update: the same function up to float32 rounding.
    expect(Math.abs(s.lossFused - s.lossAfter)).toBeLessThan(1e-3);
  });
});

describe('examples/char-lm model', async () => {
  const { CharLM, sample } = await import(fileURLToPath(new URL('../examples/char-lm/model.mjs', import.meta.url)));
  const close = (a: mx.Array, b: mx.Array) => mx.max(mx.abs(mx.subtract(a, b))).item() as number;
  mx.random.seed(3);
  const model = new CharLM({ vocabSize: 11, dims: 16, layers: 2, heads: 2, mlpDims: 32, context: 4 });
  const tokens = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3];

  test('one cached step per token gives the full forward pass; the cache keeps context - 1 positions', () => {
    const caches = model.makeCaches();
    const prefill = model.forward(mx.array([tokens.slice(0, 3)], mx.int32), caches);
    const full = model.forward(mx.array([tokens.slice(0, 4)], mx.int32));
    expect(close(prefill, full.index(':', ':3'))).toBeLessThan(1e-5);
    expect(close(model.forward(mx.array([[tokens[3]!]], mx.int32), caches).index(0, 0), full.index(0, 3))).toBeLessThan(1e-5);
    for (let t = 4; t < tokens.length; t++) model.forward(mx.array([[tokens[t]!]], mx.int32), caches);
    expect(caches[0].keys.shape[2]).toBe(3);
    expect(caches[0].offset).toBe(tokens.length);
  });

  test('past the context, a cached step attends to the last context positions', () => {
    // One block: its keys depend on the tokens alone, so the windowed step is what the model gives on the
    // window by itself (with more blocks the cached keys carry what earlier positions saw).
    const one = new CharLM({ vocabSize: 11, dims: 16, layers: 1, heads: 2, mlpDims: 32, context: 4 });
    const caches = one.makeCaches();
    one.forward(mx.array([tokens.slice(0, 4)], mx.int32), caches);
    for (let t = 4; t < tokens.length; t++) {
      const step = one.forward(mx.array([[tokens[t]!]], mx.int32), caches).index(0, 0);
      const window = one.forward(mx.array([tokens.slice(t - 3, t + 1)], mx.int32)).index(0, -1);
      expect(close(step, window)).toBeLessThan(1e-5);
    }
  });

  test('sampling: greedy at temperature 0, the nucleus keeps the likeliest tokens', () => {
    const logits = mx.array([0, 3, 1, 2.5]);
    expect(sample(logits, { temperature: 0 }).item()).toBe(1);
    const keys = mx.random.split(mx.random.key(1), 50);
    const draws = (topP: number) => new Set(Array.from({ length: 50 }, (_, i) => sample(logits, { topP, key: keys.index(i) }).item()));
    expect([...draws(0.01)]).toEqual([1]);
    expect([...draws(0.8)].sort()).toEqual([1, 3]); // p = 0.50, 0.30, 0.11, 0.04
    expect(draws(1).size).toBeGreaterThan(2);
  });
});
