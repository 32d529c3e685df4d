/**
 * Graphviz rendering of an optimized graph: inputs as ellipses, constants as notes, ordinary
 * nodes as boxes, fused kernels as filled boxes listing their program (`mx.exportToDot`).
 */
import type { CompiledParams } from '@mlx-ts/core';
import type { Graph } from './ir.js';
import { programToString } from './program.js';

const esc = (s: string): string => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
/** Left-justified lines, as Graphviz writes them. */
const lines = (ls: readonly string[]): string => ls.map((l) => `${esc(l)}\\l`).join('');

export function graphToDot(g: Graph, title = 'compiled'): string {
  const out: string[] = [`digraph "${esc(title)}" {`, '  node [fontname="monospace", fontsize=10];'];
  const type = (v: { dtype: { name: string }; shape: readonly number[] }) => `${v.dtype.name}[${v.shape.join(',')}]`;
  g.vals.forEach((v, i) => {
    switch (v.kind) {
      case 'input':
        out.push(`  v${i} [shape=ellipse, label="${esc(`input ${v.index}\n${type(v)}`)}"];`);
        break;
      case 'const': {
        const what = v.splat && v.splat.value !== null ? `constant ${v.splat.value}` : 'constant';
        out.push(`  v${i} [shape=note, label="${esc(`${what}\n${type(v)}`)}"];`);
        break;
      }
      case 'node':
        if (v.prim === 'compiled') {
          const p = v.params as CompiledParams;
          const body = [`compiled: ${p.name}  ${type(v)}`, `inputs: ${v.args.map((_, k) => `r${k}`).join(', ')}`, ...programToString(p).split('\n')];
          out.push(`  v${i} [shape=box, style=filled, fillcolor="#cfe2ff", label="${lines(body)}"];`);
        } else {
          out.push(`  v${i} [shape=box, label="${esc(`${v.prim}\n${type(v)}`)}"];`);
        }
        v.args.forEach((a, k) => out.push(`  v${a} -> v${i}${v.prim === 'compiled' ? ` [label="r${k}"]` : ''};`));
        break;
    }
  });
  g.outputs.forEach((o, k) => {
    out.push(`  out${k} [shape=plaintext, label="output ${k}"];`);
    out.push(`  v${o} -> out${k};`);
  });
  out.push('}');
  return out.join('\n');
}
