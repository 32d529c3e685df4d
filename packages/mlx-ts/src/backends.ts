/**
 * Registers the best backend present, once, for both entries (`mlx-ts` and `mlx-ts/internals`).
 * The float64 reference backend is always there; the native CPU backend outranks it when its
 * addon was built. `@mlx-ts/cpu-backend` loads without its addon and says why in `addonError`,
 * so the choice is made synchronously (and the addon's MPI binding becomes mx.distributed's transport): no top-level await, and a CommonJS project can
 * `require('mlx-ts')`.
 */
import { registerBackend, registerDistributedTransport, setDeviceAbsenceReason } from '@mlx-ts/core';
import { addonError, cpuBackend, mpiTransport } from '@mlx-ts/cpu-backend';
import { metalBackend, metalUnavailable } from '@mlx-ts/metal-backend';
import { referenceBackend } from '@mlx-ts/reference-backend';

registerBackend(referenceBackend);
if (addonError === null) {
  registerBackend(cpuBackend);
  registerDistributedTransport(mpiTransport);
} else process.emitWarning(`mlx-ts: the native CPU backend is unavailable, using the reference backend (${addonError.message})`);
// Metal serves mx.gpu on Apple silicon when its addon is built; elsewhere GPU work's Error says why, in the metal package's words.
if (metalBackend !== null) registerBackend(metalBackend);
else setDeviceAbsenceReason('gpu', metalUnavailable);
