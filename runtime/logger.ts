/** Structured logging (pino) to stderr, so that stdout stays for what commands print. */
import { pino } from 'pino';

export type Logger = pino.Logger;

export function createLogger(level: string, name = 'rbm'): Logger {
  return pino({ name, level }, pino.destination(2));
}

/** The fields that tie a log line to a report cycle and a project (`cycleId`, `projectCode`). */
export interface CycleLogFields {
  cycleId?: string;
  projectCode?: string;
}

// A cycle's workflow id (domain/report-cycle.ts reportCycleId), alone or inside the id of a child
// that a cycle started (gather/<source>/report-cycle/<project>/<period>/<template>/v1).
const CYCLE_ID = /(?:^|\/)(report-cycle\/([^/]+)\/[^/]+\/[^/]+)/;

/**
 * The cycle and project of an activity, from its workflow id and its input (the first argument):
 * `cycleId`/`projectCode` when the input has them, a gather input's `source.project`, else what the
 * workflow id tells. Fields it cannot tell are left out (never guessed).
 */
export function cycleLogFields(workflowId: string | undefined, input?: unknown): CycleLogFields {
  const fields: CycleLogFields = {};
  const m = workflowId ? CYCLE_ID.exec(workflowId) : null;
  if (m) Object.assign(fields, { cycleId: m[1], projectCode: m[2] });
  if (input && typeof input === 'object') {
    const i = input as { cycleId?: unknown; projectCode?: unknown; source?: { project?: unknown }; input?: { source?: { project?: unknown } } };
    if (typeof i.cycleId === 'string') fields.cycleId = i.cycleId;
    const project = i.projectCode ?? i.source?.project ?? i.input?.source?.project;
    if (typeof project === 'string') fields.projectCode = project;
  }
  return fields;
}
