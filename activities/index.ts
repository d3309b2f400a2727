/**
 * Activities: every side effect of the report cycle. Built by factories that receive their
 * dependencies, so that tests and the worker wire real connections in the same way.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ArtifactRef, CycleState, Decision, GatheredData, RenderedReport } from '../domain/report-cycle.js';
import type { Pool } from '../db/pool.js';
import { appendCycleEvent, deliverOnce, findArtifacts, readArtifact, recordCycleVersion, saveArtifact, sha256Hex } from '../db/cycles-repository.js';
import { databaseNow, readValuesAsOf } from '../db/values-repository.js';
import { buildReportFiles } from './report-files.js';
import type { Mailer } from './mailer.js';
import { composeNotification, type NotificationKind } from '../domain/notifications.js';
import { claimNotification, markNotification } from '../db/notifications-repository.js';
import { getProjectBundle } from '../db/portfolio-repository.js';
import { getUserName, getUsers } from '../db/users-repository.js';
import { RbmError } from '../domain/errors.js';
import { fileNameComponent, pathInside } from '../domain/file-names.js';

export interface ActivityDeps {
  pool: Pool;
  /** The local outbox: final reports are delivered here, one folder per project. */
  outDir: string;
  /** SMTP; without it notifications are recorded as not sent ("not_configured"). */
  mailer?: Mailer;
  /** Base URL of the web app, for links in e-mails. */
  publicUrl?: string;
}

/** Errors a retry cannot fix (unknown project, bad template) fail the activity at once. */
function nonRetryable<T>(fn: () => Promise<T>): Promise<T> {
  return fn().catch((e) => {
    if (e instanceof RbmError && e.code !== 'internal') throw ApplicationFailure.nonRetryable(e.message, e.code);
    throw e;
  });
}

export function createActivities({ pool, outDir, mailer, publicUrl = 'http://127.0.0.1:3000' }: ActivityDeps) {
  return {
    /** E-mails users about a cycle event, once per event and recipient (retries do not resend). */
    async notifyUsers(n: {
      eventKey: string; kind: NotificationKind; cycleId: string; projectCode: string; period: string; version: number;
      to: string[]; actor: string | null; comment: string | null; stepName: string | null; dueDate: string | null;
    }): Promise<{ sent: number; notConfigured: number }> {
      const { project } = await getProjectBundle(pool, n.projectCode);
      const mail = composeNotification({
        ...n, projectTitle: project.title, actorName: n.actor ? await getUserName(pool, n.actor) : null,
        link: `${publicUrl.replace(/\/$/, '')}/cycles/${encodeURIComponent(n.cycleId)}`,
      });
      let sent = 0;
      let notConfigured = 0;
      for (const user of await getUsers(pool, n.to)) {
        if (!(await claimNotification(pool, { eventKey: n.eventKey, cycleId: n.cycleId, kind: n.kind, userId: user.id, email: user.email, subject: mail.subject }))) continue;
        if (!mailer) {
          await markNotification(pool, n.eventKey, user.id, 'not_configured');
          notConfigured++;
          continue;
        }
        try {
          await mailer.send({ to: { name: user.name, address: user.email }, subject: mail.subject, text: mail.text });
        } catch (e) {
          await markNotification(pool, n.eventKey, user.id, 'failed', (e as Error).message);
          throw e; // retried with backoff by Temporal
        }
        await markNotification(pool, n.eventKey, user.id, 'sent');
        sent++;
      }
      return { sent, notConfigured };
    },

    /** Fixes the data of a version: the values as they stand now, with a digest of what was read. */
    async gatherCycleData(input: { cycleId: string; projectCode: string; version: number }): Promise<GatheredData> {
      return nonRetryable(async () => {
        const dataAsOf = await databaseNow(pool);
        const values = await readValuesAsOf(pool, input.projectCode, dataAsOf);
        return recordCycleVersion(pool, input.cycleId, {
          version: input.version,
          dataAsOf,
          valueCount: values.length,
          dataSha256: sha256Hex(JSON.stringify(values)),
        });
      });
    },

    async recordCycleEvent(e: {
      eventKey: string; cycleId: string; state: CycleState; actor: string; action: string; version: number | null; detail: Record<string, unknown>;
    }): Promise<void> {
      await appendCycleEvent(pool, e);
    },

    /** Copies the final files into the outbox folder, once per cycle version. Returns where they went. */
    async deliverToOutbox(input: { cycleId: string; projectCode: string; version: number; artifacts: ArtifactRef[] }): Promise<string[]> {
      // Names from data: safe components, and each path checked to stay inside the outbox (issue 14, 8b).
      const folder = pathInside(outDir, fileNameComponent(input.projectCode));
      const paths = input.artifacts.map((a) => pathInside(folder, fileNameComponent(a.filename)));
      await deliverOnce(
        pool,
        { idempotencyKey: `${input.cycleId}:v${input.version}:outbox`, cycleId: input.cycleId, version: input.version, channel: 'outbox', recipient: folder },
        async () => {
          await fs.mkdir(folder, { recursive: true });
          for (const a of input.artifacts) {
            const stored = await readArtifact(pool, a.id);
            if (!stored || stored.ref.sha256 !== a.sha256) throw new Error(`artifact ${a.id} (${a.filename}) is missing or changed`);
            await fs.writeFile(pathInside(folder, fileNameComponent(a.filename)), stored.content);
          }
          return { paths };
        },
      );
      return paths;
    },
  };
}

/** Rendering runs on its own task queue with low concurrency (it is CPU-heavy). */
export function createRenderActivities({ pool }: Pick<ActivityDeps, 'pool'>) {
  return {
    async renderReport(input: {
      cycleId: string; projectCode: string; period: string; templateId: string; version: number; dataAsOf: string;
      stage: 'draft' | 'final'; decisions: Decision[];
    }): Promise<RenderedReport> {
      return nonRetryable(async () => {
        // Heartbeats while the PDF is laid out off-thread: the workflow's heartbeat timeout notices a dead worker.
        const activity = Context.current();
        activity.heartbeat();
        const beat = setInterval(() => activity.heartbeat(), 5_000);
        const { model, files } = await buildReportFiles(pool, { ...input, generatedAt: new Date().toISOString() }).finally(() => clearInterval(beat));
        const headline = { indicatorCount: model.summary.indicatorCount, byStatus: model.summary.byStatus };
        // A retried render keeps the files of the first attempt: a version's files never change.
        const existing = await findArtifacts(pool, input.cycleId, input.version, input.stage);
        if (existing.length === files.length) return { files: existing, headline };
        for (const f of files) {
          await saveArtifact(pool, { cycleId: input.cycleId, version: input.version, stage: input.stage, format: f.format, filename: f.filename, content: f.content });
        }
        return { files: await findArtifacts(pool, input.cycleId, input.version, input.stage), headline };
      });
    },
  };
}
