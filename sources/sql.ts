/**
 * A project's own PostgreSQL database: the configured SELECT runs in a READ ONLY transaction with a
 * statement timeout, and its columns are those of the long format (matched like a file's header;
 * project_code may be left out: the source's project). The connection string is a secret reference
 * and is removed from every message.
 */
import pg from 'pg';
import { normaliseColumnName } from '../imports/format.js';
import type { SqlSourceDefinition } from './config.js';
import { describeRef, redact, resolveSecret, type SecretEnv } from './credentials.js';
import { SourceFailure } from './errors.js';
import { emptyRow, STAGED_COLUMNS, type StagedRow } from './staging.js';

/** SQLSTATE classes a retry can fix: connection problems, a statement timeout, a server shutting down, too many connections. */
const TRANSIENT = /^(08|53|57|58)/;

export async function fetchSql(s: SqlSourceDefinition, env: SecretEnv): Promise<{ rows: StagedRow[] }> {
  const connectionString = await resolveSecret(s.connection, env);
  const hide = (m: string) => redact(m, [connectionString]);
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: s.timeoutSeconds * 1000, application_name: `rbm-flow source ${s.id}` });
  client.on('error', () => undefined); // a connection lost mid-query surfaces as the query's error
  try {
    try {
      await client.connect();
    } catch (e) {
      const code = (e as { code?: string }).code ?? '';
      if (code === '28P01' || code === '28000') throw SourceFailure.rejected(`the project database refused the login (${describeRef(s.connection)}): ${hide((e as Error).message)}`);
      if (code === '3D000') throw SourceFailure.configuration(`the project database does not exist: ${hide((e as Error).message)} (check ${describeRef(s.connection)})`);
      throw SourceFailure.unavailable(`the project database cannot be reached: ${hide((e as Error).message || code)}`);
    }
    let result: pg.QueryResult;
    try {
      await client.query('BEGIN READ ONLY');
      await client.query(`SET LOCAL statement_timeout = ${Math.round(s.timeoutSeconds * 1000)}`);
      // The extended protocol runs one statement only: no "; COMMIT; DELETE ..." out of the read-only transaction.
      result = await client.query({ text: s.query, rowMode: 'array', queryMode: 'extended' } as pg.QueryArrayConfig);
      await client.query('ROLLBACK');
    } catch (e) {
      const code = (e as { code?: string }).code ?? '';
      const message = hide((e as Error).message);
      if (code === '57014') throw SourceFailure.unavailable(`the query of source ${s.id} did not finish within ${s.timeoutSeconds} s (timeoutSeconds)`);
      if (code === '25006') throw SourceFailure.configuration(`the query of source ${s.id} tries to write (${message}); a source query only reads`);
      if (TRANSIENT.test(code) || !code) throw SourceFailure.unavailable(`the project database failed during the query: ${message}`);
      throw SourceFailure.configuration(`the query of source ${s.id} failed: ${message} (SQLSTATE ${code})`);
    }
    return { rows: toRows(s, result) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

function toRows(s: SqlSourceDefinition, result: pg.QueryResult): StagedRow[] {
  const names = result.fields.map((f) => normaliseColumnName(f.name));
  const known = new Set<string>(STAGED_COLUMNS);
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length) throw SourceFailure.configuration(`the query of source ${s.id} returns column${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} that the long format does not have (columns: ${STAGED_COLUMNS.join(', ')})`);
  for (const required of ['indicator_code', 'period', 'value']) {
    if (!names.includes(required)) throw SourceFailure.configuration(`the query of source ${s.id} has no ${required} column (it must return indicator_code, period and value, and may return ${STAGED_COLUMNS.filter((c) => !['indicator_code', 'period', 'value'].includes(c)).join(', ')})`);
  }
  return (result.rows as unknown[][]).map((cells) => {
    const row = emptyRow();
    row.project_code = s.project;
    names.forEach((name, i) => {
      if (known.has(name)) row[name as keyof StagedRow] = cellText(cells[i]);
    });
    if (!row.source) row.source = s.id;
    return row;
  });
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return String(v);
}
