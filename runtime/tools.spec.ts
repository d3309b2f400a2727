import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from './logger.js';
import { describeToolWork, ensureTools, missingTools, parseToolPlan } from './tools.js';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'rbm-tools-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));
afterEach(() => vi.unstubAllEnvs());
const log = createLogger('silent');

/** A PATH with only what the install script uses to copy (no go, no temporal, no mailpit). */
function barePath(): string {
  const dir = path.join(scratch, 'bin');
  if (!fs.existsSync(dir)) {
    fs.mkdirSync(dir);
    for (const tool of ['bash', 'dirname', 'mkdir', 'cp', 'mv']) {
      fs.symlinkSync(spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim(), path.join(dir, tool));
    }
  }
  return dir;
}

function stubMachine(name: string, cached: boolean) {
  const cache = path.join(scratch, `cache-${name}`);
  if (cached) {
    for (const t of ['temporal', 'mailpit']) {
      fs.mkdirSync(path.join(cache, 'rbm-flow', 'tools', `${t}-vtest`), { recursive: true });
      fs.writeFileSync(path.join(cache, 'rbm-flow', 'tools', `${t}-vtest`, t), `#!/bin/sh\necho ${t}\n`, { mode: 0o755 });
    }
  }
  vi.stubEnv('PATH', barePath());
  vi.stubEnv('XDG_CACHE_HOME', cache);
  vi.stubEnv('TEMPORAL_CLI_VERSION', 'vtest');
  vi.stubEnv('MAILPIT_VERSION', 'vtest');
  return path.join(scratch, `tools-${name}`);
}

describe('the one line said before installing the tools', () => {
  it('says what is built, why, how long and where it is cached', () => {
    const plan = parseToolPlan('temporal build github.com/temporalio/cli/cmd/temporal@v1.5.1 /home/u/.cache/rbm-flow/tools/temporal-v1.5.1\nmailpit present /usr/bin/mailpit\n');
    expect(plan[1]).toEqual({ name: 'mailpit', status: 'present', target: '/usr/bin/mailpit' });
    const line = describeToolWork(plan, '/p/tools/bin')!;
    expect(line).toMatch(/^Building the Temporal CLI \(github\.com\/temporalio\/cli\/cmd\/temporal@v1\.5\.1\) with Go into \/p\/tools\/bin/);
    expect(line).toMatch(/the local Temporal dev server/);
    expect(line).toMatch(/about 5 minutes/);
    expect(line).toMatch(/cached in \/home\/u\/\.cache\/rbm-flow\/tools/);
    expect(line).not.toMatch(/Mailpit/);
    expect(line.split('\n')).toHaveLength(1);
  });
  it('says a copy from the cache, names Go when it is missing, and nothing when all is there', () => {
    expect(describeToolWork(parseToolPlan('mailpit cached /c/rbm-flow/tools/mailpit-v1/mailpit'), '/t')).toBe('Copying Mailpit from /c/rbm-flow/tools into /t.');
    expect(describeToolWork(parseToolPlan('temporal no-go x@v1\nmailpit no-go y@v1'), '/t')).toMatch(/the Temporal CLI and Mailpit are missing and Go >= 1\.22 is not installed/i);
    expect(describeToolWork(parseToolPlan('temporal present /t/temporal'), '/t')).toBeUndefined();
  });
});

describe('ensureTools', () => {
  it('copies missing tools from the per-version cache into the tools folder, saying so once', async () => {
    const toolsDir = stubMachine('cached', true);
    const notes: string[] = [];
    expect(missingTools(toolsDir, ['temporal', 'mailpit'])).toEqual(['temporal', 'mailpit']);
    expect(await ensureTools({ toolsDir, want: ['temporal', 'mailpit'], log, note: (l) => notes.push(l) })).toEqual([]);
    expect(missingTools(toolsDir, ['temporal', 'mailpit'])).toEqual([]);
    expect(fs.readFileSync(path.join(toolsDir, 'mailpit'), 'utf8')).toContain('echo mailpit');
    expect(notes).toEqual([expect.stringMatching(/^Copying the Temporal CLI and Mailpit from .*cache-cached\/rbm-flow\/tools into /)]);
    // A second call finds them and says nothing.
    expect(await ensureTools({ toolsDir, want: ['temporal', 'mailpit'], log, note: (l) => notes.push(l) })).toEqual([]);
    expect(notes).toHaveLength(1);
  });

  it('without Go: an error naming Go when the tools are required (tests), a note and the missing tools otherwise (demo)', async () => {
    const toolsDir = stubMachine('bare', false);
    await expect(ensureTools({ toolsDir, want: ['mailpit'], log, required: true, note: () => {} })).rejects.toThrow(/Mailpit is missing and Go >= 1\.22 is not installed.*https:\/\/go\.dev\/dl/);
    const notes: string[] = [];
    expect(await ensureTools({ toolsDir, want: ['temporal', 'mailpit'], log, note: (l) => notes.push(l) })).toEqual(['temporal', 'mailpit']);
    expect(notes).toEqual([expect.stringMatching(/put `temporal` and `mailpit` on PATH/)]);
  });
});
