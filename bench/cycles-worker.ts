/**
 * The worker process of the cycles benchmark (bench/cycles.bench.ts), as `rbm worker` runs it but
 * without syncing schedules: configured by BENCH_WORKER (JSON) and BENCH_PAYLOAD_KEYS; prints "ready"
 * once it polls, stops on SIGTERM.
 */
import { parsePayloadKeys } from '../config/config.js';
import { createLogger } from '../runtime/logger.js';
import { startWorker } from '../worker/worker.js';

const o = JSON.parse(process.env.BENCH_WORKER ?? '{}') as { databaseUrl: string; temporalAddress: string; taskQueue: string; smtpUrl: string; publicUrl: string; outDir: string; renderConcurrency?: number };
const worker = await startWorker({
  databaseUrl: o.databaseUrl, temporalAddress: o.temporalAddress, namespace: 'default', payloadKeys: parsePayloadKeys(process.env.BENCH_PAYLOAD_KEYS ?? ''),
  taskQueue: o.taskQueue, renderTaskQueue: `${o.taskQueue}-render`, renderConcurrency: o.renderConcurrency, outDir: o.outDir, log: createLogger('warn', 'bench-worker'), smtpUrl: o.smtpUrl, publicUrl: o.publicUrl,
});
process.once('SIGTERM', () => void worker.shutdown());
process.stdout.write('ready\n');
await worker.done;
