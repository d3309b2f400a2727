/**
 * Who is asking and what they may do: passwords (argon2id), API tokens, demo passwords, and the
 * authorization rules by role and project that every web page and API endpoint applies.
 * A password change or an administrator's reset ends the user's other sessions and API tokens.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { demoUsers } from '../demo/portfolio.js';
import { RbmError } from '../domain/errors.js';
import {
  deleteDemoCredentials, deleteUserSessions, getCredentialByName, getUserWithRoles, insertApiToken, listApiTokens,
  projectsFundedBy, revokeApiToken, revokeUserApiTokens, setPasswordHash, useApiToken, usersWithoutPassword, type ApiTokenRow,
} from '../db/auth-repository.js';
import type { Role, RoleGrant } from '../db/users-repository.js';
import type { AppContext } from './context.js';

type DbContext = Pick<AppContext, 'pool'>;

/** The signed-in user, with everything authorization needs. */
export interface Principal {
  userId: string;
  name: string;
  email: string;
  roles: RoleGrant[];
  /** Projects funded by the donors this user is a contact of. */
  donorProjects: string[];
  via: 'session' | 'token';
}

export const MIN_PASSWORD_LENGTH = 10;

export async function hashPassword(password: string): Promise<string> {
  if (password.length < MIN_PASSWORD_LENGTH) throw new RbmError('invalid_input', `a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  return hash(password); // argon2id with the library's defaults (m=19 MiB, t=2, p=1: the OWASP minimum)
}

/**
 * How a log-in name is compared, everywhere (the log-in limit keys on it, the look-up uses it):
 * trimmed and lower-cased, so that "admin", " Admin" and "admin  " are one name.
 */
export function normaliseUserName(name: unknown): string {
  return typeof name === 'string' ? name.trim().toLowerCase() : '';
}

export interface PasswordChange {
  /** The user's new session epoch: the session that made the change records it to stay signed in. */
  sessionEpoch: number;
  sessionsEnded: number;
  tokensRevoked: number;
}

/**
 * Sets a user's password and ends everything the old one opened: every session but `keepSessionId`
 * (the one that made the change, if any) and every API token.
 */
async function replacePassword(ctx: DbContext, userId: string, password: string, keepSessionId?: string): Promise<PasswordChange> {
  if (!(await getUserWithRoles(ctx.pool, userId))) throw new RbmError('not_found', `no user ${userId}`);
  const hashed = await hashPassword(password);
  const sessionEpoch = await setPasswordHash(ctx.pool, userId, hashed);
  const sessionsEnded = await deleteUserSessions(ctx.pool, userId, keepSessionId);
  const tokensRevoked = await revokeUserApiTokens(ctx.pool, userId);
  return { sessionEpoch, sessionsEnded, tokensRevoked };
}

/** A user changes their own password (the current one checked first): their other sessions and their tokens end. */
export async function changeOwnPassword(ctx: DbContext, p: Principal, current: string, password: string, sessionId: string): Promise<PasswordChange> {
  if (p.via !== 'session') throw new RbmError('refused', 'change a password in the browser', { status: 403 });
  if (!(await verifyLogin(ctx, p.userId, current))) throw new RbmError('invalid_input', 'field "current": the current password is not right', { field: 'current', in: 'body' });
  return replacePassword(ctx, p.userId, password, sessionId);
}

/** Who acts on other users' credentials: an administrator signed in, or the operator at the command line. */
export type CredentialActor = Principal | 'command-line';
function requireCredentialAdmin(actor: CredentialActor): void {
  if (actor !== 'command-line' && !isAdmin(actor)) throw new RbmError('refused', 'only an administrator may reset passwords or revoke tokens of other users', { status: 403 });
}

/** An administrator sets a user's password (a reset): all the user's sessions and tokens end. */
export async function resetPassword(ctx: DbContext, actor: CredentialActor, userId: string, password: string): Promise<PasswordChange> {
  requireCredentialAdmin(actor);
  return replacePassword(ctx, userId, password);
}

/** An administrator revokes every API token of a user. */
export async function revokeAllTokens(ctx: DbContext, actor: CredentialActor, userId: string): Promise<number> {
  requireCredentialAdmin(actor);
  if (!(await getUserWithRoles(ctx.pool, userId))) throw new RbmError('not_found', `no user ${userId}`);
  return revokeUserApiTokens(ctx.pool, userId);
}

/** A password an administrator can hand over (the user should change it at first log-in). */
export const generatePassword = () => randomBytes(15).toString('base64url');

// A fixed hash to verify against when the user is unknown, so that both cases take the same time.
let dummyHash: Promise<string> | undefined;

/**
 * Checks a log-in: the principal and the session epoch to record in the new session when the name
 * (normalised) and the password match; undefined otherwise (never says which was wrong).
 */
export async function logIn(ctx: DbContext, name: string, password: string): Promise<{ principal: Principal; sessionEpoch: number } | undefined> {
  const stored = await getCredentialByName(ctx.pool, normaliseUserName(name));
  dummyHash ??= hash(randomBytes(16).toString('hex'));
  const ok = await verify(stored?.passwordHash ?? (await dummyHash), password).catch(() => false);
  if (!stored || !ok) return undefined;
  const principal = await principalFor(ctx, stored.userId, 'session');
  return principal ? { principal, sessionEpoch: stored.sessionEpoch } : undefined;
}

/** The principal when the user name and password match; undefined otherwise. */
export async function verifyLogin(ctx: DbContext, userId: string, password: string): Promise<Principal | undefined> {
  return (await logIn(ctx, userId, password))?.principal;
}

export async function principalFor(ctx: DbContext, userId: string, via: Principal['via']): Promise<Principal | undefined> {
  const user = await getUserWithRoles(ctx.pool, userId);
  if (!user) return undefined;
  const donorCodes = user.roles.filter((r) => r.role === 'donor_contact' && r.donorCode).map((r) => r.donorCode!);
  return { userId: user.id, name: user.name, email: user.email, roles: user.roles, donorProjects: await projectsFundedBy(ctx.pool, donorCodes), via };
}

/** Sets a user's password (ending all their sessions and tokens). */
export async function setPassword(ctx: DbContext, userId: string, password: string): Promise<PasswordChange> {
  return replacePassword(ctx, userId, password);
}

// --- demo passwords -------------------------------------------------------------------------

/** The demo password of a demo user: deterministic, so that the README and the tests can use it. */
export function demoPassword(userId: string): string {
  return `${userId}-demo-pass`;
}

export interface DemoCredential {
  userId: string;
  name: string;
  roles: string;
  password: string;
}

/**
 * Gives each demo user who has no password yet the demo password; returns those it set (empty on
 * later starts), for `rbm start` to print. Users who changed their password are left alone.
 * Only for the embedded, throwaway database: see `demoLogins`.
 */
export async function setDemoPasswords(ctx: DbContext): Promise<DemoCredential[]> {
  const users = demoUsers();
  const missing = new Set(await usersWithoutPassword(ctx.pool, users.map((u) => u.id)));
  // Only the demo users themselves (same id and e-mail): a real user who happens to be called
  // "admin" in a configured database never gets a published password.
  for (const id of [...missing]) {
    const stored = await getUserWithRoles(ctx.pool, id);
    if (stored?.email !== users.find((u) => u.id === id)?.email) missing.delete(id);
  }
  const set: DemoCredential[] = [];
  for (const u of users) {
    if (!missing.has(u.id)) continue;
    const password = demoPassword(u.id);
    await setPasswordHash(ctx.pool, u.id, await hashPassword(password), true);
    const roles = [...new Set(u.roles.map((r) => r.role + (r.projectCode ? ` ${r.projectCode}` : r.donorCode ? ` ${r.donorCode}` : '')))];
    set.push({ userId: u.id, name: u.name, roles: roles.length > 3 ? `${u.roles[0]!.role} (${roles.length} projects)` : roles.join(', '), password });
  }
  return set;
}

/**
 * The demo log-ins at start. On the embedded throwaway database (`npm start`, `npm run demo` with
 * DATABASE_URL unset) the demo users get their published demo passwords. On a configured database
 * they never do: any password still equal to the published one (left by an earlier version, or
 * copied from a demo database) is removed, which ends its sessions; an administrator sets one
 * (`rbm users set-password`) before that user's first log-in.
 */
export async function demoLogins(ctx: DbContext, database: 'embedded' | 'configured'): Promise<{ set: DemoCredential[]; removed: string[] }> {
  if (database === 'embedded') return { set: await setDemoPasswords(ctx), removed: [] };
  return { set: [], removed: await deleteDemoCredentials(ctx.pool) };
}

// --- API tokens -----------------------------------------------------------------------------

const tokenDigest = (token: string) => createHash('sha256').update(token).digest('hex');

export const DEFAULT_TOKEN_DAYS = 90;
export const MAX_TOKEN_DAYS = 365;

/**
 * A new API token for a user, valid `expiresInDays` (1–365, default 90): the secret is returned
 * once and only its digest is stored.
 */
export async function createApiToken(ctx: DbContext, userId: string, name: string, expiresInDays = DEFAULT_TOKEN_DAYS): Promise<{ token: string; row: ApiTokenRow }> {
  if (!Number.isInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > MAX_TOKEN_DAYS) {
    throw new RbmError('invalid_input', `field "expiresInDays": a token lives 1 to ${MAX_TOKEN_DAYS} days`, { field: 'expiresInDays', in: 'body' });
  }
  const token = `rbm_${randomBytes(24).toString('base64url')}`;
  const expiresAt = new Date(Date.now() + expiresInDays * 86_400_000);
  const row = await insertApiToken(ctx.pool, { id: randomUUID(), userId, name, tokenSha256: tokenDigest(token), expiresAt });
  return { token, row };
}

/**
 * A new API token for the signed-in user: only in a session (the browser, after a log-in). A token may
 * not make tokens, or a leaked short-lived token would mint itself a year's access that revoking it
 * does not end.
 */
export async function createApiTokenAs(ctx: DbContext, p: Principal, name: string, expiresInDays = DEFAULT_TOKEN_DAYS): Promise<{ token: string; row: ApiTokenRow }> {
  if (p.via !== 'session') throw new RbmError('refused', 'create API tokens in the browser (the account page), not with a token', { status: 403 });
  return createApiToken(ctx, p.userId, name, expiresInDays);
}

export async function principalForToken(ctx: DbContext, token: string): Promise<Principal | undefined> {
  const userId = await useApiToken(ctx.pool, tokenDigest(token));
  return userId ? principalFor(ctx, userId, 'token') : undefined;
}

export const apiTokens = (ctx: DbContext, userId?: string) => listApiTokens(ctx.pool, userId);
export const revokeToken = (ctx: DbContext, id: string, userId: string | null) => revokeApiToken(ctx.pool, id, userId);

// --- authorization --------------------------------------------------------------------------

export type Action =
  | 'read_project' // a project, its indicators, its cycles, their status and history
  | 'read_draft' // a cycle's draft files
  | 'read_final' // a completed cycle's final files
  | 'start_cycle'
  | 'decide' // approve or return (the workflow then checks the user is an approver of the open step)
  | 'resubmit'
  | 'cancel'
  | 'define_project' // create or change a project's results matrix (a logframe import)
  | 'enter_data'; // record or correct indicator values by hand

const INTERNAL: Role[] = ['admin', 'me_officer', 'project_manager', 'approver', 'viewer'];
const RULES: Record<Action, Role[]> = {
  read_project: INTERNAL,
  read_draft: INTERNAL,
  read_final: INTERNAL,
  start_cycle: ['admin', 'me_officer'],
  decide: ['project_manager', 'approver'],
  resubmit: ['me_officer'],
  cancel: ['admin', 'me_officer'],
  define_project: ['admin', 'me_officer'],
  enter_data: ['admin', 'me_officer'],
};

export const hasRole = (p: Principal, ...roles: Role[]) => p.roles.some((g) => roles.includes(g.role));
export const isAdmin = (p: Principal) => hasRole(p, 'admin');
export const isInternal = (p: Principal) => hasRole(p, ...INTERNAL);
export const isDonor = (p: Principal) => hasRole(p, 'donor_contact');

/** Whether the principal holds one of `roles` for the project (a grant without a project covers all). */
function holdsFor(p: Principal, roles: Role[], projectCode: string): boolean {
  return p.roles.some((g) => roles.includes(g.role) && (g.role === 'admin' || !g.projectCode || g.projectCode === projectCode));
}

export function can(p: Principal, action: Action, projectCode: string): boolean {
  if (holdsFor(p, RULES[action], projectCode)) return true;
  // A donor contact sees the final reports of the projects its donor funds, and nothing else.
  return action === 'read_final' && p.donorProjects.includes(projectCode);
}

export function authorize(p: Principal, action: Action, projectCode: string): void {
  if (!can(p, action, projectCode)) throw new RbmError('refused', `${p.userId} may not ${action.replace('_', ' ')} of project ${projectCode}`, { status: 403 });
}

/** The projects (of those given) the principal may read as staff. */
export const readableProjects = (p: Principal, codes: string[]) => codes.filter((c) => can(p, 'read_project', c));
