/**
 * The worker: connections, activity factories and task queues. One process runs two Temporal workers:
 * the main queue (workflows and light activities) and the render queue (CPU-heavy rendering, low
 * concurrency, so that one big report cannot starve the cycle's other steps); plus one per host queue
 * (the `taskQueue` of a drop-folder source whose folder exists on this host): that source's activities.
 */
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, NativeConnection, Worker, type ActivityInterceptorsFactory, type TLSConfig, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities, createRenderActivities } from '../activities/index.js';
import { createMailer, type Mailer } from '../activities/mailer.js';
import { createDonorDeliveryActivities } from '../activities/donor-delivery.js';
import { createSchedulingActivities } from '../activities/scheduling.js';
import { createGatheringActivities } from '../activities/gathering.js';
import { DEFAULT_SOURCES_FILE, secretEnvironment, type PayloadKey } from '../config/config.js';
import { hostQueuesOf, loadSourcesFile } from '../sources/config.js';
import { createPool, type Pool } from '../db/pool.js';
import { cycleLogFields, type Logger } from '../runtime/logger.js';
import { rbmDataConverter } from '../runtime/payload-codec.js';
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
  /** Encrypt every payload (the first key) and decrypt with any (runtime/temporal-security.ts resolves them). */
  payloadKeys: PayloadKey[];
  /** mTLS to the Temporal frontend; undefined: plain TCP (the embedded dev server). */
  tls?: TLSConfig;
  taskQueue: string;
  renderTaskQueue: string;
  outDir: string;
  log: Logger;
  /** Renders at once on the render queue (RBM_RENDER_CONCURRENCY; default 2). */
  renderConcurrency?: number;
  /** Connections to RBM Flow's PostgreSQL (RBM_DB_POOL_MAX; default 8). */
  dbPoolMax?: number;
  smtpUrl?: string | null;
  /** A mailer to use instead of one built from smtpUrl (tests inject faults with it). */
  mailer?: Mailer;
  mailFrom?: string;
  publicUrl?: string;
  /** The sources file (report cycles gather their project's sources); default sources.json in the repository root. */
  sourcesFile?: string;
  /** Where source credentials {"env": NAME} are looked up; default the process environment. */
  secretEnv?: Readonly<Record<string, string | undefined>>;
  /**
   * The host queues this worker polls for drop-folder sources (their activities only). Default: the
   * `taskQueue` of each folder source of the sources file whose folder exists on this host.
   */
  hostQueues?: string[];
  /** The name this worker gives Temporal (in each activity's history event); default the SDK's pid@host. */
  identity?: string;
  /** Activity interceptors of every queue (the separate-hosts spec hands activities from one worker to another). */
  activityInterceptors?: ActivityInterceptorsFactory[];
  /** Workflows kept in memory between tasks (SDK default); 0: none, so every workflow task may go to any worker. */
  maxCachedWorkflows?: number;
  /**
   * The Temporal SDK's Prometheus exporter, host:port on loopback (runtime/temporal-runtime.ts); the
   * process's /metrics appends it. Only where this process installs the runtime first.
   */
  temporalMetricsAddress?: string;
}

export interface RunningWorker {
  pool: Pool;
  /** Resolves when every Temporal worker of the process has stopped. */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

export async function startWorker(o: WorkerOptions): Promise<RunningWorker> {
  installTemporalRuntime(o.log, { metricsBindAddress: o.temporalMetricsAddress });
  const pool = createPool(o.databaseUrl, o.dbPoolMax);
  const mailer = o.mailer ?? (o.smtpUrl ? createMailer(o.smtpUrl, o.mailFrom ?? 'RBM Flow <rbm-flow@localhost>') : undefined);
  const connection = await NativeConnection.connect({ address: o.temporalAddress, tls: o.tls });
  const dataConverter = rbmDataConverter(o.payloadKeys);
  // Identity and interceptors, given to each Temporal worker of this process.
  const common = { ...(o.identity ? { identity: o.identity } : {}), interceptors: { activity: [cycleLogContext, ...(o.activityInterceptors ?? [])] } };
  const gathering = createGatheringActivities({ pool, sourcesFile: o.sourcesFile ?? DEFAULT_SOURCES_FILE, secretEnv: o.secretEnv ?? secretEnvironment() });
  const main = await Worker.create({
    ...common,
    connection,
    namespace: o.namespace,
    dataConverter,
    taskQueue: o.taskQueue,
    workflowBundle: await workflowBundle(),
    ...(o.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: o.maxCachedWorkflows } : {}),
    activities: {
      ...createActivities({ pool, outDir: o.outDir, mailer, publicUrl: o.publicUrl }),
      ...createDonorDeliveryActivities({ pool, mailer, publicUrl: o.publicUrl }),
      ...createSchedulingActivities({ pool, renderTaskQueue: o.renderTaskQueue }),
      ...gathering,
    },
  });
  const render = await Worker.create({
    ...common,
    connection,
    namespace: o.namespace,
    taskQueue: o.renderTaskQueue,
    dataConverter,
    activities: createRenderActivities({ pool }),
    maxConcurrentActivityTaskExecutions: o.renderConcurrency ?? 2,
  });
  const hostQueues = (o.hostQueues ?? (await folderQueuesHere(o))).filter((q) => q !== o.taskQueue);
  const hosts = [];
  for (const taskQueue of hostQueues) hosts.push(await Worker.create({ ...common, connection, namespace: o.namespace, taskQueue, dataConverter, activities: gathering }));
  if (hosts.length) o.log.info({ hostQueues }, 'polling the queues of the drop folders on this host');
  const workers = [main, render, ...hosts];
  const done = Promise.all(workers.map((w) => w.run())).then(() => undefined);
  let stopping: Promise<void> | undefined;
  return {
    pool,
    done,
    shutdown() {
      stopping ??= (async () => {
        for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
        await done.catch((e) => o.log.warn({ err: e }, 'worker stopped with an error'));
        await connection.close();
        mailer?.close();
        await pool.end();
      })();
      return stopping;
    },
  };
}

/**
 * Every log line of an activity — ours through Context.log and the SDK's own ("Activity failed") —
 * carries the cycle and project it works for (`cycleId`, `projectCode`), beside the SDK's workflowId
 * and activityType: the lines reach our pino logger through the runtime's logger, so `grep`ing one
 * cycle or project finds its activities on any worker. The workflow id tells them at once; the input
 * (first argument) once the activity runs.
 */
const cycleLogContext: ActivityInterceptorsFactory = (ctx) => {
  const workflowId = ctx.info.workflowExecution?.workflowId;
  let fields = cycleLogFields(workflowId);
  return {
    inbound: {
      execute: (input, next) => {
        fields = cycleLogFields(workflowId, input.args[0]);
        return next(input);
      },
    },
    outbound: { getLogAttributes: (attributes, next) => next({ ...attributes, ...fields }) },
  };
};

/** The host queues of the folder sources whose folder exists here; none when the sources file cannot be read. */
async function folderQueuesHere(o: WorkerOptions): Promise<string[]> {
  try {
    return await hostQueuesOf(await loadSourcesFile(o.sourcesFile ?? DEFAULT_SOURCES_FILE));
  } catch (e) {
    o.log.error({ err: e }, 'the sources file cannot be read: this worker polls no drop-folder queue');
    return [];
  }
}
