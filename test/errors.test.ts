/**
 * Errors are checked in TypeScript before any kernel runs: a bad shape, axis, dtype, index,
 * ragged nested array or non-array argument throws an Error whose message starts with the
 * function's name and says what was expected and what was given. Never a native crash: each case
 * also runs on every registered backend.
 */
import { describe, expect, it } from 'vitest';
import { mx, onBackend } from './helpers/index.js';

const backends = mx.listBackends().map((b) => b.name);

type Case = [name: string, thunk: () => unknown, fn: string, ...mustMatch: RegExp[]];

const x23 = () => mx.zeros([2, 3]);

const cases: Case[] = [
  // shapes
  ['matmul of incompatible shapes', () => mx.matmul(mx.zeros([2, 3]), mx.zeros([4, 5])), 'matmul', /shapes \[2,3\] and \[4,5\] are incompatible: 3 != 4/],
  ['matmul of 0-d arrays', () => mx.matmul(mx.array(1), mx.zeros([2])), 'matmul', /dimension/],
  ['matmul of batch dims that do not broadcast', () => mx.matmul(mx.zeros([2, 2, 3]), mx.zeros([3, 3, 4])), 'matmul', /\b2\b.*\b3\b|\b3\b.*\b2\b/],
  ['reshape to another size', () => mx.reshape(x23(), [4]), 'reshape', /6/, /\[4\]|4/],
  ['reshape with two -1', () => mx.reshape(x23(), [-1, -1]), 'reshape', /-1/],
  ['zeros with a negative dim', () => mx.zeros([-1]), 'zeros', /shape/, /-1/],
  ['zeros with more elements than an array can hold', () => mx.zeros([2 ** 53]), 'zeros', /9\.007e\+15 elements/, /at most 2\^50/],
  ['ones of 1e300 elements', () => mx.ones([1e300]), 'ones', /at most 2\^50/],
  ['reshape to an Array instead of a shape', () => mx.reshape(mx.zeros([6]), mx.array([2, 3]) as never), 'reshape', /an array of shape \[2\]/],
  ['ones with a fractional dim', () => mx.ones([1.5]), 'ones', /shape/, /1\.5/],
  ['full with a string shape', () => mx.full('abc' as never, 1), 'full', /shape/],
  ['add of shapes that do not broadcast', () => mx.add(mx.zeros([2, 3]), mx.zeros([4, 3])), 'add', /\[2,3\]/, /\[4,3\]/],
  ['broadcastTo a smaller shape', () => mx.broadcastTo(mx.zeros([2, 3]), [3]), 'broadcastTo', /\[2,3\]/, /\[3\]/],
  ['concatenate of mismatched shapes', () => mx.concatenate([mx.zeros([2, 3]), mx.zeros([2, 4])], 0), 'concatenate', /\[2,3\]/, /\[2,4\]/],
  ['stack of mismatched shapes', () => mx.stack([mx.zeros([2]), mx.zeros([3])]), 'stack', /\[2\]/, /\[3\]/],
  ['split into unequal parts', () => mx.split(mx.zeros([5]), 2), 'split', /5/, /2/],
  ['squeeze of an axis that is not 1', () => mx.squeeze(x23(), 1), 'squeeze', /size 3/],
  ['tile with negative reps', () => mx.tile(x23(), [-1]), 'tile', /-1/],
  ['pad with negative widths', () => mx.pad(x23(), -1), 'pad', /-1/],
  ['takeAlongAxis with indices of another rank', () => mx.takeAlongAxis(x23(), mx.zeros([3], mx.int32), 0), 'takeAlongAxis', /dimension/],
  // axes
  ['sum over an axis out of range', () => mx.sum(x23(), 2), 'sum', /axis 2/, /dimension 2/],
  ['mean over a repeated axis', () => mx.mean(x23(), [1, -1]), 'mean', /repeated/],
  ['argmax over an axis out of range', () => mx.argmax(x23(), -3), 'argmax', /axis -3/],
  ['softmax over an axis out of range', () => mx.softmax(x23(), 5), 'softmax', /axis 5/],
  ['cumsum over an axis out of range', () => mx.cumsum(x23(), 2), 'cumsum', /axis 2/],
  ['sort over an axis out of range', () => mx.sort(x23(), 2), 'sort', /axis 2/],
  ['argmax with a number as keepdims', () => mx.argmax(x23(), 0, 2 as never), 'argmax', /keepdims to be a boolean, got a number \(2\)/],
  [
    'mean over an Array as the axis',
    () => mx.mean(x23(), x23() as never),
    'mean',
    /axis to be an integer or a list of integers, got an array of shape \[2,3\]/,
  ],
  ['sum over a fractional axis', () => mx.sum(x23(), 1.5), 'sum', /expected axis to be an integer or a list of integers, got a number \(1.5\)/],
  [
    'eval of a class instance holding arrays',
    () =>
      mx.eval(
        new (class Holder {
          w = mx.ones([2]);
        })(),
      ),
    'eval',
    /cannot evaluate a Holder/,
  ],
  ['eval of a Map', () => mx.eval(new Map([['w', mx.ones([2])]])), 'eval', /cannot evaluate a Map/],
  ['topk with k too large', () => mx.topk(mx.zeros([3]), 4), 'topk', /4/, /3/],
  ['topkWithIndices with k too large', () => mx.topkWithIndices(mx.zeros([3]), 4), 'topkWithIndices', /4/, /3/],
  [
    'compile with a misspelt option',
    () => mx.compile((a: mx.Array) => a, { shapless: true } as never),
    'compile',
    /shapless/,
    /options are inputs, outputs, shapeless/,
  ],
  [
    'compile with a misspelt option among real ones',
    () => mx.compile((a: mx.Array) => a, { inputs: [], shapless: true } as never),
    'compile',
    /unknown option 'shapless'/,
  ],
  [
    'grad with respect to an integer array',
    () => mx.grad((a: mx.Array) => mx.sum(a))(mx.array([1, 2], mx.int32)),
    'grad',
    /argument 0 has dtype int32/,
    /floating-point/,
  ],
  [
    'valueAndGrad with respect to an integer leaf',
    () => mx.valueAndGrad((p: { w: mx.Array }) => mx.sum(p.w))({ w: mx.array([1], mx.int32) }),
    'valueAndGrad',
    /int32/,
  ],
  ['transpose with a bad permutation', () => mx.transpose(x23(), [0, 0]), 'transpose', /repeated|axes/],
  ['swapaxes out of range', () => mx.swapaxes(x23(), 0, 2), 'swapaxes', /axis 2/],
  ['moveaxis out of range', () => mx.moveaxis(x23(), 3, 0), 'moveaxis', /axis 3/],
  ['expandDims out of range', () => mx.expandDims(x23(), 4), 'expandDims', /axis 4/],
  ['concatenate along an axis out of range', () => mx.concatenate([x23(), x23()], 2), 'concatenate', /axis 2/],
  ['take along an axis out of range', () => mx.take(x23(), mx.zeros([1], mx.int32), 2), 'take', /axis 2/],
  ['flatten with start after end', () => mx.flatten(mx.zeros([2, 3, 4]), 2, 1), 'flatten', /startAxis/],
  ['max over an empty axis', () => mx.max(mx.zeros([0, 3]), 0), 'max', /size 0/],
  // dtypes
  ['zeros with an unknown dtype', () => mx.zeros([2], 'float8' as never), 'zeros', /dtype/, /float8/],
  ['astype to an unknown dtype', () => mx.astype(x23(), 'int128' as never), 'astype', /dtype/, /int128/],
  ['sin of complex64', () => mx.sin(mx.array([{ re: 1, im: 2 }])), 'sin', /complex64/],
  ['fft of an axis out of range', () => mx.fft.fft(mx.zeros([2, 3]), null, 2), 'fft', /axis 2/, /2 dimensions/],
  ['fft with n <= 0', () => mx.fft.fft(mx.zeros([4]), 0), 'fft', /positive/, /0/],
  ['rfftn with s and no axes', () => mx.fft.rfftn(mx.zeros([4]), [4], null), 'rfftn', /axes/],
  ['fft of a 0-d array', () => mx.fft.fft(mx.array(1)), 'fft', /0-d/],
  ['ifft2 with duplicated axes', () => mx.fft.ifft2(mx.zeros([2, 2]), null, [0, 0]), 'ifft2', /duplicated/],
  ['array with an unknown dtype', () => mx.array([1, 2], 'complex128' as never), 'array', /dtype/, /complex128/],
  ['matmul of integers', () => mx.matmul(mx.zeros([2, 2], mx.int32), mx.zeros([2, 2], mx.int32)), 'matmul', /int32/],
  ['negative of bool', () => mx.negative(mx.array([true])), 'negative', /bool/],
  ['a float index array', () => mx.take(mx.zeros([3]), mx.zeros([2])), 'take', /float32/],
  ['arange of bools', () => mx.arange(0, 3, 1, mx.bool), 'arange', /bool/],
  ['uniform of an integer dtype', () => mx.random.uniform({ shape: [2], dtype: mx.int32 }), 'uniform', /int32/],
  ['a random key of the wrong shape', () => mx.random.uniform({ shape: [2], key: mx.zeros([3], mx.uint32) }), 'uniform', /key/, /\[3\]/],
  // indices
  ['index out of range', () => mx.zeros([3]).index(5), 'index', /5/, /size 3/],
  ['negative index out of range', () => mx.zeros([3]).index(-4), 'index', /-4/],
  ['too many indices', () => mx.zeros([3]).index(0, 0), 'index', /too many indices/],
  ['two ellipses', () => x23().index('...', '...'), 'index', /ellipsis/],
  ['a slice with step 0', () => mx.zeros([3]).index('::0'), 'index', /step/, /zero|0/],
  ['a malformed slice string', () => mx.zeros([3]).index('1:a'), 'index', /'1:a'/],
  ['a boolean mask', () => mx.zeros([3]).index(mx.array([true, false, true])), 'index', /bool/],
  ['a fractional index', () => mx.zeros([3]).index(1.5), 'index', /1\.5/],
  ['take with a JS index out of range', () => mx.take(mx.zeros([3]), 3), 'take', /3/],
  ['at(...) with an index out of range', () => mx.zeros([3]).at(7).set(1), 'at', /7/],
  [
    'at(...) with updates that do not broadcast',
    () =>
      mx
        .zeros([3])
        .at('0:2')
        .set(mx.ones([3])),
    'at',
    /\[3\]/,
    /\[2\]/,
  ],
  // ragged and non-array arguments
  ['a ragged nested array', () => mx.array([[1, 2], [3]]), 'array', /ragged/, /length 2|2/],
  ['a nested array with a string', () => mx.array([1, 'a' as never]), 'array', /string|number/],
  ['a ragged nested array given to an op', () => mx.add([[1], [2, 3]], 1), 'add', /ragged/],
  ['add of a string', () => mx.add('a' as never, 1), 'add', /expected/, /string/],
  ['exp of a plain object', () => mx.exp({} as never), 'exp', /expected/, /object|Object/],
  ['sum of undefined', () => mx.sum(undefined as never), 'sum', /expected/, /undefined/],
  ['matmul of null', () => mx.matmul(null as never, mx.zeros([2])), 'matmul', /expected/, /null/],
  ['reshape of a Map', () => mx.reshape(new Map() as never, [1]), 'reshape', /expected/, /Map/],
  ['concatenate of a non-list', () => mx.concatenate(mx.zeros([2]) as never), 'concatenate', /list/],
  ['item of a multi-element array', () => x23().item(), 'item', /one element/, /\[2,3\]/],
  ['itemBool of a multi-element array', () => x23().itemBool(), 'itemBool', /one element/, /\[2,3\]/],
  [
    'eval of a disposed array',
    () => {
      const a = mx.add(mx.zeros([2]), 1);
      const b = mx.add(a, 1);
      a.dispose();
      b.tolist();
    },
    'eval',
    /disposed/,
  ],
  ['setDefaultDevice of a string', () => mx.setDefaultDevice('cpu' as never), 'setDefaultDevice', /Device/, /cpu/],
  ['an options object with an unknown key', () => mx.sum(x23(), { axes: 1 } as never), 'sum', /axes/],
  // issue 15: nothing passes silently; every value prints faithfully; the function named is the one called
  ['triu with a string k (no coercion)', () => mx.triu(mx.ones([3, 3]), '1' as never), 'triu', /expected k to be an integer, got a string \('1'\)/],
  ['tril with a string k', () => mx.tril(mx.ones([3, 3]), '1' as never), 'tril', /expected k to be an integer, got a string \('1'\)/],
  ['newStream of a number', () => mx.newStream(5 as never), 'newStream', /expected a Device/, /got a number \(5\)/],
  ['withStream with a number to run', () => mx.withStream(mx.cpu, 5 as never), 'withStream', /expected a function/, /got a number \(5\)/],
  ['withStream on a number', () => mx.withStream(5 as never, () => 1), 'withStream', /expected a Stream or Device, got a number \(5\)/],
  ['promoteTypes of a name that is no dtype', () => mx.promoteTypes('float' as never, mx.int32), 'promoteTypes', /got a string \('float'\)/],
  ['a BigInt in a shape', () => mx.ones([2, 10n as never]), 'ones', /got a JS array \[2, 10n\]/],
  ['Infinity in a shape', () => mx.ones([Infinity]), 'ones', /got a JS array \[Infinity\]/],
  ['NaN in a shape', () => mx.zeros([NaN, 2]), 'zeros', /got a JS array \[NaN, 2\]/],
  [
    'a cyclic shape',
    () => {
      const s: unknown[] = [2];
      s.push(s);
      return mx.ones(s as never);
    },
    'ones',
    /got a JS array \[2, \[Circular\]\]/,
  ],
  ['a symbol as an axis', () => mx.sum(x23(), Symbol('ax') as never), 'sum', /got a symbol \(Symbol\(ax\)\)/],
  ['a function as a shape', () => mx.zeros(function shape() {} as never), 'zeros', /got function shape/],
  ['full of values that do not broadcast to the shape', () => mx.full([3, 3], mx.zeros([5])), 'full', /\[5\] and \[3,3\]/],
  ['categorical over an empty axis', () => mx.random.categorical(mx.zeros([3, 0])), 'categorical', /empty/, /size 0/],
  ['diag with a huge k', () => mx.diag(mx.ones([3]), 1e9), 'diag', /at most 2\^50/],
  ['isclose of shapes that do not broadcast', () => mx.isclose(mx.zeros([2]), mx.zeros([3])), 'isclose', /\[2\] and \[3\]/],
  ['normal with a loc that does not broadcast', () => mx.random.normal([2], mx.float32, mx.zeros([3])), 'normal', /\[3\] and \[2\]/],
  ['randint with bounds that do not broadcast', () => mx.random.randint(mx.zeros([2]), mx.zeros([3]), [2]), 'randint', /\[2\] and \[3\]/],
  ['permutation with the key where the axis goes', () => mx.random.permutation(5, mx.random.key(0) as never), 'permutation', /key comes after axis/],
  // Issue 17's ops.
  ['view of a 0-d array as a dtype of another size', () => mx.view(mx.array(1, mx.int32), mx.uint8), 'view', /0-d/, /int32 \(4 bytes\)/, /uint8 \(1 bytes\)/],
  ['view as a larger dtype of a last axis that does not fill it', () => mx.view(mx.zeros([2, 3], mx.uint8), mx.int32), 'view', /3 bytes/, /multiple of 4/],
  ['asStrided reading past the end', () => mx.asStrided(mx.zeros([6]), [3, 2], [2, 1], 1), 'asStrided', /reads elements 1 to 6/, /6 elements/],
  ['asStrided reading before the start', () => mx.asStrided(mx.zeros([6]), [3], [-1]), 'asStrided', /reads elements -2 to 0/],
  ['asStrided with strides of the wrong length', () => mx.asStrided(mx.zeros([6]), [3, 2], [1]), 'asStrided', /one stride per axis/, /\[1\]/],
  ['asStrided with a negative dimension', () => mx.asStrided(mx.zeros([6]), [-1]), 'asStrided', /negative dimensions/],
  ['logcumsumexp over an axis out of range', () => mx.logcumsumexp(x23(), 2), 'logcumsumexp', /axis 2/],
  ['gatherMm of mismatched inner dimensions', () => mx.gatherMm(mx.zeros([2, 2, 3]), mx.zeros([2, 4, 2]), [0, 1]), 'gatherMm', /\[2,2,3\]/, /\[2,4,2\]/],
  [
    'gatherMm with float indices',
    () => mx.gatherMm(mx.zeros([2, 2, 3]), mx.zeros([2, 3, 2]), mx.array([0, 1])),
    'gatherMm',
    /lhsIndices must be integers, got float32/,
  ],
  [
    'gatherMm with an index past the batch',
    () => mx.gatherMm(mx.zeros([2, 2, 3]), mx.zeros([2, 3, 2]), null, [2]),
    'gatherMm',
    /rhsIndices holds 2/,
    /2 matrices/,
  ],
  ['gatherMm of integer matrices', () => mx.gatherMm(mx.zeros([2, 2, 3], mx.int32), mx.zeros([2, 3, 2], mx.int32), [0]), 'gatherMm', /floating/, /int32/],
  ['blockMaskedMm with a block size of 16', () => mx.blockMaskedMm(x23(), mx.zeros([3, 2]), 16, mx.array([[true]])), 'blockMaskedMm', /32 and 64/, /16/],
  [
    'blockMaskedMm with a mask of the wrong block count',
    () => mx.blockMaskedMm(mx.zeros([40, 3]), mx.zeros([3, 2]), 32, mx.ones([3, 1], mx.bool)),
    'blockMaskedMm',
    /maskOut of shape \[3,1\]/,
    /\[2,1\] blocks/,
  ],
  [
    'blockMaskedMm of mismatched inner dimensions',
    () => mx.blockMaskedMm(x23(), mx.zeros([4, 2]), 32, null, mx.array([[true]])),
    'blockMaskedMm',
    /\[2,3\]/,
    /\[4,2\]/,
  ],
  ['slice with a start out of range', () => mx.slice(x23(), [2], [1], [2, 2]), 'slice', /start 2 on axis 1/, /size 2 outside \[0, 3\)/],
  ['slice with more start indices than axes', () => mx.slice(x23(), mx.array([0, 1], mx.int32), [0], [1, 1]), 'slice', /2 starting indices for 1 axes/],
  ['slice with a slice size larger than the array', () => mx.slice(x23(), mx.array([0], mx.int32), [0], [3, 3]), 'slice', /\[3,3\]/, /\[2,3\]/],
  ['slice with a float start', () => mx.slice(x23(), mx.array([0.5]), [0], [1, 3]), 'slice', /starting indices must be integers/],
  ['slice with repeated axes', () => mx.slice(x23(), mx.array([0, 0], mx.int32), [1, 1], [1, 3]), 'slice', /repeated axes/],
  ['sliceUpdate with a start out of range', () => mx.sliceUpdate(x23(), mx.ones([1, 2]), [-1, 0], [0, 1]), 'sliceUpdate', /start -1 on axis 0/],
  [
    'sliceUpdate with an update larger than the array',
    () => mx.sliceUpdate(x23(), mx.ones([2, 4]), mx.array([0], mx.int32), [0]),
    'sliceUpdate',
    /\[2,4\]/,
    /\[2,3\]/,
  ],
  [
    'sliceUpdate with an axis out of range',
    () => mx.sliceUpdate(x23(), mx.ones([1, 2]), mx.array([0], mx.int32), [2]),
    'sliceUpdate',
    /axis 2 is out of range/,
  ],
];

describe.each(backends)('errors name the function, the expectation and the value [%s]', (backend) => {
  for (const [name, thunk, fn, ...res] of cases) {
    it(name, () => {
      let err: unknown;
      onBackend(backend, () => {
        // The call itself must throw: shapes, dtypes and axes are checked before anything is evaluated.
        try {
          thunk();
        } catch (e) {
          err = e;
        }
      });
      expect(err, `${name}: expected an Error`).toBeInstanceOf(Error);
      const msg = (err as Error).message;
      expect(msg.startsWith(`${fn}`), `message should start with '${fn}': ${msg}`).toBe(true);
      for (const re of res) expect(msg, `${name}`).toMatch(re);
    });
  }
});

describe('errors are thrown when the op is called, before anything is evaluated', () => {
  it('shape, axis and dtype errors are eager (the graph is never built)', () => {
    const x = mx.add(mx.zeros([2, 3]), 1); // lazy
    expect(() => mx.matmul(x, x)).toThrow(/^matmul/);
    expect(x.isEvaluated).toBe(false);
    expect(() => mx.sum(x, 5)).toThrow(/^sum/);
    expect(() => x.index(9)).toThrow(/^index/);
    expect(x.isEvaluated).toBe(false);
  });

  it('the matmul message is exactly the documented one', () => {
    expect(() => mx.matmul(mx.zeros([2, 3]), mx.zeros([4, 5]))).toThrow('matmul: shapes [2,3] and [4,5] are incompatible: 3 != 4');
  });
});

describe('casts the numeric contract leaves unspecified never fail (issue 15)', () => {
  it.each(backends)('non-finite values to int64 on %s', (backend) => {
    onBackend(backend, () => {
      const a = mx.array([-Infinity, 1, NaN], 'int64');
      const f = mx.full([2], Infinity, 'int64');
      expect(a.dtype).toBe(mx.int64);
      expect(a.shape).toEqual([3]);
      expect(a.tolist()).toHaveLength(3);
      expect(f.tolist()).toHaveLength(2);
      expect(mx.index(a, 1).item()).toBe(1);
    });
  });

  it('promoteTypes takes dtype names as MLX does', () => {
    expect(mx.promoteTypes('float32', 'int32')).toBe(mx.float32);
    expect(mx.promoteTypes(mx.uint8, 'int8')).toBe(mx.int16);
  });
});
