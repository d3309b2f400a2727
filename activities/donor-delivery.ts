/**
 * Delivery of a final report to the donors that fund the project: an e-mail with the PDF (and the
 * Excel when the agreement asks) attached and a link to the donor portal, exactly once per recipient
 * and version (see db/deliveries-repository.ts).
 */
import { Context } from '@temporalio/activity';
import { PERIOD_KIND_OF, type Frequency } from '../domain/agreements.js';
import { donorMayReceive } from '../domain/donor-access.js';
import { composeDonorReportMail } from '../domain/notifications.js';
import { parsePeriod } from '../domain/periods.js';
import type { ArtifactRef } from '../domain/report-cycle.js';
import { donorRecipients, listAgreements } from '../db/agreements-repository.js';
import { digestRecipients, latestApprovedReports } from '../db/digests-repository.js';
import { readArtifact } from '../db/cycles-repository.js';
import { claimDelivery, failOpenDeliveries, lastVersionSentTo, markDelivery } from '../db/deliveries-repository.js';
import type { Pool } from '../db/pool.js';
import { getProjectBundle } from '../db/portfolio-repository.js';
import type { Mailer } from './mailer.js';
import { deliveryAttemptsTotal } from '../runtime/metrics.js';

/** rbm_delivery_attempts_total: every attempt for a recipient, whatever it came to (sent and failed: sendClaimed). */
const counted = (channel: 'email' | 'digest', outcome: string) => deliveryAttemptsTotal.inc({ channel, outcome });

/**
 * Runs `fn` heartbeating every 5 s when it is an activity (the workflow's heartbeat timeout then
 * notices a killed worker within 30 s and retries on another; issue 15); called directly, just runs it.
 */
async function heartbeating<T>(fn: () => Promise<T>): Promise<T> {
  let activity: Context | undefined;
  try {
    activity = Context.current();
  } catch {
    return fn();
  }
  activity.heartbeat();
  const beat = setInterval(() => activity.heartbeat(), 5_000);
  try {
    return await fn();
  } finally {
    clearInterval(beat);
  }
}

export interface DonorDeliveryOutcome {
  donorCode: string;
  email: string;
  state: 'sent' | 'already_sent' | 'unconfirmed' | 'not_configured';
}

const FREQUENCY_OF_KIND: Record<string, Frequency | undefined> = Object.fromEntries(Object.entries(PERIOD_KIND_OF).map(([f, k]) => [k, f as Frequency]));

export function createDonorDeliveryActivities({ pool, mailer, publicUrl = 'http://127.0.0.1:3000' }: { pool: Pool; mailer?: Mailer; publicUrl?: string }) {
  return {
    async deliverToDonors(input: { cycleId: string; projectCode: string; period: string; templateId: string; version: number; artifacts: ArtifactRef[] }): Promise<DonorDeliveryOutcome[]> {
      return heartbeating(async () => {
      const frequency = FREQUENCY_OF_KIND[parsePeriod(input.period).kind];
      if (!frequency) return []; // monthly periods have no donor agreements
      const recipients = await donorRecipients(pool, input.projectCode, input.templateId, frequency);
      if (!recipients.length) return [];
      const { project } = await getProjectBundle(pool, input.projectCode);
      const outcomes: DonorDeliveryOutcome[] = [];
      for (const r of recipients) {
        const key = `${input.cycleId}:v${input.version}:email:${r.email}`;
        if (!mailer) {
          outcomes.push({ donorCode: r.donorCode, email: r.email, state: 'not_configured' });
          counted('email', 'not_configured');
          continue;
        }
        const claim = await claimDelivery(pool, { idempotencyKey: key, cycleId: input.cycleId, version: input.version, channel: 'email', recipient: r.email, donorCode: r.donorCode });
        if (claim !== 'send') {
          outcomes.push({ donorCode: r.donorCode, email: r.email, state: claim === 'sent' ? 'already_sent' : 'unconfirmed' });
          counted('email', claim === 'sent' ? 'already_sent' : 'unconfirmed');
          continue;
        }
        // The recipient's agreement for this project and template decides the files (the Excel only if it asks for it).
        const agreement = { donorCode: r.donorCode, projectCode: input.projectCode, templateId: input.templateId, sendExcel: r.sendExcel };
        // (donorRecipients lists only donors that fund the project.)
        const files = input.artifacts.filter((a) => donorMayReceive([{ donorCode: r.donorCode, projectCode: input.projectCode }], [agreement], { projectCode: input.projectCode, templateId: input.templateId, format: a.format }));
        await sendReportMail({ pool, mailer, publicUrl }, { idempotencyKey: key, cycleId: input.cycleId, projectTitle: project.title, projectCode: project.code, period: input.period, version: input.version, to: r, files });
        outcomes.push({ donorCode: r.donorCode, email: r.email, state: 'sent' });
      }
      return outcomes;
      });
    },

    /**
     * A donor's monthly digest: one e-mail per contact with the latest approved report of every
     * project the donor funds, exactly once per donor, month and recipient.
     */
    async sendDonorDigest(input: { donorCode: string; month: string }): Promise<Array<{ email: string; state: string; reports: number }>> {
      const reports = await digestReports(pool, input.donorCode);
      if (!reports.length) return [];
      const outcomes: Array<{ email: string; state: string; reports: number }> = [];
      for (const to of await digestRecipients(pool, input.donorCode)) {
        if (!mailer) {
          outcomes.push({ email: to.email, state: 'not_configured', reports: reports.length });
          counted('digest', 'not_configured');
          continue;
        }
        const key = `digest/${input.donorCode}/${input.month}:email:${to.email}`;
        const claim = await claimDelivery(pool, { idempotencyKey: key, cycleId: null, version: 0, channel: 'digest', recipient: to.email, donorCode: input.donorCode });
        if (claim !== 'send') {
          outcomes.push({ email: to.email, state: claim === 'sent' ? 'already_sent' : 'unconfirmed', reports: reports.length });
          counted('digest', claim === 'sent' ? 'already_sent' : 'unconfirmed');
          continue;
        }
        const attachments = await loadAttachments(pool, reports.map((r) => r.pdf));
        const base = publicUrl.replace(/\/$/, '');
        await sendClaimed(pool, mailer, key, 'digest', {
          to: { name: to.name, address: to.email },
          subject: `IOM Libya: your monthly digest of approved reports (${input.month})`,
          text: [
            `Dear ${to.name},`,
            '',
            `Attached are the latest approved reports of the ${reports.length} project${reports.length === 1 ? '' : 's'} you fund:`,
            ...reports.map((r) => `  - ${r.projectTitle} (${r.projectCode}), ${r.period}, version ${r.version}: ${base}/donor/reports/${r.pdf.id}`),
            '',
            'With kind regards,',
            'IOM Libya — Monitoring and Evaluation',
          ].join('\n'),
          attachments,
        }, { month: input.month, reports: reports.map((r) => ({ project: r.projectCode, period: r.period, file: r.pdf.filename })) });
        outcomes.push({ email: to.email, state: 'sent', reports: reports.length });
      }
      return outcomes;
    },

    /** After the last retry: what did not go out is marked failed (the M&E officer is notified by the workflow). */
    async failDonorDeliveries(input: { cycleId: string; version: number; error: string }): Promise<number> {
      return failOpenDeliveries(pool, input.cycleId, input.version, input.error);
    },
  };
}

/**
 * The digest's reports: of the latest approved report of each project and template the donor funds,
 * those its agreements cover (the same rule as the portal), then the latest period per project.
 */
async function digestReports(pool: Pool, donorCode: string) {
  const candidates = await latestApprovedReports(pool, donorCode);
  const agreements = (await listAgreements(pool)).filter((a) => a.donorCode === donorCode);
  // (latestApprovedReports lists only projects the donor funds.)
  const funding = [...new Set(candidates.map((r) => r.projectCode))].map((projectCode) => ({ donorCode, projectCode }));
  const latest = new Map<string, (typeof candidates)[number]>();
  for (const r of candidates.filter((c) => donorMayReceive(funding, agreements, { projectCode: c.projectCode, templateId: c.templateId, format: c.pdf.format }))) {
    const cur = latest.get(r.projectCode);
    if (!cur || r.period > cur.period) latest.set(r.projectCode, r);
  }
  return [...latest.values()].sort((a, b) => a.projectCode.localeCompare(b.projectCode));
}

/** Sends one donor mail for a claimed delivery and records the outcome ('sent', or 'failed' and rethrown). */
export async function sendReportMail(
  deps: { pool: Pool; mailer: Mailer; publicUrl: string },
  m: { idempotencyKey: string; cycleId: string; projectTitle: string; projectCode: string; period: string; version: number; to: { name: string; email: string }; files: ArtifactRef[] },
): Promise<void> {
  const attachments = await loadAttachments(deps.pool, m.files);
  const replacesVersion = await lastVersionSentTo(deps.pool, m.cycleId, m.to.email, m.version);
  const base = deps.publicUrl.replace(/\/$/, '');
  const links = m.files.map((f) => `${base}/donor/reports/${f.id}`);
  await sendClaimed(deps.pool, deps.mailer, m.idempotencyKey, 'email', {
    to: { name: m.to.name, address: m.to.email },
    ...composeDonorReportMail({ projectTitle: m.projectTitle, projectCode: m.projectCode, period: m.period, version: m.version, replacesVersion, recipientName: m.to.name, links }),
    attachments,
  }, { files: m.files.map((f) => ({ id: f.id, filename: f.filename, sha256: f.sha256 })), links });
}

/** The stored files as mail attachments, checked against the digests the workflow carries. */
async function loadAttachments(pool: Pool, files: ArtifactRef[]): Promise<Array<{ filename: string; content: Buffer }>> {
  const attachments = [];
  for (const f of files) {
    const stored = await readArtifact(pool, f.id);
    if (!stored || stored.ref.sha256 !== f.sha256) throw new Error(`artifact ${f.id} (${f.filename}) is missing or changed`);
    attachments.push({ filename: f.filename, content: stored.content });
  }
  return attachments;
}

/**
 * Sends a mail whose delivery was claimed ('sending') and records the outcome: 'sent' with `detail`,
 * or 'failed' and rethrown (Temporal retries with backoff; the claim lets a failed delivery be tried again).
 */
async function sendClaimed(
  pool: Pool, mailer: Mailer, idempotencyKey: string, channel: 'email' | 'digest', mail: Parameters<Mailer['send']>[0], detail: Record<string, unknown>,
): Promise<void> {
  try {
    await mailer.send(mail);
  } catch (e) {
    counted(channel, 'failed');
    await markDelivery(pool, idempotencyKey, 'failed', {}, (e as Error).message);
    throw e;
  }
  counted(channel, 'sent');
  await markDelivery(pool, idempotencyKey, 'sent', detail);
}
