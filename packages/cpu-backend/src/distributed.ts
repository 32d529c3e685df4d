/**
 * The addon's MPI binding as core's distributed transport (native/distributed.h): `mlx-ts`
 * registers it with the CPU backend, so `mx.distributed.init` finds MPI through it.
 */
import type { DistributedTransport } from '@mlx-ts/core';
import { addon } from './addon.js';

/** What `distributedInfo` reports. */
export interface DistributedInfo {
  /** Whether an MPI library (Open MPI) was loaded. */
  readonly available: boolean;
  /** The path of the library loaded. */
  readonly library: string;
  /** Its MPI_Get_library_version string. */
  readonly version: string;
  /** Why none was loaded, when none was. */
  readonly error: string;
  /** Whether an MPI launcher (mpirun) started this process. */
  readonly launched: boolean;
}

/** The MPI library the addon loaded for `mx.distributed` (path and version), or why none loaded. */
export function distributedInfo(): DistributedInfo {
  return addon.distributedInfo();
}

/** Core's transport over the addon's MPI binding. */
export const mpiTransport: DistributedTransport = {
  name: 'mpi',
  isAvailable: () => addon.distributedInfo().available,
  init: (strict) => addon.distributedInit(strict),
  split: (group, color, key) => addon.distributedSplit(group, color, key),
};
