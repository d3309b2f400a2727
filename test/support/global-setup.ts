/**
 * Starts the real servers the integration specs use — an embedded PostgreSQL and a Temporal dev
 * server, both on free ports with throwaway data — and stops them after the run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort } from '../../runtime/ports.js';

export { freePort }; // specs start their own servers on free ports too
import { loadConfig } from '../../config/config.js';
import { startEmbeddedPostgres } from '../../runtime/embedded-postgres.js';
import { createLogger } from '../../runtime/logger.js';
import { startTemporalDevServer } from '../../runtime/temporal-dev-server.js';
import { findMailpit, startMailpit } from '../../runtime/mailpit.js';
import { ensureTools } from '../../runtime/tools.js';
import { newPayloadKey } from '../../runtime/payload-codec.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    temporalAddress: string;
    scratchDir: string;
    smtpUrl: string;
    /** Mailpit's web UI and REST API (/api/v1/messages). */
    mailApiUrl: string;
    /** The Temporal payload keys of the run (RBM_PAYLOAD_KEYS format), also in process.env for `rbm` processes. */
    payloadKeys: string;
  }
}


export default async function setup(project: TestProject) {
  const config = loadConfig();
  const log = createLogger(process.env.RBM_LOG_LEVEL ?? 'warn', 'test-setup');
  const scratchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rbm-test-'));
  fs.chmodSync(scratchDir, 0o755); // the embedded server may run as the `postgres` user
  const [pgPort, temporalPort, smtpPort, mailUiPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  // Builds (or copies from ~/.cache/rbm-flow/tools) the Temporal CLI and Mailpit when missing; fails naming what to install.
  await ensureTools({ toolsDir: config.toolsDir, want: ['temporal', 'mailpit'], required: true, log });
  const mailpitBinary = findMailpit(config.toolsDir);
  if (!mailpitBinary) throw new Error('Mailpit is needed by the tests and could not be installed (scripts/install-tools.sh)');
  const mailpit = await startMailpit({ binary: mailpitBinary, smtpPort, uiPort: mailUiPort, log });
  const pgServer = await startEmbeddedPostgres({ dataDir: path.join(scratchDir, 'pg'), port: pgPort, persistent: false, log }).catch(async (e) => {
    await mailpit.stop();
    throw e;
  });
  const temporal = await startTemporalDevServer({ toolsDir: config.toolsDir, dbFilename: undefined, port: temporalPort, uiPort: undefined, namespace: 'default', log }).catch(async (e) => {
    await pgServer.stop();
    await mailpit.stop();
    throw e;
  });
  project.provide('databaseUrl', pgServer.url);
  project.provide('temporalAddress', temporal.address);
  project.provide('scratchDir', scratchDir);
  project.provide('smtpUrl', mailpit.smtpUrl);
  project.provide('mailApiUrl', mailpit.uiUrl);
  // One payload key for the run: spec processes and the `rbm` processes they spawn (with
  // ...process.env) encrypt and decrypt Temporal payloads with it.
  const key = newPayloadKey('test');
  const payloadKeys = `${key.id}:${key.key.toString('base64')}`;
  process.env.RBM_PAYLOAD_KEYS = payloadKeys;
  project.provide('payloadKeys', payloadKeys);
  return async () => {
    await temporal.stop();
    await pgServer.stop();
    await mailpit.stop();
    fs.rmSync(scratchDir, { recursive: true, force: true });
  };
}
