/**
 * `mx.distributed`: MLX's communication between processes, over MPI. A {@link Group} is a set of
 * processes started together by an MPI launcher (`mpirun -np 4 node train.mjs`); the collectives
 * (`allSum`, `allGather`, ...) are lazy ops like every other, primitives in the graph that the
 * CPU backend evaluates by calling the system's MPI library, so `grad`, `vmap` and `compile` see
 * them. Without MPI, or in a process no launcher started, {@link init} gives the group of this one
 * process, over which every collective is the identity (as MLX's singleton group).
 *
 * Derivatives treat the objective as the sum of every process's loss: the VJP of `allSum` is
 * `allSum` (see core/src/ir/rules/distributed.ts).
 *
 * @module
 */
import type { Array } from './array.js';
import { describeValue } from './describe.js';
import type { StreamOrDevice } from './device.js';
import { type Dtype, toDtype } from './dtype.js';
import { node } from './graph.js';
import type { DistributedParams } from './ir/primitives.js';
import { distributedTransport } from './distributed-transport.js';
import { type ArrayInput, type DtypeLike, type Kind, parseOpts, toArray } from './ops/convert.js';

let world: Group | null = null;

/** A group of processes that communicate: MLX's `mx.distributed.Group`. */
export class Group {
  /** @internal */
  constructor(
    /** @internal The transport's id for it (0: the world). */
    readonly id: number,
    private readonly rank_: number,
    private readonly size_: number,
  ) {}
  /** This process's rank in the group, 0 .. size - 1. */
  rank(): number {
    return this.rank_;
  }
  /** The number of processes in the group. */
  size(): number {
    return this.size_;
  }
  /**
   * Splits the group into subgroups: processes passing the same `color` form one, ranked by `key`
   * (default -1: a negative key keeps their order in this group). Every process of the group must call it.
   */
  split(color: number, key = -1): Group {
    const fn = 'Group.split';
    if (!Number.isInteger(color) || color < 0) throw new Error(`${fn}: expected color to be a non-negative integer, got ${describeValue(color)}`);
    if (!Number.isInteger(key)) throw new Error(`${fn}: expected key to be an integer, got ${describeValue(key)}`);
    if (this.size_ === 1) throw new Error(`${fn}: the group of a single process cannot be split (start the processes with mpirun)`);
    const g = distributedTransport()!.split(this.id, color, key);
    return new Group(g.group, g.rank, g.size);
  }
}

/** Whether a communication backend (MPI) is available: MLX's `mx.distributed.is_available`. */
export function isAvailable(): boolean {
  return distributedTransport()?.isAvailable() ?? false;
}

/** Options of {@link init}. */
export interface InitOptions {
  /** Throw, saying what is missing, instead of returning the group of this one process (default false). */
  strict?: boolean;
  /** The communication backend: 'mpi' or 'any' (default), both MPI here. */
  backend?: 'mpi' | 'any';
}

/**
 * The group of every process the launcher started (MLX's `mx.distributed.init(strict, backend)`,
 * positionally or as `{ strict, backend }`): a group of size 1 when MPI is missing or no MPI launcher
 * started this process, unless `strict`, which throws saying what is missing and how to install or
 * launch it. Later calls return the same group.
 */
export function init(strict?: boolean | InitOptions, backend?: 'mpi' | 'any'): Group;
export function init(...args: unknown[]): Group {
  const fn = 'init';
  const o = parseOpts(fn, args, ['strict', 'backend'], { strict: 'bool', backend: ['mpi', 'any'] });
  if (o.stream != null) throw new Error(`${fn}: takes no stream (the group spans processes, not streams)`);
  const strict: boolean = o.strict ?? false;
  // A strict call after a lenient one that found no launcher still says what is missing.
  if (world && !(strict && world.size() === 1)) return world;
  const transport = distributedTransport();
  if (!transport) {
    if (strict) throw new Error(`${fn}: no distributed transport is registered: the native CPU backend (which binds MPI) did not load`);
    world = new Group(0, 0, 1);
    return world;
  }
  const g = transport.init(strict);
  world = new Group(g.group, g.rank, g.size);
  return world;
}

const groupKind: Kind = { what: 'a Group (from mx.distributed.init())', test: (v) => v instanceof Group };

function groupOf(fn: string, rest: readonly unknown[]) {
  const o = parseOpts(fn, rest, ['group'], { group: groupKind });
  const g: Group = o.group ?? init();
  return { g, stream: o.stream, params: { group: g.id, rank: g.rank(), size: g.size() } as DistributedParams };
}

/** Optional arguments of the collectives: `group` (default: `init()`) and `stream`. */
export type CollectiveOpts = { group?: Group | null; stream?: StreamOrDevice | null };

function reduce(fn: string, reduce: 'sum' | 'max' | 'min', x: ArrayInput, rest: readonly unknown[]): Array {
  const a = toArray(fn, x);
  const { params, stream } = groupOf(fn, rest);
  if (params.size === 1) return a;
  return node('allReduce', [a], { ...params, reduce }, stream);
}

/** The elementwise sum of `x` over the group's processes, on every process (MLX's `all_sum`). */
export function allSum(x: ArrayInput, options?: CollectiveOpts): Array;
export function allSum(x: ArrayInput, ...rest: unknown[]): Array {
  return reduce('allSum', 'sum', x, rest);
}

/** The elementwise maximum of `x` over the group's processes, on every process (MLX's `all_max`). */
export function allMax(x: ArrayInput, options?: CollectiveOpts): Array;
export function allMax(x: ArrayInput, ...rest: unknown[]): Array {
  return reduce('allMax', 'max', x, rest);
}

/** The elementwise minimum of `x` over the group's processes, on every process (MLX's `all_min`). */
export function allMin(x: ArrayInput, options?: CollectiveOpts): Array;
export function allMin(x: ArrayInput, ...rest: unknown[]): Array {
  return reduce('allMin', 'min', x, rest);
}

/**
 * Every process's `x` concatenated along axis 0 in rank order (a 0-d `x` gives shape [size]),
 * on every process (MLX's `all_gather`). Every process must pass the same shape and dtype.
 */
export function allGather(x: ArrayInput, options?: CollectiveOpts): Array;
export function allGather(x: ArrayInput, ...rest: unknown[]): Array {
  const fn = 'allGather';
  const a = toArray(fn, x);
  const { params, stream } = groupOf(fn, rest);
  if (params.size === 1) return a;
  return node('allGather', [a], params, stream);
}

function checkPeer(fn: string, what: 'dst' | 'src', v: unknown, g: DistributedParams): number {
  // The kind first, so a wrong value is named as such even where no peer exists.
  if (!Number.isInteger(v) || (v as number) < 0) throw new Error(`${fn}: expected ${what} to be a rank (a non-negative integer), got ${describeValue(v)}`);
  if (g.size === 1)
    throw new Error(`${fn}: cannot ${fn === 'send' ? 'send to' : 'receive from'} another process in a group of one (start the processes with mpirun)`);
  if ((v as number) >= g.size)
    throw new Error(`${fn}: expected ${what} to be a rank in [0, ${g.size - 1}] for a group of size ${g.size}, got ${describeValue(v)}`);
  if (v === g.rank) throw new Error(`${fn}: ${what} ${describeValue(v)} is this process's own rank; a process cannot message itself`);
  return v as number;
}

/**
 * Sends `x` to the process of rank `dst` (MLX's `send`); the result is `x`, and evaluating it
 * sends. The receiver calls `recv`/`recvLike` with the same shape and dtype.
 */
export function send(x: ArrayInput, dst: number, options?: CollectiveOpts): Array;
export function send(x: ArrayInput, dst: number, ...rest: unknown[]): Array {
  const fn = 'send';
  const a = toArray(fn, x);
  const { params, stream } = groupOf(fn, rest);
  return node('send', [a], { ...params, dst: checkPeer(fn, 'dst', dst, params) }, stream);
}

/** Receives an array of `shape` and `dtype` from the process of rank `src` (MLX's `recv`). */
export function recv(shape: readonly number[], dtype: DtypeLike, src: number, options?: CollectiveOpts): Array;
export function recv(shape: readonly number[], dtype: DtypeLike, src: number, ...rest: unknown[]): Array {
  return receive('recv', shape, dtype, src, rest);
}

/** Receives an array of `x`'s shape and dtype from the process of rank `src` (MLX's `recv_like`). */
export function recvLike(x: ArrayInput, src: number, options?: CollectiveOpts): Array;
export function recvLike(x: ArrayInput, src: number, ...rest: unknown[]): Array {
  const a = toArray('recvLike', x);
  return receive('recvLike', a.shape, a.dtype, src, rest);
}

function receive(fn: string, shape: readonly number[], dtype: DtypeLike, src: number, rest: readonly unknown[]): Array {
  if (!globalThis.Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new Error(`${fn}: expected shape to be a list of non-negative integers, got ${describeValue(shape)}`);
  }
  const dt: Dtype = toDtype(dtype, fn);
  const { params, stream } = groupOf(fn, rest);
  return node('recv', [], { ...params, src: checkPeer(fn, 'src', src, params), shape: shape.slice(), dtype: dt }, stream);
}
