/**
 * The report cycle as data: its id, its states, the decisions people take and the rules that refuse
 * a decision. Pure and deterministic: the reportCycle workflow uses these directly.
 */

export type CycleState =
  | 'gathering'
  | 'rendering'
  | 'awaiting_approval'
  | 'returned' // waiting for the M&E officer to fix and resubmit
  | 'finalizing'
  | 'delivering'
  | 'completed'
  | 'cancelled';

export const OPEN_STATES: readonly CycleState[] = ['gathering', 'rendering', 'awaiting_approval', 'returned', 'finalizing', 'delivering'];
export const CYCLE_STATES: readonly CycleState[] = [...OPEN_STATES, 'completed', 'cancelled'];

/** A stored file, as it travels through Temporal: a reference and its digest, never the bytes. */
export interface ArtifactRef {
  id: string;
  sha256: string;
  filename: string;
  format: 'xlsx' | 'pdf';
  sizeBytes: number;
}

export interface GatheredData {
  version: number;
  dataAsOf: string;
  valueCount: number;
  dataSha256: string;
}

/** Headline figures of a rendered version, small enough to travel with the workflow state. */
export interface ReportHeadline {
  indicatorCount: number;
  /** Versions recorded before the "no target" status have no `no_target` count. */
  byStatus: Record<'on_track' | 'at_risk' | 'off_track' | 'no_data' | 'reported', number> & { no_target?: number };
}
export interface RenderedReport {
  files: ArtifactRef[];
  headline: ReportHeadline;
}

export interface CycleVersion extends GatheredData {
  draft: ArtifactRef[];
  headline: ReportHeadline;
}

export interface DecisionInput {
  decision: 'approve' | 'return';
  by: string; // user id
  version: number; // the version the decision is about
  comment?: string;
}
export interface Decision extends DecisionInput {
  at: string; // ISO timestamp (workflow time)
  step: string;
}

/** One step of the approval chain, with the users resolved when the cycle starts. */
export interface ApprovalStep {
  name: string; // e.g. "Project manager", "Chief of Mission"
  approvers: string[];
  /** Who may also decide once the step has waited `escalateAfterMs` (a deputy or the next level). */
  escalateTo: string[];
}

/** Every delay is an input, so that tests run reminders in seconds on the real server. */
export interface ApprovalTiming {
  reminderAfterMs: number;
  reminderEveryMs: number;
  escalateAfterMs: number;
}
export const DEFAULT_TIMING: ApprovalTiming = {
  reminderAfterMs: 3 * 24 * 3600_000,
  reminderEveryMs: 2 * 24 * 3600_000,
  escalateAfterMs: 7 * 24 * 3600_000,
};

export interface ResubmitInput {
  by: string;
  comment?: string;
}
export interface CancelInput {
  by: string;
  reason: string;
}

export interface ReportCycleInput {
  cycleId: string;
  projectCode: string;
  period: string;
  templateId: string;
  startedBy: string;
  /** The users who may decide at the approval step (the project's managers). */
  approvers: string[];
  approvalStepName?: string;
  /** Task queue of the render worker (rendering has its own queue with low concurrency). */
  renderTaskQueue?: string;
  // Since the approval-rounds patch (cycles started before it run the single-step flow):
  chain?: ApprovalStep[];
  /** M&E officers: they resubmit a returned cycle and may cancel it. */
  meOfficers?: string[];
  timing?: ApprovalTiming;
  /** ISO date the report is due; the cycle flags lateness after it. */
  dueDate?: string;
  /** After a return, the chain starts again from its first step or from the step that returned it. */
  restartFrom?: 'first_step' | 'returning_step';
  /** Donor e-mail delivery retries: first delay, doubled each time, and the number of attempts. */
  deliveryRetry?: { initialIntervalMs: number; maximumAttempts: number };
  /** A completed cycle reopened by a correction of its locked data (domain/approval-lock.ts): its versions go on from the approved one. */
  reopened?: CycleReopening;
}

/** Why and by whom an approved cycle was reopened, and the version that had been approved. */
export interface CycleReopening {
  approvedVersion: number;
  by: string;
  reason: string;
  at: string;
}

export interface CycleStatus {
  cycleId: string;
  projectCode: string;
  period: string;
  templateId: string;
  state: CycleState;
  version: number;
  approvers: string[];
  versions: CycleVersion[];
  decisions: Decision[];
  final: ArtifactRef[];
  finalHeadline: ReportHeadline | null;
  deliveredTo: string[];
  // Since the approval-rounds patch:
  stepName?: string;
  stepIndex?: number;
  stepCount?: number;
  dueDate?: string | null;
  overdue?: boolean;
  escalated?: boolean;
  remindersSent?: number;
  cancelled?: { by: string; reason: string; at: string } | null;
  /** Set when the cycle was reopened after approval (a correction of its locked data). */
  reopened?: CycleReopening | null;
  // Since the donor-delivery patch:
  donorDeliveries?: Array<{ donorCode: string; email: string; state: string }>;
  deliveryFailed?: string | null;
}

/** The workflow id of a cycle, from its business key: one cycle per project, period and template. */
export function reportCycleId(projectCode: string, period: string, templateId: string): string {
  return `report-cycle/${projectCode}/${period}/${templateId}`;
}

/** Why a decision cannot be taken now, or undefined when it can. */
export function decisionRefusal(status: CycleStatus, input: DecisionInput): string | undefined {
  if (input.decision !== 'approve' && input.decision !== 'return') return `unknown decision "${String(input.decision)}": approve or return`;
  if (status.state !== 'awaiting_approval') {
    return `cycle ${status.cycleId} is not awaiting a decision (it is ${status.state.replace('_', ' ')})`;
  }
  if (input.version !== status.version) {
    return `the decision is on version ${input.version}, but the current version is ${status.version}: review version ${status.version}`;
  }
  if (!status.approvers.includes(input.by)) {
    return `${input.by} is not an approver of this step (approvers: ${status.approvers.join(', ') || 'none'})`;
  }
  if (input.decision === 'return' && !input.comment?.trim()) {
    return 'a return needs a comment that says what to fix';
  }
  return undefined;
}

export function resubmitRefusal(status: CycleStatus, meOfficers: string[], input: ResubmitInput): string | undefined {
  if (status.state !== 'returned') return `cycle ${status.cycleId} is not returned (it is ${status.state.replace('_', ' ')}): there is nothing to resubmit`;
  if (!meOfficers.includes(input.by)) return `${input.by} is not an M&E officer of this project (they are: ${meOfficers.join(', ') || 'none'})`;
  return undefined;
}

export function cancelRefusal(status: CycleStatus, meOfficers: string[], input: CancelInput): string | undefined {
  if (!isOpen(status.state)) return `cycle ${status.cycleId} is ${status.state}: it cannot be cancelled`;
  if (!meOfficers.includes(input.by)) return `${input.by} is not an M&E officer of this project (they are: ${meOfficers.join(', ') || 'none'})`;
  if (!input.reason?.trim()) return 'a cancellation needs a reason';
  return undefined;
}

export function isOpen(state: CycleState): boolean {
  return OPEN_STATES.includes(state);
}
