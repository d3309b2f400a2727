/**
 * A request for a cycle's status never hangs on a workflow that no worker answers (its worker gone, or
 * another deployment's task queue): after 10 s it answers from the database. Found when the generated
 * authorization matrix met such a workflow in a full run and answered 500.
 */
import { expect, it } from 'vitest';
import { principalFor } from '../app/auth.js';
import { cycleStatusFor } from '../app/cycles.js';
import { loadDemoPortfolio } from '../app/portfolio.js';
import { seedCycle } from './support/report-fixtures.js';
import { startTestSystem } from './support/test-system.js';
it('answers from the database when no worker answers the workflow', async () => {
  const sys = await startTestSystem('repro');
  await loadDemoPortfolio(sys.ctx, '2025-Q4');
  await seedCycle(sys.ctx.pool, { project: 'LY10P0576', period: '2023-Q4', template: 'donor-summary', state: 'completed' });
  await sys.ctx.temporal.workflow.start('reportCycleWorkflow', { workflowId: 'report-cycle/LY10P0576/2023-Q4/donor-summary', taskQueue: 'nobody-polls', args: [{}],
    // The shared dev server may hold a run under this id from another spec: any run that no worker answers will do.
    workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'ALLOW_DUPLICATE' });
  const admin = (await principalFor({ pool: sys.ctx.pool }, 'admin', 'session'))!;
  const t = Date.now();
  const s = await cycleStatusFor(sys.ctx, admin, 'report-cycle/LY10P0576/2023-Q4/donor-summary').catch((e) => e);
  expect(s.state).toBe('completed');
  expect(Date.now() - t).toBeLessThan(30_000);
  await sys.stop();
}, 120_000);
