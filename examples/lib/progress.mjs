// Progress on a terminal: a cli-progress bar. The examples draw it only when stdout is a terminal and
// print plain lines otherwise (CI logs, pipes), so logs stay readable.
import cliProgress from 'cli-progress';

/** A cli-progress bar on stdout with `format` (cli-progress placeholders such as {bar}, {percentage} and the payload's names). */
export const progressBar = (format) =>
  new cliProgress.SingleBar({ stream: process.stdout, format, hideCursor: true, fps: 20 }, cliProgress.Presets.shades_classic);

/** Whether progress bars are drawn: stdout is a terminal. */
export const isTTY = () => Boolean(process.stdout.isTTY);

/**
 * Progress of `steps` training steps named `name`: `update(step, { loss, tokensPerSecond })` after each
 * step, `stop()` at the end. A bar on a terminal; otherwise a line at every tenth of the steps.
 */
export function stepProgress(name, steps, { tty = isTTY() } = {}) {
  const line = (step, { loss, tokensPerSecond }) =>
    `${name} step ${String(step).padStart(String(steps).length)}/${steps}  loss ${loss.toFixed(4)}  ${Math.round(tokensPerSecond)} tokens/s`;
  if (!tty) {
    const every = Math.max(1, Math.round(steps / 10));
    return {
      update(step, info) {
        if (step % every === 0 || step === steps) console.log(line(step, info));
      },
      stop() {},
    };
  }
  const bar = progressBar(`${name} {bar} {percentage}% | step {value}/{total} | loss {loss} | {rate} tokens/s | {duration_formatted}`);
  bar.start(steps, 0, { loss: '-', rate: '-' });
  let last = null;
  return {
    update(step, info) {
      last = [step, info];
      bar.update(step, { loss: info.loss.toFixed(4), rate: Math.round(info.tokensPerSecond) });
    },
    stop() {
      bar.stop();
      if (last) console.log(line(...last));
    },
  };
}
