/** What a use case needs: config, a logger, the database pool and a Temporal client. */
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config/config.js';
import { createPool, type Pool } from '../db/pool.js';
import type { Logger } from '../runtime/logger.js';
import { rbmDataConverter } from '../runtime/payload-codec.js';
import type { ServiceEndpoints } from '../runtime/services.js';
import { temporalSecurity } from '../runtime/temporal-security.js';

export interface AppContext {
  config: Config;
  log: Logger;
  pool: Pool;
  temporal: Client;
  close(): Promise<void>;
}

export async function openAppContext(config: Config, endpoints: ServiceEndpoints, log: Logger): Promise<AppContext> {
  // Payloads are encrypted with RBM Flow's key; mTLS when configured (runtime/temporal-security.ts).
  const { payloadKeys, tls } = temporalSecurity(config);
  const pool = createPool(endpoints.databaseUrl, config.dbPoolMax);
  const connection = await Connection.connect({ address: endpoints.temporalAddress, tls, connectTimeout: '5 seconds' }).catch(async (e) => {
    await pool.end();
    throw e;
  });
  const temporal = new Client({ connection, namespace: config.temporalNamespace, dataConverter: rbmDataConverter(payloadKeys) });
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
  const pool = createPool(databaseUrl, config.dbPoolMax);
  return { config, log, pool, close: () => pool.end() };
}
