/** Where `mx.distributed` finds its transport: registered by a backend, so core never imports one. */
/** A group as the transport knows it: its id and this process's place in it. */
export interface TransportGroup {
  readonly group: number;
  readonly rank: number;
  readonly size: number;
}

/**
 * What carries the messages (the CPU backend's MPI binding registers itself): `init` sets up the
 * world group (throwing, when `strict`, why it cannot), `split` makes a subgroup.
 */
export interface DistributedTransport {
  readonly name: string;
  /** Whether a communication library was found. */
  isAvailable(): boolean;
  init(strict: boolean): TransportGroup;
  split(group: number, color: number, key: number): TransportGroup;
}

let transport: DistributedTransport | null = null;

/** Registers the transport `mx.distributed.init` uses (the CPU backend's MPI binding does, on import). */
export function registerDistributedTransport(t: DistributedTransport): void {
  transport = t;
}

/** The registered transport, if any. */
export function distributedTransport(): DistributedTransport | null {
  return transport;
}
