/** `view`: the input's bytes read as another dtype (storage holds numbers, so they are encoded and decoded). */
import { hostArrayFor, type Params, shapeSize } from '@mlx-ts/core';
import type { Kernel } from '../kernel.js';
import { decodeHost, encodeHost } from '../storage.js';

export const viewKernel: Kernel<Params<'view'>> = ({ inputs: [x], shape, dtype }) => {
  const from = encodeHost(x!.data, x!.dtype);
  const to = hostArrayFor(dtype, shapeSize(shape));
  new Uint8Array(to.buffer, to.byteOffset, to.byteLength).set(new Uint8Array(from.buffer, from.byteOffset, from.byteLength));
  return decodeHost(to, dtype);
};
