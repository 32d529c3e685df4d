/**
 * What a backend registers. See packages/reference-backend for the worked example.
 *
 * A backend owns storage (opaque handles holding contiguous elements of one dtype) and executes
 * steps. The evaluator turns a graph into a list of steps in dependency order and hands the whole
 * list over in one `execute` call, so a native backend crosses into native code once per graph.
 * View primitives (reshape, transpose, broadcastTo, slice, stopGradient) never reach a backend:
 * the evaluator folds them into the offset and strides of the views it passes.
 */
import { describeValue } from './describe.js';
import type { Dtype, HostTypedArray } from './dtype.js';
import type { DeviceType } from './device.js';
import type { Aval } from './ir/primitives.js';
import type { Shape } from './shape.js';

/**
 * Where a step's input lives: a stored buffer, or an output of an earlier step in the same list.
 * `index` counts outputs, not steps: each step has one output slot, a multi-output step one per
 * output (see `Step.outputs`), in step order. Without multi-output steps the two agree.
 */
export type Source = { readonly kind: 'storage'; readonly handle: unknown } | { readonly kind: 'step'; readonly index: number };

/** A strided window onto a source. Offset and strides count elements, and strides may be 0 or negative. */
export interface View {
  readonly source: Source;
  readonly dtype: Dtype;
  readonly shape: Shape;
  readonly strides: readonly number[];
  readonly offset: number;
}

/** One primitive application: its inputs and the contiguous output it must produce. */
export interface Step {
  /** A core primitive name, or one registered with `registerPrimitive`. */
  readonly prim: string;
  readonly params: unknown;
  readonly inputs: readonly View[];
  /** The (first) output's shape and dtype. */
  readonly shape: Shape;
  readonly dtype: Dtype;
  /** Every output, for a primitive with several (`multiOutputPrimitives`, or a registered one with `outputs`). */
  readonly outputs?: readonly Aval[];
  /**
   * An input whose storage the backend may write this step's output into (MLX's buffer
   * donation), set by the evaluator only when nothing can read that storage after this step: the
   * input is an array only the evaluator can reach (a compiled function's donated argument or
   * intermediate), this step is its last reader, no other array views its storage, and it is
   * laid out contiguously from offset 0 with the output's shape and element size, either stored
   * or computed by an earlier step of the same `execute` call. A backend that takes it returns
   * the input's storage handle (or that earlier step's) as the output's, and the evaluator hands
   * the storage over instead of releasing it; one that does not (a kernel that reads an element
   * after writing another) ignores it and returns new storage.
   */
  readonly donate?: number;
}

/**
 * The output slot each step's outputs start at in what `execute` returns (one slot per step, one per
 * output of a multi-output step), and the total as the last entry.
 */
export function slotStarts(steps: readonly Step[]): number[] {
  const starts: number[] = [];
  let slot = 0;
  for (const step of steps) {
    starts.push(slot);
    slot += step.outputs?.length ?? 1;
  }
  starts.push(slot);
  return starts;
}

export interface Backend {
  readonly name: string;
  readonly deviceType: DeviceType;
  /** Higher wins when several backends serve one device type. */
  readonly priority: number;
  /** Copies contiguous host data into new storage. */
  fromHost(data: HostTypedArray, dtype: Dtype): unknown;
  /** A contiguous host copy of a view onto storage this backend owns. */
  toHost(view: View): HostTypedArray;
  /**
   * Runs the steps in order; returns the storage of each output (contiguous, row-major): one per
   * step, or one per output of a multi-output step, in order (the slots `Source.index` counts).
   */
  execute(steps: readonly Step[]): unknown[];
  /** Runs the steps off the main thread where the backend can; resolves like `execute`. */
  executeAsync?(steps: readonly Step[]): Promise<unknown[]>;
  /** Frees storage now (`dispose`); storage not released is reclaimed by the garbage collector. */
  release(handle: unknown): void;
  /** Whether `execute` accepts this primitive. */
  supports(prim: string): boolean;
  /** Bytes held by the backend's live storage, when it tracks them (tests and diagnostics). */
  memoryInUse?(): number | undefined;
  /**
   * Resolves once every kernel this backend is generating for `compile`d programs (in the
   * background, while it runs them another way) is ready or has failed.
   */
  waitForKernels?(): Promise<void>;
}

const backends: Backend[] = [];
const forced = new Map<DeviceType, Backend>();
/** The last `backendFor` answer; every op and every evaluated node asks, so registration changes clear it. */
let lastType: DeviceType | null = null;
let lastBackend: Backend | null = null;

/** How `registerBackend` checks one member: what it must be, and whether the interface lets it be absent. */
interface MemberCheck {
  readonly expect: string;
  readonly ok: (v: unknown) => boolean;
}
const isFunction = (v: unknown): boolean => typeof v === 'function';
const method: MemberCheck = { expect: 'a function', ok: isFunction };
/** Keyed by DeviceType, so a new device type must be listed here to register a backend for it. */
const deviceTypes: Record<DeviceType, true> = { cpu: true, gpu: true };

/**
 * Every member of `Backend`, checked when a backend registers. Typed over the interface's keys,
 * with `optional` exactly where the interface has `?`, so a member added to `Backend` without a
 * check here is a compile error.
 */
const backendMembers: { readonly [K in keyof Backend]-?: MemberCheck & (undefined extends Backend[K] ? { optional: true } : { optional?: never }) } = {
  name: { expect: 'a non-empty string', ok: (v) => typeof v === 'string' && v.length > 0 },
  deviceType: {
    expect: `one of ${Object.keys(deviceTypes)
      .map((t) => `'${t}'`)
      .join(', ')}`,
    ok: (v) => typeof v === 'string' && Object.hasOwn(deviceTypes, v),
  },
  priority: { expect: 'a finite number', ok: (v) => typeof v === 'number' && Number.isFinite(v) },
  fromHost: method,
  toHost: method,
  execute: method,
  executeAsync: { ...method, optional: true },
  release: method,
  supports: method,
  memoryInUse: { ...method, optional: true },
  waitForKernels: { ...method, optional: true },
};

/** Throws, naming every member that is missing or of the wrong kind, unless `b` is a usable Backend. */
function checkBackend(b: unknown): asserts b is Backend {
  const members = Object.entries(backendMembers) as [string, MemberCheck & { optional?: true }][];
  const required = members.filter(([, m]) => !m.optional).map(([k]) => k);
  if (typeof b !== 'object' || b === null) {
    throw new Error(`registerBackend: expected a backend (an object with ${required.join(', ')}), got ${describeValue(b)}`);
  }
  const problems: string[] = [];
  for (const [k, m] of members) {
    const v = (b as Record<string, unknown>)[k];
    if (v === undefined) {
      if (!m.optional) problems.push(`${k} is missing (expected ${m.expect})`);
    } else if (!m.ok(v)) problems.push(`${k} is ${describeValue(v)} (expected ${m.expect}${m.optional ? ' or undefined' : ''})`);
  }
  if (problems.length > 0) {
    const name = (b as { name?: unknown }).name;
    const which = typeof name === 'string' && name.length > 0 ? `backend '${name}'` : 'the backend';
    throw new Error(`registerBackend: ${which} is not a valid Backend: ${problems.join('; ')}. Nothing was registered`);
  }
}

/**
 * Registers a backend (replacing one of the same name); among those of a device type, the highest
 * `priority` serves it. It is checked first: an invalid one throws and leaves the registered
 * backends as they were.
 */
export function registerBackend(b: Backend): void {
  checkBackend(b);
  const i = backends.findIndex((x) => x.name === b.name);
  if (i >= 0) backends.splice(i, 1);
  backends.push(b);
  lastType = null;
}

/** The registered backends, in registration order. */
export function listBackends(): readonly Backend[] {
  return backends;
}

/**
 * Resolves once every registered backend has finished generating the kernels that compiled
 * functions asked for, so that later calls run the generated code (benchmarks, warm-up).
 */
export async function waitForKernels(): Promise<void> {
  await Promise.all(backends.map((b) => b.waitForKernels?.()));
}

/** The registered backend of that name; an Error naming the registered ones when there is none. */
export function getBackendByName(name: string): Backend {
  const b = backends.find((x) => x.name === name);
  if (!b) throw new Error(`backend: no backend named '${name}' is registered (have: ${backends.map((x) => x.name).join(', ') || 'none'})`);
  return b;
}

/** Makes the named backend serve its device type until `useBackend` is called again; `null` restores the default. */
export function useBackend(name: string | null, deviceType: DeviceType = 'cpu'): void {
  if (name === null) forced.delete(deviceType);
  else forced.set(getBackendByName(name).deviceType, getBackendByName(name));
  lastType = null;
}

/** The backend that serves a device type: the one `useBackend` chose, else the highest-priority registered one. */
export function backendFor(deviceType: DeviceType): Backend {
  if (deviceType === lastType) return lastBackend!;
  const b = findBackend(deviceType);
  lastType = deviceType;
  lastBackend = b;
  return b;
}

function findBackend(deviceType: DeviceType): Backend {
  const f = forced.get(deviceType);
  if (f) return f;
  let best: Backend | undefined;
  for (const b of backends) if (b.deviceType === deviceType && (!best || b.priority > best.priority)) best = b;
  if (!best) throw noBackendError('backend', deviceType);
  return best;
}

/** Why no backend serves a device type here, as the package that would serve it reported. */
const absenceReasons = new Map<DeviceType, string>();

/**
 * Records why no backend serves `deviceType` on this machine (a backend package that cannot run
 * here says why: `@mlx-ts/metal-backend` off macOS), so the Error that work on that device meets
 * names the cause; `null` forgets it.
 */
export function setDeviceAbsenceReason(deviceType: DeviceType, reason: string | null): void {
  if (reason === null) absenceReasons.delete(deviceType);
  else absenceReasons.set(deviceType, reason);
}

/** The one message for work on a device no backend serves: `fn` is the caller, as every Error here names it. */
export function noBackendError(fn: string, deviceType: DeviceType): Error {
  const reason = absenceReasons.get(deviceType) ?? 'no backend package for it is installed and registered';
  const registered = backends.map((x) => `${x.name} (${x.deviceType})`).join(', ') || 'none';
  return new Error(
    `${fn}: no ${deviceType.toUpperCase()} backend is present on this machine (device '${deviceType}'): ${reason}. Registered backends: ${registered}`,
  );
}

/** Throws `noBackendError` unless some backend serves `deviceType` (the device functions check before any op is built). */
export function requireDeviceBackend(fn: string, deviceType: DeviceType): void {
  if (forced.has(deviceType)) return;
  for (const b of backends) if (b.deviceType === deviceType) return;
  throw noBackendError(fn, deviceType);
}
