// Batch-1 decoding's product (issue 11's target): x [1, 4096] times a [4096, 4096] weight, as
// mx.quantizedMatmul from 4-bit (and 8-bit) packed weights against mx.matmul with the float32 and
// float16 weight. At batch 1 the product is memory-bound, so the packed weight's size sets the time:
// the target is 4-bit at least 3x faster than float32. Median of `--runs` timed runs after warm-up.
// `node bench/quantized-matvec.mjs [--n 4096] [--runs 50]`
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? dflt : Number(args[i + 1]);
};
const n = opt('n', 4096);
const runs = opt('runs', 50);
const mx = await import('mlx-ts');

const w = mx.random.normal([n, n], { key: mx.random.key(1) });
const x = mx.random.normal([1, n], { key: mx.random.key(2) });
// The dense products read a contiguous [n, n] matrix, as the packed one is read: same bytes per element.
const x16 = mx.astype(x, mx.float16);
const w16 = mx.astype(w, mx.float16);
mx.eval(w, x, x16, w16);

function median(f) {
  for (let i = 0; i < 5; i++) f();
  const t = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    f();
    t.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  t.sort((a, b) => a - b);
  return t[t.length >> 1];
}

const rows = [];
const f32 = median(() => mx.eval(mx.matmul(x, w)));
rows.push(['float32 mx.matmul', f32]);
rows.push(['float16 mx.matmul', median(() => mx.eval(mx.matmul(x16, w16)))]);
for (const bits of [8, 4]) {
  const [wq, s, b] = mx.quantize(w, 64, bits);
  mx.eval(wq, s, b);
  rows.push([`${bits}-bit quantizedMatmul (float32 x)`, median(() => mx.eval(mx.quantizedMatmul(x, wq, s, b, true, 64, bits)))]);
}
console.log(`x [1, ${n}] @ W [${n}, ${n}]^T, median of ${runs} runs`);
for (const [label, ms] of rows) console.log(`${label.padEnd(36)} ${ms.toFixed(3).padStart(8)} ms   ${(f32 / ms).toFixed(2)}x float32`);
