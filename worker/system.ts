/**
 * The composition root: services (configured, already running, or embedded), migrations, the worker,
 * and — for `npm start` — the HTTP server. Everything started here is stopped by `stop()`.
 */
import type { Config } from '../config/config.js';
import { migrateDatabase } from '../db/migrate.js';
import { createPool } from '../db/pool.js';
import { listProjects } from '../db/portfolio-repository.js';
import type { Logger } from '../runtime/logger.js';
import { ensureServices, type Services } from '../runtime/services.js';
import { temporalSecurity } from '../runtime/temporal-security.js';
import { startWorker, type RunningWorker } from './worker.js';

export interface System {
  services: Services;
  worker: RunningWorker | undefined;
  stop(): Promise<void>;
}

export async function bootSystem(config: Config, log: Logger, opts: { worker: boolean }): Promise<System> {
  const security = temporalSecurity(config); // before anything starts: a missing key stops here
  const services = await ensureServices(config, log);
  let worker: RunningWorker | undefined;
  try {
    const applied = await migrateDatabase(services.databaseUrl, log);
    if (applied.length) log.info({ applied }, 'database migrations applied');
    if (opts.worker) {
      worker = await startWorker({
        databaseUrl: services.databaseUrl,
        temporalAddress: services.temporalAddress,
        namespace: config.temporalNamespace,
        ...security,
        taskQueue: config.taskQueue,
        renderTaskQueue: config.renderTaskQueue,
        renderConcurrency: config.renderConcurrency,
        dbPoolMax: config.dbPoolMax,
        outDir: config.outDir,
        smtpUrl: services.smtpUrl,
        mailFrom: config.mailFrom,
        publicUrl: config.publicUrl,
        sourcesFile: config.sourcesFile,
        log,
      });
    }
  } catch (e) {
    await services.stop();
    throw e;
  }
  let stopped: Promise<void> | undefined;
  return {
    services,
    worker,
    stop() {
      stopped ??= (async () => {
        await worker?.shutdown();
        await services.stop();
      })();
      return stopped;
    },
  };
}

/** True when the database holds no project yet (a first start). */
export async function isEmptyPortfolio(databaseUrl: string): Promise<boolean> {
  const pool = createPool(databaseUrl, 1);
  try {
    return (await listProjects(pool)).length === 0;
  } finally {
    await pool.end();
  }
}
