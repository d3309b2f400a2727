/** Web log-in: password hashes, server-side sessions and API tokens (see migration 1732723200000_web-auth). */
import type { Queryable } from './pool.js';
import type { RoleGrant } from './users-repository.js';

export interface UserWithRoles {
  id: string;
  name: string;
  email: string;
  roles: RoleGrant[];
}

export async function getUserWithRoles(q: Queryable, id: string): Promise<UserWithRoles | undefined> {
  const { rows } = await q.query(
    `SELECT u.id, u.name, u.email,
            coalesce(jsonb_agg(jsonb_build_object('role', r.role, 'projectCode', r.project_code, 'donorCode', r.donor_code)
                     ORDER BY r.role, r.project_code, r.donor_code) FILTER (WHERE r.id IS NOT NULL), '[]') AS roles
       FROM users u LEFT JOIN user_roles r ON r.user_id = u.id WHERE u.id = $1 GROUP BY u.id`,
    [id],
  );
  return rows[0] as UserWithRoles | undefined;
}

/** Codes of the projects funded by any of the given donors. */
export async function projectsFundedBy(q: Queryable, donorCodes: string[]): Promise<string[]> {
  if (!donorCodes.length) return [];
  const { rows } = await q.query<{ code: string }>(
    `SELECT DISTINCT p.code FROM projects p JOIN project_donors d ON d.project_id = p.id WHERE d.donor_code = ANY($1::text[]) ORDER BY p.code`,
    [donorCodes],
  );
  return rows.map((r) => r.code);
}

/** Which of these donors fund which projects (a row of each project's donors). */
export async function fundingOf(q: Queryable, donorCodes: string[]): Promise<Array<{ donorCode: string; projectCode: string }>> {
  if (!donorCodes.length) return [];
  const { rows } = await q.query<{ donor_code: string; code: string }>(
    `SELECT d.donor_code, p.code FROM projects p JOIN project_donors d ON d.project_id = p.id WHERE d.donor_code = ANY($1::text[]) ORDER BY 1, 2`,
    [donorCodes],
  );
  return rows.map((r) => ({ donorCode: r.donor_code, projectCode: r.code }));
}

/**
 * The credential of the user whose id, lower-cased, is `normalisedName` (log-in names are compared
 * trimmed and case-insensitively); undefined when there is none, or when two ids differ only by case.
 */
export async function getCredentialByName(q: Queryable, normalisedName: string): Promise<{ userId: string; passwordHash: string; sessionEpoch: number } | undefined> {
  const { rows } = await q.query<{ user_id: string; password_hash: string; session_epoch: number }>(
    'SELECT user_id, password_hash, session_epoch FROM user_credentials WHERE lower(user_id) = $1 ORDER BY user_id LIMIT 2',
    [normalisedName],
  );
  if (rows.length !== 1) return undefined;
  return { userId: rows[0]!.user_id, passwordHash: rows[0]!.password_hash, sessionEpoch: rows[0]!.session_epoch };
}

/**
 * Sets a user's password hash and starts a new session epoch: sessions signed in before (their
 * recorded epoch is older) are no longer read. Returns the new epoch.
 */
export async function setPasswordHash(q: Queryable, userId: string, hash: string, demo = false): Promise<number> {
  const { rows } = await q.query<{ session_epoch: number }>(
    `INSERT INTO user_credentials (user_id, password_hash, demo) VALUES ($1,$2,$3)
     ON CONFLICT (user_id) DO UPDATE SET password_hash = excluded.password_hash, demo = excluded.demo,
       session_epoch = user_credentials.session_epoch + 1, updated_at = now()
     RETURNING session_epoch`,
    [userId, hash, demo],
  );
  return rows[0]!.session_epoch;
}

/** Users (of the given ids) that have no password yet. */
export async function usersWithoutPassword(q: Queryable, ids: string[]): Promise<string[]> {
  const { rows } = await q.query<{ id: string }>(
    `SELECT u.id FROM users u WHERE u.id = ANY($1::text[]) AND NOT EXISTS (SELECT 1 FROM user_credentials c WHERE c.user_id = u.id) ORDER BY u.id`,
    [ids],
  );
  return rows.map((r) => r.id);
}

/** Removes every password that is still the published demo password; returns whose. */
export async function deleteDemoCredentials(q: Queryable): Promise<string[]> {
  const { rows } = await q.query<{ user_id: string }>('DELETE FROM user_credentials WHERE demo RETURNING user_id');
  return rows.map((r) => r.user_id).sort();
}

// --- sessions ---------------------------------------------------------------------------------

/**
 * A live session's data. A signed-in session (one with a user) is live only while the session epoch
 * it recorded at log-in (`authEpoch`) is its user's current one: a password change or reset ends it.
 */
export async function readSession(q: Queryable, sid: string): Promise<Record<string, unknown> | undefined> {
  const { rows } = await q.query<{ data: Record<string, unknown> }>(
    `SELECT s.data FROM web_sessions s LEFT JOIN user_credentials c ON c.user_id = s.user_id
      WHERE s.sid = $1 AND s.expires_at > now()
        AND (s.user_id IS NULL OR s.data->>'authEpoch' = c.session_epoch::text)`,
    [sid],
  );
  return rows[0]?.data;
}

export async function writeSession(q: Queryable, sid: string, data: Record<string, unknown>, userId: string | null, expiresAt: Date): Promise<void> {
  await q.query(
    `INSERT INTO web_sessions (sid, user_id, data, expires_at) VALUES ($1,$2,$3,$4)
     ON CONFLICT (sid) DO UPDATE SET user_id = excluded.user_id, data = excluded.data, expires_at = excluded.expires_at, updated_at = now()`,
    [sid, userId, data, expiresAt],
  );
}

export async function deleteSession(q: Queryable, sid: string): Promise<void> {
  await q.query('DELETE FROM web_sessions WHERE sid = $1', [sid]);
}

/** Ends a user's sessions, except `keepSid` (the session that changed the password); returns how many. */
export async function deleteUserSessions(q: Queryable, userId: string, keepSid?: string): Promise<number> {
  const r = await q.query('DELETE FROM web_sessions WHERE user_id = $1 AND ($2::text IS NULL OR sid <> $2)', [userId, keepSid ?? null]);
  return r.rowCount ?? 0;
}

export async function deleteExpiredSessions(q: Queryable): Promise<number> {
  const r = await q.query('DELETE FROM web_sessions WHERE expires_at <= now()');
  return r.rowCount ?? 0;
}

// --- API tokens -------------------------------------------------------------------------------

export interface ApiTokenRow {
  id: string;
  userId: string;
  name: string;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  /** Neither revoked nor expired. */
  active: boolean;
}
const toToken = (r: Record<string, any>): ApiTokenRow => ({
  id: r.id, userId: r.user_id, name: r.name, createdAt: r.created_at.toISOString(), expiresAt: r.expires_at.toISOString(),
  lastUsedAt: r.last_used_at?.toISOString() ?? null, revokedAt: r.revoked_at?.toISOString() ?? null,
  active: !r.revoked_at && r.expires_at.getTime() > Date.now(),
});

export async function insertApiToken(q: Queryable, t: { id: string; userId: string; name: string; tokenSha256: string; expiresAt: Date }): Promise<ApiTokenRow> {
  const { rows } = await q.query(
    'INSERT INTO api_tokens (id, user_id, name, token_sha256, expires_at) VALUES ($1,$2,$3,$4,$5) RETURNING *',
    [t.id, t.userId, t.name, t.tokenSha256, t.expiresAt],
  );
  return toToken(rows[0]!);
}

/** The user of a live token (not revoked, not expired), marking it used; or undefined. */
export async function useApiToken(q: Queryable, tokenSha256: string): Promise<string | undefined> {
  const { rows } = await q.query<{ user_id: string }>(
    'UPDATE api_tokens SET last_used_at = now() WHERE token_sha256 = $1 AND revoked_at IS NULL AND expires_at > now() RETURNING user_id',
    [tokenSha256],
  );
  return rows[0]?.user_id;
}

export async function listApiTokens(q: Queryable, userId?: string): Promise<ApiTokenRow[]> {
  const { rows } = await q.query('SELECT * FROM api_tokens WHERE ($1::text IS NULL OR user_id = $1) ORDER BY created_at DESC', [userId ?? null]);
  return rows.map(toToken);
}

export async function revokeApiToken(q: Queryable, id: string, userId: string | null): Promise<boolean> {
  const r = await q.query('UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND ($2::text IS NULL OR user_id = $2) AND revoked_at IS NULL', [id, userId]);
  return (r.rowCount ?? 0) > 0;
}

/** Revokes every live token of a user; returns how many. */
export async function revokeUserApiTokens(q: Queryable, userId: string): Promise<number> {
  const r = await q.query('UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [userId]);
  return r.rowCount ?? 0;
}

// --- artifacts, seen from the web ----------------------------------------------------------------

export interface ArtifactInfo {
  id: string;
  cycleId: string | null;
  projectCode: string | null;
  cycleState: string | null;
  version: number;
  stage: 'preview' | 'draft' | 'final';
  format: 'xlsx' | 'pdf';
  filename: string;
  sizeBytes: number;
}

export async function getArtifactInfo(q: Queryable, id: string): Promise<ArtifactInfo | undefined> {
  const { rows } = await q.query(
    `SELECT a.id, a.cycle_id, c.project_code, c.state, a.version, a.stage, a.format, a.filename, a.size_bytes
       FROM artifacts a LEFT JOIN report_cycles c ON c.id = a.cycle_id WHERE a.id = $1`,
    [id],
  );
  const r = rows[0];
  return r ? { id: r.id, cycleId: r.cycle_id, projectCode: r.project_code, cycleState: r.state, version: r.version, stage: r.stage, format: r.format, filename: r.filename, sizeBytes: r.size_bytes } : undefined;
}

export interface FinalReportRow {
  cycleId: string;
  projectCode: string;
  projectTitle: string;
  period: string;
  version: number;
  completedAt: string;
  files: Array<{ id: string; format: 'xlsx' | 'pdf'; filename: string; sizeBytes: number }>;
}

/** Final files of completed cycles of the given projects (the reports a donor may see). */
export async function finalReports(q: Queryable, projectCodes: string[]): Promise<FinalReportRow[]> {
  if (!projectCodes.length) return [];
  const { rows } = await q.query(
    `SELECT c.id, c.project_code, p.title, c.period, c.updated_at, a.version,
            jsonb_agg(jsonb_build_object('id', a.id, 'format', a.format, 'filename', a.filename, 'sizeBytes', a.size_bytes) ORDER BY a.format) AS files
       FROM report_cycles c JOIN projects p ON p.code = c.project_code
       JOIN artifacts a ON a.cycle_id = c.id AND a.stage = 'final' AND a.version = c.current_version
      WHERE c.state = 'completed' AND c.project_code = ANY($1::text[])
      GROUP BY c.id, p.title, a.version ORDER BY c.period DESC, c.project_code`,
    [projectCodes],
  );
  return rows.map((r) => ({ cycleId: r.id, projectCode: r.project_code, projectTitle: r.title, period: r.period, version: r.version, completedAt: r.updated_at.toISOString(), files: r.files }));
}
