/** MLX's `Sequential`. */
import { type Array, describeValue } from '@mlx-ts/core';
import { Module } from '../module.js';

/** A layer of a Sequential: a Module, or any function of one array (MLX accepts callables too). */
export type SequentialLayer = Module | ((x: Array) => Array);

/** Calls its layers in order, each on the previous one's output; they are `layers.0`, `layers.1`, ... */
export class Sequential extends Module {
  layers: SequentialLayer[];

  constructor(...modules: SequentialLayer[]) {
    super();
    modules.forEach((m, i) => {
      if (!(m instanceof Module) && typeof m !== 'function') throw new Error(`Sequential: layer ${i} must be a Module or a function, got ${describeValue(m)}`);
    });
    this.layers = modules;
  }

  override forward(x: Array): Array {
    let y = x;
    for (const m of this.layers) y = m instanceof Module ? (m.forward(y) as Array) : m(y);
    return y;
  }
}
