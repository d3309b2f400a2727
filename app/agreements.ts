/**
 * Donor agreement and delivery use cases: keep one Temporal Schedule per agreement (created, updated
 * and deleted to match the database; idempotent), list deliveries, resend one deliberately.
 */
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { createMailer } from '../activities/mailer.js';
import { sendReportMail } from '../activities/donor-delivery.js';
import { agreementScheduleId, digestScheduleId, scheduleCalendar, type Agreement } from '../domain/agreements.js';
import { RbmError } from '../domain/errors.js';
import { MONTH_NAMES_UPPER } from '../domain/periods.js';
import { listAgreements, upsertAgreement } from '../db/agreements-repository.js';
import { findArtifacts, getCycle } from '../db/cycles-repository.js';
import { claimDelivery, getDelivery, listDeliveries, type DeliveryRow } from '../db/deliveries-repository.js';
import { getProjectBundle } from '../db/portfolio-repository.js';
import { agreementCycleWorkflow } from '../workflows/agreement-cycle.js';
import { donorDigestWorkflow } from '../workflows/donor-digest.js';
import { donorsWithAgreements } from '../db/digests-repository.js';
import { listCycles } from '../db/cycles-repository.js';
import type { Principal } from './auth.js';
import type { AppContext } from './context.js';
import { dataScopeOf, requireAdmin, requireDataDesk } from './data-scope.js';
import { syncSchedules, type SyncResult } from './schedules.js';

const PREFIX = 'agreement/';

function scheduleOptions(ctx: AppContext, a: Agreement) {
  const cal = scheduleCalendar(a);
  return {
    spec: { calendars: [{ month: cal.months.map((m) => MONTH_NAMES_UPPER[m - 1]!), dayOfMonth: cal.dayOfMonth, hour: cal.hour }] },
    action: {
      type: 'startWorkflow' as const,
      workflowType: agreementCycleWorkflow,
      workflowId: `agreement-tick/${a.donorCode}/${a.projectCode}/${a.templateId}`,
      taskQueue: ctx.config.taskQueue,
      args: [{ donorCode: a.donorCode, projectCode: a.projectCode, templateId: a.templateId, frequency: a.frequency, dueDays: a.dueDays }] as [Parameters<typeof agreementCycleWorkflow>[0]],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
  };
}

/** One Schedule per agreement, and a monthly digest Schedule per donor with an agreement. */
export async function syncAgreementSchedules(ctx: AppContext): Promise<SyncResult> {
  const wanted = new Map((await listAgreements(ctx.pool)).map((a) => [agreementScheduleId(a), scheduleOptions(ctx, a)]));
  const agreements = await syncSchedules(ctx, PREFIX, wanted);
  const digests = await syncSchedules(ctx, DIGEST_PREFIX, new Map((await donorsWithAgreements(ctx.pool)).map((d) => [digestScheduleId(d), digestScheduleOptions(ctx, d)])));
  return {
    created: [...agreements.created, ...digests.created],
    updated: [...agreements.updated, ...digests.updated],
    deleted: [...agreements.deleted, ...digests.deleted],
  };
}

const DIGEST_PREFIX = 'digest/';
/** On the first of each month, the donor gets the latest approved report of each project it funds. */
function digestScheduleOptions(ctx: AppContext, donorCode: string) {
  return {
    spec: { calendars: [{ dayOfMonth: 1, hour: 7 }] },
    action: {
      type: 'startWorkflow' as const,
      workflowType: donorDigestWorkflow,
      workflowId: `digest-run/${donorCode}`,
      taskQueue: ctx.config.taskQueue,
      args: [{ donorCode }] as [{ donorCode: string }],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
  };
}

export async function addAgreement(ctx: AppContext, a: Omit<Agreement, 'id'>): Promise<Agreement> {
  const { project } = await getProjectBundle(ctx.pool, a.projectCode);
  if (!project.donors.includes(a.donorCode)) {
    throw new RbmError('invalid_input', `donor ${a.donorCode} does not fund project ${a.projectCode} (its donors: ${project.donors.join(', ') || 'none'})`);
  }
  const saved = await upsertAgreement(ctx.pool, a);
  await syncAgreementSchedules(ctx);
  return saved;
}

export const agreementsList = (ctx: Pick<AppContext, 'pool'>) => listAgreements(ctx.pool);
export const deliveriesList = (ctx: Pick<AppContext, 'pool'>, filter: { cycleId?: string; state?: string }) => listDeliveries(ctx.pool, filter);

/** Agreements of the projects in the user's data scope (M&E officers and administrators). */
export async function agreementsFor(ctx: Pick<AppContext, 'pool'>, p: Principal, filter: { projectCode?: string } = {}): Promise<Agreement[]> {
  requireDataDesk(p, 'agreements');
  const scope = dataScopeOf(p);
  return (await listAgreements(ctx.pool)).filter((a) => scope.allows(a.projectCode) && (!filter.projectCode || a.projectCode === filter.projectCode));
}

/**
 * Deliveries of the cycles of projects in the user's data scope; a donor's monthly digest spans the
 * donor's projects, so only an unscoped officer sees it (with the donors' addresses).
 */
export async function deliveriesFor(ctx: Pick<AppContext, 'pool'>, p: Principal, filter: { cycleId?: string; state?: string } = {}): Promise<DeliveryRow[]> {
  requireDataDesk(p, 'deliveries');
  const scope = dataScopeOf(p);
  const rows = await listDeliveries(ctx.pool, filter);
  if (scope.all) return rows;
  const projectOf = new Map((await listCycles(ctx.pool)).map((c) => [c.id, c.projectCode]));
  return rows.filter((d) => d.cycleId !== null && scope.allows(projectOf.get(d.cycleId) ?? ''));
}

/** Adds or changes an agreement (administrators); its Schedule follows. */
export async function addAgreementAs(ctx: AppContext, p: Principal, a: Omit<Agreement, 'id'>): Promise<Agreement> {
  requireAdmin(p, 'donors and agreements');
  return addAgreement(ctx, a);
}

/** Resends one e-mail delivery deliberately (a new delivery record, linked to the original). */
export async function retryDelivery(ctx: AppContext, id: number, smtpUrl: string | null | undefined): Promise<DeliveryRow> {
  const original = await getDelivery(ctx.pool, id);
  if (!original) throw new RbmError('not_found', `no delivery ${id} (see \`rbm deliveries list\`)`);
  if (original.channel !== 'email' || !original.cycleId) {
    throw new RbmError('invalid_input', `delivery ${id} is a ${original.channel} delivery; only report e-mails are resent (a digest goes out again next month)`);
  }
  const cycleId = original.cycleId;
  if (!smtpUrl) throw new RbmError('invalid_input', 'no SMTP server is configured (set SMTP_URL)');
  const cycle = (await getCycle(ctx.pool, cycleId))!;
  const files = (await findArtifacts(ctx.pool, cycleId, original.version, 'final')).filter(
    (f) => f.format === 'pdf' || ((original.detail.files as Array<{ filename: string }> | undefined) ?? []).some((x) => x.filename === f.filename),
  );
  const { project } = await getProjectBundle(ctx.pool, cycle.projectCode);
  const retries = (await listDeliveries(ctx.pool, { cycleId })).filter((d) => d.idempotencyKey.startsWith(`${original.idempotencyKey}:resend:`)).length;
  const idempotencyKey = `${original.idempotencyKey}:resend:${retries + 1}`;
  await claimDelivery(ctx.pool, { idempotencyKey, cycleId, version: original.version, channel: 'email', recipient: original.recipient, donorCode: original.donorCode });
  const mailer = createMailer(smtpUrl, ctx.config.mailFrom);
  try {
    await sendReportMail(
      { pool: ctx.pool, mailer, publicUrl: ctx.config.publicUrl },
      { idempotencyKey, cycleId, projectTitle: project.title, projectCode: project.code, period: cycle.period, version: original.version, to: { name: original.recipient, email: original.recipient }, files },
    );
  } finally {
    mailer.close();
  }
  return (await listDeliveries(ctx.pool, { cycleId })).find((d) => d.idempotencyKey === idempotencyKey)!;
}
