/**
 * Correcting one value by hand (the indicator page): the use case behind the web's correction form.
 * A correction is the only way to change a period whose report was approved (domain/approval-lock.ts):
 * when it changes such a value, every approved cycle covering the period is reopened as a new version,
 * with the correction's reason, so the donor gets the report "revised after approval" with what changed.
 */
import { cyclesReadBeforeCell, listApprovedCycles } from '../db/cycles-repository.js';
import { requireProjectCode } from '../db/portfolio-repository.js';
import { cyclesToReopen } from '../domain/approval-lock.js';
import { isRbmError, RbmError } from '../domain/errors.js';
import { authorize, type Principal } from './auth.js';
import type { AppContext } from './context.js';
import { reopenCycle } from './cycles.js';
import { correctValue, type ImportReport, type ValueCorrectionCommand } from './imports.js';

export interface CorrectionResult {
  report: ImportReport;
  /** The approved cycles this correction reopened (empty when the period was not locked or nothing changed). */
  reopened: string[];
}

export async function correctValueAs(ctx: AppContext, p: Principal, cmd: Omit<ValueCorrectionCommand, 'by'>): Promise<CorrectionResult> {
  authorize(p, 'enter_data', cmd.projectCode);
  // The project by its exact code: the right to enter data and the approved cycles to reopen are those
  // of this code, so it must be the project the value is stored in (not another case, not an other code).
  await requireProjectCode(ctx.pool, cmd.projectCode);
  const locking = cyclesToReopen(await listApprovedCycles(ctx.pool, cmd.projectCode), cmd.projectCode, cmd.period);
  const report = await correctValue(ctx, { ...cmd, by: p.userId });
  if (report.refused || report.rejected || !locking.length) return { report, reopened: [] };
  // Every approved report read before the cell's value was stored is reopened. A new value: all of
  // them. The same correction sent again after its reopening failed (Temporal unreachable once the value
  // was stored) finds the value unchanged, still newer than those reports, and reopens them then.
  const stale = report.accepted ? locking.map((c) => c.cycleId) : await cyclesReadBeforeCell(ctx.pool, locking.map((c) => c.cycleId), cmd);
  try {
    for (const cycleId of stale) await reopenCycle(ctx, { cycleId, by: p.userId, reason: cmd.comment.trim() });
  } catch (e) {
    if (isRbmError(e) && e.code !== 'services_unavailable') throw e;
    throw new RbmError('services_unavailable', `the value is stored, but its approved report could not be reopened (${e instanceof Error ? e.message : String(e)}): send the same correction again to reopen it`);
  }
  return { report, reopened: stale };
}
