/**
 * Records workflow histories for the replay tests (test/replay.spec.ts) from a running system:
 *   npm start                      # in another terminal, on a fresh .rbm (or any test data)
 *   node --import tsx scripts/record-histories.ts TAG     # TAG: the newest patch, e.g. donor-delivery
 * It runs one cycle per path (approve through the chain; return, resubmit, approve; cancel), with
 * reminder delays short enough that reminders and escalation appear in the histories, then saves each as
 * `temporal workflow show --output json` prints it, into test/histories/report-cycle-TAG-<path>.json.
 * Record again only for a deliberate, patched() change; old histories must keep replaying.
 */
import fs from 'node:fs';
import path from 'node:path';
import { cancelCycle, cycleResult, decide, resubmit, startCycle, waitForCycleState, waitForStep } from '../app/cycles.js';
import { PROJECT_ROOT } from '../config/config.js';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { cliEnv, withApp } from '../cli/session.js';
import { decryptPayloadsIn } from '../runtime/history-payloads.js';
import { PayloadEncryptionCodec } from '../runtime/payload-codec.js';

const env = cliEnv();
const project = 'LY10P0576';
const tag = process.argv[2];
if (!tag) throw new Error('usage: record-histories.ts TAG (the newest patch of the workflow, e.g. donor-delivery)');

await withApp(env, async (ctx) => {
  // Approves each open step of the given version, in order.
  const approveAll = async (id: string, version: number) => {
    for (let step = 0; ; step++) {
      const s = await waitForStep(ctx, id, version, step);
      if (s.state !== 'awaiting_approval') return;
      await decide(ctx, id, { decision: 'approve', by: s.approvers[0]!, version, comment: 'Approved.' });
    }
  };
  const paths: Array<[string, string, (id: string) => Promise<void>]> = [
    ['approve-chain', '2025-Q1', (id) => approveAll(id, 1)],
    ['return-resubmit-approve', '2025-Q2', async (id) => {
      const s = await waitForStep(ctx, id, 1, 0);
      await decide(ctx, id, { decision: 'return', by: s.approvers[0]!, version: 1, comment: 'Please check the Q2 figures.' });
      await waitForCycleState(ctx, id, ['returned']);
      await resubmit(ctx, id, { by: 'me.officer', comment: 'Checked.' });
      await approveAll(id, 2);
    }],
    ['cancel', '2025-Q3', async (id) => {
      await waitForStep(ctx, id, 1, 0);
      await cancelCycle(ctx, id, { by: 'me.officer', reason: 'Recorded for the replay test.' });
    }],
  ];
  for (const [name, period, drive] of paths) {
    const { cycleId } = await startCycle(ctx, { projectCode: project, period, startedBy: 'me.officer', timing: { reminderAfterMs: 400, reminderEveryMs: 400, escalateAfterMs: 900 } });
    await drive(cycleId);
    await cycleResult(ctx, cycleId);
    const history = await ctx.temporal.workflow.getHandle(cycleId).fetchHistory();
    const codec = ctx.temporal.options.loadedDataConverter.payloadCodecs.find((c) => c instanceof PayloadEncryptionCodec);
    if (!codec) throw new Error('the Temporal client has no payload encryption codec');
    decryptPayloadsIn(history, codec);
    const json = historyToJSON(history);
    const file = path.join(PROJECT_ROOT, 'test', 'histories', `report-cycle-${tag}-${name}.json`);
    fs.writeFileSync(file, json);
    process.stdout.write(`${file}\n`);
  }
});
process.exit(0);
