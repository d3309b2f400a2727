import { spawn } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { cpuBetween, cpuOfDescendants, type CpuSnapshot } from './processes.js';

describe('CPU per process group between two snapshots', () => {
  it('sums each group, counts a process started in between from zero, and gives the share of the cores', () => {
    const before: CpuSnapshot = new Map([[1, { name: 'worker 1', seconds: 2 }], [10, { name: 'postgres', seconds: 1 }]]);
    const after: CpuSnapshot = new Map([
      [1, { name: 'worker 1', seconds: 9 }], [10, { name: 'postgres', seconds: 1.5 }], [11, { name: 'postgres', seconds: 0.5 }],
    ]);
    const { groups, busy } = cpuBetween(before, after, 4);
    expect(groups).toEqual([{ name: 'worker 1', seconds: 7 }, { name: 'postgres', seconds: 1 }]);
    expect(busy).toBeCloseTo(8 / (os.availableParallelism() * 4));
  });

  it.runIf(process.platform === 'linux')('reads a busy child from /proc by the name given for its pid', async () => {
    const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 20000; while (Date.now() < end);']);
    const exited = once(child, 'exit');
    const names = new Map([[child.pid!, 'spinner']]);
    try {
      const start = cpuOfDescendants(process.pid, names);
      let spun = 0;
      for (let i = 0; i < 100 && spun < 0.2; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const now = cpuOfDescendants(process.pid, names);
        expect(now.get(process.pid)?.name).toMatch(/^bench process/);
        spun = cpuBetween(start, now, 1).groups.find((g) => g.name === 'spinner')?.seconds ?? 0;
      }
      expect(spun).toBeGreaterThanOrEqual(0.2);
    } finally {
      child.kill();
      await exited;
    }
  });
});
