/**
 * Devices and streams, as in MLX. A stream names where an op runs; the backend registered for the
 * stream's device type executes it. Arrays are not bound to a device: a backend reads an input
 * stored by another backend through `transfer` (a no-op where memory is shared, as with Metal).
 */
import { requireDeviceBackend } from './backend.js';
import { describeValue } from './describe.js';

export type DeviceType = 'cpu' | 'gpu';

/** A device (`mx.cpu`, `mx.gpu`): MLX's `Device`, a type and an index. */
export class Device {
  constructor(
    readonly type: DeviceType,
    readonly index = 0,
  ) {}
  /** `Device(cpu, 0)`, as MLX prints it. */
  toString(): string {
    return `Device(${this.type}, ${this.index})`;
  }
  /** Whether `other` is the same device (type and index). */
  equals(other: Device): boolean {
    return this.type === other.type && this.index === other.index;
  }
}

/** A stream of a device: MLX's `Stream`. Ops on one stream run in order. */
export class Stream {
  constructor(
    readonly device: Device,
    readonly index: number,
  ) {}
  /** `Stream(Device(cpu, 0), 0)`, as MLX prints it. */
  toString(): string {
    return `Stream(${this.device.toString()}, ${this.index})`;
  }
}

export type StreamOrDevice = Stream | Device;

/** The CPU device. */
export const cpu = new Device('cpu');
/**
 * The GPU device. Where no backend serves it (any machine but a Mac with `@mlx-ts/metal-backend`),
 * `setDefaultDevice(mx.gpu)`, `defaultStream(mx.gpu)`, `newStream(mx.gpu)` and ops given
 * `{stream: mx.gpu}` throw an Error saying no GPU backend is present and why.
 */
export const gpu = new Device('gpu');

let currentDevice: Device = cpu;
/** `defaultStream(currentDevice)`, cached: every op without a stream asks for it. */
let currentStream: Stream | null = null;
let streamCount = 0;
const defaultStreams = new Map<string, Stream>();
const streamStack: Stream[] = [];

/** The device ops run on when they name no stream (initially `mx.cpu`). */
export function defaultDevice(): Device {
  return currentDevice;
}

/** Sets the device ops run on when they name no stream. */
export function setDefaultDevice(d: Device): void {
  checkDevice('setDefaultDevice', d);
  currentDevice = d;
  currentStream = null;
}

/** The default stream of a device (the default device's when none is given). */
export function defaultStream(d: Device = currentDevice): Stream {
  checkDevice('defaultStream', d);
  const key = `${d.type}:${d.index}`;
  let s = defaultStreams.get(key);
  if (!s) {
    s = new Stream(d, streamCount++);
    defaultStreams.set(key, s);
  }
  return s;
}

/** A Device that some registered backend serves; the Error names `fn` otherwise. */
function checkDevice(fn: string, d: unknown): void {
  if (!(d instanceof Device)) throw new Error(`${fn}: expected a Device (mx.cpu or mx.gpu), got ${describeValue(d)}`);
  requireDeviceBackend(fn, d.type);
}

/** A new stream on device `d` (the default device when omitted), as MLX's `new_stream`. */
export function newStream(d: Device = currentDevice): Stream {
  checkDevice('newStream', d);
  return new Stream(d, streamCount++);
}

/** Runs `fn` with `s` as the stream of every op that names none (MLX's `with mx.stream(s):`). */
export function withStream<T>(s: StreamOrDevice, fn: () => T): T {
  if (typeof fn !== 'function') throw new Error(`withStream: expected a function to run as the second argument, got ${describeValue(fn)}`);
  streamStack.push(toStream('withStream', s));
  try {
    return fn();
  } finally {
    streamStack.pop();
  }
}

function toStream(fn: string, s: StreamOrDevice): Stream {
  if (s instanceof Stream) return s;
  if (s instanceof Device) {
    checkDevice(fn, s);
    return defaultStream(s);
  }
  throw new Error(`${fn}: expected a Stream or Device, got ${describeValue(s)}`);
}

/** The stream an op runs on: its `{ stream }` option, else the innermost `withStream`, else the default device's. */
export function resolveStream(s?: StreamOrDevice | null): Stream {
  if (s) return s instanceof Stream ? s : toStream('stream', s);
  const n = streamStack.length;
  if (n > 0) return streamStack[n - 1]!;
  return currentStream ?? (currentStream = defaultStream(currentDevice));
}

/** The option every op accepts last. */
export interface StreamOpt {
  stream?: StreamOrDevice;
}
