// Command-line flags for the examples: `--name value` or `--name=value` for every option of a table of
// { name: [default, help] }, each parsed as its default's type (numbers, strings; booleans are bare
// flags); `--help` prints the table and exits. Unknown flags and unparsable values are errors.
import { parseArgs } from 'node:util';

const kebab = (name) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Parses `argv` (default: the process's) against `table`; returns { name: value } with the defaults filled in. */
export function parseFlags(usage, table, argv = process.argv.slice(2)) {
  const options = { help: { type: 'boolean' } };
  for (const [name, [dflt]] of Object.entries(table)) options[kebab(name)] = { type: typeof dflt === 'boolean' ? 'boolean' : 'string' };
  const { values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false });
  if (values.help) {
    console.log(usage);
    for (const [name, [dflt, help]] of Object.entries(table))
      console.log(`  --${kebab(name)}`.padEnd(22) + `${help} (default ${typeof dflt === 'string' ? dflt : JSON.stringify(dflt)})`);
    process.exit(0);
  }
  const out = {};
  for (const [name, [dflt]] of Object.entries(table)) {
    const given = values[kebab(name)];
    if (given === undefined || typeof dflt !== 'number') out[name] = given ?? dflt;
    else if (given.trim() === '' || !Number.isFinite(Number(given))) throw new Error(`--${kebab(name)}: expected a number, got '${given}'`);
    else out[name] = Number(given);
  }
  return out;
}
