/**
 * Issue 15 (d): the SMTP server down for longer than the delivery retry budget (and longer than the
 * notifications' usual retries): the donor deliveries are marked failed, /readyz names SMTP meanwhile,
 * the M&E officers are told once SMTP is back (the cycle waits for that notice: it is retried until
 * sent), and nothing is sent twice afterwards — a donor receives the report once, when a person
 * resends it (`rbm deliveries retry ID`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retryDelivery } from '../../app/agreements.js';
import { cycleResult, decideAs, startCycleAs, waitForStep } from '../../app/cycles.js';
import { listDeliveries } from '../../db/deliveries-repository.js';
import { getProjectBundle } from '../../db/portfolio-repository.js';
import { donorSubject, startTopology, until, type Topology } from './topology.js';

let t: Topology;
beforeAll(async () => {
  t = await startTopology('smtp-outage', { workers: 2, web: 1 });
  console.info(`topology up in ${t.startSeconds} s`);
});
afterAll(async () => {
  await t?.stop();
});

const readyz = async () => {
  const res = await fetch(`${t.cluster.webs[0]!.url}/readyz`, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json()) as { unavailable: string[] } };
};
const OFFICER = 'me.officer@example.org';
const failureSubject = (code: string, period: string) => `[RBM Flow] Delivery to the donor failed: ${code} ${period} report`;

describe('SMTP down longer than the retry budget (issue 15 d)', () => {
  it('marks the deliveries failed, tells the officers once SMTP is back, and sends nothing twice', async () => {
    const officer = await t.principal('me.officer');
    const projectCode = 'LY10P0551';
    const period = '2025-Q3';
    // A short retry budget for the donor e-mails (the default is 6 attempts from 30 s, about 15 minutes).
    const { cycleId } = await startCycleAs(t.ctx, officer, { projectCode, period, deliveryRetry: { initialIntervalMs: 1000, maximumAttempts: 3 } });
    let s = await waitForStep(t.ctx, cycleId, 1, 0, 180_000);
    while ((s.stepIndex ?? 0) + 1 < (s.stepCount ?? 1)) {
      await decideAs(t.ctx, await t.principal(s.approvers[0]!), cycleId, { decision: 'approve', version: 1 });
      s = await waitForStep(t.ctx, cycleId, 1, (s.stepIndex ?? 0) + 1, 120_000);
    }
    t.smtp.setDown(true);
    const downAt = Date.now();
    expect((await readyz()).body.unavailable).toEqual(['smtp']);
    await decideAs(t.ctx, await t.principal(s.approvers[0]!), cycleId, { decision: 'approve', version: 1, comment: 'final' });

    // The retry budget runs out while SMTP is down: every donor e-mail of the cycle is failed, none sent.
    const failed = await until('the donor deliveries marked failed', async () => {
      const email = (await listDeliveries(t.ctx.pool, { cycleId })).filter((d) => d.channel === 'email');
      return email.length && email.every((d) => d.state === 'failed') ? email : undefined;
    }, 120_000, 500);
    // SMTP stays down past the notifications' own retries too (about 15 s), then comes back.
    await new Promise((r) => setTimeout(r, Math.max(0, 25_000 - (Date.now() - downAt))));
    t.smtp.setDown(false);
    const downSeconds = (Date.now() - downAt) / 1000;
    await until('/readyz 200 with SMTP back', async () => (await readyz()).status === 200, 30_000, 500);

    const { project } = await getProjectBundle(t.ctx.pool, projectCode);
    const donorMail = async () => Object.fromEntries(await Promise.all(failed.map(async (d) => [d.recipient, await t.mail.count(d.recipient, donorSubject(project.title, project.code, period))] as const)));
    const told = await until('the officer told of the failure', async () => ((await t.mail.count(OFFICER, failureSubject(projectCode, period))) > 0 ? true : undefined), 120_000, 1000)
      .catch(() => false);
    // The cycle waited for that notice; it completes with the failure recorded.
    const final = await cycleResult(t.ctx, cycleId);
    expect([final.state, !!final.deliveryFailed]).toEqual(['completed', true]);
    // Nothing is resent by itself once SMTP is back.
    await new Promise((r) => setTimeout(r, 5_000));
    expect(Object.values(await donorMail()).every((n) => n === 0)).toBe(true);
    const officerMails = await t.mail.count(OFFICER, failureSubject(projectCode, period));
    // A person resends each failed delivery: each donor then has the report exactly once.
    for (const d of failed) await retryDelivery(t.ctx, d.id, t.smtp.url);
    await new Promise((r) => setTimeout(r, 5_000));
    const after = await donorMail();
    console.info(`SMTP down ${downSeconds.toFixed(0)} s (${t.smtp.refused()} connections refused): ${failed.length} deliveries failed; officer told: ${officerMails}; after resend: ${JSON.stringify(after)}`);
    expect(Object.values(after).every((n) => n === 1)).toBe(true);
    expect(told, 'the M&E officer was not told of the failed delivery once SMTP was back').toBe(true);
    expect(officerMails).toBe(1);
  });
});
