/**
 * The worker: connections, activity factories and task queues. One process runs two Temporal workers:
 * the main queue (workflows and light activities) and the render queue (CPU-heavy rendering, low
 * concurrency, so that one big report cannot starve the cycle's other steps).
 */
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities, createRenderActivities } from '../activities/index.js';
import { createMailer, type Mailer } from '../activities/mailer.js';
import { createDonorDeliveryActivities } from '../activities/donor-delivery.js';
import { createSchedulingActivities } from '../activities/scheduling.js';
import { createGatheringActivities } from '../activities/gathering.js';
import { DEFAULT_SOURCES_FILE, secretEnvironment } from '../config/config.js';
import { createPool, type Pool } from '../db/pool.js';
import type { Logger } from '../runtime/logger.js';
import { installTemporalRuntime } from '../runtime/temporal-runtime.js';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** Workflow code is bundled once per process (webpack takes a few seconds). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundlerLogger });
  return bundle;
}
const noop = () => undefined;
const quietBundlerLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: (m: string, meta?: Record<string, unknown>) => console.error(m, meta ?? '') };

export interface WorkerOptions {
  databaseUrl: string;
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  renderTaskQueue: string;
  outDir: string;
  log: Logger;
  /** Renders at once on the render queue. */
  renderConcurrency?: number;
  smtpUrl?: string | null;
  /** A mailer to use instead of one built from smtpUrl (tests inject faults with it). */
  mailer?: Mailer;
  mailFrom?: string;
  publicUrl?: string;
  /** The sources file (report cycles gather their project's sources); default sources.json in the repository root. */
  sourcesFile?: string;
  /** Where source credentials {"env": NAME} are looked up; default the process environment. */
  secretEnv?: Readonly<Record<string, string | undefined>>;
}

export interface RunningWorker {
  pool: Pool;
  /** Resolves when both workers have stopped. */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

export async function startWorker(o: WorkerOptions): Promise<RunningWorker> {
  installTemporalRuntime(o.log);
  const pool = createPool(o.databaseUrl);
  const mailer = o.mailer ?? (o.smtpUrl ? createMailer(o.smtpUrl, o.mailFrom ?? 'RBM Flow <rbm-flow@localhost>') : undefined);
  const connection = await NativeConnection.connect({ address: o.temporalAddress });
  const main = await Worker.create({
    connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    workflowBundle: await workflowBundle(),
    activities: {
      ...createActivities({ pool, outDir: o.outDir, mailer, publicUrl: o.publicUrl }),
      ...createDonorDeliveryActivities({ pool, mailer, publicUrl: o.publicUrl }),
      ...createSchedulingActivities({ pool, renderTaskQueue: o.renderTaskQueue }),
      ...createGatheringActivities({ pool, sourcesFile: o.sourcesFile ?? DEFAULT_SOURCES_FILE, secretEnv: o.secretEnv ?? secretEnvironment() }),
    },
  });
  const render = await Worker.create({
    connection,
    namespace: o.namespace,
    taskQueue: o.renderTaskQueue,
    activities: createRenderActivities({ pool }),
    maxConcurrentActivityTaskExecutions: o.renderConcurrency ?? 2,
  });
  const done = Promise.all([main.run(), render.run()]).then(() => undefined);
  let stopping: Promise<void> | undefined;
  return {
    pool,
    done,
    shutdown() {
      stopping ??= (async () => {
        for (const w of [main, render]) if (w.getState() === 'RUNNING') w.shutdown();
        await done.catch((e) => o.log.warn({ err: e }, 'worker stopped with an error'));
        await connection.close();
        mailer?.close();
        await pool.end();
      })();
      return stopping;
    },
  };
}
