/**
 * What this process and every process it started (workers, PostgreSQL, the Temporal dev server,
 * Mailpit) use, read from /proc while they run: peak resident memory (VmHWM, the high-water mark of
 * RSS) and CPU time (utime + stime). Linux only; elsewhere only this process is reported.
 */
import fs from 'node:fs';
import os from 'node:os';

export interface ProcessPeak {
  name: string;
  mb: number;
}

const SELF = 'bench process (web, Temporal client, approvals)';
/** Clock ticks per second of /proc/PID/stat's times (USER_HZ: 100 on every Linux build in use). */
const TICKS_PER_SECOND = 100;

const read = (file: string) => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};
/** The fields of /proc/PID/stat after the command name (which may hold spaces and parentheses). */
const statFields = (stat: string) => stat.slice(stat.lastIndexOf(')') + 2).split(' ');

/**
 * The processes below `root`, each with its group's name: a name given for its pid, else its command
 * name (postgres, temporal, mailpit; PostgreSQL's backends all `postgres`). Not `su` (running postgres
 * as its user), a shell, nor tsx's esbuild service: only what runs the system.
 */
function descendants(root: number, names: Map<number, string>): Array<{ pid: number; name: string }> {
  if (!fs.existsSync('/proc/self/status')) return [];
  const parent = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = read(`/proc/${entry}/stat`);
    if (stat) parent.set(Number(entry), Number(statFields(stat)[1]));
  }
  const isDescendant = (pid: number): boolean => {
    for (let p = parent.get(pid), hops = 0; p !== undefined && hops < 50; p = parent.get(p), hops++) if (p === root) return true;
    return false;
  };
  const out: Array<{ pid: number; name: string }> = [];
  for (const pid of parent.keys()) {
    if (pid === root || !isDescendant(pid)) continue;
    const status = read(`/proc/${pid}/status`);
    const command = status && /Name:\s+(\S+)/.exec(status)?.[1];
    if (!command) continue;
    let name = names.get(pid) ?? command;
    if (name === 'su' || name === 'sh' || name === 'esbuild') continue;
    if (/^postgres|^postmaster/.test(name)) name = 'postgres';
    out.push({ pid, name });
  }
  return out;
}

/**
 * The largest peak of each group, and for groups of several processes (PostgreSQL's backends) also
 * their sum, an upper bound of the group's footprint (shared memory counts in each).
 */
export function peakRssOfDescendants(root: number, names: Map<number, string> = new Map()): ProcessPeak[] {
  const groups = new Map<string, number[]>();
  for (const { pid, name } of descendants(root, names)) {
    const hwm = /VmHWM:\s+(\d+) kB/.exec(read(`/proc/${pid}/status`) ?? '');
    if (hwm) groups.set(name, [...(groups.get(name) ?? []), Number(hwm[1]) / 1024]);
  }
  const out: ProcessPeak[] = [{ name: SELF, mb: process.resourceUsage().maxRSS / 1024 }];
  for (const [name, mbs] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    out.push({ name: mbs.length > 1 ? `${name} (largest of ${mbs.length} processes)` : name, mb: Math.max(...mbs) });
    if (mbs.length > 1) out.push({ name: `${name} (sum of ${mbs.length} processes)`, mb: mbs.reduce((a, b) => a + b, 0) });
  }
  return out;
}

/** CPU seconds each process has used so far, by pid, with its group's name (this process included). */
export type CpuSnapshot = Map<number, { name: string; seconds: number }>;

export function cpuOfDescendants(root: number, names: Map<number, string> = new Map()): CpuSnapshot {
  const usage = process.resourceUsage(); // microseconds
  const snapshot: CpuSnapshot = new Map([[root, { name: SELF, seconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6 }]]);
  for (const { pid, name } of descendants(root, names)) {
    const stat = read(`/proc/${pid}/stat`);
    if (!stat) continue;
    const f = statFields(stat); // utime and stime are fields 14 and 15 of stat, 12 and 13 after the name
    snapshot.set(pid, { name, seconds: (Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND });
  }
  return snapshot;
}

/**
 * CPU seconds each group used between two snapshots, largest first, and their share of what the
 * machine's cores could give over `wallSeconds`. A process started in between counts from zero; one
 * that ended in between (a PostgreSQL backend closed early) is missing: the figures are a lower bound.
 */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot, wallSeconds: number): { groups: Array<{ name: string; seconds: number }>; busy: number } {
  const groups = new Map<string, number>();
  for (const [pid, now] of after) groups.set(now.name, (groups.get(now.name) ?? 0) + now.seconds - (before.get(pid)?.seconds ?? 0));
  const total = [...groups.values()].reduce((a, b) => a + b, 0);
  return { groups: [...groups].map(([name, seconds]) => ({ name, seconds })).sort((a, b) => b.seconds - a.seconds), busy: total / (os.availableParallelism() * wallSeconds) };
}
