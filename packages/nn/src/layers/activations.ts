/**
 * MLX's activation Modules: each applies the activation function of the same name (activations.ts)
 * with the arguments given at construction. Modules without arguments take none, as in MLX (HardTanh
 * and Softmax use the defaults of their functions).
 */
import { Array, describeValue, full } from '@mlx-ts/core';
import * as F from '../activations.js';
import { Module } from '../module.js';
import { checkNumber, checkPositiveInt, type OptionalArgs, readOptions } from '../options.js';
import { checkInput } from './checks.js';

/** A Module applying an activation that takes no arguments. */
abstract class Elementwise extends Module {
  protected abstract activation(x: Array): Array;
  override forward(x: Array): Array {
    return this.activation(checkInput(this.constructor.name, x));
  }
}

/** The Module form of `nn.sigmoid` (no arguments: `new nn.Sigmoid()`). */
export class Sigmoid extends Elementwise {
  protected activation(x: Array): Array {
    return F.sigmoid(x);
  }
}

/** The Module form of `nn.mish` (no arguments: `new nn.Mish()`). */
export class Mish extends Elementwise {
  protected activation(x: Array): Array {
    return F.mish(x);
  }
}

/** The Module form of `nn.relu` (no arguments: `new nn.ReLU()`). */
export class ReLU extends Elementwise {
  protected activation(x: Array): Array {
    return F.relu(x);
  }
}

/** The Module form of `nn.relu2` (no arguments: `new nn.ReLU2()`). */
export class ReLU2 extends Elementwise {
  protected activation(x: Array): Array {
    return F.relu2(x);
  }
}

/** The Module form of `nn.relu6` (no arguments: `new nn.ReLU6()`). */
export class ReLU6 extends Elementwise {
  protected activation(x: Array): Array {
    return F.relu6(x);
  }
}

/** The Module form of `nn.softmax` (no arguments: `new nn.Softmax()`). */
export class Softmax extends Elementwise {
  protected activation(x: Array): Array {
    return F.softmax(x);
  }
}

/** The Module form of `nn.softplus` (no arguments: `new nn.Softplus()`). */
export class Softplus extends Elementwise {
  protected activation(x: Array): Array {
    return F.softplus(x);
  }
}

/** The Module form of `nn.softsign` (no arguments: `new nn.Softsign()`). */
export class Softsign extends Elementwise {
  protected activation(x: Array): Array {
    return F.softsign(x);
  }
}

/** The Module form of `nn.silu` (no arguments: `new nn.SiLU()`). */
export class SiLU extends Elementwise {
  protected activation(x: Array): Array {
    return F.silu(x);
  }
}

/** The Module form of `nn.logSoftmax` (no arguments: `new nn.LogSoftmax()`). */
export class LogSoftmax extends Elementwise {
  protected activation(x: Array): Array {
    return F.logSoftmax(x);
  }
}

/** The Module form of `nn.logSigmoid` (no arguments: `new nn.LogSigmoid()`). */
export class LogSigmoid extends Elementwise {
  protected activation(x: Array): Array {
    return F.logSigmoid(x);
  }
}

/** The Module form of `nn.tanh` (no arguments: `new nn.Tanh()`). */
export class Tanh extends Elementwise {
  protected activation(x: Array): Array {
    return F.tanh(x);
  }
}

/** The Module form of `nn.hardswish` (no arguments: `new nn.Hardswish()`). */
export class Hardswish extends Elementwise {
  protected activation(x: Array): Array {
    return F.hardswish(x);
  }
}

/** The Module form of `nn.selu` (no arguments: `new nn.SELU()`). */
export class SELU extends Elementwise {
  protected activation(x: Array): Array {
    return F.selu(x);
  }
}

/** The Module form of `nn.hardTanh` (no arguments: `new nn.HardTanh()`). */
export class HardTanh extends Elementwise {
  protected activation(x: Array): Array {
    return F.hardTanh(x);
  }
}

/** The Module form of `nn.softmin` (no arguments: `new nn.Softmin()`). */
export class Softmin extends Elementwise {
  protected activation(x: Array): Array {
    return F.softmin(x);
  }
}

/** `glu` along `axis` (default -1). */
export class GLU extends Module {
  _axis: number;
  constructor(...rest: OptionalArgs<[axis: number], { axis?: number }>) {
    super();
    this._axis = checkNumber('GLU', 'axis', readOptions('GLU', rest, ['axis']).axis ?? -1);
  }
  override forward(x: Array): Array {
    return F.glu(checkInput('GLU', x), this._axis);
  }
}

/** `leakyRelu` with `negativeSlope` (default 0.01). */
export class LeakyReLU extends Module {
  _negativeSlope: number;
  constructor(...rest: OptionalArgs<[negativeSlope: number], { negativeSlope?: number }>) {
    super();
    this._negativeSlope = checkNumber('LeakyReLU', 'negativeSlope', readOptions('LeakyReLU', rest, ['negativeSlope']).negativeSlope ?? 0.01);
  }
  override forward(x: Array): Array {
    return F.leakyRelu(checkInput('LeakyReLU', x), this._negativeSlope);
  }
}

/** `elu` with `alpha` (default 1). */
export class ELU extends Module {
  _alpha: number;
  constructor(...rest: OptionalArgs<[alpha: number], { alpha?: number }>) {
    super();
    this._alpha = checkNumber('ELU', 'alpha', readOptions('ELU', rest, ['alpha']).alpha ?? 1);
  }
  override forward(x: Array): Array {
    return F.elu(checkInput('ELU', x), this._alpha);
  }
}

/** `celu` with `alpha` (default 1). */
export class CELU extends Module {
  _alpha: number;
  constructor(...rest: OptionalArgs<[alpha: number], { alpha?: number }>) {
    super();
    this._alpha = checkNumber('CELU', 'alpha', readOptions('CELU', rest, ['alpha']).alpha ?? 1);
  }
  override forward(x: Array): Array {
    return F.celu(checkInput('CELU', x), this._alpha);
  }
}

/** `softshrink` with `lambd` (default 0.5). */
export class Softshrink extends Module {
  _lambd: number;
  constructor(...rest: OptionalArgs<[lambd: number], { lambd?: number }>) {
    super();
    this._lambd = checkNumber('Softshrink', 'lambd', readOptions('Softshrink', rest, ['lambd']).lambd ?? 0.5);
  }
  override forward(x: Array): Array {
    return F.softshrink(checkInput('Softshrink', x), this._lambd);
  }
}

/** `hardShrink` with `lambd` (default 0.5). */
export class HardShrink extends Module {
  _lambd: number;
  constructor(...rest: OptionalArgs<[lambd: number], { lambd?: number }>) {
    super();
    this._lambd = checkNumber('HardShrink', 'lambd', readOptions('HardShrink', rest, ['lambd']).lambd ?? 0.5);
  }
  override forward(x: Array): Array {
    return F.hardShrink(checkInput('HardShrink', x), this._lambd);
  }
}

/** `step` with `threshold` (default 0). */
export class Step extends Module {
  _threshold: number;
  constructor(...rest: OptionalArgs<[threshold: number], { threshold?: number }>) {
    super();
    this._threshold = checkNumber('Step', 'threshold', readOptions('Step', rest, ['threshold']).threshold ?? 0);
  }
  override forward(x: Array): Array {
    return F.step(checkInput('Step', x), this._threshold);
  }
}

/** `prelu` with a learnable `weight` of `numParameters` slopes (default 1), initialized to `init` (default 0.25). */
export class PReLU extends Module {
  weight: Array;
  constructor(...rest: OptionalArgs<[numParameters: number, init: number], { numParameters?: number; init?: number }>) {
    super();
    const o = readOptions('PReLU', rest, ['numParameters', 'init']);
    this.weight = full([checkPositiveInt('PReLU', 'numParameters', o.numParameters ?? 1)], checkNumber('PReLU', 'init', o.init ?? 0.25));
  }
  override forward(x: Array): Array {
    return F.prelu(checkInput('PReLU', x), this.weight);
  }
}

export type GeluApprox = 'none' | 'precise' | 'tanh' | 'fast';
const geluApprox: readonly GeluApprox[] = ['none', 'precise', 'tanh', 'fast'];

/**
 * GELU: exact (`approx` 'none', the default), the tanh approximation ('precise', or 'tanh' as
 * PyTorch calls it) or the sigmoid one ('fast').
 */
export class GELU extends Module {
  _approx: GeluApprox;
  constructor(...rest: OptionalArgs<[approx: GeluApprox], { approx?: GeluApprox }>) {
    super();
    const a = readOptions('GELU', rest, ['approx']).approx ?? 'none';
    if (!geluApprox.includes(a)) throw new Error(`GELU: expected approx to be one of ${geluApprox.map((v) => `'${v}'`).join(', ')}, got ${describeValue(a)}`);
    this._approx = a;
  }
  override forward(x: Array): Array {
    checkInput('GELU', x);
    if (this._approx === 'none') return F.gelu(x);
    return this._approx === 'fast' ? F.geluFastApprox(x) : F.geluApprox(x);
  }
}
