/**
 * Peak resident memory of this process and of every process it started (workers, PostgreSQL, the
 * Temporal dev server, Mailpit), read from /proc (VmHWM: the high-water mark of RSS) while they run.
 * Linux only; elsewhere only this process is reported.
 */
import fs from 'node:fs';

export interface ProcessPeak {
  name: string;
  mb: number;
}

const read = (file: string) => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

/**
 * Groups processes by name (a name given for a pid, else its command name: postgres, temporal,
 * mailpit): the largest peak of each group, and for groups of several processes (PostgreSQL's
 * backends) also their sum, an upper bound of the group's footprint (shared memory counts in each).
 */
export function peakRssOfDescendants(root: number, names: Map<number, string> = new Map()): ProcessPeak[] {
  const self: ProcessPeak = { name: 'bench process (web, Temporal client, approvals)', mb: process.resourceUsage().maxRSS / 1024 };
  if (!fs.existsSync('/proc/self/status')) return [self];
  const parent = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = read(`/proc/${entry}/stat`);
    if (!stat) continue;
    parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
  }
  const isDescendant = (pid: number): boolean => {
    for (let p = parent.get(pid), hops = 0; p !== undefined && hops < 50; p = parent.get(p), hops++) if (p === root) return true;
    return false;
  };
  const groups = new Map<string, number[]>();
  for (const pid of parent.keys()) {
    if (pid === root || !isDescendant(pid)) continue;
    const status = read(`/proc/${pid}/status`);
    const hwm = status && /VmHWM:\s+(\d+) kB/.exec(status);
    if (!hwm) continue;
    let name = names.get(pid) ?? /Name:\s+(\S+)/.exec(status)![1]!;
    // Only what runs the system: not `su` (running postgres as its user) nor tsx's esbuild service.
    if (name === 'su' || name === 'sh' || name === 'esbuild') continue; // a shell, or tsx's compiler service
    if (/^postgres|^postmaster/.test(name)) name = 'postgres';
    groups.set(name, [...(groups.get(name) ?? []), Number(hwm[1]) / 1024]);
  }
  const out: ProcessPeak[] = [self];
  for (const [name, mbs] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    out.push({ name: mbs.length > 1 ? `${name} (largest of ${mbs.length} processes)` : name, mb: Math.max(...mbs) });
    if (mbs.length > 1) out.push({ name: `${name} (sum of ${mbs.length} processes)`, mb: mbs.reduce((a, b) => a + b, 0) });
  }
  return out;
}
