/**
 * Where PostgreSQL and Temporal are: from DATABASE_URL / TEMPORAL_ADDRESS, else from a running
 * `npm start` (it leaves .rbm/services.json), else — for commands allowed to — started here on the
 * embedded defaults and stopped again when the command is done.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config.js';
import { RbmError } from '../domain/errors.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import type { Logger } from './logger.js';
import { startTemporalDevServer } from './temporal-dev-server.js';
import { findMailpit, startMailpit } from './mailpit.js';
import { ensureTools, type ToolName } from './tools.js';

export interface ServiceEndpoints {
  databaseUrl: string;
  temporalAddress: string;
  temporalUiUrl: string | null;
  /** SMTP for notifications; null when none is configured or embedded. */
  smtpUrl?: string | null;
  mailUiUrl?: string | null;
}
export interface Services extends ServiceEndpoints {
  /** What this process started (and will stop). */
  started: string[];
  stop(): Promise<void>;
}

interface ServicesFile extends ServiceEndpoints {
  pid: number;
  startedAt: string;
}

const servicesFile = (config: Config) => path.join(config.dataDir, 'services.json');

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The services a running `npm start` published, if that process is still alive. */
export function readRunningServices(config: Config): ServiceEndpoints | undefined {
  try {
    const file = JSON.parse(fs.readFileSync(servicesFile(config), 'utf8')) as ServicesFile;
    return isAlive(file.pid) ? file : undefined;
  } catch {
    return undefined;
  }
}

export function publishServices(config: Config, endpoints: ServiceEndpoints): () => void {
  const file = servicesFile(config);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const content: ServicesFile = { ...endpoints, pid: process.pid, startedAt: new Date().toISOString() };
  fs.writeFileSync(file, JSON.stringify(content, null, 2));
  return () => {
    try {
      const current = JSON.parse(fs.readFileSync(file, 'utf8')) as ServicesFile;
      if (current.pid === process.pid) fs.unlinkSync(file);
    } catch {
      /* already gone */
    }
  };
}

/** For commands that only use services: fail with what to run when none are there. */
export function requireServices(config: Config): ServiceEndpoints {
  if (config.databaseUrl && config.temporalAddress) {
    return { databaseUrl: config.databaseUrl, temporalAddress: config.temporalAddress, temporalUiUrl: null, smtpUrl: config.smtpUrl ?? null };
  }
  const running = readRunningServices(config);
  if (running) {
    return {
      databaseUrl: config.databaseUrl ?? running.databaseUrl,
      temporalAddress: config.temporalAddress ?? running.temporalAddress,
      temporalUiUrl: running.temporalUiUrl,
      smtpUrl: config.smtpUrl ?? running.smtpUrl ?? null,
      mailUiUrl: running.mailUiUrl ?? null,
    };
  }
  throw new RbmError(
    'services_unavailable',
    'RBM Flow is not running: start it with `npm start` in another terminal (or set DATABASE_URL and TEMPORAL_ADDRESS).',
  );
}

/** Use configured or running services; start embedded ones for whatever is missing. */
export async function ensureServices(config: Config, log: Logger): Promise<Services> {
  const running = config.databaseUrl && config.temporalAddress ? undefined : readRunningServices(config);
  const stops: Array<() => Promise<void>> = [];
  const started: string[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((e) => log.warn({ err: e }, 'stopping a service failed'));
    stops.length = 0;
  };
  try {
    // The Temporal CLI and Mailpit of the embedded setup: built (or copied from the cache) first, when missing.
    const tools: ToolName[] = [];
    if (!(config.temporalAddress ?? running?.temporalAddress)) tools.push('temporal');
    if (!(config.smtpUrl ?? running?.smtpUrl)) tools.push('mailpit');
    await ensureTools({ toolsDir: config.toolsDir, want: tools, log });
    let databaseUrl = config.databaseUrl ?? running?.databaseUrl;
    if (!databaseUrl) {
      const pgServer = await startEmbeddedPostgres({ dataDir: path.join(config.dataDir, 'postgres'), port: config.embeddedPgPort, persistent: true, log });
      stops.push(pgServer.stop);
      started.push(`PostgreSQL on 127.0.0.1:${config.embeddedPgPort}`);
      databaseUrl = pgServer.url;
    }
    let temporalAddress = config.temporalAddress ?? running?.temporalAddress;
    let temporalUiUrl = running?.temporalUiUrl ?? null;
    if (!temporalAddress) {
      const temporal = await startTemporalDevServer({
        toolsDir: config.toolsDir,
        dbFilename: path.join(config.dataDir, 'temporal.sqlite'),
        port: config.embeddedTemporalPort,
        uiPort: config.embeddedTemporalUiPort,
        namespace: config.temporalNamespace,
        log,
      });
      stops.push(temporal.stop);
      started.push(`Temporal dev server on ${temporal.address} (UI ${temporal.uiUrl})`);
      temporalAddress = temporal.address;
      temporalUiUrl = temporal.uiUrl;
    }
    let smtpUrl = config.smtpUrl ?? running?.smtpUrl ?? null;
    let mailUiUrl = running?.mailUiUrl ?? null;
    const mailpit = smtpUrl ? undefined : findMailpit(config.toolsDir);
    // Mail is not essential to run: without it, notifications are recorded as not sent.
    const mail = mailpit
      ? await startMailpit({ binary: mailpit, smtpPort: config.embeddedSmtpPort, uiPort: config.embeddedMailUiPort, databaseFile: path.join(config.dataDir, 'mailpit.db'), log }).catch((e) => {
          log.warn(`${(e as Error).message}; notifications are recorded but not sent (set SMTP_URL or RBM_SMTP_PORT)`);
          return undefined;
        })
      : undefined;
    if (mail) {
      stops.push(mail.stop);
      started.push(`Mailpit (SMTP ${mail.smtpUrl}, inbox ${mail.uiUrl})`);
      smtpUrl = mail.smtpUrl;
      mailUiUrl = mail.uiUrl;
    } else if (!smtpUrl && !mailpit) {
      log.warn('no SMTP server: set SMTP_URL, or install Go >= 1.22 so that Mailpit can be built; notifications are recorded but not sent');
    }
    return { databaseUrl, temporalAddress, temporalUiUrl, smtpUrl, mailUiUrl, started, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
