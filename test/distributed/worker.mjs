// One MPI process of test/distributed.test.ts: `mpirun -np N node worker.mjs <scenario>`. Each
// process checks its own results against values it computes alone (it can compute every rank's
// input) and throws on a mismatch; it prints `ok <scenario> <rank>` when everything held.
import * as mx from 'mlx-ts';

const scenario = process.argv[2];
const world = mx.distributed.init({ strict: true });
const rank = world.rank();
const size = world.size();

function check(cond, what) {
  if (!cond) throw new Error(`rank ${rank}: ${what}`);
}
function same(a, b, what) {
  check(a.dtype === b.dtype, `${what}: dtype ${a.dtype.name} != ${b.dtype.name}`);
  check(JSON.stringify(a.shape) === JSON.stringify(b.shape), `${what}: shape [${a.shape}] != [${b.shape}]`);
  check(mx.arrayEqual(a, b).item() === 1, `${what}: values differ`);
}

// Rank r's input: small integers (exact in every dtype and in every sum), varying along the array.
function input(r, n, dtype) {
  const i = mx.arange(n, mx.int32);
  if (dtype === mx.bool) return mx.equal(mx.remainder(mx.add(i, r), 3), 0);
  const signed = !dtype.name.startsWith('uint');
  const v = mx.remainder(mx.add(mx.multiply(i, r + 1), 2 * r), 7);
  return mx.astype(signed ? mx.subtract(v, 3) : v, dtype);
}
const ranks = [...Array(size).keys()];

const scenarios = {
  collectives() {
    const dtypes = [mx.bool, mx.uint8, mx.uint16, mx.uint32, mx.int8, mx.int16, mx.int32, mx.int64, mx.float16, mx.bfloat16, mx.float32, mx.float64];
    for (const dtype of dtypes) {
      for (const n of [0, 1, 1e6 + 3]) {
        const what = `${dtype.name} [${n}]`;
        const xs = ranks.map((r) => input(r, n, dtype));
        const x = xs[rank];
        const reduce = (f) => xs.reduce((a, b) => f(a, b));
        const sum = dtype === mx.bool ? reduce(mx.logicalOr) : mx.astype(reduce(mx.add), dtype);
        same(mx.distributed.allSum(x), sum, `allSum ${what}`);
        same(mx.distributed.allMax(x), reduce(mx.maximum), `allMax ${what}`);
        same(mx.distributed.allMin(x), reduce(mx.minimum), `allMin ${what}`);
        same(mx.distributed.allGather(x), mx.concatenate(xs, 0), `allGather ${what}`);
        // A strided input (every other element, reversed) reaches MPI through a copy.
        if (n > 1) {
          const view = (a) => a.index('::-2');
          same(mx.distributed.allSum(view(x)), view(sum), `allSum of a strided ${what}`);
          same(mx.distributed.allGather(view(x)), mx.concatenate(xs.map(view), 0), `allGather of a strided ${what}`);
        }
        // A ring: rank 0 sends first, every other rank receives first, so no send waits on another.
        const next = (rank + 1) % size;
        const prev = (rank + size - 1) % size;
        const sendNext = () => same(mx.distributed.send(x, next), x, `send ${what}`);
        let got;
        if (rank === 0) {
          sendNext();
          got = mx.distributed.recvLike(x, prev);
          mx.eval(got);
        } else {
          got = mx.distributed.recv(x.shape, x.dtype, prev);
          mx.eval(got);
          sendNext();
        }
        same(got, xs[prev], `recv ${what}`);
      }
    }
    // Every slot of send/recv/recvLike refuses a wrong kind with an Error naming the function and
    // the slot (test/positional-slots.test.ts cannot: in one process these calls have no peer).
    const refused = (f, re) => {
      try {
        f();
      } catch (e) {
        check(e.constructor === Error && re.test(e.message), `${re} does not match: ${e.message}`);
        return;
      }
      check(false, `accepted: ${f}`);
    };
    const one = mx.ones([1]);
    const peer = (rank + 1) % size;
    for (const v of ['1', 1.5, NaN, Infinity, [1], 1n, Symbol('s'), mx.zeros([2]), -1]) {
      refused(() => mx.distributed.send(one, v), /^send: expected dst to be a rank/);
      refused(() => mx.distributed.recv([1], mx.float32, v), /^recv: expected src to be a rank/);
      refused(() => mx.distributed.recvLike(one, v), /^recvLike: expected src to be a rank/);
    }
    refused(() => mx.distributed.send(one, size), /^send: expected dst to be a rank in \[0, /);
    refused(() => mx.distributed.recv([1], mx.float32, rank), /^recv: src .* own rank/);
    for (const v of [5, 'world', 1n, Symbol('s'), mx.zeros([2])]) {
      refused(() => mx.distributed.send(one, peer, v), /^send: expected group to be a Group/);
      refused(() => mx.distributed.recv([1], mx.float32, peer, { group: v }), /^recv: expected group to be a Group/);
      refused(() => mx.distributed.recvLike(one, peer, v), /^recvLike: expected group to be a Group/);
      refused(() => mx.distributed.send(one, peer, { stream: v }), /^send: expected stream/);
    }
    for (const v of ['2', [1.5], [-1], 2, mx.zeros([2])]) refused(() => mx.distributed.recv(v, mx.float32, peer), /^recv: expected shape/);
    for (const v of ['float', 5, null]) refused(() => mx.distributed.recv([1], v, peer), /^recv: .*dtype/i);
    refused(() => mx.distributed.send(one, peer, world, mx.cpu, 1), /^send: expected at most 1 optional argument/);
    refused(() => mx.distributed.allSum(one, { groups: world }), /^allSum: unknown option 'groups'/);
    // A 0-d array gathers to [size].
    same(mx.distributed.allGather(mx.array(rank, mx.float32)), mx.array(ranks, mx.float32), 'allGather of a scalar');
  },

  grad() {
    const x = mx.array([1, 2, 3], mx.float32);
    const w = (r) => mx.array([r + 1, 2 * r, 1], mx.float32);
    const total = (f) => ranks.map(f).reduce((a, b) => mx.add(a, b));
    // The objective is the sum of every process's loss, so d/dx of sum_k w_k . allSum(x) is sum_k w_k.
    const loss = (v) => mx.sum(mx.multiply(mx.distributed.allSum(v), w(rank)));
    same(mx.grad(loss)(x), total(w), 'grad through allSum');
    same(mx.compile(mx.grad(loss))(x), total(w), 'compiled grad through allSum');
    const [, [tangent]] = mx.jvp((v) => mx.distributed.allSum(v), [x], [w(rank)]);
    same(tangent, total(w), 'jvp of allSum');
    // allGather: this process's block of the summed cotangent.
    const c = (r) => mx.reshape(mx.arange(3 * size, mx.float32), [size, 3]).multiply(r + 1);
    const gather = (v) => mx.sum(mx.multiply(mx.distributed.allGather(v.reshape([1, 3])), c(rank)));
    same(mx.grad(gather)(x), total(c).index(rank), 'grad through allGather');
    // allMax: the derivative goes to the process that holds the maximum.
    const y = mx.array([rank, -rank, 5], mx.float32);
    const g = mx.grad((v) => mx.sum(mx.distributed.allMax(v)))(y);
    const expect = mx.array([rank === size - 1 ? size : 0, rank === 0 ? size : 0, size / size], mx.float32);
    same(g, expect, 'grad through allMax');
    // vmap over a batch of inputs is one collective.
    const batch = mx.stack([x, mx.multiply(x, 2)], 1); // [3, 2], batched on axis 1
    const out = mx.vmap((v) => mx.distributed.allSum(v), { inAxes: 1, outAxes: 1 })(batch);
    same(out, mx.multiply(batch, size), 'vmap of allSum');
    const gathered = mx.vmap((v) => mx.distributed.allGather(v), { inAxes: 1, outAxes: 1 })(batch);
    same(
      gathered,
      mx.concatenate(
        ranks.map(() => batch),
        0,
      ),
      'vmap of allGather',
    );
    // compile keeps the collective as a node of its graph.
    const step = mx.compile((v) => mx.multiply(mx.distributed.allSum(mx.exp(v)), 2));
    same(step(x), mx.multiply(mx.exp(x), 2 * size), 'compiled allSum');
  },

  split() {
    const half = world.split(rank % 2);
    const members = ranks.filter((r) => r % 2 === rank % 2);
    check(half.size() === members.length, `split size ${half.size()} != ${members.length}`);
    check(half.rank() === members.indexOf(rank), `split rank ${half.rank()} != ${members.indexOf(rank)}`);
    const s = mx.distributed.allSum(mx.array([rank], mx.int32), { group: half });
    same(s, mx.array([members.reduce((a, b) => a + b, 0)], mx.int32), 'allSum in a split group');
    // A larger key ranks later: negated ranks reverse the order.
    const reversed = world.split(0, size - rank);
    check(reversed.rank() === size - 1 - rank, `reversed rank ${reversed.rank()}`);
    same(mx.distributed.allGather(mx.array([rank], mx.int32), { group: reversed }), mx.array(ranks.slice().reverse(), mx.int32), 'gather in key order');
  },

  average() {
    const grads = (r) => ({ w: mx.multiply(mx.ones([3, 4]), r + 1), layers: [{ b: mx.arange(5, mx.float32).add(r) }, { b: mx.array(r, mx.float32) }] });
    const mean = mx.treeMap(
      (...xs) =>
        mx.divide(
          xs.reduce((a, b) => mx.add(a, b)),
          size,
        ),
      grads(0),
      ...ranks.slice(1).map(grads),
    );
    for (const allReduceSize of [undefined, 0, 16, 1 << 20]) {
      const got = mx.nn.averageGradients(grads(rank), { allReduceSize });
      mx.treeMap((a, b) => same(a, b, `averageGradients (allReduceSize ${allReduceSize})`), got, mean);
    }
    const half = mx.nn.averageGradients(grads(rank), { communicationType: mx.bfloat16 });
    mx.treeMap((a, b) => same(a, b, 'averageGradients in bfloat16'), half, mean);
    // Mixed dtypes go one array per message.
    const mixed = mx.nn.averageGradients({ a: mx.ones([2], mx.float16), b: mx.ones([2]) });
    same(mixed.a, mx.ones([2], mx.float16), 'mixed dtypes');
  },

  // asyncEval runs the collective off the main thread, which computes meanwhile.
  async overlap() {
    const y = mx.distributed.allSum(mx.arange(1000, mx.float32));
    const pending = mx.asyncEval(y);
    const local = mx.sum(mx.ones([1000]));
    mx.eval(local);
    await pending;
    same(y, mx.multiply(mx.arange(1000, mx.float32), size), 'allSum under asyncEval');
    check(local.item() === 1000, 'the main thread computed meanwhile');
  },

  // Rank 1 fails before its part of a step's allSum; the others must get an Error naming it.
  failure() {
    const x = mx.ones([4]);
    mx.eval(mx.distributed.allSum(x)); // every process is up
    if (rank === 1) {
      console.error('rank 1: failing mid-step on purpose');
      // Stay alive past the others' timeout, as a stuck process would, then exit.
      setTimeout(() => process.exit(3), 4000);
      throw Object.assign(new Error('rank 1: simulated failure'), { expected: true });
    }
    try {
      mx.eval(mx.distributed.allSum(x));
    } catch (e) {
      console.log(`rank ${rank} error: ${e.message}`);
      check(/allSum: timed out/.test(e.message), `unexpected error ${e.message}`);
      try {
        mx.eval(mx.distributed.allSum(x));
      } catch (e2) {
        check(/unusable/.test(e2.message), `unexpected second error ${e2.message}`);
      }
      return;
    }
    throw new Error(`rank ${rank}: allSum returned although rank 1 never joined`);
  },
};

try {
  await scenarios[scenario]();
  console.log(`ok ${scenario} ${rank}`);
} catch (e) {
  if (!e.expected) {
    console.error(e);
    process.exitCode = 1;
  }
}
