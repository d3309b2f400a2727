import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { missingPrerequisites, prerequisiteReport, testPrerequisites } from './check-test-prerequisites.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'rbm-prereq-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** A PATH folder holding only what the check itself needs (bash and dirname, for the tools plan). */
function barePath(name: string, extra: string[] = []): string {
  const dir = path.join(scratch, name);
  fs.mkdirSync(dir, { recursive: true });
  for (const tool of ['bash', 'dirname']) {
    const real = spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    fs.symlinkSync(real, path.join(dir, tool));
  }
  for (const fake of extra) fs.writeFileSync(path.join(dir, fake), '#!/bin/sh\n', { mode: 0o755 });
  return dir;
}

function runCheck(env: Record<string, string>) {
  const started = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/check-test-prerequisites.ts'], {
    cwd: ROOT, encoding: 'utf8', env: { HOME: os.homedir(), ...env },
  });
  return { code: r.status, stderr: r.stderr, ms: Date.now() - started };
}

describe('the test prerequisites check', () => {
  it('finds every command missing from PATH, and Chromium at its configured path', () => {
    const missing = missingPrerequisites(testPrerequisites(path.join(scratch, 'no-chromium')), barePath('pure'));
    expect(missing.map((m) => path.basename(m.command))).toEqual(['pdftotext', 'pdftoppm', 'xmllint', 'no-chromium']);
  });

  it('names each missing package once, with one install command, and Go when the tools must be built', () => {
    const report = prerequisiteReport(
      testPrerequisites('/nowhere/chromium'),
      [{ name: 'mailpit', status: 'no-go', target: 'github.com/axllent/mailpit@v1' }],
      false,
    )!;
    expect(report).toMatch(/pdftotext .*poppler-utils/);
    expect(report).toMatch(/xmllint .*libxml2-utils/);
    expect(report).toMatch(/Chromium at \/nowhere\/chromium .*Debian package chromium/);
    expect(report).toContain('sudo apt-get install poppler-utils libxml2-utils chromium');
    expect(report).toMatch(/Go >= 1\.22, to build Mailpit/);
    expect(prerequisiteReport([], [{ name: 'temporal', status: 'cached', target: '/c/temporal' }], false)).toBeUndefined();
    expect(prerequisiteReport(testPrerequisites('/x').slice(2, 3), [], true)).toContain('with: apt-get install libxml2-utils'); // root: no sudo
  });

  it('stops at once, exit 1, on a machine without the packages, Go or the tools', () => {
    const r = runCheck({
      PATH: barePath('machine'),
      RBM_CHROMIUM: path.join(scratch, 'no-chromium'),
      RBM_TOOLS_DIR: path.join(scratch, 'no-tools'),
      XDG_CACHE_HOME: path.join(scratch, 'no-cache'),
    });
    expect(r.code).toBe(1);
    for (const name of ['poppler-utils', 'libxml2-utils', 'chromium', 'Go >= 1.22']) expect(r.stderr).toContain(name);
    expect(r.stderr).toContain('apt-get install poppler-utils libxml2-utils chromium');
    expect(r.stderr).toMatch(/build the Temporal CLI and Mailpit/);
    expect(r.ms).toBeLessThan(15_000); // about a second on a quiet machine; generous for a loaded one
  });

  it('passes silently when everything is there', () => {
    const tools = path.join(scratch, 'tools');
    fs.mkdirSync(tools);
    for (const t of ['temporal', 'mailpit']) fs.writeFileSync(path.join(tools, t), '#!/bin/sh\n', { mode: 0o755 });
    const chromium = path.join(scratch, 'chromium');
    fs.writeFileSync(chromium, '#!/bin/sh\n', { mode: 0o755 });
    const r = runCheck({ PATH: barePath('complete', ['pdftotext', 'pdftoppm', 'xmllint']), RBM_CHROMIUM: chromium, RBM_TOOLS_DIR: tools, XDG_CACHE_HOME: path.join(scratch, 'no-cache') });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
