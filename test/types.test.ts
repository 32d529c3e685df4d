/**
 * Types users see (checked by `pnpm typecheck`, which CI runs; the runtime part only makes the
 * file a test): grad and valueAndGrad give gradients typed like the differentiated arguments.
 */
import { expectTypeOf, it } from 'vitest';
import * as mx from 'mlx-ts';

type Params = { w: mx.Array; b: mx.Array };
const loss = (p: Params, x: mx.Array) => mx.sum(mx.add(mx.multiply(p.w, x), p.b));

it('grad and valueAndGrad keep the arguments types', () => {
  const p: Params = { w: mx.ones([2]), b: mx.zeros([2]) };
  const x = mx.ones([2]);
  const g = mx.grad(loss)(p, x);
  expectTypeOf(g).toEqualTypeOf<Params>();
  // @ts-expect-error a misspelt parameter is a compile error
  void g.w1;
  expectTypeOf(mx.grad(loss, 1)(p, x)).toEqualTypeOf<mx.Array>();
  expectTypeOf(mx.grad(loss, [0, 1])(p, x)).toEqualTypeOf<[Params, mx.Array]>();
  expectTypeOf(mx.grad(loss, { argnums: 1 })(p, x)).toEqualTypeOf<mx.Array>();
  const [value, grads] = mx.valueAndGrad(loss)(p, x);
  expectTypeOf(value).toEqualTypeOf<mx.Array>();
  expectTypeOf(grads).toEqualTypeOf<Params>();
});
