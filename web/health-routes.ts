/**
 * Readiness: GET /readyz answers 200 only when PostgreSQL, the Temporal frontend and the SMTP server
 * all answer now, else 503 naming the ones that do not (`unavailable`), each check with its time.
 * GET /healthz (web/server.ts) stays liveness: the process is up and has booted.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app/context.js';
import { readRunningServices } from '../runtime/services.js';

export type ServiceName = 'postgresql' | 'temporal' | 'smtp';
export interface ServiceCheck {
  ok: boolean;
  ms: number;
  /** Why not (ok false), or "not configured" (smtp without a server: skipped, not failing). */
  error?: string;
  skipped?: boolean;
}
export interface Readiness {
  status: 'ready' | 'unavailable' | 'starting';
  unavailable: ServiceName[];
  checks: Partial<Record<ServiceName, ServiceCheck>>;
}

const CHECK_TIMEOUT_MS = 2500;

export function registerHealthRoutes(app: FastifyInstance, opts: { isReady: () => boolean; context?: () => AppContext | undefined }): void {
  app.get('/readyz', async (_req, reply) => {
    const ctx = opts.context?.();
    if (!ctx || !opts.isReady()) return reply.code(503).send({ status: 'starting', unavailable: [], checks: {} } satisfies Readiness);
    const readiness = await checkReadiness(ctx);
    return reply.code(readiness.status === 'ready' ? 200 : 503).header('Cache-Control', 'no-store').send(readiness);
  });
}

export async function checkReadiness(ctx: AppContext): Promise<Readiness> {
  // SMTP: SMTP_URL, else the one the running system published (`npm start`'s embedded Mailpit).
  const smtpUrl = ctx.config.smtpUrl ?? readRunningServices(ctx.config)?.smtpUrl ?? null;
  const [postgresql, temporal, smtp] = await Promise.all([
    timed(() => ctx.pool.query('SELECT 1').then(() => undefined)),
    timed(() => ctx.temporal.connection.withDeadline(Date.now() + CHECK_TIMEOUT_MS, () => ctx.temporal.workflowService.getSystemInfo({})).then(() => undefined)),
    smtpUrl ? timed(() => smtpGreeting(smtpUrl)) : Promise.resolve<ServiceCheck>({ ok: true, ms: 0, skipped: true, error: 'not configured' }),
  ]);
  const checks = { postgresql, temporal, smtp };
  const unavailable = (Object.keys(checks) as ServiceName[]).filter((k) => !checks[k].ok);
  return { status: unavailable.length ? 'unavailable' : 'ready', unavailable, checks };
}

async function timed(check: () => Promise<void>): Promise<ServiceCheck> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS))),
    ]);
    return { ok: true, ms: Date.now() - started };
  } catch (e) {
    return { ok: false, ms: Date.now() - started, error: (e instanceof Error ? e.message : String(e)).split('\n')[0]! };
  } finally {
    clearTimeout(timer);
  }
}

/** Connects and reads the server's 220 greeting (smtps: over TLS), then says QUIT. */
export function smtpGreeting(smtpUrl: string): Promise<void> {
  const u = new URL(smtpUrl);
  const secure = u.protocol === 'smtps:';
  const port = Number(u.port || (secure ? 465 : 25));
  return new Promise((resolve, reject) => {
    const socket = secure ? tls.connect({ host: u.hostname, port, servername: u.hostname }) : net.connect(port, u.hostname);
    let received = '';
    const done = (e?: Error) => {
      socket.removeAllListeners('data');
      if (e) {
        socket.destroy();
        reject(e);
      } else {
        socket.end('QUIT\r\n');
        resolve();
      }
    };
    socket.setTimeout(CHECK_TIMEOUT_MS, () => done(new Error('no SMTP greeting')));
    socket.on('error', (e) => done(e));
    socket.on('data', (d: Buffer) => {
      received += d.toString();
      if (/\r?\n/.test(received)) done(/^220[ -]/.test(received) ? undefined : new Error(`unexpected SMTP greeting: ${received.trim().slice(0, 80)}`));
    });
  });
}
