/**
 * Donor delivery on the real servers: the approved report e-mailed (PDF, and Excel where the
 * agreement asks) to the donors that fund the project and nobody else, exactly once across a crash
 * between send and record, a failing SMTP server retried then reported, and the agreements' Temporal
 * Schedules. Mails are read back from Mailpit.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDonorDeliveryActivities } from '../activities/donor-delivery.js';
import { createMailer, type Mailer } from '../activities/mailer.js';
import { syncAgreementSchedules } from '../app/agreements.js';
import { lastEndedMonth } from '../domain/agreements.js';
import { cycleResult, cycleStatus, decide, startCycle, waitForStep, cancelCycle } from '../app/cycles.js';
import type { AppContext } from '../app/context.js';
import { loadDemoPortfolio } from '../app/portfolio.js';
import { getProjectBundle, upsertProject } from '../db/portfolio-repository.js';
import { listDeliveries } from '../db/deliveries-repository.js';
import { attachment, mailsTo, waitForMail } from './support/mailbox.js';
import { startTestSystem, type TestSystem } from './support/test-system.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem('delivery');
  await loadDemoPortfolio(sys.ctx, '2025-Q4');
});
afterAll(async () => {
  await sys?.stop();
});

async function approveThrough(ctx: AppContext, cycleId: string) {
  for (let step = 0; ; step++) {
    const s = await waitForStep(ctx, cycleId, 1, step);
    if (s.state !== 'awaiting_approval') break;
    await decide(ctx, cycleId, { decision: 'approve', by: s.approvers[0]!, version: 1 });
  }
  return cycleResult(ctx, cycleId);
}
const subjectFor = (title: string, code: string, period: string) => `${title} (${code}): report for ${period}`;

describe('donor delivery', () => {
  it('e-mails the approved PDF and Excel to the funding donor, with a portal link, once', async () => {
    const { cycleId } = await startCycle(sys.ctx, { projectCode: 'LY10P0551', period: '2024-Q3', startedBy: 'me.officer' });
    const done = await approveThrough(sys.ctx, cycleId);
    expect(done.donorDeliveries).toEqual([{ donorCode: 'EU', email: 'eu.donor@example.org', state: 'sent' }]);
    const { project } = await getProjectBundle(sys.ctx.pool, 'LY10P0551');
    const mail = await waitForMail('eu.donor@example.org', (m) => m.subject === subjectFor(project.title, 'LY10P0551', '2024-Q3'));
    expect(mail.attachments.map((a) => a.filename).sort()).toEqual(['LY10P0551_2024-Q3_iom-donor-report_v1_final.pdf', 'LY10P0551_2024-Q3_iom-donor-report_v1_final.xlsx']);
    expect(mail.text).toMatch(/donor portal: http:\/\/rbm\.test\/donor\/reports\//);
    // The attached PDF parses and is the final report.
    const pdf = await attachment(mail.id, mail.attachments.find((a) => a.filename.endsWith('.pdf'))!.partId);
    const file = path.join(os.tmpdir(), `delivered-${Date.now()}.pdf`);
    fs.writeFileSync(file, pdf);
    expect(execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' })).toContain(project.title);
    const deliveries = await listDeliveries(sys.ctx.pool, { cycleId });
    expect(deliveries.filter((d) => d.channel === 'email').map((d) => [d.recipient, d.state, d.attempts])).toEqual([['eu.donor@example.org', 'sent', 1]]);
  });

  it('never sends a project to a donor that does not fund it, or to one on another calendar', async () => {
    // VHR is funded by EU (quarterly) and Donor B (semi-annual): a quarterly report goes to the EU only.
    const { cycleId } = await startCycle(sys.ctx, { projectCode: 'LY10P0570', period: '2024-Q4', startedBy: 'me.officer' });
    const done = await approveThrough(sys.ctx, cycleId);
    expect(done.donorDeliveries?.map((d) => d.donorCode)).toEqual(['EU']);
    const { project } = await getProjectBundle(sys.ctx.pool, 'LY10P0570');
    await waitForMail('eu.donor@example.org', (m) => m.subject === subjectFor(project.title, 'LY10P0570', '2024-Q4'));
    for (const other of ['donor.a@example.org', 'donor.b@example.org', 'pooled.fund@example.org']) {
      expect((await mailsTo(other)).filter((m) => m.subject.includes('LY10P0570') || m.subject.includes('LY10P0551'))).toEqual([]);
    }
  });

  it('does not send twice when the worker died between sending and recording', async () => {
    const real = createMailer(inject('smtpUrl'), 'RBM Flow <rbm@test>');
    // The worker dies right after the SMTP server took the mail: nothing after the send ever runs.
    let dies = true;
    const diesAfterSend: Mailer = {
      async send(m) {
        await real.send(m);
        if (dies) await new Promise(() => undefined);
      },
      close: () => real.close(),
    };
    const { cycleId } = await startCycle(sys.ctx, { projectCode: 'LY10P0551', period: '2024-Q2', startedBy: 'me.officer' });
    const done = await approveThrough(sys.ctx, cycleId);
    const deliver = createDonorDeliveryActivities({ pool: sys.ctx.pool, mailer: diesAfterSend, publicUrl: 'http://rbm.test' }).deliverToDonors;
    const input = { cycleId, projectCode: 'LY10P0551', period: '2024-Q2', templateId: 'iom-donor-report', version: 7, artifacts: done.final };
    void deliver(input); // the attempt that "died"
    await waitForMail('eu.donor@example.org', (m) => m.text.includes('version 7'));
    dies = false;
    // Temporal's retry of the activity finds the delivery in flight and does not send it again.
    expect(await deliver(input)).toEqual([{ donorCode: 'EU', email: 'eu.donor@example.org', state: 'unconfirmed' }]);
    expect(await deliver(input)).toEqual([{ donorCode: 'EU', email: 'eu.donor@example.org', state: 'unconfirmed' }]);
    const version7 = (await mailsTo('eu.donor@example.org')).filter((m) => m.text.includes('version 7'));
    expect(version7).toHaveLength(1);
    real.close();
  });

  it('retries a failing SMTP server with backoff, then marks the delivery failed and tells the M&E officer', async () => {
    const real = createMailer(inject('smtpUrl'), 'RBM Flow <rbm@test>');
    const donorsUnreachable: Mailer = {
      async send(m) {
        if (m.to.address.includes('donor')) throw new Error('421 4.3.2 Service not available');
        await real.send(m);
      },
      close: () => real.close(),
    };
    const failing = await startTestSystem('delivery-failing', { mailer: donorsUnreachable });
    try {
      const { cycleId } = await startCycle(failing.ctx, { projectCode: 'LY10P0551', period: '2024-Q1', startedBy: 'me.officer', deliveryRetry: { initialIntervalMs: 200, maximumAttempts: 3 } });
      const done = await approveThrough(failing.ctx, cycleId);
      expect(done.state).toBe('completed');
      expect(done.deliveryFailed).toMatch(/421 4.3.2 Service not available/);
      const [d] = (await listDeliveries(failing.ctx.pool, { cycleId })).filter((x) => x.channel === 'email');
      expect(d).toMatchObject({ recipient: 'eu.donor@example.org', state: 'failed', attempts: 3 });
      const mail = await waitForMail('me.officer@example.org', (m) => m.subject === '[RBM Flow] Delivery to the donor failed: LY10P0551 2024-Q1 report');
      expect(mail.text).toMatch(/rbm deliveries retry/);
    } finally {
      await failing.stop();
    }
  });

  it('keeps one Temporal Schedule per agreement, and a schedule starts the cycle of the period that ended', async () => {
    const first = await syncAgreementSchedules(sys.ctx);
    const again = await syncAgreementSchedules(sys.ctx);
    expect(again.created).toEqual([]);
    expect(again.updated.sort()).toEqual([...first.created, ...first.updated].sort());
    expect(again.updated).toContain('agreement/EU/LY10P0551/iom-donor-report');
    const listed: string[] = [];
    for await (const s of sys.ctx.temporal.schedule.list()) listed.push(s.scheduleId);
    expect(listed).toEqual(expect.arrayContaining(['agreement/DONOR-A/LY10P0542/iom-donor-report', 'agreement/POOLED-FUND/LY10P0576/iom-donor-report']));
    const description = await sys.ctx.temporal.schedule.getHandle('agreement/EU/LY10P0551/iom-donor-report').describe();
    expect(description.spec.calendars?.[0]).toMatchObject({ dayOfMonth: [{ start: 15, end: 15, step: 1 }] });

    // Extend one project past today so that the quarter that just ended is within it, then trigger.
    const dtm = await getProjectBundle(sys.ctx.pool, 'LY10P0576');
    await upsertProject(sys.ctx.pool, { ...dtm, project: { ...dtm.project, endDate: '2027-12-31' } });
    await sys.ctx.temporal.schedule.getHandle('agreement/POOLED-FUND/LY10P0576/iom-donor-report').trigger();
    const today = new Date();
    const quarter = Math.floor(today.getUTCMonth() / 3);
    const expected = quarter === 0 ? `${today.getUTCFullYear() - 1}-Q4` : `${today.getUTCFullYear()}-Q${quarter}`;
    const cycleId = `report-cycle/LY10P0576/${expected}/iom-donor-report`;
    await expect.poll(async () => (await cycleStatus(sys.ctx, cycleId).catch(() => undefined))?.state, { timeout: 30_000 }).toBe('awaiting_approval');
    expect((await cycleStatus(sys.ctx, cycleId)).dueDate).toBeDefined();
    await cancelCycle(sys.ctx, cycleId, { by: 'me.officer', reason: 'Started by the schedule test.' });
  });

  it('sends each donor a monthly digest of the latest approved reports of its projects, once a month', async () => {
    await syncAgreementSchedules(sys.ctx);
    const digest = sys.ctx.temporal.schedule.getHandle('digest/EU');
    expect((await digest.describe()).spec.calendars?.[0]).toMatchObject({ dayOfMonth: [{ start: 1, end: 1, step: 1 }] });
    const month = lastEndedMonth(new Date().toISOString());
    const subject = `IOM Libya: your monthly digest of approved reports (${month})`;
    await digest.trigger();
    const mail = await waitForMail('eu.donor@example.org', (m) => m.subject === subject, 30_000);
    // The EU funds MHPSS (LY10P0551), health (LY10P0563) and VHR (LY10P0570): this spec approved reports of
    // the first and the last; another spec of the same database may have approved one of health's.
    const { rows } = await sys.ctx.pool.query<{ code: string }>(
      `SELECT DISTINCT c.project_code AS code FROM report_cycles c JOIN projects p ON p.code = c.project_code
         JOIN project_donors pd ON pd.project_id = p.id WHERE pd.donor_code = 'EU' AND c.state = 'completed' ORDER BY 1`,
    );
    expect(rows.map((r) => r.code)).toEqual(expect.arrayContaining(['LY10P0551', 'LY10P0570']));
    expect(mail.attachments.map((a) => a.filename.slice(0, 9)).sort()).toEqual(rows.map((r) => r.code));
    expect(mail.text).toContain('http://rbm.test/donor/reports/');
    // A second run in the same month sends nothing more, and no digest of EU projects reaches another donor.
    await digest.trigger();
    await new Promise((r) => setTimeout(r, 3000));
    expect((await mailsTo('eu.donor@example.org')).filter((m) => m.subject === subject)).toHaveLength(1);
    for (const m of await mailsTo('donor.b@example.org')) expect(m.attachments.map((a) => a.filename)).not.toContainEqual(expect.stringMatching(/^LY10P0551/));
  });
});
