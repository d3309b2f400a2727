/**
 * Determinism guard: the workflow code of today must replay the histories of cycles recorded earlier
 * (test/histories, taken with `temporal workflow show --output json`; see scripts/record-histories.ts).
 * A change that breaks this would break cycles that are running in production: make it with patched().
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { workflowBundle } from '../worker/worker.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'histories');
const histories = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

describe('replay of recorded report cycle histories', () => {
  it('has histories for each path of the workflow', () => {
    // Named for the newest patch when they were recorded: each must keep replaying on today's code.
    expect(histories).toEqual(expect.arrayContaining([
      'report-cycle-single-step-approve.json', // started before the approval-rounds patch
      'report-cycle-single-step-return-then-approve.json',
      'report-cycle-approval-rounds-approve-chain.json', // before the donor-delivery patch
      'report-cycle-approval-rounds-cancel.json',
      'report-cycle-approval-rounds-return-resubmit-approve.json',
      'report-cycle-gather-sources-approve-chain.json', // with every patch so far
      'report-cycle-gather-sources-cancel.json',
      'report-cycle-gather-sources-return-resubmit-approve.json',
      'gather-source-before-staging-in-db-form-api.json', // gather runs before the gather-staged-in-database patch
      'gather-source-before-staging-in-db-folder.json',
      'gather-source-gather-staged-in-database-form-api.json', // with it: rows staged in PostgreSQL
      'gather-source-gather-staged-in-database-folder-host-queue.json', // a drop folder on its host's queue
    ]));
  });

  it.each(histories)('replays %s without non-determinism', async (file) => {
    const history = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, file)).resolves.toBeUndefined();
  });

  it('detects a workflow that no longer matches its history', async () => {
    // The same history against a workflow whose steps differ must fail: the guard can fail.
    const history = JSON.parse(fs.readFileSync(path.join(dir, 'report-cycle-single-step-approve.json'), 'utf8'));
    const started = history.events[0].workflowExecutionStartedEventAttributes;
    started.workflowType.name = 'reportCycleWorkflow';
    const tampered = { events: history.events.map((e: { eventType: string; activityTaskScheduledEventAttributes?: { activityType: { name: string } } }) => {
      if (e.eventType === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED' && e.activityTaskScheduledEventAttributes?.activityType.name === 'gatherCycleData') {
        return { ...e, activityTaskScheduledEventAttributes: { ...e.activityTaskScheduledEventAttributes, activityType: { name: 'someOtherActivity' } } };
      }
      return e;
    }) };
    await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, tampered, 'tampered')).rejects.toThrow(/[Nn]ondeterminism|DeterminismViolation/);
  });
});
