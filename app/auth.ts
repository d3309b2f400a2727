/**
 * Who is asking and what they may do: passwords (argon2id), API tokens, demo passwords, and the
 * authorization rules by role and project that every web page and API endpoint applies.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { demoUsers } from '../demo/portfolio.js';
import { RbmError } from '../domain/errors.js';
import {
  getPasswordHash, getUserWithRoles, insertApiToken, listApiTokens, projectsFundedBy, revokeApiToken, setPasswordHash,
  useApiToken, usersWithoutPassword, type ApiTokenRow,
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

export async function setPassword(ctx: DbContext, userId: string, password: string): Promise<void> {
  if (!(await getUserWithRoles(ctx.pool, userId))) throw new RbmError('not_found', `no user ${userId}`);
  await setPasswordHash(ctx.pool, userId, await hashPassword(password));
}

// A fixed hash to verify against when the user is unknown, so that both cases take the same time.
let dummyHash: Promise<string> | undefined;

/** The principal when the user id and password match; undefined otherwise (never says which was wrong). */
export async function verifyLogin(ctx: DbContext, userId: string, password: string): Promise<Principal | undefined> {
  const stored = await getPasswordHash(ctx.pool, userId);
  dummyHash ??= hash(randomBytes(16).toString('hex'));
  const ok = await verify(stored ?? (await dummyHash), password).catch(() => false);
  if (!stored || !ok) return undefined;
  return principalFor(ctx, userId, 'session');
}

export async function principalFor(ctx: DbContext, userId: string, via: Principal['via']): Promise<Principal | undefined> {
  const user = await getUserWithRoles(ctx.pool, userId);
  if (!user) return undefined;
  const donorCodes = user.roles.filter((r) => r.role === 'donor_contact' && r.donorCode).map((r) => r.donorCode!);
  return { userId: user.id, name: user.name, email: user.email, roles: user.roles, donorProjects: await projectsFundedBy(ctx.pool, donorCodes), via };
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

// --- API tokens -----------------------------------------------------------------------------

const tokenDigest = (token: string) => createHash('sha256').update(token).digest('hex');

/** A new API token for a user: the secret is returned once and only its digest is stored. */
export async function createApiToken(ctx: DbContext, userId: string, name: string): Promise<{ token: string; row: ApiTokenRow }> {
  const token = `rbm_${randomBytes(24).toString('base64url')}`;
  const row = await insertApiToken(ctx.pool, { id: randomUUID(), userId, name, tokenSha256: tokenDigest(token) });
  return { token, row };
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
