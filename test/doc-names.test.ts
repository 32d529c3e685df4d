// The prose docs name only what the package exports: every `mx.name`, `mx.ns.name` (and the
// `nn.name` / `optimizers.name` shorthands of `const { nn, optimizers } = mx`) in them must resolve
// on `import * as mx from 'mlx-ts'`, so a renamed or removed function cannot linger in the docs.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import * as mx from 'mlx-ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const docs = ['README.md', 'DESIGN.md', 'bench/README.md', ...readdirSync(`${root}docs`).flatMap((f) => (f.endsWith('.md') ? [`docs/${f}`] : []))];

/** The dotted references in a Markdown text; ```python blocks are MLX's own code and are skipped. */
function references(markdown: string): string[] {
  const text = markdown.replace(/^```python\n[\s\S]*?^```$/gm, '');
  // Not after an identifier character or a dot: `mlx.nn.x` and `torch.nn.x` are other libraries' names.
  const re = /(?<![\w$.])((?:mx|nn|optimizers)(?:\.[A-Za-z_$][\w$]*)+)/g;
  return [...new Set([...text.matchAll(re)].map((m) => m[1]!))];
}

/** The reference without its first unknown segment and what follows it, or null when it resolves. */
function unresolved(ref: string, api: object): string | null {
  const [head, ...rest] = ref.split('.');
  let value: unknown = head === 'mx' ? api : (api as Record<string, unknown>)[head!];
  const path = [head];
  for (const name of rest) {
    path.push(name);
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null || !(name in value)) return path.join('.');
    value = (value as Record<string, unknown>)[name];
  }
  return null;
}

describe('the docs name only exported functions', () => {
  test('the scan finds references and rejects a missing one', () => {
    const refs = references('`mx.nn.Linear`, `nn.relu`, mlx.nn.value_and_grad, x.mx.y\n```python\nmx.expand_dims(x, 0)\n```\n');
    expect(refs).toEqual(['mx.nn.Linear', 'nn.relu']);
    expect(unresolved('mx.nn.Linear', mx)).toBeNull();
    expect(unresolved('mx.random.key', mx)).toBeNull();
    expect(unresolved('mx.convTranspose', mx)).toBe('mx.convTranspose');
    expect(unresolved('nn.losses.cross_entropy', mx)).toBe('nn.losses.cross_entropy');
  });

  test.each(docs)('%s', (file) => {
    const refs = references(readFileSync(`${root}${file}`, 'utf8'));
    expect(refs.length).toBeGreaterThan(0);
    expect(refs.flatMap((r) => unresolved(r, mx) ?? [])).toEqual([]);
  });
});
