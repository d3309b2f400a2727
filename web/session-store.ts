/**
 * @fastify/session store in PostgreSQL: sessions live on the server, the cookie holds a signed id.
 * A signed-in session is read back only while the session epoch it recorded at log-in (`authEpoch`)
 * is its user's current one (db/auth-repository.ts readSession): a password change or an
 * administrator's reset ends every other session, even one saved again by a request in flight.
 */
import type { SessionStore } from '@fastify/session';
import type { Session } from 'fastify';
import { deleteExpiredSessions, deleteSession, readSession, writeSession } from '../db/auth-repository.js';
import type { Pool } from '../db/pool.js';

export class PostgresSessionStore implements SessionStore {
  private lastSweep = 0;
  constructor(private readonly pool: () => Pool | undefined, private readonly ttlMs: number) {}

  set(sid: string, session: Session, callback: (err?: unknown) => void): void {
    const pool = this.pool();
    if (!pool) return callback(new Error('the web server is starting'));
    const data = JSON.parse(JSON.stringify(session)) as Record<string, unknown>;
    const expires = session.cookie?.expires ? new Date(session.cookie.expires) : new Date(Date.now() + this.ttlMs);
    const userId = typeof data.userId === 'string' ? data.userId : null;
    writeSession(pool, sid, data, userId, expires)
      .then(async () => {
        if (Date.now() - this.lastSweep > 3600_000) {
          this.lastSweep = Date.now();
          await deleteExpiredSessions(pool);
        }
      })
      .then(() => callback(), callback);
  }

  get(sid: string, callback: (err: unknown, result?: Session | null) => void): void {
    const pool = this.pool();
    if (!pool) return callback(null, null);
    readSession(pool, sid).then((data) => {
      if (!data) return callback(null, null);
      const cookie = (data.cookie ?? {}) as Record<string, unknown>;
      if (typeof cookie.expires === 'string') cookie.expires = new Date(cookie.expires);
      callback(null, data as unknown as Session);
    }, (e) => callback(e));
  }

  destroy(sid: string, callback: (err?: unknown) => void): void {
    const pool = this.pool();
    if (!pool) return callback();
    deleteSession(pool, sid).then(() => callback(), callback);
  }
}
