/**
 * A database of a spec's own, on the server of the global setup: dropped and created afresh,
 * migrated, with the demo portfolio loaded, so that the spec may change data other specs read.
 */
import pg from 'pg';
import { inject } from 'vitest';
import { loadDemoPortfolio } from '../../app/portfolio.js';
import { migrateDatabase } from '../../db/migrate.js';
import { createPool, type Pool } from '../../db/pool.js';
import { createLogger } from '../../runtime/logger.js';

export async function ownDatabase(name: string, opts: { demoThrough?: string } = { demoThrough: '2025-Q4' }): Promise<{ pool: Pool; databaseUrl: string }> {
  const serverUrl = inject('databaseUrl');
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  await migrateDatabase(databaseUrl, createLogger('warn', name));
  const pool = createPool(databaseUrl);
  if (opts.demoThrough) await loadDemoPortfolio({ pool }, opts.demoThrough);
  return { pool, databaseUrl };
}
