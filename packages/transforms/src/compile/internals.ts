/** What tools (exportToDot, inspect.ts) reach of a compiled function; not part of the public API. */
import type { FuseStats } from './fuse.js';
import type { Graph } from './ir.js';
import type { SimplifyStats } from './simplify.js';
import type { CompileOptions } from './index.js';

export interface CompiledInternals {
  readonly f: (...args: any[]) => unknown;
  readonly options: CompileOptions;
  /** Traces f for these arguments: the simplified graph, the fused one, and what the passes did. */
  optimize(args: readonly unknown[]): { graph: Graph; fused: Graph; stats: SimplifyStats & FuseStats } | null;
}

export const internalsOf = new WeakMap<(...args: any[]) => unknown, CompiledInternals>();
