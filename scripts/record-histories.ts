/**
 * Records workflow histories for the replay tests (test/replay.spec.ts) from a running system:
 *   npm start                      # in another terminal, on a fresh .rbm (or any test data)
 *   node --import tsx scripts/record-histories.ts
 * It runs one cycle per path (approve; return then approve), then saves each history as
 * `temporal workflow show --output json` prints it, into test/histories/<path>.json.
 * Record again only for a deliberate, patched() change; old histories must keep replaying.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cycleResult, decide, startCycle, waitForCycleState } from '../app/cycles.js';
import { PROJECT_ROOT } from '../config/config.js';
import { findTemporalCli } from '../runtime/temporal-dev-server.js';
import { cliEnv, withApp } from '../cli/session.js';
import { requireServices } from '../runtime/services.js';

const env = cliEnv();
const { temporalAddress } = requireServices(env.config);
const temporal = findTemporalCli(env.config.toolsDir) ?? 'temporal';
const project = 'LY10P0576';

await withApp(env, async (ctx) => {
  const paths: Array<[string, string, (id: string) => Promise<void>]> = [
    ['approve', '2025-Q1', async (id) => {
      const s = await waitForCycleState(ctx, id, ['awaiting_approval']);
      await decide(ctx, id, { decision: 'approve', by: s.approvers[0]!, comment: 'Approved.' });
    }],
    ['return-then-approve', '2025-Q2', async (id) => {
      let s = await waitForCycleState(ctx, id, ['awaiting_approval']);
      await decide(ctx, id, { decision: 'return', by: s.approvers[0]!, comment: 'Please check the Q2 figures.' });
      for (;;) {
        s = await waitForCycleState(ctx, id, ['awaiting_approval']);
        if (s.version === 2) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      await decide(ctx, id, { decision: 'approve', by: s.approvers[0]!, version: 2 });
    }],
  ];
  for (const [name, period, drive] of paths) {
    const { cycleId } = await startCycle(ctx, { projectCode: project, period, startedBy: 'me.officer' });
    await drive(cycleId);
    await cycleResult(ctx, cycleId);
    const json = execFileSync(temporal, ['workflow', 'show', '--output', 'json', '--address', temporalAddress, '--workflow-id', cycleId], { encoding: 'utf8' });
    const file = path.join(PROJECT_ROOT, 'test', 'histories', `report-cycle-${name}.json`);
    fs.writeFileSync(file, json);
    process.stdout.write(`${file}\n`);
  }
});
process.exit(0);
