// Training progress: a cli-progress bar with the loss and throughput on a terminal; when stdout is
// not a TTY (CI logs, pipes) one plain line per epoch instead (examples/lib/progress.mjs).
import { isTTY, progressBar } from '../lib/progress.mjs';

const pct = (v) => `${(v * 100).toFixed(1)}%`;

/** One epoch's record as a line: `MLP epoch  3/30  train loss 0.1234  test loss ...`. */
export function epochLine(name, epochs, r) {
  const width = String(epochs).length;
  return `${name} epoch ${String(r.epoch).padStart(width)}/${epochs}  train loss ${r.trainLoss.toFixed(4)}  test loss ${r.testLoss.toFixed(4)}  test accuracy ${pct(r.testAccuracy)}  ${Math.round(r.samplesPerSecond)} samples/s`;
}

/**
 * `onStep`/`onEpoch` callbacks for fit() and `stop()`, for the experiment `name` over `epochs` epochs.
 * The bar is drawn on stdout only when it is a terminal (`tty`).
 */
export function progress(name, epochs, { tty = isTTY() } = {}) {
  if (!tty) {
    return { onStep() {}, onEpoch: (r) => console.log(epochLine(name, epochs, r)), stop() {} };
  }
  const bar = progressBar(
    `${name} {bar} {percentage}% | epoch {epoch}/${epochs} | loss {loss} | test accuracy {accuracy} | {rate} samples/s | {duration_formatted}`,
  );
  const t0 = performance.now();
  let done = 0; // samples of the finished epochs
  let last = null;
  return {
    onStep({ epoch, step, steps, loss, samples }) {
      if (epoch === 1 && step === 1) bar.start(epochs * steps, 0, { epoch, loss: '-', accuracy: '-', rate: '-' });
      const rate = Math.round((done + samples) / ((performance.now() - t0) / 1000));
      bar.update((epoch - 1) * steps + step, { epoch, loss: loss.toFixed(4), rate });
      if (step === steps) done += samples;
    },
    onEpoch(r) {
      last = r;
      bar.update({ accuracy: pct(r.testAccuracy) });
    },
    stop() {
      bar.stop();
      if (last) console.log(epochLine(name, epochs, last));
    },
  };
}
