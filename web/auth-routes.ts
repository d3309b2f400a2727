/**
 * Signing in and out, the signed-in user's account (password, API tokens) and the administrators'
 * actions on other users' credentials (set a password, revoke all tokens).
 *
 * Log-in is limited twice, on attempts in a window: per user name as the look-up compares it
 * (`normaliseUserName`: trimmed, lower-cased; "admin " is "admin") and per client address (the
 * socket's, or the one the configured number of trusted proxy hops reports). After log-in the user
 * goes to `next` only when it is a path of this site (`safeNext`).
 */
import { parseForm as form } from './forms.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  apiTokens, changeOwnPassword, createApiTokenAs, DEFAULT_TOKEN_DAYS, isAdmin, logIn, MAX_TOKEN_DAYS, MIN_PASSWORD_LENGTH, normaliseUserName,
  resetPassword, revokeAllTokens, revokeToken, type Principal,
} from '../app/auth.js';
import type { AppContext } from '../app/context.js';
import { RbmError } from '../domain/errors.js';
import { renderPage, type LayoutData } from './render.js';
import { forbidden, requirePrincipal } from './server.js';

declare module 'fastify' {
  interface Session {
    /** The user's session epoch at log-in: a password change or reset starts a new one and ends this session. */
    authEpoch?: number;
  }
}

type Ctx = () => AppContext;
type Layout = (req: FastifyRequest, reply: FastifyReply, title: string) => LayoutData;

export interface LoginRateLimit {
  /** Attempts per user name (normalised) in the window. */
  max: number;
  windowMs: number;
  /** Attempts per client address in the window, whatever the names (default 50). */
  maxPerAddress?: number;
}

/**
 * Where to go after log-in: a path of this site — one leading '/', not '//' nor '/\', no backslash,
 * only printable ASCII (no tab, CR, LF or other control character a browser would drop or a header
 * would refuse); anything else is '/'.
 */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || next.length > 2048) return '/';
  return /^\/(?![/\\])[\x21-\x5b\x5d-\x7e]*$/.test(next) ? next : '/';
}

const TOKEN_DAYS = [7, 30, 90, 180, 365];


const html = (reply: FastifyReply, body: string) => reply.type('text/html; charset=utf-8').send(body);
const tooMany = (reply: FastifyReply, ttlSeconds: number, what: string) => {
  reply.header('Retry-After', String(Math.max(1, ttlSeconds)));
  return new RbmError('refused', `too many ${what}: try again in a few minutes`, { status: 429 });
};

const NewPassword = z.object({
  password: z.string().min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`).max(200),
  confirm: z.string(),
}).refine((v) => v.password === v.confirm, { path: ['confirm'], message: 'the two new passwords differ' });

export function registerAuthRoutes(app: FastifyInstance, ctx: Ctx, layout: Layout, o: { loginRateLimit: LoginRateLimit }): void {
  const window = o.loginRateLimit.windowMs;
  const usernameOf = (req: FastifyRequest) => normaliseUserName((req.body as Record<string, unknown> | undefined)?.username);
  // Every attempt counts (a failed-only count could be raced by parallel requests).
  const perName = app.createRateLimit({ max: o.loginRateLimit.max, timeWindow: window, keyGenerator: (req) => `login-name:${usernameOf(req)}` });
  const perAddress = app.createRateLimit({ max: o.loginRateLimit.maxPerAddress ?? 50, timeWindow: window });
  const perUser = app.createRateLimit({ max: o.loginRateLimit.max, timeWindow: window, keyGenerator: (req) => `password:${req.principal?.userId ?? req.ip}` });
  const exceeded = (l: Awaited<ReturnType<typeof perName>>) => (l.isAllowed ? null : l.isExceeded ? l.ttlInSeconds : null);

  const loginPage = (req: FastifyRequest, reply: FastifyReply, data: { next: string; username: string; error: string | null }) =>
    renderPage('login', { ...layout(req, reply, 'Sign in'), nav: [] }, data);

  // --- log-in ---------------------------------------------------------------------------------
  app.get('/login', async (req, reply) => {
    ctx(); // 503 while the system starts: the session cannot be stored yet
    const next = safeNext((req.query as Record<string, unknown>).next);
    return html(reply, loginPage(req, reply, { next, error: null, username: '' }));
  });
  app.post('/login', async (req, reply) => {
    ctx();
    const byAddress = await perAddress(req);
    const byName = await perName(req);
    const wait = exceeded(byAddress) ?? exceeded(byName);
    if (wait !== null) throw tooMany(reply, wait, 'log-in attempts');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const username = typeof body.username === 'string' ? body.username.trim() : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const next = safeNext(body.next);
    const ok = username && password ? await logIn(ctx(), username, password) : undefined;
    if (!ok) {
      return reply.code(401).type('text/html; charset=utf-8').send(loginPage(req, reply, { next, username, error: 'The user name or the password is not right.' }));
    }
    // A new session id at log-in (no fixation), then the user and the epoch of their credentials.
    await req.session.regenerate();
    req.session.userId = ok.principal.userId;
    req.session.authEpoch = ok.sessionEpoch;
    return reply.redirect(next);
  });
  app.post('/logout', async (req, reply) => {
    await req.session.destroy();
    return reply.redirect('/login');
  });

  // --- the signed-in user's account: password and API tokens -----------------------------------
  app.get('/account', async (_req, reply) => reply.redirect('/account/tokens'));
  app.post('/account/password', async (req, reply) => {
    const p = requirePrincipal(req);
    if (p.via !== 'session') throw forbidden('change a password in the browser');
    const wait = exceeded(await perUser(req));
    if (wait !== null) throw tooMany(reply, wait, 'password attempts');
    const f = form(z.object({ current: z.string().min(1, 'enter your current password') }).and(NewPassword), req.body);
    // The other sessions and every API token end; this session stays, under the new epoch.
    const change = await changeOwnPassword(ctx(), p, f.current, f.password, req.session.sessionId);
    req.session.authEpoch = change.sessionEpoch;
    const ended = [change.sessionsEnded && `${change.sessionsEnded} other session(s) signed out`, change.tokensRevoked && `${change.tokensRevoked} API token(s) revoked`].filter(Boolean);
    req.session.flash = { kind: 'ok', text: `Your password is changed.${ended.length ? ` ${ended.join(', ')}.` : ''}` };
    return reply.redirect('/account/tokens');
  });

  const tokensPage = async (req: FastifyRequest, reply: FastifyReply, p: Principal, created: { name: string; token: string; expiresAt: string } | null) => {
    const tokens = await apiTokens(ctx(), p.userId);
    const days = TOKEN_DAYS.map((d) => ({ days: d, selected: d === DEFAULT_TOKEN_DAYS }));
    return html(reply, renderPage('tokens', layout(req, reply, 'Account'), { tokens, created, minLength: MIN_PASSWORD_LENGTH, days }));
  };
  app.get('/account/tokens', async (req, reply) => tokensPage(req, reply, requirePrincipal(req), null));
  app.post('/account/tokens', async (req, reply) => {
    const p = requirePrincipal(req);
    const f = form(z.object({
      name: z.string().trim().min(1, 'give the token a name').max(100),
      expiresInDays: z.coerce.number().int('whole days').min(1, 'at least 1 day').max(MAX_TOKEN_DAYS, `at most ${MAX_TOKEN_DAYS} days`).default(DEFAULT_TOKEN_DAYS),
    }), req.body);
    const { token, row } = await createApiTokenAs(ctx(), p, f.name, f.expiresInDays);
    return tokensPage(req, reply, p, { name: f.name, token, expiresAt: row.expiresAt });
  });
  app.post('/account/tokens/:id/revoke', async (req, reply) => {
    const p = requirePrincipal(req);
    const { id } = z.object({ id: z.uuid() }).parse(req.params);
    if (!(await revokeToken(ctx(), id, isAdmin(p) ? null : p.userId))) throw new RbmError('not_found', 'no such token');
    req.session.flash = { kind: 'ok', text: 'The token is revoked.' };
    return reply.redirect('/account/tokens');
  });

  // --- administrators: another user's password and tokens -------------------------------------
  const userIdOf = (params: unknown) => z.object({ id: z.string().min(1).max(200) }).parse(params).id;
  app.post('/admin/users/:id/password', async (req, reply) => {
    const p = requirePrincipal(req);
    if (!isAdmin(p)) throw forbidden('resetting passwords is for administrators');
    const userId = userIdOf(req.params);
    const f = form(NewPassword, req.body);
    const change = await resetPassword(ctx(), p, userId, f.password);
    if (userId === p.userId) req.session.authEpoch = change.sessionEpoch;
    req.session.flash = { kind: 'ok', text: `The password of ${userId} is set: ${change.sessionsEnded} session(s) signed out, ${change.tokensRevoked} API token(s) revoked.` };
    return reply.redirect('/admin/users');
  });
  app.post('/admin/users/:id/tokens/revoke', async (req, reply) => {
    const p = requirePrincipal(req);
    if (!isAdmin(p)) throw forbidden('revoking other users\u2019 tokens is for administrators');
    const userId = userIdOf(req.params);
    const n = await revokeAllTokens(ctx(), p, userId);
    req.session.flash = { kind: 'ok', text: `Revoked ${n} API token(s) of ${userId}.` };
    return reply.redirect('/admin/users');
  });
}
