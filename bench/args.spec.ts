import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../config/config.js';
import { benchmarkNames, intOption, mergeFigures, parseBenchArgs } from './args.js';

const available = ['cycles', 'import', 'progress', 'render'];

describe('npm run bench arguments', () => {
  it('names the benchmarks after their files', () => {
    expect(benchmarkNames(['run.ts', 'render.bench.ts', 'args.ts', 'import.bench.ts'])).toEqual(['import', 'render']);
  });

  it('runs all without a name, the named ones in file order, with their options', () => {
    expect(parseBenchArgs([], available)).toEqual({ ok: true, args: { names: available, options: {} } });
    expect(parseBenchArgs(['render', 'cycles', '--projects', '25', '--fast', '--seed=3'], available)).toEqual({
      ok: true, args: { names: ['cycles', 'render'], options: { projects: '25', fast: true, seed: '3' } },
    });
  });

  it('refuses an unknown name and lists the benchmarks', () => {
    const r = parseBenchArgs(['cycle', 'import'], available);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(/unknown benchmark: cycle\. The benchmarks are: cycles, import, progress, render/);
  });

  it('takes whole numbers for numeric options', () => {
    expect(intOption({ projects: '200' }, 'projects', 25)).toBe(200);
    expect(intOption({}, 'projects', 25)).toBe(25);
    expect(() => intOption({ projects: 'many' }, 'projects', 25)).toThrow(/--projects takes a whole number/);
    expect(() => intOption({ projects: true }, 'projects', 25)).toThrow();
  });

  it('keeps earlier figures of other benchmarks in out/bench.json and replaces those measured again', () => {
    const before = [{ name: 'a', value: 1, unit: 's' }, { name: 'b', value: 2, unit: 's' }];
    expect(mergeFigures(before, [{ name: 'b', value: 3, unit: 's' }, { name: 'c', value: 4, unit: 'x' }])).toEqual([
      { name: 'a', value: 1, unit: 's' }, { name: 'b', value: 3, unit: 's' }, { name: 'c', value: 4, unit: 'x' },
    ]);
  });

  it('exits 2 naming the benchmarks that exist when `npm run bench -- NAME` does not know NAME', async () => {
    const r = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/run.ts', 'no-such-bench'], { cwd: PROJECT_ROOT }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown benchmark: no-such-bench\. The benchmarks are: .*import.*progress.*render/);
  });
});
