/**
 * The production Temporal server (temporal-server v1.29.1, built by `scripts/install-tools.sh
 * temporal-server`) on PostgreSQL, run from the same files as docker-compose.yml: the schemas applied
 * by deploy/temporal/setup-schema.sh, the server configuration deploy/temporal/config/production.yaml
 * (rendered by the server from the environment set here) and deploy/temporal/dynamicconfig.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection, type TLSConfig } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { PROJECT_ROOT } from '../config/config.js';
import { RbmError } from '../domain/errors.js';
import type { Logger } from '../runtime/logger.js';
import { freePort } from '../runtime/ports.js';

export const DEPLOY_TEMPORAL_DIR = path.join(PROJECT_ROOT, 'deploy', 'temporal');
export const SETUP_SCHEMA_SCRIPT = path.join(DEPLOY_TEMPORAL_DIR, 'setup-schema.sh');
export const DYNAMIC_CONFIG_FILE = path.join(DEPLOY_TEMPORAL_DIR, 'dynamicconfig', 'development-sql.yaml');
const INSTALL_TOOLS_SCRIPT = path.join(PROJECT_ROOT, 'scripts', 'install-tools.sh');

export interface PostgresLogin {
  host: string;
  port: number;
  user: string;
  password: string;
}

export function postgresLogin(url: string): PostgresLogin {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || 5432), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
}

/** Builds (about 4 minutes, once; cached per version) or reuses temporal-server and temporal-sql-tool in toolsDir. */
export async function ensureTemporalServerTools(toolsDir: string, log: Logger): Promise<{ server: string; sqlTool: string }> {
  const server = path.join(toolsDir, 'temporal-server');
  const sqlTool = path.join(toolsDir, 'temporal-sql-tool');
  const output = await new Promise<string>((resolve, reject) => {
    execFile('bash', [INSTALL_TOOLS_SCRIPT, 'temporal-server'], { env: { ...process.env, RBM_TOOLS_DIR: toolsDir }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new RbmError('services_unavailable', `scripts/install-tools.sh temporal-server failed: ${`${stdout}${stderr}`.trim().split('\n').slice(-10).join('\n')}`));
      else resolve(stdout);
    });
  });
  log.debug({ output }, 'temporal-server tools');
  return { server, sqlTool };
}

/** Creates Temporal's databases and applies the schemas: deploy/temporal/setup-schema.sh, as the compose deployment runs it. */
export function setupTemporalSchema(opts: { sqlTool: string; postgres: PostgresLogin; log: Logger }): Promise<string> {
  const env = {
    ...process.env,
    SQL_HOST: opts.postgres.host,
    SQL_PORT: String(opts.postgres.port),
    SQL_USER: opts.postgres.user,
    SQL_PASSWORD: opts.postgres.password,
    TEMPORAL_SQL_TOOL: opts.sqlTool,
  };
  return new Promise((resolve, reject) => {
    execFile('sh', [SETUP_SCHEMA_SCRIPT], { env, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      opts.log.debug({ stdout, stderr }, 'setup-schema.sh');
      if (err) reject(new Error(`deploy/temporal/setup-schema.sh failed: ${`${stdout}${stderr}`.trim().split('\n').slice(-10).join('\n')}`));
      else resolve(stdout.trim().split('\n').pop() ?? '');
    });
  });
}

export interface TemporalServerPorts {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
}

/** Free ports; membership ports below 32768 (Temporal keeps them in a smallint column of cluster_membership). */
export async function temporalServerPorts(frontend?: number): Promise<TemporalServerPorts> {
  const p = async () => freePort();
  const m = async () => freePortBelow(32768);
  return {
    frontend: frontend ?? (await p()), frontendHttp: await p(), frontendMembership: await m(),
    history: await p(), historyMembership: await m(), matching: await p(), matchingMembership: await m(),
    worker: await p(), workerMembership: await m(),
  };
}

async function freePortBelow(limit: number): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const candidate = 20000 + Math.floor(Math.random() * (limit - 20000));
    const free = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen(candidate, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (free) return candidate;
  }
  throw new Error(`no free port below ${limit}`);
}

export interface TemporalServerHandle {
  address: string;
  ports: TemporalServerPorts;
  pid(): number | undefined;
  /** SIGKILL, no warning (fault injection). */
  kill(): Promise<void>;
  /** Starts it again on the same ports and database (after kill or stop). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * mTLS between every client and the frontend, and between the server's own services, as
 * docker-compose.yml sets it up: certificates of deploy/generate-certs.sh (one private CA).
 */
export interface TemporalServerTls {
  caFile: string;
  /** The server's certificate and key (frontend and internode; SAN temporal, localhost, 127.0.0.1). */
  serverCertFile: string;
  serverKeyFile: string;
  /** A client certificate of the CA for the cluster's own calls (readiness, namespace): the ops one. */
  clientCertFile: string;
  clientKeyFile: string;
  /** The name the certificates are checked against (compose's service name). */
  serverName: string;
}

/** The mTLS settings of deploy/temporal/config/production.yaml, with the values docker-compose.yml gives them. */
export function temporalServerTlsEnv(tls: TemporalServerTls): Record<string, string> {
  return {
    TEMPORAL_TLS_REQUIRE_CLIENT_AUTH: 'true',
    TEMPORAL_TLS_SERVER_CA_CERT: tls.caFile,
    TEMPORAL_TLS_SERVER_CERT: tls.serverCertFile,
    TEMPORAL_TLS_SERVER_KEY: tls.serverKeyFile,
    TEMPORAL_TLS_FRONTEND_CERT: tls.serverCertFile,
    TEMPORAL_TLS_FRONTEND_KEY: tls.serverKeyFile,
    TEMPORAL_TLS_CLIENT1_CA_CERT: tls.caFile,
    TEMPORAL_TLS_CLIENT2_CA_CERT: tls.caFile,
    TEMPORAL_TLS_INTERNODE_SERVER_NAME: tls.serverName,
    TEMPORAL_TLS_FRONTEND_SERVER_NAME: tls.serverName,
    TEMPORAL_TLS_INTERNODE_DISABLE_HOST_VERIFICATION: 'false',
    TEMPORAL_TLS_FRONTEND_DISABLE_HOST_VERIFICATION: 'false',
  };
}

/** The SDK's client side of that mTLS, for the cluster's own connections. */
export function temporalClientTls(tls: TemporalServerTls | undefined): TLSConfig | undefined {
  if (!tls) return undefined;
  return {
    serverNameOverride: tls.serverName,
    serverRootCACertificate: fs.readFileSync(tls.caFile),
    clientCertPair: { crt: fs.readFileSync(tls.clientCertFile), key: fs.readFileSync(tls.clientKeyFile) },
  };
}

/** The environment production.yaml is rendered from (the same names as the temporalio/server image). */
export function temporalServerEnv(postgres: PostgresLogin, ports: TemporalServerPorts, tls?: TemporalServerTls): Record<string, string> {
  return {
    ...(tls ? temporalServerTlsEnv(tls) : {}),
    POSTGRES_SEEDS: postgres.host,
    DB_PORT: String(postgres.port),
    POSTGRES_USER: postgres.user,
    POSTGRES_PWD: postgres.password,
    BIND_ON_IP: '127.0.0.1',
    TEMPORAL_BROADCAST_ADDRESS: '127.0.0.1',
    FRONTEND_GRPC_PORT: String(ports.frontend),
    FRONTEND_HTTP_PORT: String(ports.frontendHttp),
    FRONTEND_MEMBERSHIP_PORT: String(ports.frontendMembership),
    HISTORY_GRPC_PORT: String(ports.history),
    HISTORY_MEMBERSHIP_PORT: String(ports.historyMembership),
    MATCHING_GRPC_PORT: String(ports.matching),
    MATCHING_MEMBERSHIP_PORT: String(ports.matchingMembership),
    WORKER_GRPC_PORT: String(ports.worker),
    WORKER_MEMBERSHIP_PORT: String(ports.workerMembership),
    DYNAMIC_CONFIG_FILE_PATH: DYNAMIC_CONFIG_FILE,
    LOG_LEVEL: 'warn',
  };
}

export async function startTemporalServer(opts: {
  binary: string;
  postgres: PostgresLogin;
  ports: TemporalServerPorts;
  namespace: string;
  logFile: string;
  log: Logger;
  startTimeoutMs?: number;
  /** mTLS as in docker-compose.yml (`rbm cluster --tls`); plain TCP on 127.0.0.1 without it. */
  tls?: TemporalServerTls;
}): Promise<TemporalServerHandle> {
  const address = `127.0.0.1:${opts.ports.frontend}`;
  const env = { ...process.env, ...temporalServerEnv(opts.postgres, opts.ports, opts.tls) };
  const clientTls = temporalClientTls(opts.tls);
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const killOnExit = () => child?.kill('SIGKILL');

  const launch = async () => {
    const out = fs.openSync(opts.logFile, 'a');
    child = spawn(opts.binary, ['--root', DEPLOY_TEMPORAL_DIR, '--config', 'config', '--env', 'production', '--allow-no-auth', 'start'], {
      env, stdio: ['ignore', out, out],
    });
    fs.closeSync(out);
    const c = child;
    exited = new Promise((resolve) => c.once('exit', () => resolve()));
    process.once('exit', killOnExit);
    const started = Date.now();
    await Promise.race([
      waitForFrontend(address, opts.startTimeoutMs ?? 90_000, clientTls),
      exited.then(() => Promise.reject(new Error(`temporal-server exited at start; see ${opts.logFile}:\n${tail(opts.logFile)}`))),
    ]);
    await ensureNamespace(address, opts.namespace, 60_000, clientTls);
    opts.log.debug({ address, ms: Date.now() - started }, 'temporal-server ready');
  };
  const halt = async (signal: NodeJS.Signals) => {
    process.removeListener('exit', killOnExit);
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      const timer = setTimeout(() => child?.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
  };

  await launch().catch(async (e) => {
    await halt('SIGKILL');
    throw e;
  });
  return {
    address,
    ports: opts.ports,
    pid: () => child?.pid,
    kill: () => halt('SIGKILL'),
    restart: async () => {
      await halt('SIGTERM');
      await launch();
    },
    stop: () => halt('SIGTERM'),
  };
}

/** The last lines of the server's log, each cut short (its JSON lines carry whole stack traces). */
function tail(file: string, lines = 6): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-lines).map((l) => (l.length > 400 ? `${l.slice(0, 400)}…` : l)).join('\n');
  } catch {
    return '';
  }
}

/** Until the frontend answers GetSystemInfo. */
async function waitForFrontend(address: string, timeoutMs: number, tls: TLSConfig | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const connection = await Connection.connect({ address, tls, connectTimeout: '2 seconds' });
      try {
        await connection.withDeadline(Date.now() + 3000, () => connection.workflowService.getSystemInfo({}));
        return;
      } finally {
        await connection.close();
      }
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  throw new Error(`the Temporal server did not answer on ${address} within ${timeoutMs / 1000} s: ${last instanceof Error ? last.message : String(last)}`);
}

/**
 * Registers the namespace when it does not exist (the compose file's temporal-create-namespace), then
 * waits until the frontend serves it (its namespace cache refreshes every few seconds).
 */
export async function ensureNamespace(address: string, namespace: string, timeoutMs = 60_000, tls?: TLSConfig): Promise<void> {
  const connection = await Connection.connect({ address, tls });
  try {
    const svc = connection.workflowService;
    try {
      await svc.describeNamespace({ namespace });
    } catch {
      await svc.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('30 days') }).catch((e: unknown) => {
        if (!/already exists|AlreadyExists/i.test(String((e as Error).message))) throw e;
      });
    }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await svc.listWorkflowExecutions({ namespace, pageSize: 1 });
        return;
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`namespace ${namespace} is not served by ${address}: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  } finally {
    await connection.close();
  }
}
