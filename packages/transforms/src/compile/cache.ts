/**
 * The switches and the cache bound shared by every compiled function: `disableCompile()` /
 * `enableCompile()` (and `MLX_DISABLE_COMPILE=1` in the environment) make compiled functions call
 * f directly, as MLX's do; `setCompileCacheSize(n)` bounds how many signatures each compiled
 * function keeps (least recently used first out), so a loop over many shapes cannot grow memory
 * without bound; `clearCompileCache()` empties every compiled function's cache.
 */
import { describeValue } from '@mlx-ts/core';

function envDisabled(): boolean {
  const env = typeof process !== 'undefined' ? process.env?.MLX_DISABLE_COMPILE : undefined;
  return env !== undefined && env !== '' && env !== '0' && env.toLowerCase() !== 'false';
}

let enabled = !envDisabled();
let cacheSize = 64;
let generation = 0;

/** Makes every compiled function call its function directly (MLX's `mx.disable_compile`). */
export function disableCompile(): void {
  enabled = false;
}

/** Undoes `disableCompile` (MLX's `mx.enable_compile`); the environment variable then no longer applies. */
export function enableCompile(): void {
  enabled = true;
}

/** Whether compiled functions compile (false after `disableCompile` or with MLX_DISABLE_COMPILE=1). */
export function isCompileEnabled(): boolean {
  return enabled;
}

/**
 * Sets how many signatures (argument structures, dtypes, shapes, static values) each compiled
 * function keeps traced; the least recently used is dropped first. Returns the previous bound.
 */
export function setCompileCacheSize(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new Error(`setCompileCacheSize: expected a positive integer, got ${describeValue(n)}`);
  const prev = cacheSize;
  cacheSize = n;
  return prev;
}

/** How many signatures each compiled function keeps traced (see `setCompileCacheSize`). */
export function compileCacheSize(): number {
  return cacheSize;
}

/** Drops every compiled function's traces (each retraces on its next call). */
export function clearCompileCache(): void {
  generation++;
}

/** @internal bumped by clearCompileCache; a compiled function whose cache is older empties it. */
export function cacheGeneration(): number {
  return generation;
}

/** A Map used as an LRU: reads move the entry to the back, writes evict from the front past `compileCacheSize()`. */
export class Lru<K, V> {
  private readonly map = new Map<K, V>();
  get(k: K): V | undefined {
    const v = this.map.get(k);
    if (v !== undefined) {
      this.map.delete(k);
      this.map.set(k, v);
    }
    return v;
  }
  set(k: K, v: V): void {
    this.map.delete(k);
    this.map.set(k, v);
    while (this.map.size > cacheSize) this.map.delete(this.map.keys().next().value as K);
  }
  clear(): void {
    this.map.clear();
  }
  get size(): number {
    return this.map.size;
  }
}
