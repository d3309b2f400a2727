/**
 * What an integration spec needs: the app context and a worker on its own task queues, wired to the
 * servers of the global setup, exactly as `npm start` wires them.
 */
import path from 'node:path';
import { inject } from 'vitest';
import { openAppContext, type AppContext } from '../../app/context.js';
import { loadConfig, parsePayloadKeys, type PayloadKey } from '../../config/config.js';
import { migrateDatabase } from '../../db/migrate.js';
import { createLogger } from '../../runtime/logger.js';
import { startWorker, type RunningWorker } from '../../worker/worker.js';
import type { Mailer } from '../../activities/mailer.js';

export interface TestSystem {
  ctx: AppContext;
  worker: RunningWorker;
  outDir: string;
  databaseUrl: string;
  temporalAddress: string;
  stop(): Promise<void>;
}

/** The payload keys the global setup made for this run (every client and worker of the specs uses them). */
export function testPayloadKeys(): PayloadKey[] {
  return parsePayloadKeys(inject('payloadKeys'));
}

/** `databaseUrl`: a database of the spec's own (support/own-database.ts) instead of the shared one. */
export async function startTestSystem(name: string, opts: { mailer?: Mailer; databaseUrl?: string } = {}): Promise<TestSystem> {
  const databaseUrl = opts.databaseUrl ?? inject('databaseUrl');
  const temporalAddress = inject('temporalAddress');
  const outDir = path.join(inject('scratchDir'), 'out', name);
  const taskQueue = `test-${name}`;
  const config = { ...loadConfig({ RBM_PAYLOAD_KEYS: inject('payloadKeys') }), databaseUrl, temporalAddress, outDir, taskQueue, renderTaskQueue: `${taskQueue}-render` };
  const log = createLogger(process.env.RBM_LOG_LEVEL ?? 'warn', name);
  await migrateDatabase(databaseUrl, log);
  const worker = await startWorker({
    databaseUrl, temporalAddress, namespace: 'default', payloadKeys: testPayloadKeys(), taskQueue, renderTaskQueue: config.renderTaskQueue, outDir, log,
    smtpUrl: inject('smtpUrl'), publicUrl: 'http://rbm.test', mailer: opts.mailer,
  });
  const ctx = await openAppContext(config, { databaseUrl, temporalAddress, temporalUiUrl: null }, log);
  return {
    ctx, worker, outDir, databaseUrl, temporalAddress,
    async stop() {
      await ctx.close();
      await worker.shutdown();
    },
  };
}
