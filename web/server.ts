/**
 * The HTTP server: GET /healthz, the server-rendered pages (web/pages.ts) and the JSON API with its
 * OpenAPI document (web/api.ts). Sign-in with server-side sessions (PostgreSQL) or, for machines,
 * an API token (Authorization: Bearer). Authorization by role and project is applied in every
 * route through app/auth.ts; CSRF protection on every state-changing request made with a session.
 */
import { randomBytes } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySession from '@fastify/session';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { principalFor, principalForToken, type Principal } from '../app/auth.js';
import type { AppContext } from '../app/context.js';
import { RbmError } from '../domain/errors.js';
import { registerAdminPages } from './admin-pages.js';
import { registerAdminApi } from './api-admin.js';
import { registerApi } from './api.js';
import { registerCodecRoutes } from './codec-routes.js';
import { registerDataPages } from './data-pages.js';
import { registerHealthRoutes } from './health-routes.js';
import { registerLibraryPages } from './library-pages.js';
import { startMetricsServer, type MetricsServer, type MetricsServerOptions } from './metrics-server.js';
import { registerProjectPages } from './project-pages.js';
import { registerAuthRoutes, type LoginRateLimit } from './auth-routes.js';
import { layout, registerPages, renderError } from './pages.js';
import { PostgresSessionStore } from './session-store.js';

declare module 'fastify' {
  interface Session {
    userId?: string;
    flash?: { kind: 'ok' | 'error'; text: string };
    _csrf?: string;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export interface HttpServerOptions {
  port: number;
  host?: string;
  isReady: () => boolean;
  /**
   * The application context once the system is up (pages and the API answer 503 before). Without
   * it, the server only answers /healthz (as before the web application existed).
   */
  context?: () => AppContext | undefined;
  /** Signs the session cookie (≥ 32 characters); default RBM_SESSION_SECRET, else a random one per start. */
  sessionSecret?: string;
  /**
   * Behind TLS-terminating proxies: how many hops of X-Forwarded-* to trust (a number; `true` is one
   * hop, never the whole X-Forwarded-For chain, whose left end the client writes), or the proxies'
   * addresses/CIDRs (a comma-separated string). The client address is then the one the last trusted
   * hop saw, and the session cookie is Secure over HTTPS. Default (false, 0): trust no header.
   */
  trustProxy?: boolean | number | string;
  /** Log-in attempts allowed per user name in `windowMs` (default 10 per 5 minutes) and per client address (default 50). */
  loginRateLimit?: LoginRateLimit;
  /**
   * Prometheus /metrics on a listener of its own (web/metrics-server.ts), started and closed with this
   * server; its state metrics read the context's database. Never a route of this (public) server.
   */
  metrics?: Omit<MetricsServerOptions, 'pool'>;
}

export const SESSION_COOKIE = 'rbm_session';
const SESSION_TTL_MS = 8 * 3600_000;

export async function startHttpServer(opts: HttpServerOptions): Promise<FastifyInstance> {
  const app = await buildHttpServer(opts);
  let metrics: MetricsServer | undefined;
  app.addHook('onClose', async () => metrics?.close()); // (hooks are added before the server listens)
  await app.listen({ port: opts.port, host: opts.host ?? '127.0.0.1' });
  if (opts.metrics) {
    metrics = await startMetricsServer({ ...opts.metrics, pool: () => opts.context?.()?.pool }).catch(async (e) => {
      await app.close();
      throw e;
    });
  }
  return app;
}

export async function buildHttpServer(opts: HttpServerOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, trustProxy: trustProxyOption(opts.trustProxy), bodyLimit: 1024 * 1024 });
  app.get('/healthz', async (_req, reply) => {
    if (!opts.isReady()) return reply.code(503).send({ status: 'starting' });
    return { status: 'ok' };
  });
  registerHealthRoutes(app, opts); // GET /readyz: PostgreSQL, Temporal and SMTP reachable (web/health-routes.ts)
  if (!opts.context) return app;
  const getContext = opts.context;
  const ctx = (): AppContext => {
    const c = getContext();
    if (!c || !opts.isReady()) throw new RbmError('services_unavailable', 'RBM Flow is starting: try again in a few seconds');
    return c;
  };

  const secret = opts.sessionSecret ?? randomBytes(32).toString('hex');
  if (secret.length < 32) throw new RbmError('invalid_input', 'the session secret needs at least 32 characters');

  await app.register(fastifyFormbody);
  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    secret,
    cookieName: SESSION_COOKIE,
    // Secure whenever the request came over HTTPS (directly, or through a trusted proxy).
    cookie: { httpOnly: true, sameSite: 'lax', secure: 'auto', path: '/', maxAge: SESSION_TTL_MS },
    saveUninitialized: false,
    rolling: false,
    store: new PostgresSessionStore(() => getContext()?.pool, SESSION_TTL_MS),
  });
  await app.register(fastifyCsrf, {
    sessionPlugin: '@fastify/session',
    // As the plugin's default, plus the query string for multipart forms (their body is read in the handler).
    getToken: (req) => {
      const body = req.body as { _csrf?: string } | undefined;
      const query = req.query as { _csrf?: string } | undefined;
      const header = req.headers['x-csrf-token'] ?? req.headers['csrf-token'];
      return body?._csrf ?? (req.isMultipart() ? query?._csrf : undefined) ?? (typeof header === 'string' ? header : undefined);
    },
  });
  // Limits are checked in the handlers (web/auth-routes.ts), after the body is parsed, so that the
  // log-in limit can key on the user name.
  await app.register(fastifyRateLimit, { global: false, hook: 'preHandler' });

  app.decorateRequest('principal', null);

  // Security headers on every answer. The PDF viewer is framed by our own pages only.
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'same-origin');
    reply.header('X-Frame-Options', 'SAMEORIGIN');
    reply.header('Content-Security-Policy', "default-src 'self'; frame-ancestors 'self'; object-src 'self'; base-uri 'none'; form-action 'self'");
    if (!reply.hasHeader('Cache-Control')) reply.header('Cache-Control', 'no-store');
    return payload;
  });

  // Who is asking: a Bearer token (machines) or the session's user.
  app.addHook('preHandler', async (req) => {
    if (isPublic(req)) return;
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      const m = /^Bearer\s+(\S+)$/i.exec(auth);
      req.principal = m ? ((await principalForToken(ctx(), m[1]!)) ?? null) : null;
      if (!req.principal) throw new RbmError('refused', 'the API token is not valid (or was revoked)', { status: 401 });
      return;
    }
    const userId = req.session.userId;
    if (userId) {
      req.principal = (await principalFor(ctx(), userId, 'session')) ?? null;
      if (!req.principal) await req.session.destroy();
    }
  });

  // CSRF: every state-changing request made with a session cookie carries the session's token
  // (forms: a hidden _csrf field; scripts: an x-csrf-token header). Token requests need none.
  // Routes are told apart by the route that matched, never by the raw URL: "/%6cogin" is "/login".
  app.addHook('preHandler', (req, reply, done) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS' || req.principal?.via === 'token') return done();
    // Without a principal the route answers 401 (or redirects to the log-in page), except the log-in form itself.
    if (!req.principal && req.routeOptions.url !== '/login') return done();
    app.csrfProtection(req, reply, done);
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    const { status, code } = statusOf(err);
    if (status >= 500 && status !== 503) getContext()?.log.error({ err, url: req.url }, 'web request failed');
    const message = status >= 500 && status !== 503 ? 'internal error' : err.message;
    if (wantsHtml(req)) {
      if (status === 401) return reply.redirect(`/login?next=${encodeURIComponent(req.url)}`);
      return reply.code(status).type('text/html; charset=utf-8').send(renderError(req, reply, status, message));
    }
    const details = err instanceof RbmError && err.details && 'field' in err.details ? { field: err.details.field, in: err.details.in } : {};
    return reply.code(status).send({ error: code, message, ...details });
  });
  app.setNotFoundHandler((req, reply) => {
    if (wantsHtml(req)) return reply.code(404).type('text/html; charset=utf-8').send(renderError(req, reply, 404, 'There is no such page.'));
    return reply.code(404).send({ error: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` });
  });

  const loginRateLimit = opts.loginRateLimit ?? { max: 10, windowMs: 5 * 60_000 };
  registerAuthRoutes(app, ctx, layout, { loginRateLimit });
  registerPages(app, ctx, { loginRateLimit });
  await registerDataPages(app, ctx, layout);
  registerAdminPages(app, ctx, layout);
  registerLibraryPages(app, ctx, layout);
  registerProjectPages(app, ctx, layout);
  registerApi(app, ctx);
  registerAdminApi(app, ctx);
  registerCodecRoutes(app, ctx);
  return app;
}

/**
 * fastify's trustProxy for a hop count: the socket's peer and the next hops-1 addresses of
 * X-Forwarded-For, from the right, are proxies (fastify itself treats a number as "trust nothing").
 */
function trustProxyOption(tp: HttpServerOptions['trustProxy']): false | string | ((address: string, hop: number) => boolean) {
  if (tp === undefined || tp === false || tp === 0 || tp === '') return false;
  if (typeof tp === 'string') return tp;
  const hops = tp === true ? 1 : tp;
  return (_address, hop) => hop < hops;
}

const PUBLIC_PATHS = ['/healthz', '/login', '/static/', '/openapi.json'];
/** Routes anyone may call (by the route that matched: the raw URL may be spelled with %-escapes). */
function isPublic(req: FastifyRequest): boolean {
  const url = req.routeOptions.url ?? req.url.split('?')[0]!;
  return PUBLIC_PATHS.some((p) => (p.endsWith('/') ? url.startsWith(p) : url === p));
}

/** Page requests get HTML (and a redirect to the log-in page); /api and /openapi.json get JSON. */
export function wantsHtml(req: FastifyRequest): boolean {
  return !req.url.startsWith('/api/') && !req.url.startsWith('/openapi.json');
}

export function statusOf(err: Error & { statusCode?: number; code?: string }): { status: number; code: string } {
  if (err instanceof RbmError) {
    const explicit = typeof err.details?.status === 'number' ? err.details.status : undefined;
    const status = explicit ?? { invalid_input: 400, not_found: 404, conflict: 409, refused: 409, services_unavailable: 503, internal: 500 }[err.code];
    const code = status === 401 ? 'unauthenticated' : status === 403 ? 'forbidden' : err.code;
    return { status, code };
  }
  if (err instanceof ZodError) return { status: 400, code: 'invalid_input' };
  if (err.code?.startsWith('FST_CSRF')) return { status: 403, code: 'csrf' };
  if (err.statusCode === 429) return { status: 429, code: 'rate_limited' };
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return { status: err.statusCode, code: 'invalid_input' };
  return { status: 500, code: 'internal' };
}

/** The signed-in principal, or a 401 (pages: a redirect to the log-in page). */
export function requirePrincipal(req: FastifyRequest): Principal {
  if (!req.principal) throw new RbmError('refused', 'sign in first', { status: 401 });
  return req.principal;
}

export const forbidden = (message: string) => new RbmError('refused', message, { status: 403 });

export type Reply = FastifyReply;
