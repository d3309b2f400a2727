/**
 * What an operator's dashboard shows of RBM Flow's state, read from PostgreSQL at scrape time: report
 * cycles by state, the overdue ones, deliveries by channel and state, and the rows every import
 * accepted, rejected or found unchanged. Every process that serves /metrics reads the same database,
 * so they all tell the same figures (a dashboard takes `max` over the processes, never `sum`).
 *
 * No principal: these are counts without names, served only on the metrics listener that SECURITY.md
 * describes (loopback by default), never on the web port.
 */
import { CYCLE_STATES, OPEN_STATES, type CycleState } from '../domain/report-cycle.js';
import { countCyclesByState, countDeliveriesByState, countOverdueCycles, sumImportRows, withBoundedReadSnapshot } from '../db/metrics-repository.js';
import type { Pool } from '../db/pool.js';

export interface OperationalState {
  cyclesByState: Array<{ state: string; count: number }>;
  /** Open cycles flagged late, by state (every open state, zero when none). */
  overdueCyclesByState: Array<{ state: string; count: number }>;
  deliveriesByState: Array<{ channel: string; state: string; count: number }>;
  importRows: { accepted: number; rejected: number; unchanged: number };
}

/** Reads the state in one read-only snapshot; each statement stops after `timeoutMs` (then this rejects). */
export async function readOperationalState(ctx: { pool: Pool }, opts: { timeoutMs?: number } = {}): Promise<OperationalState> {
  return withBoundedReadSnapshot(ctx.pool, opts.timeoutMs ?? 2000, async (q) => {
    const byState = await countCyclesByState(q);
    const overdue = await countOverdueCycles(q, OPEN_STATES);
    // Every state a cycle may be in, so that a state with no cycle shows 0 rather than no series.
    const known = new Set<string>(CYCLE_STATES);
    return {
      // Known states first (zero when none), then any state an older or newer version wrote.
      cyclesByState: [...CYCLE_STATES, ...[...byState.keys()].filter((s) => !known.has(s)).sort()].map((state) => ({ state, count: byState.get(state) ?? 0 })),
      overdueCyclesByState: OPEN_STATES.map((state) => ({ state, count: overdue.get(state) ?? 0 })),
      deliveriesByState: await countDeliveriesByState(q),
      importRows: await sumImportRows(q),
    };
  });
}
