/** Running the system: the demo, `start`, a worker alone, migrations. */
import type { Command } from 'commander';
import { openAppContext, type AppContext } from '../../app/context.js';
import { demoLogins } from '../../app/auth.js';
import { DEMO_DATA_THROUGH, DEMO_PERIOD, runDemo } from '../../app/demo.js';
import { loadDemoPortfolio } from '../../app/portfolio.js';
import { syncAgreementSchedules } from '../../app/agreements.js';
import { syncSourceSchedules } from '../../app/sources.js';
import { migrateDatabase } from '../../db/migrate.js';
import { parseMetricsAddress, type MetricsAddress } from '../../config/config.js';
import { RbmError } from '../../domain/errors.js';
import { loopbackExporterAddress } from '../../runtime/metrics.js';
import { publishServices, requireServices } from '../../runtime/services.js';
import { installTemporalRuntime, temporalMetricsUrl } from '../../runtime/temporal-runtime.js';
import { temporalSecurity } from '../../runtime/temporal-security.js';
import { startMetricsServer } from '../../web/metrics-server.js';
import { startHttpServer } from '../../web/server.js';
import { bootSystem, isEmptyPortfolio } from '../../worker/system.js';
import { startWorker, type RunningWorker } from '../../worker/worker.js';
import type { Logger } from '../../runtime/logger.js';
import { say } from '../output.js';
import { cliEnv } from '../session.js';

/** `--metrics [HOST:]PORT` of `start`, `worker` and `web`: overrides RBM_METRICS_ADDRESS. */
export const METRICS_OPTION = ['--metrics <[host:]port>', 'serve Prometheus GET /metrics on its own listener (127.0.0.1 unless a host is given; default RBM_METRICS_ADDRESS, else none)'] as const;
export function parseMetricsOption(v: string): MetricsAddress {
  try {
    return parseMetricsAddress(v);
  } catch (e) {
    throw new RbmError('invalid_input', `--metrics ${(e as Error).message}`);
  }
}

/**
 * Before anything native starts (the embedded Temporal dev server, a worker): the Temporal runtime,
 * with the SDK's Prometheus exporter on a free loopback port when this process serves /metrics.
 */
export async function installRuntimeFor(log: Logger, metrics: MetricsAddress | undefined): Promise<void> {
  installTemporalRuntime(log, metrics ? { metricsBindAddress: await loopbackExporterAddress() } : {});
}

export function registerSystemCommands(program: Command): void {
  program
    .command('demo')
    .description('run a quarterly report cycle for every demo project, approve each draft, write the final reports under out/')
    .option('--period <period>', 'the quarter to report on', DEMO_PERIOD)
    .action(async (o: { period: string }) => {
      const env = cliEnv();
      const system = await bootSystem(env.config, env.log, { worker: true });
      try {
        for (const s of system.services.started) say(`Started ${s}`);
        const ctx = await openAppContext(env.config, system.services, env.log);
        try {
          await runDemo(ctx, say, o.period);
        } finally {
          await ctx.close();
        }
      } finally {
        await system.stop();
      }
      say(system.services.started.length ? 'Stopped the services this demo started.' : 'Done.');
    });

  program
    .command('start')
    .description('run RBM Flow in the foreground (PostgreSQL, Temporal, worker, HTTP) until Ctrl-C')
    .option(...METRICS_OPTION, parseMetricsOption)
    .action(async (o: { metrics?: MetricsAddress }) => {
      const env = cliEnv();
      const log = process.env.RBM_LOG_LEVEL ? env.log : env.log.child({}, { level: 'info' });
      const metrics = o.metrics ?? env.config.metricsAddress;
      await installRuntimeFor(log, metrics);
      let ready = false;
      let webCtx: AppContext | undefined;
      // The HTTP server answers /healthz (503) while the rest boots; pages and the API need the context.
      // One /metrics for the process: the web's and the worker's metrics, and the SDK's.
      const http = await startHttpServer({
        port: env.config.port, host: env.config.host, isReady: () => ready, context: () => webCtx,
        sessionSecret: env.config.sessionSecret, trustProxy: env.config.trustProxy,
        metrics: metrics && { address: metrics, temporalMetricsUrl, log },
      });
      const system = await bootSystem(env.config, log, { worker: true }).catch(async (e) => {
        await http.close();
        throw e;
      });
      const embeddedDatabase = !env.config.databaseUrl;
      const ctx = await openAppContext(env.config, system.services, log); // kept open for the web until Ctrl-C
      let logins: Awaited<ReturnType<typeof demoLogins>>;
      try {
        if ((embeddedDatabase || env.config.loadDemo) && (await isEmptyPortfolio(system.services.databaseUrl))) {
          const loaded = await loadDemoPortfolio(ctx, DEMO_DATA_THROUGH);
          say(`First start: loaded the demo portfolio (${loaded.projects} projects, ${loaded.users} users; \`rbm users list\` shows them).`);
        }
        // Each donor agreement has its Temporal Schedule (`temporal schedule list` shows them).
        const synced = await syncAgreementSchedules(ctx);
        log.info(synced, 'agreement schedules in sync');
        // A broken sources file is logged, not fatal: cycles and deliveries keep running.
        log.info(await syncSourceSchedules(ctx).catch((e: unknown) => (log.error({ err: e }, 'source schedules not in sync'), null)), 'source schedules in sync');
        // The published demo passwords only on the embedded throwaway database; never on a configured one.
        logins = await demoLogins(ctx, embeddedDatabase ? 'embedded' : 'configured');
      } catch (e) {
        await ctx.close();
        await http.close();
        await system.stop();
        throw e;
      }
      webCtx = ctx;
      const unpublish = publishServices(env.config, system.services);
      ready = true;
      for (const s of system.services.started) say(`Started ${s}`);
      if (metrics) say(`Metrics: ${metricsUrl(metrics)} (Prometheus; not on the web port)`);
      say(`RBM Flow is running: http://${env.config.host}:${env.config.port}/ (sign in there)${system.services.temporalUiUrl ? `, Temporal UI ${system.services.temporalUiUrl}` : ''}${system.services.mailUiUrl ? `, mail inbox ${system.services.mailUiUrl}` : ''}. Ctrl-C stops it.`);
      if (logins.set.length) {
        say('Demo users (user name, password; shown at first start only; change them before real use):');
        for (const d of logins.set) say(`  ${d.userId.padEnd(14)} ${d.password.padEnd(26)} ${d.name} (${d.roles})`);
      }
      if (logins.removed.length) {
        say(`Removed the published demo password of ${logins.removed.join(', ')} (this database is configured, not the demo one): set one with \`rbm users set-password USER\`.`);
      }
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      say('Stopping...');
      ready = false;
      unpublish();
      await http.close();
      await ctx.close();
      await system.stop();
      say('Stopped.');
    });

  program
    .command('worker')
    .description('run only the worker, against DATABASE_URL and TEMPORAL_ADDRESS (a deployment)')
    .option(...METRICS_OPTION, parseMetricsOption)
    .action(async (o: { metrics?: MetricsAddress }) => {
      const env = cliEnv();
      const endpoints = requireServices(env.config);
      const metricsAddress = o.metrics ?? env.config.metricsAddress;
      await installRuntimeFor(env.log, metricsAddress);
      await migrateDatabase(endpoints.databaseUrl, env.log);
      // Listening first: a metrics port in use stops the start before the worker polls.
      let running: RunningWorker | undefined;
      const metrics = metricsAddress ? await startMetricsServer({ address: metricsAddress, pool: () => running?.pool, temporalMetricsUrl, log: env.log }) : undefined;
      const worker = await startWorker({ ...endpoints, ...temporalSecurity(env.config), sourcesFile: env.config.sourcesFile, mailFrom: env.config.mailFrom, publicUrl: env.config.publicUrl, namespace: env.config.temporalNamespace, taskQueue: env.config.taskQueue, renderTaskQueue: env.config.renderTaskQueue, renderConcurrency: env.config.renderConcurrency, dbPoolMax: env.config.dbPoolMax, outDir: env.config.outDir, log: env.log }).catch(async (e) => {
        await metrics?.close();
        throw e;
      });
      running = worker;
      try {
        const ctx = await openAppContext(env.config, endpoints, env.log);
        try {
          await syncAgreementSchedules(ctx);
          await syncSourceSchedules(ctx).catch((e: unknown) => env.log.error({ err: e }, 'source schedules not in sync: fix the sources file, then run `rbm sources sync`'));
        } finally {
          await ctx.close();
        }
      } catch (e) {
        // A worker that cannot finish starting stops: polling on, it would look healthy to a supervisor.
        await worker.shutdown();
        await metrics?.close();
        throw e;
      }
      if (metrics) say(`Metrics: ${metrics.url} (Prometheus)`);
      say(`Worker running on task queues ${env.config.taskQueue} and ${env.config.renderTaskQueue}. Ctrl-C stops it.`);
      const stop = () => void worker.shutdown();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await worker.done;
      await metrics?.close();
    });

  const db = program.command('db').description('database');
  db.command('migrate').description('apply the database migrations').action(async () => {
    const env = cliEnv();
    const applied = await migrateDatabase(requireServices(env.config).databaseUrl, env.log);
    say(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
  });
}

/** The URL of a metrics listener, for people. */
export function metricsUrl(a: MetricsAddress): string {
  return `http://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}/metrics`;
}
