// One process of bench/distributed.mjs's mx.distributed.allSum row: the same sizes, warm-up and
// iteration counts as native/allreduce.c; prints `bytes seconds_per_call` on rank 0.
import * as mx from 'mlx-ts';

const group = mx.distributed.init({ strict: true });
for (let bytes = 1024; bytes <= 256 * 2 ** 20; bytes *= 4) {
  // A dense array (mx.ones alone is a broadcast scalar, which is copied before sending).
  const x = mx.add(mx.zeros([bytes / 4]), mx.arange(bytes / 4, mx.float32));
  mx.eval(x);
  const iters = Math.max(10, Math.min(200, Math.floor(2 ** 26 / bytes)));
  // Five warm-up calls, as native/allreduce.c makes (nccl-tests' default): the first calls at a size
  // take fresh blocks (huge pages from 2 MB, zeroed by the kernel on first touch). Each block goes
  // back to the cache at once, as C's output buffer is reused by the next call.
  for (let w = 0; w < 5; w++) {
    const warm = mx.distributed.allSum(x);
    mx.eval(warm);
    warm.dispose();
  }
  mx.eval(mx.distributed.allSum(mx.zeros([1]))); // a barrier
  const t0 = performance.now();
  for (let i = 0; i < iters; i++) {
    const y = mx.distributed.allSum(x);
    mx.eval(y);
    // Freed now, so its block is reused as C reuses its buffer (else each call takes fresh pages until GC).
    y.dispose();
  }
  const t = (performance.now() - t0) / 1000 / iters;
  if (group.rank() === 0) console.log(`${bytes} ${t.toFixed(9)}`);
}
