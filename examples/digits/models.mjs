// The two models of the digits demo and how each is trained.
import * as mx from 'mlx-ts';

const { nn, optimizers } = mx;

/**
 * 64 pixels, standardized with the training set's per-pixel mean and deviation (frozen parameters, so
 * saved weights carry them), -> 128 -> 128 -> 10 logits, ReLU and dropout between the layers.
 */
export class MLP extends nn.Module {
  layers = [new nn.Linear(64, 128), new nn.Linear(128, 128), new nn.Linear(128, 10)];
  dropout = new nn.Dropout(0.2);

  constructor(xTrain) {
    super();
    this.mean = mx.mean(xTrain, 0);
    // The corner pixels are almost always 0: the offset keeps their scale bounded.
    this.std = mx.add(mx.std(xTrain, 0), 0.1);
    this.freeze({ keys: ['mean', 'std'], recurse: false });
  }

  forward(x) {
    x = mx.divide(mx.subtract(x, this.mean), this.std);
    for (const layer of this.layers.slice(0, -1)) x = this.dropout.forward(nn.relu(layer.forward(x)));
    return this.layers.at(-1).forward(x);
  }
}

/**
 * The 8x8 image channels last ([N, 8, 8, 1], MLX's layout): two 3x3 convolutions with ReLU (padding 1
 * keeps the size), 2x2 max pooling (8x8 -> 4x4), then a linear layer on the 4 * 4 * 32 features.
 * Pooling once keeps more of so small an image than pooling after each convolution.
 */
export class CNN extends nn.Module {
  conv1 = new nn.Conv2d(1, 16, 3, { padding: 1 });
  conv2 = new nn.Conv2d(16, 32, 3, { padding: 1 });
  pool = new nn.MaxPool2d(2);
  head = new nn.Linear(4 * 4 * 32, 10);

  forward(x) {
    let h = mx.reshape(x, [-1, 8, 8, 1]);
    h = nn.relu(this.conv1.forward(h));
    h = this.pool.forward(nn.relu(this.conv2.forward(h)));
    return this.head.forward(mx.reshape(h, [h.shape[0], -1]));
  }
}

/**
 * What train.mjs runs: each model with its optimizer. `model(xTrain)` builds the model, `optimizer(steps)`
 * its optimizer for `steps` updates in all (the learning rate follows a cosine decay over them).
 * `seed` seeds the global key before the model is built (layers draw their initial weights and dropout
 * masks from it, as in MLX) and keys the batch order.
 */
export const experiments = [
  {
    name: 'MLP',
    seed: 1,
    epochs: 30,
    batchSize: 32,
    model: (xTrain) => new MLP(xTrain),
    optimizer: (steps) => new optimizers.SGD(optimizers.cosineDecay(0.05, steps), { momentum: 0.9 }),
  },
  {
    name: 'CNN',
    seed: 2,
    epochs: 30,
    batchSize: 32,
    model: () => new CNN(),
    optimizer: (steps) => new optimizers.Adam(optimizers.cosineDecay(2e-3, steps)),
  },
];
