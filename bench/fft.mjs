// mx.fft against NumPy's np.fft (issue 17): a 1-D complex transform of 2^20 points and a 2-D one of
// 1024 x 1024, complex64 in mlx-ts, complex64 in NumPy (which computes in complex128 before 2.0).
// Both run in this process's turn, alternately, and each keeps its best of `--runs` timed runs, so a
// loaded machine's swings hit both; the ratio is NumPy's time over mlx-ts's.
// `node bench/fft.mjs [--runs 7]` (NumPy from /usr/bin/python3 or $PYTHON).
import { execFileSync } from 'node:child_process';

const args = process.argv.slice(2);
const i = args.indexOf('--runs');
const runs = i < 0 ? 7 : Number(args[i + 1]);
const mx = await import('mlx-ts');

const signal = (n) => {
  const re = new Float32Array(n).map((_, k) => Math.sin(k));
  const im = new Float32Array(n).map((_, k) => Math.cos(0.3 * k));
  return mx.add(mx.astype(mx.array(re), mx.complex64), mx.multiply(mx.astype(mx.array(im), mx.complex64), { re: 0, im: 1 }));
};
const a = signal(1 << 20);
const b = mx.reshape(signal(1 << 20), [1024, 1024]);
mx.eval(a, b);
const rows = [
  ['fft 2^20 complex64', () => mx.fft.fft(a), 'np.fft.fft(a)'],
  ['fft2 1024x1024 complex64', () => mx.fft.fft2(b), 'np.fft.fft2(b)'],
];
const best = (f) => {
  let t = Infinity;
  for (let r = 0; r < runs; r++) {
    const s = performance.now();
    const y = f();
    mx.eval(y);
    t = Math.min(t, performance.now() - s);
    y.dispose();
  }
  return t;
};
const numpy = (expr) =>
  Number(
    execFileSync(process.env.PYTHON ?? '/usr/bin/python3', [
      '-c',
      `import numpy as np, time
k = np.arange(1 << 20)
a = (np.sin(k) + 1j * np.cos(0.3 * k)).astype(np.complex64); b = a.reshape(1024, 1024)
${expr}
t = 1e9
for _ in range(${runs}):
    s = time.perf_counter(); ${expr}; t = min(t, time.perf_counter() - s)
print(t * 1e3)`,
    ]).toString(),
  );
for (const [label, f, expr] of rows) {
  mx.eval(f());
  const ours = best(f);
  const theirs = numpy(expr);
  console.log(
    `${label.padEnd(28)} mlx-ts ${ours.toFixed(1).padStart(7)} ms   numpy ${theirs.toFixed(1).padStart(7)} ms   numpy/mlx-ts ${(theirs / ours).toFixed(2)}`,
  );
}
