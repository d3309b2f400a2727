/**
 * Approval locks the data it covers (as DHIS2 does): once a period's report is final, the values of
 * that period (and of every shorter period inside it: the months of an approved quarter) may only be
 * changed by an M&E officer's correction with a reason, which reopens the approved cycle as a new
 * version. A file, a resubmission or a data source cannot change them; a row identical to the stored
 * value changes nothing and is never refused. Pure functions.
 */
import { parsePeriod, type PeriodKind } from './periods.js';
import { periodsOfKindTo } from './value-history.js';

/** A report cycle whose final report was approved and delivered. */
export interface ApprovedCycle {
  cycleId: string;
  projectCode: string;
  period: string;
  templateId: string;
  approvedAt: string;
}

/** A (project, period) whose values are locked, with the cycles that lock it. */
export interface DataLock {
  projectCode: string;
  period: string;
  cycles: ApprovedCycle[];
}

const SHORTER: Record<PeriodKind, PeriodKind[]> = { year: ['half', 'quarter', 'month'], half: ['quarter', 'month'], quarter: ['month'], month: [] };

/** The period itself and every period of a shorter kind inside it (2025-Q3: 2025-Q3, 2025-07, 2025-08, 2025-09). */
export function periodsInside(periodId: string): string[] {
  const p = parsePeriod(periodId);
  return [p.id, ...SHORTER[p.kind].flatMap((kind) => periodsOfKindTo(kind, p.start, p.id))];
}

/** Every locked (project, period), each with the approved cycles covering it. */
export function dataLocks(approved: ApprovedCycle[]): DataLock[] {
  const locks = new Map<string, DataLock>();
  for (const c of approved) {
    for (const period of periodsInside(c.period)) {
      const key = `${c.projectCode}|${period}`;
      const lock = locks.get(key) ?? { projectCode: c.projectCode, period, cycles: [] };
      lock.cycles.push(c);
      locks.set(key, lock);
    }
  }
  return [...locks.values()];
}

/** Why a row may not change a locked value, in the words the import result shows. */
export function lockedMessage(lock: DataLock): string {
  const by = lock.cycles.map((c) => `${c.templateId} approved ${c.approvedAt.slice(0, 10)}`).join(', ');
  return `${lock.period} of ${lock.projectCode} is locked by its approved report (${by}): an M&E officer changes it with a correction and a reason (the indicator page's correction form), which reopens the report as a new version`;
}

/** The approved cycles a change to (project, period) reopens. */
export function cyclesToReopen(approved: ApprovedCycle[], projectCode: string, period: string): ApprovedCycle[] {
  return approved.filter((c) => c.projectCode === projectCode && periodsInside(c.period).includes(parsePeriod(period).id));
}
