import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../config/config.js';
import { checkSource, hostQueuesOf, loadSourcesFile, parseSourcesConfig } from './config.js';
import { redact, resolveSecret } from './credentials.js';
import { SourceFailure } from './errors.js';
import { describeSchedule, scheduleSpec } from './schedule.js';

const form = {
  id: 'kobo', kind: 'form-api', project: 'LY10P0563', url: 'https://kf.example.org/api/v2/assets/a/data/',
  auth: { token: { env: 'KOBO_TOKEN' } },
  mapping: { period: { field: 'period' }, values: [{ field: 'n', indicator: 'OP1.1.b' }] },
};

describe('the sources file', () => {
  it('reads the documented example, with paths made absolute against the file', async () => {
    const c = await loadSourcesFile(path.join(PROJECT_ROOT, 'sources.example.json'));
    expect(c.sources.map((s) => s.kind).sort()).toEqual(['folder', 'form-api', 'form-api', 'iati', 'sql']);
    expect(c.stagingDir).toBe(path.join(PROJECT_ROOT, '.rbm', 'staging'));
    const drop = c.sources.find((s) => s.kind === 'folder');
    expect(drop && drop.kind === 'folder' && drop.path).toBe(path.join(PROJECT_ROOT, 'drop', 'LY10P0558'));
  });

  it('is empty when the file does not exist', async () => {
    expect((await loadSourcesFile('/nonexistent/sources.json')).sources).toEqual([]);
  });

  it('fills defaults and keeps credentials as references', () => {
    const c = parseSourcesConfig({ sources: [form] }, '/etc/rbm/sources.json');
    const s = c.sources[0]!;
    expect(s.kind === 'form-api' && s.auth).toEqual({ scheme: 'Token', token: { env: 'KOBO_TOKEN' } });
    expect(s.retries).toBe(5);
    expect(s.timeoutSeconds).toBe(30);
    expect(s.kind === 'form-api' && s.paging.style).toBe('next-url');
    expect(c.stagingDir).toBe('/etc/rbm/.rbm/staging');
  });

  it('refuses a token written in clear, naming where', () => {
    expect(() => parseSourcesConfig({ sources: [{ ...form, auth: { token: 'abc123' } }] }, '/x/sources.json')).toThrow(/sources\[0\] \(kobo\)\.auth\.token/);
  });

  it('refuses unknown keys, duplicate ids, an IATI source with both url and file', () => {
    expect(() => parseSourcesConfig({ sources: [{ ...form, password: 'x' }] }, '/x/s.json')).toThrow(/password/);
    expect(() => parseSourcesConfig({ sources: [form, form] }, '/x/s.json')).toThrow(/"kobo" appears twice/);
    expect(() => parseSourcesConfig({ sources: [{ id: 'i', kind: 'iati', project: 'P', url: 'https://x.org/a.xml', file: 'a.xml' }] }, '/x/s.json')).toThrow(/either url or file/);
    expect(() => parseSourcesConfig({ sources: [{ ...form, schedule: { every: 'often' } }] }, '/x/s.json')).toThrow(/duration/);
    expect(() => checkSource({ ...form, kind: 'ftp' })).toThrow(/source kobo has an invalid configuration/);
  });

  it('gives each source a digest of its definition as written: the same wherever the file is and whatever its key order', () => {
    const drop = { id: 'drop', kind: 'folder', project: 'P', path: 'drop', taskQueue: 'host-a' };
    const a = parseSourcesConfig({ sources: [form, drop] }, '/srv/a/sources.json');
    const reordered = Object.fromEntries(Object.entries(form).reverse());
    const b = parseSourcesConfig({ stagingDir: 'elsewhere', sources: [drop, reordered] }, '/srv/b/sources.json');
    expect(a.digests.kobo).toMatch(/^[0-9a-f]{64}$/);
    expect(b.digests).toEqual(a.digests);
    expect(a.sources[1]).toMatchObject({ path: '/srv/a/drop', taskQueue: 'host-a' });
    const changed = parseSourcesConfig({ sources: [{ ...form, timeoutSeconds: 31 }] }, '/srv/a/sources.json');
    expect(changed.digests.kobo).not.toBe(a.digests.kobo);
    // Written defaults and left-out defaults are the same definition.
    expect(parseSourcesConfig({ sources: [{ ...form, retries: 5 }] }, '/x/s.json').digests.kobo).toBe(a.digests.kobo);
  });

  it('names the host queues of the folder sources whose folder exists here', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rbm-sources-'));
    fs.mkdirSync(path.join(dir, 'here'));
    const c = parseSourcesConfig({
      sources: [
        { id: 'here', kind: 'folder', project: 'P', path: 'here', taskQueue: 'host-a' },
        { id: 'there', kind: 'folder', project: 'P', path: 'there', taskQueue: 'host-b' },
        { id: 'anywhere', kind: 'folder', project: 'P', path: 'here' },
      ],
    }, path.join(dir, 'sources.json'));
    expect(await hostQueuesOf(c)).toEqual(['host-a']);
    expect(() => parseSourcesConfig({ sources: [{ id: 'd', kind: 'folder', project: 'P', path: 'x', taskQueue: 'a queue' }] }, '/x/s.json')).toThrow(/taskQueue: is a task queue name/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('turns schedules into Temporal specs', () => {
    expect(scheduleSpec({ every: '6h', offset: '15m' })).toEqual({ intervals: [{ every: '6h', offset: '15m' }] });
    expect(scheduleSpec({ calendar: { hour: 2, minute: 30, dayOfWeek: ['MONDAY'] } })).toEqual({ calendars: [{ hour: 2, minute: 30, dayOfWeek: ['MONDAY'] }] });
    expect(describeSchedule({ calendar: { hour: 2, minute: 5 } })).toBe('daily 02:05 UTC');
    expect(describeSchedule(undefined)).toBe('manual');
  });
});

describe('credentials', () => {
  it('are read from the environment at fetch time; a missing one is a configuration error naming the variable only', async () => {
    expect(await resolveSecret({ env: 'T' }, { T: 's3cret' })).toBe('s3cret');
    const e = await resolveSecret({ env: 'KOBO_TOKEN' }, {}).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SourceFailure);
    expect((e as SourceFailure).permanent).toBe(true);
    expect((e as Error).message).toMatch(/environment variable KOBO_TOKEN is not set/);
  });

  it('are removed from messages, with the password of a connection string', () => {
    const url = 'postgres://reader:p%40ss-word@db.example.org/clinics';
    expect(redact(`connect ${url} failed`, [url])).toBe('connect *** failed');
    expect(redact('password authentication failed: p@ss-word', [url])).toBe('password authentication failed: ***');
  });
});
