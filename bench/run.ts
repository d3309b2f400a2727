/**
 * `npm run bench [-- NAME... [--option value]]`: runs every benchmark in bench/*.bench.ts (or those
 * named), prints a table of figures and writes them to out/bench.json as [{name, value, unit}]: the
 * figures of this run replace those of the same name, figures of benchmarks not run are kept. An
 * unknown name lists the benchmarks and exits 2. Times are reported with a baseline measured in the
 * same run, as a ratio where it makes sense.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchmarkNames, mergeFigures, parseBenchArgs, type BenchArgs, type Figure } from './args.js';

export type { Figure } from './args.js';
export interface Benchmark {
  title: string;
  run(options?: BenchArgs['options']): Promise<Figure[]>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const selection = parseBenchArgs(process.argv.slice(2), benchmarkNames(fs.readdirSync(here)));
if (!selection.ok) {
  process.stderr.write(`bench: ${selection.message}\n`);
  process.exit(2);
}

const figures: Figure[] = [];
for (const name of selection.args.names) {
  const file = `${name}.bench.ts`;
  const mod = (await import(path.join(here, file))) as { default: Benchmark };
  process.stdout.write(`\n== ${mod.default.title} (${file})\n`);
  const result = await mod.default.run(selection.args.options);
  for (const f of result) process.stdout.write(`  ${f.name.padEnd(58)} ${String(Number(f.value.toFixed(3))).padStart(14)} ${f.unit}\n`);
  figures.push(...result);
}
const outFile = path.join(here, '..', 'out', 'bench.json');
fs.mkdirSync(path.dirname(outFile), { recursive: true });
let previous: Figure[] = [];
try {
  const parsed = JSON.parse(fs.readFileSync(outFile, 'utf8')) as unknown;
  if (Array.isArray(parsed)) previous = parsed as Figure[];
} catch {
  /* no earlier figures */
}
fs.writeFileSync(outFile, `${JSON.stringify(mergeFigures(previous, figures), null, 2)}\n`);
process.stdout.write(`\n${figures.length} figures written to ${path.relative(process.cwd(), outFile)}\n`);
