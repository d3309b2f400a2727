/**
 * Issue 15 (a): on the production topology — the Temporal server on PostgreSQL and two `rbm worker`
 * processes with nothing shared but PostgreSQL, Temporal and SMTP — a worker SIGKILLed while it
 * renders a report, or while it e-mails donors, loses nothing: its activity is retried on the other
 * worker (the activities heartbeat; the workflows' 30 s heartbeat timeout notices the death), every
 * cycle completes, every decision holds, and Mailpit receives each donor e-mail exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cycleHistory, cycleResult, decideAs, startCycleAs, waitForStep } from '../../app/cycles.js';
import { getProjectBundle } from '../../db/portfolio-repository.js';
import { listDeliveries } from '../../db/deliveries-repository.js';
import { retryDelivery } from '../../app/agreements.js';
import type { CycleStatus } from '../../domain/report-cycle.js';
import { activityStarts, donorSubject, startTopology, until, workerRunning, type Topology } from './topology.js';

let t: Topology;
beforeAll(async () => {
  t = await startTopology('worker-crash', { workers: 2 });
  console.info(`topology up in ${t.startSeconds} s`);
});
afterAll(async () => {
  await t?.stop();
});

const DONOR_ADDRESS = /^(eu\.donor|donor\.a|donor\.b|pooled\.fund)@example\.org$/;

/** Approves version 1 step by step, each as the step's first approver; `leave`: stops when that many steps remain. */
async function approve(cycleId: string, opts: { leave?: number } = {}): Promise<{ status: CycleStatus; decided: number }> {
  let decided = 0;
  for (let step = 0; ; step++) {
    const s = await waitForStep(t.ctx, cycleId, 1, step, 180_000);
    if (s.state !== 'awaiting_approval') return { status: s, decided };
    if (opts.leave && (s.stepCount ?? 1) - (s.stepIndex ?? 0) <= opts.leave) return { status: s, decided };
    await decideAs(t.ctx, await t.principal(s.approvers[0]!), cycleId, { decision: 'approve', version: 1, comment: `approved at step ${step}` });
    decided++;
  }
}

async function startCycles(projects: string[], period: string): Promise<string[]> {
  const officer = await t.principal('me.officer');
  return Promise.all(projects.map(async (projectCode) => (await startCycleAs(t.ctx, officer, { projectCode, period })).cycleId));
}

/** Per donor recipient of the cycle: how many report e-mails Mailpit holds. */
async function mailCounts(cycleId: string, status: CycleStatus): Promise<Record<string, number>> {
  const { project } = await getProjectBundle(t.ctx.pool, status.projectCode);
  const counts: Record<string, number> = {};
  for (const d of status.donorDeliveries ?? []) counts[d.email] = await t.mail.count(d.email, donorSubject(project.title, project.code, status.period));
  return counts;
}

describe('a worker SIGKILLed (issue 15 a)', () => {
  it('while a report renders: the render is retried on the other worker and every cycle completes', async () => {
    const cycles = await startCycles(['LY10P0542', 'LY10P0551', 'LY10P0570'], '2025-Q3');
    // The moment a draft is being rendered, kill the worker that renders it.
    const victim = await until('a draft render on a worker', async () => {
      for (const id of cycles) {
        const i = await workerRunning(t, id, 'renderReport');
        if (i !== undefined) return { i, id };
      }
      return undefined;
    }, 120_000, 50);
    const killedAt = Date.now();
    await t.cluster.workers[victim.i]!.kill();
    const survivor = t.cluster.workers[1 - victim.i]!;
    expect(survivor.running()).toBe(true);

    // The lost render comes back on the survivor within the heartbeat timeout; decisions go on.
    await waitForStep(t.ctx, victim.id, 1, 0, 120_000);
    const recoveredSeconds = (Date.now() - killedAt) / 1000;
    const results = await Promise.all(cycles.map(async (id) => ({ id, decided: (await approve(id)).decided, final: await cycleResult(t.ctx, id) })));
    console.info(`render of ${victim.id} on worker-${victim.i + 1} killed; awaiting approval again after ${recoveredSeconds.toFixed(1)} s`);

    for (const r of results) {
      expect(r.final.state).toBe('completed');
      // No decision lost: the workflow holds each one taken, and the audit trail records each once.
      const approvals = r.final.decisions.filter((d) => d.decision === 'approve' && d.version === 1);
      expect(approvals).toHaveLength(r.decided);
      expect((await cycleHistory(t.ctx, r.id)).filter((e) => e.action === 'approved')).toHaveLength(r.decided);
      // Each donor e-mail exactly once.
      const counts = await mailCounts(r.id, r.final);
      expect(Object.values(counts).every((n) => n === 1), JSON.stringify(counts)).toBe(true);
    }
    // The killed render was run again (a second attempt), on the survivor.
    const starts = await activityStarts(t, victim.id);
    expect(Math.max(...starts.renderReport!.attempts)).toBeGreaterThanOrEqual(2);
    expect(recoveredSeconds).toBeLessThan(90);
    await t.cluster.workers[victim.i]!.start(); // back to two workers
  });

  it('while donor e-mails are sent: each e-mail reaches Mailpit exactly once, no decision is lost', async () => {
    const cycles = await startCycles(['LY10P0551', 'LY10P0570', 'LY10P0576'], '2025-Q2');
    // Every step but the last is approved; then donor mail is held at the end of its DATA and the last step approved.
    const before = await Promise.all(cycles.map((id) => approve(id, { leave: 1 })));
    t.smtp.hold(DONOR_ADDRESS);
    await Promise.all(cycles.map(async (id, i) => {
      const s = before[i]!.status;
      await decideAs(t.ctx, await t.principal(s.approvers[0]!), id, { decision: 'approve', version: 1, comment: 'last step' });
    }));
    const victim = await until('a donor e-mail in flight', async () => {
      if (t.smtp.heldCount() === 0) return undefined;
      for (const id of cycles) {
        const i = await workerRunning(t, id, 'deliverToDonors');
        if (i !== undefined) return { i, id };
      }
      return undefined;
    }, 180_000, 50);
    await t.cluster.workers[victim.i]!.kill(); // mid-send: the message was transmitted, not yet accepted
    t.smtp.release();
    const finals = await Promise.all(cycles.map((id) => cycleResult(t.ctx, id)));
    expect(finals.map((f) => f.state)).toEqual(['completed', 'completed', 'completed']);
    for (const [i, f] of finals.entries()) {
      expect(f.decisions.filter((d) => d.decision === 'approve' && d.version === 1)).toHaveLength(before[i]!.decided + 1);
    }
    const starts = await activityStarts(t, victim.id);
    expect(Math.max(...starts.deliverToDonors!.attempts)).toBeGreaterThanOrEqual(2);

    // Nobody received anything twice. A message cut off mid-send is `unconfirmed` (never resent by a
    // retry); a person resends it deliberately (`rbm deliveries retry ID`), and then each donor has it once.
    const deliveries = (await Promise.all(cycles.map((id) => listDeliveries(t.ctx.pool, { cycleId: id })))).flat().filter((d) => d.channel === 'email');
    const unconfirmed = deliveries.filter((d) => d.state === 'unconfirmed');
    for (const f of finals) for (const n of Object.values(await mailCounts(f.cycleId, f))) expect(n).toBeLessThanOrEqual(1);
    for (const d of unconfirmed) await retryDelivery(t.ctx, d.id, t.smtp.url);
    let recipients = 0;
    for (const f of finals) {
      const counts = await mailCounts(f.cycleId, f);
      recipients += Object.keys(counts).length;
      expect(Object.values(counts).every((n) => n === 1), `${f.cycleId}: ${JSON.stringify(counts)}`).toBe(true);
    }
    console.info(`delivery on worker-${victim.i + 1} killed mid-send: ${recipients} donor e-mails, ${unconfirmed.length} unconfirmed and resent by hand, each received once`);
    expect(recipients).toBeGreaterThanOrEqual(3);
    await t.cluster.workers[victim.i]!.start();
  });
});
