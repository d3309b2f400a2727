/** The PostgreSQL connection pool. numeric comes back as number (values are well within double range). */
import pg from 'pg';

pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => (v === null ? null : Number(v)));
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => (v === null ? null : Number(v)));
// Dates stay ISO strings (YYYY-MM-DD): no time zone shifts.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export type Pool = pg.Pool;
export type Queryable = pg.Pool | pg.PoolClient;

export function createPool(databaseUrl: string, max = 8): Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max });
  // An idle connection cut by the server (a restart, a failover) is dropped by the pool, which opens a
  // new one on next use; unhandled, its 'error' event would end the process (issue 15).
  pool.on('error', () => undefined);
  return pool;
}

/**
 * Runs `fn` in a transaction; rolls back on any error. `begin` is the statement that opens it (e.g.
 * `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`); `statementTimeoutMs` bounds each statement in it.
 */
export async function inTransaction<T>(
  pool: Pool, fn: (client: pg.PoolClient) => Promise<T>, opts: { begin?: string; statementTimeoutMs?: number } = {},
): Promise<T> {
  const client = await pool.connect();
  // A connection cut while checked out (the server restarted): its query rejects, which is the error
  // to report; the client's own 'error' event, unhandled, would end the process instead.
  const ignore = () => undefined;
  client.on('error', ignore);
  try {
    await client.query(opts.begin ?? 'BEGIN');
    // SET LOCAL: ends with the transaction, so the pooled connection keeps its own settings.
    if (opts.statementTimeoutMs !== undefined) await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(opts.statementTimeoutMs))}`);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.removeListener('error', ignore);
    client.release();
  }
}
