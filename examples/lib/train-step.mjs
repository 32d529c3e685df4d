// The examples' training step, the MLX way: nn.valueAndGrad for the loss and gradients, the
// optimizer's update, one compiled step whose state (the model, the optimizer's state and the global
// random key) is read and written through compile's `inputs`/`outputs`, and one mx.eval per step.
import * as mx from 'mlx-ts';

const { nn } = mx;

/** Mean cross-entropy of logits against integer targets over the last axis (classes, or a vocabulary per position). */
export const meanCrossEntropy = (logits, y) => mx.mean(nn.losses.crossEntropy(logits, y));

/**
 * One training step `(x, y) => loss` on the mean cross-entropy of `model.forward(x)`: the gradients of
 * the trainable parameters, then the optimizer's update of the model. Compiled unless `compile` is
 * false (bench/ times both).
 */
export function trainStep(model, optimizer, { compile = true } = {}) {
  const lossAndGrad = nn.valueAndGrad(model, (x, y) => meanCrossEntropy(model.forward(x), y));
  const step = (x, y) => {
    const [loss, grads] = lossAndGrad(x, y);
    optimizer.update(model, grads);
    return loss;
  };
  if (!compile) return step;
  // The global key is state too: layers that draw (Dropout) take a new key each step.
  const state = [model, optimizer.state, mx.random.state];
  return mx.compile(step, { inputs: state, outputs: state });
}
