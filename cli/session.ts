/** How a CLI command gets at the system: running services, or (for the demo) embedded ones it starts. */
import { loadConfig, type Config } from '../config/config.js';
import { openAppContext, openDatabaseContext, type AppContext } from '../app/context.js';
import { createLogger, type Logger } from '../runtime/logger.js';
import { readRunningServices, requireServices } from '../runtime/services.js';
import { RbmError } from '../domain/errors.js';

export interface CliEnv {
  config: Config;
  log: Logger;
}

export function cliEnv(): CliEnv {
  const config = loadConfig();
  // Commands print their results on stdout; logs go to stderr and stay quiet unless asked for.
  const level = process.env.RBM_LOG_LEVEL ? config.logLevel : 'warn';
  return { config, log: createLogger(level) };
}

/** Runs `fn` with a full context (database and Temporal) of the running system. */
export async function withApp<T>(env: CliEnv, fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const endpoints = requireServices(env.config);
  let ctx: AppContext;
  try {
    ctx = await openAppContext(env.config, endpoints, env.log);
  } catch (e) {
    // openAppContext connects to Temporal only (the pool connects on first use).
    throw unreachable(env, e, `Temporal at ${endpoints.temporalAddress}`);
  }
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}

/** Runs `fn` with the database only (listing commands). */
export async function withDatabase<T>(env: CliEnv, fn: (ctx: Pick<AppContext, 'pool' | 'config' | 'log'>) => Promise<T>): Promise<T> {
  const databaseUrl = env.config.databaseUrl ?? readRunningServices(env.config)?.databaseUrl ?? requireServices(env.config).databaseUrl;
  const ctx = openDatabaseContext(env.config, databaseUrl, env.log);
  try {
    return await fn(ctx);
  } catch (e) {
    if (e instanceof Error && /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|Connection terminated|terminating connection|the database system is/.test(e.message)) throw unreachable(env, e, `PostgreSQL at ${databaseHost(databaseUrl)}`);
    throw e;
  } finally {
    await ctx.close();
  }
}

/** Names the service that did not answer; the `npm start` hint only when its addresses came from a running `npm start`. */
function unreachable(env: CliEnv, e: unknown, service: string): RbmError {
  const configured = !!(env.config.databaseUrl && env.config.temporalAddress);
  return new RbmError(
    'services_unavailable',
    `cannot reach ${service} (${e instanceof Error ? e.message.split('\n')[0] : String(e)})${configured ? '' : ': is `npm start` running?'}`,
  );
}

/** host:port of a database URL, never its password. */
function databaseHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}`;
  } catch {
    return 'the configured DATABASE_URL';
  }
}
