/** Weight files for `Module.saveWeights`/`loadWeights`: the format by extension, and MLX's parameter names. */
import type { Array } from '@mlx-ts/core';
import { loadNpz, loadSafetensors, saveNpz, saveSafetensors } from '@mlx-ts/io';

function formatOf(file: string, fn: string): 'npz' | 'safetensors' {
  if (file.endsWith('.npz')) return 'npz';
  if (file.endsWith('.safetensors')) return 'safetensors';
  throw new Error(`${fn}: unsupported file extension for ${file}; use .npz or .safetensors`);
}

export function saveWeightsFile(file: string, pairs: readonly (readonly [string, Array])[]): void {
  if (formatOf(file, 'saveWeights') === 'npz') saveNpz(file, pairs);
  else saveSafetensors(file, pairs);
}

export function loadWeightsFile(file: string): [string, Array][] {
  return formatOf(file, 'loadWeights') === 'npz' ? loadNpz(file) : loadSafetensors(file);
}

/** A camelCase name in MLX's snake_case: `outProj` -> `out_proj`, `runningMean` -> `running_mean`. */
export function camelToSnake(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

/** A dotted parameter path as MLX names it in files: every segment in snake_case (`layers.0.outProj.weight`). */
export function toFileKey(path: string): string {
  return path.split('.').map(camelToSnake).join('.');
}
