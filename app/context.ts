/** What a use case needs: config, a logger, the database pool and a Temporal client. */
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config/config.js';
import { createPool, type Pool } from '../db/pool.js';
import type { Logger } from '../runtime/logger.js';
import type { ServiceEndpoints } from '../runtime/services.js';

export interface AppContext {
  config: Config;
  log: Logger;
  pool: Pool;
  temporal: Client;
  close(): Promise<void>;
}

export async function openAppContext(config: Config, endpoints: ServiceEndpoints, log: Logger): Promise<AppContext> {
  const pool = createPool(endpoints.databaseUrl);
  const connection = await Connection.connect({ address: endpoints.temporalAddress, connectTimeout: '5 seconds' });
  const temporal = new Client({ connection, namespace: config.temporalNamespace });
  return {
    config,
    log,
    pool,
    temporal,
    async close() {
      await connection.close();
      await pool.end();
    },
  };
}

/** For commands that only read the database (no Temporal needed). */
export function openDatabaseContext(config: Config, databaseUrl: string, log: Logger): Pick<AppContext, 'config' | 'log' | 'pool'> & { close(): Promise<void> } {
  const pool = createPool(databaseUrl);
  return { config, log, pool, close: () => pool.end() };
}
