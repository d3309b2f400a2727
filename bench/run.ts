/**
 * `npm run bench`: runs every benchmark in bench/*.bench.ts (or those named on the command line),
 * prints a table of figures and writes them all to out/bench.json as [{name, value, unit}].
 * Times are reported with a baseline measured in the same run, as a ratio where it makes sense.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Figure {
  name: string;
  value: number;
  unit: string;
}
export interface Benchmark {
  title: string;
  run(): Promise<Figure[]>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = fs
  .readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => !wanted.length || wanted.some((w) => f.includes(w)))
  .sort();

const figures: Figure[] = [];
for (const file of files) {
  const mod = (await import(path.join(here, file))) as { default: Benchmark };
  process.stdout.write(`\n== ${mod.default.title} (${file})\n`);
  const result = await mod.default.run();
  for (const f of result) process.stdout.write(`  ${f.name.padEnd(58)} ${String(Number(f.value.toFixed(3))).padStart(14)} ${f.unit}\n`);
  figures.push(...result);
}
const outFile = path.join(here, '..', 'out', 'bench.json');
fs.mkdirSync(path.dirname(outFile), { recursive: true });
fs.writeFileSync(outFile, `${JSON.stringify(figures, null, 2)}\n`);
process.stdout.write(`\n${figures.length} figures written to ${path.relative(process.cwd(), outFile)}\n`);
