/**
 * A drop folder: CSV, XLSX and JSON files in the long format are left in it (by hand, by a sync
 * client, by a script). Each file is imported once by content hash, then moved to done/ (every row
 * stored or unchanged) or failed/ (the file refused, or rows rejected: they wait in the quarantine),
 * with `<file>.report.json` beside it: the import report.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FolderSourceDefinition } from './config.js';
import { SourceFailure } from './errors.js';

export interface DropFile {
  name: string;
  sha256: string;
  bytes: number;
}

export const DONE = 'done';
export const FAILED = 'failed';
/** A file younger than this may still be being written: it waits for the next run. */
export const SETTLE_MS = 2000;
const IGNORED = /^(\.|~\$)|\.(partial|tmp|crdownload|part)$|\.report\.json$/i;

export async function listDropFiles(s: FolderSourceDefinition, now = Date.now(), settleMs = SETTLE_MS): Promise<DropFile[]> {
  let entries;
  try {
    entries = await fs.readdir(s.path, { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw SourceFailure.configuration(`the drop folder ${s.path} ${code === 'ENOENT' ? 'does not exist' : code === 'ENOTDIR' ? 'is not a folder' : `cannot be read (${code})`}`);
  }
  const files: DropFile[] = [];
  for (const e of entries.filter((x) => x.isFile() && !IGNORED.test(x.name)).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(s.path, e.name);
    const stat = await fs.stat(full).catch(() => null);
    if (!stat || now - stat.mtimeMs < settleMs) continue;
    files.push({ name: e.name, sha256: await sha256File(full), bytes: stat.size });
  }
  return files;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Where a file goes in done/ or failed/; a name already taken there by other content gets the start of the hash. */
export async function dropTarget(s: FolderSourceDefinition, f: DropFile, outcome: 'done' | 'failed'): Promise<string> {
  const dir = path.join(s.path, outcome === 'done' ? DONE : FAILED);
  const ext = path.extname(f.name);
  const target = path.join(dir, f.name);
  if (!(await exists(target)) || (await sha256File(target).catch(() => null)) === f.sha256) return target;
  return path.join(dir, `${path.basename(f.name, ext)}.${f.sha256.slice(0, 12)}${ext}`);
}

/**
 * Writes the report beside the target and moves the file there (done once: a file already moved, or
 * replaced by other content meanwhile, is left alone; the replacement waits for the next run).
 */
export async function moveDropFile(s: FolderSourceDefinition, f: DropFile, target: string, report: unknown): Promise<void> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  await fs.writeFile(`${target}.report.json`, `${JSON.stringify(report, null, 2)}\n`);
  const source = path.join(s.path, f.name);
  if ((await exists(source)) && (await sha256File(source)) === f.sha256) await fs.rename(source, target);
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(() => true, () => false);
}
