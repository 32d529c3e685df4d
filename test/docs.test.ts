// Every ```ts / ```js block of the guides typechecks (strict, against mlx-ts's built declarations, as a
// user's project sees them), runs, and prints what the page says it prints: each `console.log(...)`
// line ends with `// <expected output>` (an Array prints as its `tolist()`), and must run exactly
// once. A block without an import of mlx-ts gets `import * as mx from 'mlx-ts'`, which the pages
// say they leave out.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import * as mx from 'mlx-ts';

const root = fileURLToPath(new URL('..', import.meta.url));
// Inside the repository so that `mlx-ts` resolves as in the tests; git-ignored.
const scratch = `${root}test/.doc-snippets/`;
const pages = ['README.md', 'docs/mlx-to-mlx-ts.md'];

interface Snippet {
  page: string;
  line: number;
  code: string;
}

function snippets(page: string): Snippet[] {
  const text = readFileSync(`${root}${page}`, 'utf8');
  return [...text.matchAll(/^```(?:ts|js)\n([\s\S]*?)^```$/gm)].map((m) => ({ page, line: text.slice(0, m.index).split('\n').length, code: m[1]! }));
}

/** The snippet as the module a user would write. */
function asModule(code: string): string {
  return `${/from 'mlx-ts'/.test(code) ? '' : "import * as mx from 'mlx-ts';\n"}${code}\nexport {};\n`;
}

const execFileP = promisify(execFile);

/**
 * The type errors of the snippets, each as `page:line: message`. tsc runs in a child process: a
 * program over mlx-ts's declarations takes seconds, which would stall this worker's event loop.
 */
async function typeErrors(all: readonly Snippet[], name: string): Promise<string[]> {
  const dir = `${scratch}${name}/`;
  mkdirSync(dir, { recursive: true });
  const files = all.map((s, i) => {
    writeFileSync(`${dir}${i}.ts`, asModule(s.code));
    return `${i}.ts`;
  });
  const compilerOptions = {
    strict: true,
    noUncheckedIndexedAccess: true,
    noImplicitOverride: true,
    target: 'ES2022',
    module: 'ESNext',
    moduleResolution: 'Bundler',
    lib: ['ES2022'],
    types: ['node'],
    skipLibCheck: true,
    noEmit: true,
  };
  writeFileSync(`${dir}tsconfig.json`, JSON.stringify({ compilerOptions, files }));
  const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));
  const out = await execFileP(process.execPath, [tsc, '-p', `${dir}tsconfig.json`, '--pretty', 'false'], { cwd: dir }).then(
    (r) => r.stdout,
    (e: { stdout?: string }) => e.stdout ?? String(e),
  );
  // One error per line; a message chain continues on indented lines.
  return out
    .replace(/\n\s+/g, ' ')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const m = /^(\d+)\.ts\((\d+),\d+\): error TS\d+: (.*)$/.exec(l);
      const s = m ? all[Number(m[1])] : undefined;
      if (!m || !s) return l;
      // The module's line (1-based), less the import line that asModule may have added.
      const line = Number(m[2]) - 1 + s.line + (/from 'mlx-ts'/.test(s.code) ? 1 : 0);
      return `${s.page}:${line}: ${m[3]}`;
    });
}

/** How the page writes a logged value: Arrays as their nested lists, JS arrays as `[a, b]`. */
function show(v: unknown): string {
  if (v instanceof mx.Array) return show(v.tolist());
  if (globalThis.Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  return String(v);
}

type Log = (line: number, ...values: unknown[]) => void;
const hook = globalThis as typeof globalThis & { __docLog?: Log };

/** Runs a snippet; resolves to the expected and the printed text of each console.log line. */
async function run(s: Snippet, name: string): Promise<{ expected: string[]; printed: string[] }> {
  const expected: string[] = [];
  const printed: string[][] = [];
  const lines = s.code.split('\n').map((line, i) => {
    if (!line.includes('console.log(')) return line;
    const m = /^(\s*)console\.log\((.*)\); \/\/ (.*)$/.exec(line);
    if (!m) throw new Error(`${s.page}:${s.line + 1 + i}: a console.log line must be one statement ending in \`// <expected output>\`: ${line}`);
    expected.push(m[3]!);
    printed.push([]);
    return `${m[1]}globalThis.__docLog(${expected.length - 1}, ${m[2]});`;
  });
  const file = `${scratch}${name}.ts`;
  writeFileSync(file, asModule(lines.join('\n')));
  hook.__docLog = (k, ...values) => printed[k]!.push(values.map(show).join(' '));
  try {
    await import(pathToFileURL(file).href);
  } finally {
    delete hook.__docLog;
  }
  // A line that ran twice or never shows as two texts or none, so it cannot match.
  return { expected, printed: printed.map((p) => (p.length === 1 ? p[0]! : `ran ${p.length} times: ${p.join(' | ')}`)) };
}

mkdirSync(scratch, { recursive: true });
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.each(pages)('the snippets of %s run and print what the page says', (page) => {
  const all = snippets(page);
  test('the page has snippets', () => expect(all.length).toBeGreaterThan(0));
  test.each(all.map((s, i) => ({ ...s, i })))('the block at line $line', async (s) => {
    const { expected, printed } = await run(s, `${page.replace(/\W/g, '-')}-${s.i}`);
    expect(printed).toEqual(expected);
  });
});

test('the snippets typecheck', async () => {
  expect(await typeErrors(pages.flatMap(snippets), 'typecheck-pages')).toEqual([]);
});

describe('the snippet checker', () => {
  test('a wrong expected output, a line that never runs and a line without one fail', async () => {
    const wrong = { page: 'self', line: 0, code: 'console.log(mx.add(1, 2)); // 4\nif (mx.pi < 3) {\n  console.log(1); // 1\n}\n' };
    expect(await run(wrong, 'self-wrong')).toEqual({ expected: ['4', '1'], printed: ['3', 'ran 0 times: '] });
    await expect(run({ page: 'self', line: 0, code: 'console.log(1);\n' }, 'self-bare')).rejects.toThrow('must be one statement');
  });
  test('a type error fails, at its line of the page', async () => {
    expect(await typeErrors([{ page: 'self', line: 10, code: 'const n: number = mx.array(1);\n' }], 'typecheck-self')).toEqual([
      "self:11: Type 'Array' is not assignable to type 'number'.",
    ]);
  });
});
