#!/usr/bin/env node
// Memory soak: `pnpm soak [--steps=10000] [--compile]` trains an nn MLP with Adam for `steps` steps,
// never calling dispose, and samples RSS. It fails (exit 1) if RSS at the end of the second half
// exceeds RSS at its start by more than 10%: arrays a training loop drops must be freed for the user.
import * as mx from 'mlx-ts';
import { SingleBar, Presets } from 'cli-progress';

const { nn, optimizers } = mx;
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const m = /^--(steps|compile)(?:=(\d+))?$/.exec(a);
    if (!m) {
      console.error(`soak: unexpected argument ${a}; expected --steps=N or --compile`);
      process.exit(2);
    }
    return [m[1], m[2] === undefined ? true : Number(m[2])];
  }),
);
const steps = args.steps ?? 10000;
const LIMIT = 1.1;

class Mlp extends nn.Module {
  constructor() {
    super();
    this.layers = [new nn.Linear(64, 128), new nn.Linear(128, 10)];
  }
  forward(x) {
    return this.layers[1].forward(nn.relu(this.layers[0].forward(x)));
  }
}

const key = mx.random.key(0);
const [kx, ky] = mx.random.split(key);
const x = mx.random.normal([128, 64], mx.float32, { key: kx });
const y = mx.random.randint(0, 10, [128], mx.int32, { key: ky });
const model = new Mlp();
const optimizer = new optimizers.Adam(1e-3);
const lossAndGrad = nn.valueAndGrad(model, (xb, yb) => nn.losses.crossEntropy(model.forward(xb), yb, { reduction: 'mean' }));
const plain = (xb, yb) => {
  const [loss, grads] = lossAndGrad(xb, yb);
  optimizer.update(model, grads);
  return loss;
};
const state = [model.state, optimizer.state];
const step = args.compile ? mx.compile(plain, { inputs: state, outputs: state }) : plain;

const rssMiB = () => process.memoryUsage().rss / 2 ** 20;
// A single RSS sample moves with GC timing; the peak of the samples around a point is steadier.
const window = Math.max(1, Math.floor(steps / 100));
const peaks = new Map();
const half = Math.floor(steps / 2);
const bar = new SingleBar({ format: 'soak [{bar}] {value}/{total} steps | RSS {rss} MiB | loss {loss}', hideCursor: true }, Presets.shades_classic);
bar.start(steps, 0, { rss: rssMiB().toFixed(0), loss: '-' });
let loss = 0;
for (let i = 1; i <= steps; i++) {
  const l = step(x, y);
  mx.eval(l, model.parameters(), optimizer.state);
  if (i % window === 0) {
    const r = rssMiB();
    const bucket = i <= half + window * 5 && i > half - window * 5 ? 'start' : i > steps - window * 10 ? 'end' : null;
    if (bucket) peaks.set(bucket, Math.max(peaks.get(bucket) ?? 0, r));
    loss = l.item();
    bar.update(i, { rss: r.toFixed(0), loss: loss.toFixed(4) });
  }
}
bar.stop();
const start = peaks.get('start');
const end = peaks.get('end');
const ratio = end / start;
console.log(`soak: ${steps} steps${args.compile ? ' (compiled)' : ''}, final loss ${loss.toFixed(4)}`);
console.log(`soak: RSS around step ${half} ${start.toFixed(1)} MiB, over the last tenth ${end.toFixed(1)} MiB: x${ratio.toFixed(3)} (limit x${LIMIT})`);
console.log(ratio <= LIMIT ? 'soak: PASS' : 'soak: FAIL');
process.exit(ratio <= LIMIT ? 0 : 1);
