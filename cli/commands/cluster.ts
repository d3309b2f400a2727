/**
 * The production topology on one machine (`rbm cluster`) and the web process alone (`rbm web`, what
 * the cluster runs M times beside its `rbm worker` processes).
 */
import path from 'node:path';
import type { Command } from 'commander';
import { openAppContext, type AppContext } from '../../app/context.js';
import { syncAgreementSchedules } from '../../app/agreements.js';
import { demoLogins } from '../../app/auth.js';
import { DEMO_DATA_THROUGH } from '../../app/demo.js';
import { loadDemoPortfolio } from '../../app/portfolio.js';
import { startCluster } from '../../cluster/cluster.js';
import { RbmError } from '../../domain/errors.js';
import { requireServices } from '../../runtime/services.js';
import { startHttpServer } from '../../web/server.js';
import { isEmptyPortfolio } from '../../worker/system.js';
import type { MetricsAddress } from '../../config/config.js';
import { say } from '../output.js';
import { cliEnv } from '../session.js';
import { METRICS_OPTION, metricsUrl, parseMetricsOption } from './system.js';

const count = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 16) throw new RbmError('invalid_input', `--${name}: a whole number from 0 to 16`);
  return n;
};

const untilSignal = () =>
  new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });

export function registerClusterCommands(program: Command): void {
  program
    .command('cluster')
    .description('the production topology on this machine: PostgreSQL, the Temporal server on it, Mailpit, N workers and M web processes, until Ctrl-C')
    .option('--workers <n>', 'worker processes', count('workers'), 2)
    .option('--web <n>', 'web processes', count('web'), 1)
    .option('--dir <dir>', 'where the cluster keeps its data (default RBM_DATA_DIR/cluster)')
    .option('--base-port <port>', 'fixed ports: PostgreSQL PORT, Temporal PORT+1, SMTP PORT+2, mail inbox PORT+3, web PORT+10.., metrics of workers PORT+40.. and of web PORT+60.. (default: free ports)', (v) => Number(v))
    .option('--tls', 'mTLS to the Temporal server as in docker-compose.yml: certificates made by deploy/generate-certs.sh into DIR/secrets, a client certificate required')
    .option('--demo', 'load the demo portfolio into an empty database once the processes run, and print the demo users\' passwords')
    .action(async (o: { workers: number; web: number; dir?: string; basePort?: number; demo?: boolean; tls?: boolean }) => {
      const env = cliEnv();
      const log = process.env.RBM_LOG_LEVEL ? env.log : env.log.child({}, { level: 'info' });
      const dir = path.resolve(o.dir ?? path.join(env.config.dataDir, 'cluster'));
      say(`Starting the RBM Flow cluster in ${dir} (${o.workers} worker(s), ${o.web} web process(es))...`);
      const cluster = await startCluster({ dir, workers: o.workers, web: o.web, config: env.config, log, basePort: o.basePort, progress: say, tls: o.tls });
      const stopped = untilSignal();
      try {
        if (o.demo) {
          // The cluster's payload key: configured, or the one it generated into its folder.
          const config = {
            ...env.config,
            payloadKeyFile: env.config.payloadKeyFile ?? cluster.env.RBM_PAYLOAD_KEY_FILE,
            temporalTls: cluster.tls ? { certFile: cluster.tls.rbmCertFile, keyFile: cluster.tls.rbmKeyFile, caFile: cluster.tls.caFile, serverName: cluster.tls.serverName } : env.config.temporalTls,
          };
          const ctx = await openAppContext(config, { databaseUrl: cluster.databaseUrl, temporalAddress: cluster.temporalAddress, temporalUiUrl: null }, log);
          try {
            if (await isEmptyPortfolio(cluster.databaseUrl)) {
              const loaded = await loadDemoPortfolio(ctx, DEMO_DATA_THROUGH);
              say(`Loaded the demo portfolio (${loaded.projects} projects, ${loaded.users} users; ${(await syncAgreementSchedules(ctx)).created.length} agreement schedules).`);
              // The cluster's PostgreSQL is local and its own, like `npm start`'s embedded one.
              for (const d of (await demoLogins(ctx, 'embedded')).set) say(`  ${d.userId.padEnd(14)} ${d.password}`);
            }
          } finally {
            await ctx.close();
          }
        }
        say('RBM Flow cluster is running:');
        for (const line of cluster.describe()) say(`  ${line}`);
        say('Ctrl-C stops it.');
      } catch (e) {
        await cluster.stop();
        throw e;
      }
      await stopped;
      say('Stopping the cluster...');
      await cluster.stop();
      say('Stopped.');
    });

  program
    .command('web')
    .description('run only the web application (HTTP), against DATABASE_URL, TEMPORAL_ADDRESS and SMTP_URL (a deployment)')
    .option(...METRICS_OPTION, parseMetricsOption)
    .action(async (o: { metrics?: MetricsAddress }) => {
      const env = cliEnv();
      const log = process.env.RBM_LOG_LEVEL ? env.log : env.log.child({}, { level: 'info' });
      const endpoints = requireServices(env.config);
      const metrics = o.metrics ?? env.config.metricsAddress;
      let ctx: AppContext | undefined;
      let ready = false;
      const http = await startHttpServer({
        port: env.config.port, host: env.config.host, isReady: () => ready, context: () => ctx,
        sessionSecret: env.config.sessionSecret, trustProxy: env.config.trustProxy,
        metrics: metrics && { address: metrics, log }, // no worker here: no Temporal SDK metrics
      });
      try {
        ctx = await openAppContext(env.config, endpoints, log);
        if (env.config.loadDemo && (await isEmptyPortfolio(endpoints.databaseUrl))) await loadDemoPortfolio(ctx, DEMO_DATA_THROUGH);
      } catch (e) {
        await http.close();
        await ctx?.close();
        throw e;
      }
      ready = true;
      if (metrics) say(`Metrics: ${metricsUrl(metrics)} (Prometheus; not on the web port)`);
      say(`RBM Flow web is running: http://${env.config.host}:${env.config.port}/ (readiness: /readyz). Ctrl-C stops it.`);
      await untilSignal();
      ready = false;
      await http.close();
      await ctx.close();
    });
}
