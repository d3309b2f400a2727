/**
 * The command line of `npm run bench`: benchmark names (a file bench/NAME.bench.ts each) and options
 * for them (`--projects 25`). Pure, so that its spec needs no benchmark to run.
 */

export interface BenchArgs {
  /** The benchmarks to run, in file order; all of them when none is named. */
  names: string[];
  /** `--key value` and `--flag` options, passed to every benchmark run. */
  options: Record<string, string | true>;
}

export type BenchSelection = { ok: true; args: BenchArgs } | { ok: false; message: string };

/** The benchmark names of the files in bench/ (`import.bench.ts` -> `import`), sorted. */
export const benchmarkNames = (files: string[]): string[] =>
  files.filter((f) => f.endsWith('.bench.ts')).map((f) => f.slice(0, -'.bench.ts'.length)).sort();

/** Parses argv (after the script) against the names that exist; an unknown name is an error that lists them. */
export function parseBenchArgs(argv: string[], available: string[]): BenchSelection {
  const names: string[] = [];
  const options: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') continue;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) options[a.slice(2, eq)] = a.slice(eq + 1);
      else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) options[a.slice(2)] = argv[++i]!;
      else options[a.slice(2)] = true;
      continue;
    }
    names.push(a);
  }
  const unknown = names.filter((n) => !available.includes(n));
  if (unknown.length) {
    return {
      ok: false,
      message: `unknown benchmark${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. The benchmarks are: ${available.join(', ')} (npm run bench -- NAME [--option value]; no name runs them all)`,
    };
  }
  return { ok: true, args: { names: names.length ? available.filter((n) => names.includes(n)) : [...available], options } };
}

/** A whole-number option (e.g. `--projects 25`), or the default; anything else is an error. */
export function intOption(options: BenchArgs['options'], name: string, fallback: number): number {
  const v = options[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v === true || !Number.isInteger(n) || n < 1) throw new Error(`--${name} takes a whole number >= 1 (got ${String(v)})`);
  return n;
}

export interface Figure {
  name: string;
  value: number;
  unit: string;
}

/** Figures of this run replace those of the same name in out/bench.json; the others are kept. */
export function mergeFigures(previous: Figure[], current: Figure[]): Figure[] {
  const names = new Set(current.map((f) => f.name));
  return [...previous.filter((f) => !names.has(f.name)), ...current];
}
