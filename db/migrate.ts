/** Applies the SQL migrations in db/migrations with node-pg-migrate (idempotent; locked). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import type { Logger } from '../runtime/logger.js';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export async function migrateDatabase(databaseUrl: string, log: Logger): Promise<string[]> {
  const applied = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    // Several processes start at once (workers of a deployment): the later ones wait for the lock, not fail.
    advisoryLockMode: 'wait',
    log: (msg: string) => log.debug({ migrate: msg }),
  });
  return applied.map((m) => m.name);
}
