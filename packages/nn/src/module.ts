/**
 * `nn.Module`: MLX's `mlx.nn.Module`. A model is a class extending Module; its parameters are public
 * properties holding Arrays, its children properties holding Modules, or JS arrays and plain objects
 * of them, nested. Properties whose names start with `_` are kept but are not parameters. The call is
 * `model.forward(x)` (TS cannot make instances callable, so MLX's `model(x)` becomes `forward`).
 *
 * A Module is a tree node (core's `treeNodeKeys`): `mx.eval(model)`, `mx.compile(step, { inputs: [model],
 * outputs: [model] })`, core's `treeMap`/`treeFlatten` and `mx.utils` see it as an object of its
 * members, as MLX's Module is a dict.
 */
import { Array, describeValue, type Dtype, fmtShape, isPlainObject, maxTreeDepth, treeNodeKeys, type TreeNodeObject } from '@mlx-ts/core';
import { treeFlatten, treeUnflatten } from './utils.js';
import { loadWeightsFile, saveWeightsFile, toFileKey } from './io/weights.js';

/** A nested tree of parameters: what `parameters()` returns below its top level. */
export type ParameterTree = Array | ParameterTree[] | { [key: string]: ParameterTree };
/** `parameters()`, `trainableParameters()` and gradients of `nn.valueAndGrad`: objects keyed by property name. */
export type ModuleParameters = { [key: string]: ParameterTree };
/** A filter of `filterAndMap`: given the module holding a value, its key (dotted inside JS arrays and objects) and the value. */
export type ModuleFilter = (module: Module, key: string, value: unknown) => boolean;
/** A tree of child modules, as `children()` and `leafModules()` return it. */
export type ModuleTree = Module | ModuleTree[] | { [key: string]: ModuleTree };

export interface FreezeOptions {
  /** Also (un)freeze the submodules. Default true. */
  recurse?: boolean;
  /** Only these parameter names (local to each module); default all. */
  keys?: string | readonly string[];
  /** Check that the keys exist. Default false. */
  strict?: boolean;
}

/** The values a Module keeps as members (MLX's dict items): arrays, modules, JS arrays and plain objects. */
function isMember(v: unknown): boolean {
  return v instanceof Array || v instanceof Module || globalThis.Array.isArray(v) || isPlainObject(v);
}

function kindOf(x: unknown): string {
  if (x === null) return 'null';
  if (x instanceof Array) return `an array of shape ${fmtShape(x.shape)}`;
  if (x instanceof Module) return `a ${x.constructor.name} module`;
  if (globalThis.Array.isArray(x)) return `a JS array of length ${x.length}`;
  if (isPlainObject(x)) return 'an object';
  return typeof x === 'object' ? (x.constructor?.name ?? 'an object') : `a ${typeof x}`;
}

const at = (path: string) => (path ? ` at '${path}'` : '');

/** Keys and values of a Module, plain object or JS array, for update and updateModules. */
function entriesOf(x: unknown): [string | number, unknown][] | null {
  if (x instanceof Module) return x.memberKeys().map((k) => [k, (x as unknown as Record<string, unknown>)[k]]);
  if (globalThis.Array.isArray(x)) return x.map((v, i) => [i, v]);
  if (isPlainObject(x)) return Object.entries(x);
  return null;
}

/** The containers (modules, JS arrays, plain objects) from the root module to where a walk is. */
type Walk = { readonly root: Module; readonly onPath: Set<object> };

/** filterAndMap's walk of one module's members; the walk detects cycles and bounds the depth. */
function mapMembers(
  m: Module,
  filter: ModuleFilter,
  map: (x: any) => unknown,
  isLeaf: (m: Module, k: string, v: unknown) => boolean,
  walk: Walk,
): Record<string, unknown> {
  const self = m as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of m.memberKeys()) if (filter(m, k, self[k])) out[k] = unwrap(m, k, self[k], filter, map, isLeaf, walk);
  return out;
}

function unwrap(
  model: Module,
  key: string,
  value: unknown,
  filter: ModuleFilter,
  map: (x: any) => unknown,
  isLeaf: (m: Module, k: string, v: unknown) => boolean,
  walk: Walk,
): unknown {
  if (isLeaf(model, key, value)) return map(value);
  const container = value as object;
  if (value instanceof Module || globalThis.Array.isArray(value) || isPlainObject(value)) {
    const fn = `${walk.root.constructor.name}.filterAndMap`;
    if (walk.onPath.has(container)) throw new Error(`${fn}: the module tree contains a cycle at '${key}' (it holds one of its own ancestors)`);
    if (walk.onPath.size >= maxTreeDepth) throw new Error(`${fn}: the module tree nests deeper than ${maxTreeDepth} containers, at '${key}'`);
  }
  walk.onPath.add(container);
  try {
    if (value instanceof Module) return mapMembers(value, filter, map, isLeaf, walk);
    if (globalThis.Array.isArray(value)) {
      return value.map((v, i) => {
        const k = `${key}.${i}`;
        return filter(model, k, v) ? unwrap(model, k, v, filter, map, isLeaf, walk) : {};
      });
    }
    if (isPlainObject(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const kk = `${key}.${k}`;
        out[k] = filter(model, kk, v) ? unwrap(model, kk, v, filter, map, isLeaf, walk) : {};
      }
      return out;
    }
  } finally {
    walk.onPath.delete(container);
  }
  throw new Error(`${model.constructor.name}.filterAndMap: reached ${kindOf(value)} at '${key}', which is neither a leaf nor a container`);
}

export class Module implements TreeNodeObject {
  #noGrad = new Set<string>();
  #training = true;

  /** The layer's computation; subclasses define it (MLX's `__call__`). */
  forward(..._args: unknown[]): unknown {
    throw new Error(`${this.constructor.name}.forward is not defined: a subclass of nn.Module implements forward(...)`);
  }

  /** True in training mode (the default), false after `eval()`. */
  get training(): boolean {
    return this.#training;
  }

  /** The module itself: MLX's `state`, the tree of everything it holds (parameters, buffers, children). */
  get state(): this {
    return this;
  }

  /** The names of the properties that hold arrays, modules, JS arrays or plain objects (MLX's dict keys). */
  memberKeys(): string[] {
    const self = this as unknown as Record<string, unknown>;
    return Object.keys(this).filter((k) => isMember(self[k]));
  }

  /** The tree-node protocol: a Module's subtrees are its `memberKeys()`. */
  [treeNodeKeys](): readonly string[] {
    return this.memberKeys();
  }

  /** Whether `value` is a Module (an instance of this class or a subclass). */
  static isModule(value: unknown): value is Module {
    return value instanceof Module;
  }

  static validChildFilter: ModuleFilter = (_m, _k, v) => v instanceof Module || globalThis.Array.isArray(v) || isPlainObject(v);

  static validParameterFilter: ModuleFilter = (_m, k, v) =>
    (v instanceof Array || v instanceof Module || globalThis.Array.isArray(v) || isPlainObject(v)) && !k.startsWith('_');

  static trainableParameterFilter: ModuleFilter = (m, k, v) => Module.validParameterFilter(m, k, v) && !m.#noGrad.has(k);

  /**
   * MLX's `filter_and_map`: the members for which `filter` holds, recursively, with `map` applied to
   * the leaves (by default everything that is not a Module, JS array or plain object).
   */
  filterAndMap(filter: ModuleFilter, map: (x: any) => unknown = (x) => x, isLeaf?: (m: Module, k: string, v: unknown) => boolean): Record<string, unknown> {
    const leaf = isLeaf ?? ((_m, _k, v) => !(v instanceof Module || globalThis.Array.isArray(v) || isPlainObject(v)));
    return mapMembers(this, filter, map, leaf, { root: this, onPath: new Set([this]) });
  }

  /** Every parameter (public Array member), recursively, as nested objects and JS arrays. */
  parameters(): ModuleParameters {
    return this.filterAndMap(Module.validParameterFilter) as ModuleParameters;
  }

  /** The parameters that are not frozen. */
  trainableParameters(): ModuleParameters {
    return this.filterAndMap(Module.trainableParameterFilter) as ModuleParameters;
  }

  /** The direct submodules, in the JS arrays and objects that hold them. */
  children(): { [key: string]: ModuleTree } {
    return this.filterAndMap(Module.validChildFilter, undefined, (_m, _k, v) => v instanceof Module) as { [key: string]: ModuleTree };
  }

  /** The submodules that hold no other modules. */
  leafModules(): { [key: string]: ModuleTree } {
    const isLeafModule = (_m: Module, _k: string, v: unknown) => v instanceof Module && treeFlatten(v.children()).length === 0;
    return this.filterAndMap(Module.validChildFilter, undefined, isLeafModule) as { [key: string]: ModuleTree };
  }

  /**
   * Replaces parameters with those in `parameters`, a complete or partial tree like `parameters()`.
   * With `strict` (the default) every key must name a parameter and every new value at an array's
   * place must be an Array. Called as `update(tree, strict?)` or `update(tree, { strict })`.
   */
  update(parameters: unknown, strict: boolean | { strict?: boolean } = true): this {
    const s = typeof strict === 'boolean' ? strict : (strict.strict ?? true);
    const fn = `${this.constructor.name}.update`;
    const go = (dst: unknown, src: unknown, path: string): void => {
      const dstEntries = entriesOf(dst);
      const srcEntries = globalThis.Array.isArray(src) || isPlainObject(src) ? entriesOf(src)! : null;
      // An empty subtree updates nothing, whatever it stands for (parameters() gives {} for a function layer).
      if (srcEntries !== null && srcEntries.length === 0) return;
      if (srcEntries === null || dstEntries === null || globalThis.Array.isArray(src) !== globalThis.Array.isArray(dst)) {
        if (s) throw new Error(`${fn}: expected ${kindOf(dst)}${at(path)}, got ${kindOf(src)}`);
        return;
      }
      const holder = dst as Record<string | number, unknown>;
      for (const [k, v] of srcEntries) {
        const p = path ? `${path}.${k}` : String(k);
        const cur = dstEntries.find(([dk]) => dk === k);
        if (cur === undefined) {
          if (s) {
            const what =
              typeof k === 'number'
                ? `index ${k} is out of range for a JS array of length ${dstEntries.length}`
                : `there is no parameter named '${k}' (it has ${dstEntries.map(([dk]) => dk).join(', ') || 'none'})`;
            throw new Error(`${fn}: ${what}${at(path)}`);
          }
          continue;
        }
        if (cur[1] instanceof Array) {
          if (s && !(v instanceof Array)) throw new Error(`${fn}: expected an array for parameter '${p}', got ${kindOf(v)}`);
          holder[k] = v;
        } else go(cur[1], v, p);
      }
    };
    go(this, parameters, '');
    return this;
  }

  /**
   * Replaces submodules with those in `modules`, a partial tree like `children()` (MLX's
   * `update_modules`). Called as `updateModules(tree, strict?)` or `updateModules(tree, { strict })`.
   */
  updateModules(modules: unknown, strict: boolean | { strict?: boolean } = true): this {
    const s = typeof strict === 'boolean' ? strict : (strict.strict ?? true);
    const fn = `${this.constructor.name}.updateModules`;
    const go = (dst: unknown, src: unknown, path: string): void => {
      const dstEntries = entriesOf(dst);
      const srcEntries = globalThis.Array.isArray(src) || isPlainObject(src) ? entriesOf(src)! : null;
      if (srcEntries === null || dstEntries === null) {
        if (s) throw new Error(`${fn}: expected ${kindOf(dst)}${at(path)}, got ${kindOf(src)}`);
        return;
      }
      const holder = dst as Record<string | number, unknown>;
      for (const [k, v] of srcEntries) {
        const p = path ? `${path}.${k}` : String(k);
        const cur = dstEntries.find(([dk]) => dk === k);
        if (cur === undefined) {
          if (s)
            throw new Error(
              `${fn}: ${typeof k === 'number' ? `index ${k} is out of range for a JS array of length ${dstEntries.length}` : `there is no submodule named '${k}'`}${at(path)}`,
            );
          continue;
        }
        if (cur[1] instanceof Module && v instanceof Module) holder[k] = v;
        else if (cur[1] instanceof Module || globalThis.Array.isArray(cur[1]) || isPlainObject(cur[1])) go(cur[1], v, p);
        else if (s && !(isPlainObject(v) && Object.keys(v).length === 0))
          throw new Error(`${fn}: '${p}' holds ${kindOf(cur[1])}, not a module; got ${kindOf(v)}`);
      }
    };
    go(this, modules, '');
    return this;
  }

  /**
   * Maps the parameters selected by `filter` (default: all) through `map` and stores the results
   * (`model.apply((w) => w.astype(mx.float16))`).
   */
  apply(map: (x: Array) => Array, filter: ModuleFilter = Module.validParameterFilter): this {
    return this.update(this.filterAndMap(filter, map));
  }

  /** Calls `fn(path, module)` for this module (path '') and every submodule (`layers.0`, ...). */
  applyToModules(fn: (path: string, module: Module) => unknown): this {
    // Each entry carries its ancestors, so a module that holds one of them is an Error, not an endless walk.
    const stack: [string, Module, readonly Module[]][] = [['', this, []]];
    while (stack.length > 0) {
      const [prefix, m, above] = stack.pop()!;
      if (above.includes(m))
        throw new Error(`${this.constructor.name}.applyToModules: the module tree contains a cycle at '${prefix}' (it holds one of its own ancestors)`);
      fn(prefix, m);
      const chain = [...above, m];
      for (const [k, child] of treeFlatten<Module>(m.children(), prefix ? `.${prefix}` : '', Module.isModule)) stack.push([k, child, chain]);
    }
    return this;
  }

  /** This module and all its submodules. */
  modules(): Module[] {
    const out: Module[] = [];
    this.applyToModules((_, m) => out.push(m));
    return out;
  }

  /** This module and all its submodules with their dotted paths. */
  namedModules(): [string, Module][] {
    const out: [string, Module][] = [];
    this.applyToModules((k, m) => out.push([k, m]));
    return out;
  }

  #validateKeys(fn: string, keys: string | readonly string[], strict: boolean): string[] {
    const list = typeof keys === 'string' ? [keys] : [...keys];
    if (strict) {
      const members = this.memberKeys();
      for (const k of list) if (!members.includes(k)) throw new Error(`${fn}: ${this.constructor.name} has no member '${k}'`);
    }
    return list;
  }

  #validateKeysRecursive(fn: string, keys: string | readonly string[]): void {
    const modules = this.modules();
    for (const k of typeof keys === 'string' ? [keys] : keys) {
      if (!modules.some((m) => m.memberKeys().includes(k))) throw new Error(`${fn}: no module of ${this.constructor.name} has a member '${k}'`);
    }
  }

  #forEachModule(fn: string, options: FreezeOptions, own: (m: Module, strict: boolean) => void): this {
    const given: unknown = options;
    if (!isPlainObject(given)) throw new Error(`${fn}: expected an options object {keys, recurse, strict}, got ${describeValue(given)}`);
    const { keys } = options;
    if (keys !== undefined && typeof keys !== 'string' && !(globalThis.Array.isArray(keys) && keys.every((k) => typeof k === 'string'))) {
      throw new Error(`${fn}: keys must be a string or a list of strings, got ${describeValue(keys)}`);
    }
    for (const k of Object.keys(options))
      if (k !== 'recurse' && k !== 'keys' && k !== 'strict') throw new Error(`${fn}: unknown option '${k}' (expected recurse, keys, strict)`);
    let strict = options.strict ?? false;
    if (options.recurse ?? true) {
      if (strict && options.keys !== undefined) {
        // A key such as 'bias' need only exist somewhere in the model, not in every module.
        this.#validateKeysRecursive(fn, options.keys);
        strict = false;
      }
      this.applyToModules((_, m) => own(m, strict));
    } else own(this, strict);
    return this;
  }

  /**
   * Freezes parameters: `nn.valueAndGrad` and `trainableParameters()` leave them out. Without `keys`,
   * all of each module's parameters; `freeze({ keys: 'bias' })` only the biases.
   */
  freeze(options: FreezeOptions = {}): this {
    const fn = `${this.constructor.name}.freeze`;
    return this.#forEachModule(fn, options, (m, strict) => {
      const keys = options.keys ?? treeFlatten(m.filterAndMap((mm, k, v) => !(v instanceof Module) && Module.validParameterFilter(mm, k, v))).map(([k]) => k);
      for (const k of m.#validateKeys(fn, keys, strict)) m.#noGrad.add(k);
    });
  }

  /** Unfreezes parameters (all, or only `keys`); the reverse of `freeze`. */
  unfreeze(options: FreezeOptions = {}): this {
    const fn = `${this.constructor.name}.unfreeze`;
    return this.#forEachModule(fn, options, (m, strict) => {
      if (options.keys === undefined) m.#noGrad.clear();
      else for (const k of m.#validateKeys(fn, options.keys, strict)) m.#noGrad.delete(k);
      m.afterUnfreeze();
    });
  }

  /** Runs after this module's own parameters are unfrozen: layers whose buffers must stay frozen refreeze them here. */
  protected afterUnfreeze(): void {}

  /** Sets training mode (`mode = true`) or evaluation mode on this module and every submodule. */
  train(mode = true): this {
    if (typeof mode !== 'boolean') throw new Error(`${this.constructor.name}.train: mode must be a boolean, got ${kindOf(mode)}`);
    return this.applyToModules((_, m) => {
      m.#training = mode;
    });
  }

  /** Evaluation mode: `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /** Casts the parameters whose dtype `predicate` accepts (default: floating ones) to `dtype`. */
  setDtype(dtype: Dtype, predicate: (d: Dtype) => boolean = (d) => d.isFloating): void {
    this.apply((x) => (predicate(x.dtype) ? x.astype(dtype) : x));
  }

  /**
   * Saves the parameters to `.safetensors` or `.npz` (by extension), named as MLX names them:
   * dotted paths of snake_case names (`outProj.weight` is stored as `out_proj.weight`).
   */
  saveWeights(file: string): void {
    saveWeightsFile(
      file,
      treeFlatten<Array>(this.parameters()).map(([k, v]) => [toFileKey(k), v]),
    );
  }

  /**
   * Loads parameters from a `.safetensors` or `.npz` file, or from `[name, array]` pairs. Names may be
   * MLX's (snake_case) or the properties' own. With `strict` (the default) the names and shapes must
   * match the parameters exactly; otherwise only the names the model has are loaded, unchecked.
   */
  loadWeights(fileOrWeights: string | readonly (readonly [string, Array])[], strict: boolean | { strict?: boolean } = true): this {
    const s = typeof strict === 'boolean' ? strict : (strict.strict ?? true);
    const fn = `${this.constructor.name}.loadWeights`;
    const source = typeof fileOrWeights === 'string' ? ` from ${fileOrWeights}` : '';
    const weights = typeof fileOrWeights === 'string' ? loadWeightsFile(fileOrWeights) : fileOrWeights;
    if (!globalThis.Array.isArray(weights)) throw new Error(`${fn}: expected a file path or [name, array] pairs, got ${kindOf(weights)}`);
    const current = new Map<string, Array>();
    const byName = new Map<string, string>();
    for (const [k, v] of treeFlatten<Array>(this.parameters())) {
      current.set(k, v);
      byName.set(k, k);
      byName.set(toFileKey(k), k);
    }
    const found: [string, Array][] = [];
    const extra: string[] = [];
    const seen = new Set<string>();
    for (const pair of weights) {
      if (!globalThis.Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string')
        throw new Error(`${fn}: expected [name, array] pairs, got ${kindOf(pair)}`);
      const [name, value] = pair;
      const key = byName.get(name);
      if (key === undefined) extra.push(name);
      else {
        seen.add(key);
        found.push([key, value]);
      }
    }
    if (s) {
      const problems: string[] = [];
      if (extra.length > 0) problems.push(`${extra.length} unexpected (not in the model): ${extra.sort().join(', ')}`);
      const missing = [...current.keys()].filter((k) => !seen.has(k)).map(toFileKey);
      if (missing.length > 0) problems.push(`${missing.length} missing: ${missing.sort().join(', ')}`);
      for (const [k, v] of found) {
        const want = current.get(k)!;
        if (!(v instanceof Array)) problems.push(`${toFileKey(k)}: expected an array, got ${kindOf(v)}`);
        else if (v.shape.join(',') !== want.shape.join(',')) problems.push(`${toFileKey(k)}: expected shape ${fmtShape(want.shape)}, got ${fmtShape(v.shape)}`);
      }
      if (problems.length > 0) throw new Error(`${fn}: the weights${source} do not match the model:\n  ${problems.join('\n  ')}`);
    }
    if (found.length > 0) this.update(treeUnflatten(found), false);
    return this;
  }

  /** Extra text for `toString` (MLX's `_extra_repr`), e.g. `inputDims=4, outputDims=2, bias=true`. */
  protected extraRepr(): string {
    return '';
  }

  /** The module and its children, one per line, as MLX's repr. */
  toString(): string {
    const children = treeFlatten<Module>(this.children(), '', Module.isModule);
    let s = `${this.constructor.name}(${this.extraRepr()}`;
    for (const [k, v] of children) s += `\n${`(${k}): ${v.toString()}`.replace(/^/gm, '  ')}`;
    return s + (children.length > 0 ? '\n)' : ')');
  }
}
