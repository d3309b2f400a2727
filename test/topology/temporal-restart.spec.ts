/**
 * Issue 15 (b): the Temporal server (v1.29.1 on PostgreSQL) SIGKILLed and started again while cycles
 * wait for approval and while a report renders: the decisions taken before the stop hold, the
 * interrupted activity finishes, every cycle completes with each donor e-mail sent once; meanwhile
 * the web's /readyz names Temporal as the service that is down.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cycleHistory, cycleResult, cycleStatus, decideAs, startCycleAs, waitForStep } from '../../app/cycles.js';
import { getProjectBundle } from '../../db/portfolio-repository.js';
import { donorSubject, startTopology, until, workerRunning, type Topology } from './topology.js';

let t: Topology;
beforeAll(async () => {
  t = await startTopology('temporal-restart', { workers: 2, web: 1 });
  console.info(`topology up in ${t.startSeconds} s`);
});
afterAll(async () => {
  await t?.stop();
});

const readyz = async () => {
  const res = await fetch(`${t.cluster.webs[0]!.url}/readyz`, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json()) as { status: string; unavailable: string[] } };
};

async function approveStep(cycleId: string, step: number) {
  const s = await waitForStep(t.ctx, cycleId, 1, step, 180_000);
  expect(s.state).toBe('awaiting_approval');
  await decideAs(t.ctx, await t.principal(s.approvers[0]!), cycleId, { decision: 'approve', version: 1, comment: `step ${step}` });
}

describe('the Temporal server SIGKILLed and restarted (issue 15 b)', () => {
  it('keeps the decisions taken before, finishes the interrupted render, and completes every cycle', async () => {
    const officer = await t.principal('me.officer');
    expect((await readyz()).status).toBe(200);
    // Two cycles wait at their second step, their first approved before the stop.
    const waiting = await Promise.all(['LY10P0542', 'LY10P0551'].map(async (projectCode) => (await startCycleAs(t.ctx, officer, { projectCode, period: '2025-Q3' })).cycleId));
    for (const id of waiting) await approveStep(id, 0);
    for (const id of waiting) expect((await waitForStep(t.ctx, id, 1, 1, 120_000)).stepIndex).toBe(1);
    // A third is rendering its draft when the server dies.
    const rendering = (await startCycleAs(t.ctx, officer, { projectCode: 'LY10P0570', period: '2025-Q3' })).cycleId;
    await until('the third cycle rendering on a worker', () => workerRunning(t, rendering, 'renderReport').then((i) => i !== undefined), 120_000, 50);

    await t.cluster.temporal.kill();
    const down = await until('/readyz to name temporal', async () => {
      const r = await readyz();
      return r.status === 503 && r.body.unavailable.includes('temporal') ? r.body : undefined;
    }, 30_000, 200);
    expect(down.unavailable).toEqual(['temporal']);
    const restartStarted = Date.now();
    await t.cluster.temporal.restart();
    const restartSeconds = (Date.now() - restartStarted) / 1000;
    await until('/readyz 200 again', async () => (await readyz()).status === 200, 60_000, 500);

    // Decisions before the stop hold: each waiting cycle still has its first approval and waits at step 2.
    for (const id of waiting) {
      const s = await cycleStatus(t.ctx, id);
      expect([s.state, s.stepIndex, s.decisions.filter((d) => d.decision === 'approve').length]).toEqual(['awaiting_approval', 1, 1]);
    }
    for (const id of waiting) await approveStep(id, 1);
    for (let step = 0; step < 2; step++) await approveStep(rendering, step);
    const finals = await Promise.all([...waiting, rendering].map((id) => cycleResult(t.ctx, id)));
    let mails = 0;
    for (const f of finals) {
      expect(f.state).toBe('completed');
      expect(f.decisions.filter((d) => d.decision === 'approve' && d.version === 1)).toHaveLength(2);
      expect((await cycleHistory(t.ctx, f.cycleId)).filter((e) => e.action === 'approved')).toHaveLength(2);
      const { project } = await getProjectBundle(t.ctx.pool, f.projectCode);
      for (const d of f.donorDeliveries ?? []) {
        expect(await t.mail.count(d.email, donorSubject(project.title, project.code, f.period))).toBe(1);
        mails++;
      }
    }
    expect(mails).toBeGreaterThanOrEqual(3);
    console.info(`Temporal server restarted in ${restartSeconds.toFixed(1)} s; 3 cycles completed, 6 approvals held, ${mails} donor e-mails each received once`);
  });
});
