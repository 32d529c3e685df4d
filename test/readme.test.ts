/** The README's training example, as a user would write it (typed, strict): it must compile and train. */
import { expect, it } from 'vitest';
import * as mx from 'mlx-ts';

const { nn, optimizers } = mx;

class MLP extends nn.Module {
  layers = [new nn.Linear(64, 128), new nn.Linear(128, 10)];
  override forward(x: mx.Array): mx.Array {
    return this.layers[1]!.forward(nn.relu(this.layers[0]!.forward(x)));
  }
}

it("the README's model and optimizer example trains", () => {
  const model = new MLP();
  const optimizer = new optimizers.Adam(1e-3);
  const lossFn = (m: MLP, x: mx.Array, y: mx.Array) => nn.losses.crossEntropy(m.forward(x), y, { reduction: 'mean' });
  const lossAndGrad = nn.valueAndGrad(model, lossFn);
  const step = mx.compile(
    (x: mx.Array, y: mx.Array) => {
      const [loss, grads] = lossAndGrad(model, x, y);
      optimizer.update(model, grads);
      return loss;
    },
    { inputs: [model, optimizer.state], outputs: [model, optimizer.state] },
  );
  const x = mx.random.normal([32, 64], mx.float32, 0, 1, mx.random.key(0));
  const y = mx.random.randint(0, 10, [32], mx.int32, mx.random.key(1));
  const losses: number[] = [];
  for (let i = 0; i < 20; i++) {
    const loss = step(x, y);
    mx.eval(model, optimizer.state);
    losses.push(loss.item());
  }
  expect(losses[19]!).toBeLessThan(losses[0]! * 0.5);
});
