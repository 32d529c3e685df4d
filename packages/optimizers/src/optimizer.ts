import { Array, array, astype, describeValue, isPlainObject, uint32 } from '@mlx-ts/core';

/** A schedule: the value of a hyperparameter at a step (the number of updates done so far). */
export type Schedule = (step: Array) => Array;

/** A learning rate: fixed, or a schedule evaluated before each update. */
export type LearningRate = number | Array | Schedule;

/** A tree of parameters or gradients: Arrays in JS arrays and plain objects. */
export type Tree = Array | readonly Tree[] | { readonly [key: string]: Tree };

/** A node of an optimizer's state. */
export type StateTree = Array | StateTree[] | { [key: string]: StateTree };

/** The state an optimizer keeps for one parameter (`{ m, v }` for Adam). */
export type ParameterState = { [key: string]: StateTree };

/** An optimizer's whole state: `step`, `learning_rate`, and the per-parameter states. */
export type OptimizerState = { [key: string]: StateTree };

/**
 * What `update` updates: anything with MLX's `update(parameters)` (an nn Module or a plain object).
 * Its parameters are `trainableParameters()` when it has that method, else its own properties.
 */
export interface Model {
  /** Replaces the parameters with the updated tree. */
  update(parameters: Tree): unknown;
  /** The parameters to update (all of them when absent). */
  trainableParameters?(): Tree;
}

/** Where `applyGradients` reads the parameters: a tree, or an object (a model) whose properties hold them. */
export type ParameterSource = Tree | object;

/** MLX's dotted key of a tree position (`layers.0.weight`), as `tree_flatten` writes it. */
export const joinPath = (path: string, key: string | number): string => (path === '' ? String(key) : `${path}.${key}`);
const where = (path: string): string => (path === '' ? 'the root' : `'${path}'`);

/**
 * The base class of MLX's optimizers: it keeps the state tree, initialises it lazily to match the
 * gradients, runs the schedules, counts steps, and applies a per-parameter rule (`initSingle`,
 * `applySingle`) over a parameter tree.
 *
 * The state is a plain tree of Arrays, laid out as MLX lays it out: `step` (the number of updates
 * so far), `learning_rate` and any other scheduled hyperparameter under its MLX name, then one
 * object per parameter at the parameter's position (`{ step, learning_rate, w: { m, v } }`). MLX's
 * key names are kept (not camelCased) so a state saved by MLX reads the same here. Because it is a
 * tree of Arrays updated in place, it can be flattened to save it and passed to `mx.compile` as
 * `inputs`/`outputs` state, so a whole training step (schedule included) compiles.
 */
export class Optimizer {
  protected _state: OptimizerState = { step: array(0, uint32) };
  private initialized = false;
  private readonly schedules = new Map<string, Schedule>();

  /** The optimizer's name in errors. */
  protected get name(): string {
    return this.constructor.name;
  }

  /** Applies the gradients to the model's parameters and hands the new ones to `model.update`. */
  update(model: Model, gradients: Tree): void {
    const params = typeof model.trainableParameters === 'function' ? model.trainableParameters() : model;
    model.update(this.applyGradients(gradients, params));
  }

  /**
   * Builds the state for these parameters (optional: the first update does it). Entries already
   * in the state (a loaded state) are kept; only missing ones are made.
   */
  init(parameters: Tree): void {
    if (!isPlainObject(parameters)) throw new Error(`${this.name}.init: the parameters must be an object at the root, got ${describeValue(parameters)}`);
    const merge = (p: unknown, s: unknown, path: string): StateTree => {
      if (globalThis.Array.isArray(p)) {
        if (!globalThis.Array.isArray(s))
          throw new Error(`${this.name}.init: the state at ${where(path)} is ${describeValue(s)}, the parameters hold a JS array there`);
        p.forEach((x, i) => (s[i] = i < s.length ? merge(x, s[i], joinPath(path, i)) : emptyState(x)));
        return s;
      }
      if (isPlainObject(p)) {
        if (!isPlainObject(s)) throw new Error(`${this.name}.init: the state at ${where(path)} is ${describeValue(s)}, the parameters hold an object there`);
        for (const k of Object.keys(p)) s[k] = k in s ? merge(p[k], s[k], joinPath(path, k)) : emptyState(p[k]);
        return s as StateTree;
      }
      return s as StateTree;
    };
    merge(parameters, this._state, '');
    const fill = (p: unknown, s: unknown, path: string): void => {
      if (p instanceof Array) {
        if (!isPlainObject(s)) throw new Error(`${this.name}.init: the state of parameter ${where(path)} is ${describeValue(s)}, expected an object`);
        if (Object.keys(s).length === 0) this.initSingle(p, s as ParameterState);
      } else if (globalThis.Array.isArray(p)) p.forEach((x, i) => fill(x, (s as StateTree[])[i], joinPath(path, i)));
      else if (isPlainObject(p)) for (const k of Object.keys(p)) fill(p[k], (s as Record<string, StateTree>)[k], joinPath(path, k));
    };
    fill(parameters, this._state, '');
    this.initialized = true;
  }

  /** Makes the state of one parameter (MLX's `init_single`); each optimizer defines it. */
  initSingle(_parameter: Array, _state: ParameterState): void {
    throw new Error(`${this.name} does not define initSingle (the per-parameter state)`);
  }

  /**
   * The parameters after one update with these gradients. `parameters` may hold more than the
   * gradients (a whole model); the result has the gradients' structure. The first call builds
   * the state; each call evaluates the schedules at the current step, then counts the step.
   */
  applyGradients<T extends Tree>(gradients: T, parameters: ParameterSource): T {
    if (!isPlainObject(gradients)) throw new Error(`${this.name}: the gradients must be an object at the root, got ${describeValue(gradients)}`);
    if (!this.initialized) this.init(gradients);
    for (const [name, schedule] of this.schedules) this._state[name] = scheduled(this.name, name, schedule, this.step);
    this._state.step = this.step.add(1);
    const go = (g: unknown, p: unknown, s: unknown, path: string): unknown => {
      if (g instanceof Array) {
        if (!(p instanceof Array))
          throw new Error(`${this.name}: the gradient at ${where(path)} has no parameter (the parameters hold ${describeValue(p)} there)`);
        if (g.shape.length !== p.shape.length || g.shape.some((d, i) => d !== p.shape[i])) {
          throw new Error(`${this.name}: the gradient at ${where(path)} has shape [${g.shape.join(', ')}], its parameter [${p.shape.join(', ')}]`);
        }
        if (!isPlainObject(s))
          throw new Error(
            `${this.name}: the state has no entry for the parameter at ${where(path)} (found ${describeValue(s)}; call init with the new parameters)`,
          );
        return this.applySingle(g, p, s as ParameterState);
      }
      if (globalThis.Array.isArray(g)) {
        if (!globalThis.Array.isArray(p)) throw new Error(`${this.name}: the gradients hold a JS array at ${where(path)}, the parameters ${describeValue(p)}`);
        if (!globalThis.Array.isArray(s)) throw new Error(`${this.name}: the gradients hold a JS array at ${where(path)}, the state ${describeValue(s)}`);
        return g.map((x, i) => {
          if (i >= p.length)
            throw new Error(`${this.name}: the gradient at '${joinPath(path, i)}' has no parameter (the parameters hold a JS array of length ${p.length})`);
          return go(x, p[i], s[i], joinPath(path, i));
        });
      }
      if (isPlainObject(g)) {
        if (typeof p !== 'object' || p === null || p instanceof Array || globalThis.Array.isArray(p)) {
          throw new Error(`${this.name}: the gradients hold an object at ${where(path)}, the parameters ${describeValue(p)}`);
        }
        if (!isPlainObject(s)) throw new Error(`${this.name}: the gradients hold an object at ${where(path)}, the state ${describeValue(s)}`);
        const out: Record<string, unknown> = {};
        for (const k of Object.keys(g)) {
          if (!(k in p)) throw new Error(`${this.name}: the gradient at '${joinPath(path, k)}' has no parameter`);
          out[k] = go(g[k], (p as Record<string, unknown>)[k], s[k], joinPath(path, k));
        }
        return out;
      }
      throw new Error(`${this.name}: the gradient at ${where(path)} is ${describeValue(g)}, not an Array`);
    };
    return go(gradients, parameters, this._state, '') as T;
  }

  /** The new value of one parameter (MLX's `apply_single`); updates `state` in place. Each optimizer defines it. */
  applySingle(_gradient: Array, _parameter: Array, _state: ParameterState): Array {
    throw new Error(`${this.name} does not define applySingle (the per-parameter update)`);
  }

  /** The state tree (see the class comment). */
  get state(): OptimizerState {
    return this._state;
  }
  /** Replaces the state (with a loaded one, say): the next update merges it with the gradients. */
  set state(state: OptimizerState) {
    if (!isPlainObject(state)) throw new Error(`${this.name}: the state must be an object, got ${describeValue(state)}`);
    this.initialized = false;
    this._state = state;
  }

  /** The number of updates so far, a uint32 Array (MLX keeps a uint64; mlx-ts has no 64-bit unsigned type). */
  get step(): Array {
    return this.stateArray('step');
  }

  /** The learning rate of the next update: a float32 Array (a schedule's value at the current step). */
  get learningRate(): Array {
    return this.stateArray('learning_rate');
  }
  /** Fixes the learning rate (a scheduled one is recomputed at the next update, as in MLX). */
  set learningRate(learningRate: number | Array) {
    if (!(learningRate instanceof Array) && typeof learningRate !== 'number') {
      throw new Error(`${this.name}: learningRate must be a number or an Array, got ${describeValue(learningRate)}`);
    }
    this._state.learning_rate = array(learningRate);
  }

  /** Puts hyperparameter `name` in the state, on a schedule when `value` is a function. */
  protected maybeSchedule(name: string, value: LearningRate): void {
    if (typeof value === 'function') {
      this.schedules.set(name, value);
      this._state[name] = scheduled(this.name, name, value, this.step);
    } else {
      this._state[name] = array(value);
    }
  }

  /** The learning rate in `dtype` (the dtype of the gradient it scales). */
  protected lr(dtype: Array['dtype']): Array {
    return astype(this.learningRate, dtype);
  }

  private stateArray(key: string): Array {
    const v = this._state[key];
    if (!(v instanceof Array)) {
      throw new Error(`${this.name}: the state has no ${key} Array${v === undefined ? '' : ` (it holds ${describeValue(v)})`}`);
    }
    return v;
  }
}

/** A tree of empty per-parameter states in the shape of `p` (MLX's `tree_map(lambda _: {}, p)`). */
function emptyState(p: unknown): StateTree {
  if (globalThis.Array.isArray(p)) return p.map(emptyState);
  if (isPlainObject(p)) return Object.fromEntries(Object.entries(p).map(([k, v]) => [k, emptyState(v)]));
  return {};
}

function scheduled(who: string, name: string, schedule: Schedule, step: Array): Array {
  const v: unknown = schedule(step);
  if (v instanceof Array) return v;
  if (typeof v === 'number') return array(v);
  throw new Error(`${who}: the schedule of ${name} returned ${describeValue(v)}, expected an Array or a number`);
}
