/**
 * A Temporal dev server (`temporal server start-dev`), used when TEMPORAL_ADDRESS is not set.
 * The binary is the Temporal CLI found on PATH or in tools/bin (scripts/install-tools.sh builds it);
 * failing both, the Temporal SDK downloads one (needs internet). The SDK's ephemeral-server support
 * runs and stops the process for us.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Logger } from './logger.js';
import { installTemporalRuntime } from './temporal-runtime.js';

export interface TemporalDevServerHandle {
  address: string;
  uiUrl: string | null;
  stop(): Promise<void>;
}

export function findTemporalCli(toolsDir: string, envPath = process.env.PATH ?? ''): string | undefined {
  const candidates = [path.join(toolsDir, 'temporal'), ...envPath.split(path.delimiter).filter(Boolean).map((d) => path.join(d, 'temporal'))];
  return candidates.find((c) => {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      return fs.statSync(c).isFile();
    } catch {
      return false;
    }
  });
}

export async function startTemporalDevServer(opts: {
  toolsDir: string;
  /** SQLite file that keeps workflows across restarts; undefined keeps them in memory (tests). */
  dbFilename: string | undefined;
  port: number;
  uiPort: number | undefined;
  namespace: string;
  log: Logger;
}): Promise<TemporalDevServerHandle> {
  installTemporalRuntime(opts.log);
  const cli = findTemporalCli(opts.toolsDir);
  if (opts.dbFilename) fs.mkdirSync(path.dirname(opts.dbFilename), { recursive: true });
  opts.log.info({ cli: cli ?? 'SDK download', port: opts.port }, 'starting the Temporal dev server');
  let env: TestWorkflowEnvironment;
  try {
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: cli ? { type: 'existing-path', path: cli } : { type: 'cached-download' },
        ip: '127.0.0.1',
        port: opts.port,
        ui: opts.uiPort !== undefined,
        uiPort: opts.uiPort,
        dbFilename: opts.dbFilename,
        namespace: opts.namespace,
        log: { format: 'json', level: 'error' },
      },
    });
  } catch (e) {
    const hint = cli
      ? `is port ${opts.port} taken, or is another RBM Flow running?`
      : 'no Temporal CLI was found on PATH or in tools/bin and the SDK could not download one: install Go >= 1.22 (https://go.dev/dl/) so that it can be built, or put `temporal` on PATH';
    throw new Error(`the Temporal dev server did not start (${hint}): ${e instanceof Error ? e.message : String(e)}`);
  }
  return {
    address: `127.0.0.1:${opts.port}`,
    uiUrl: opts.uiPort !== undefined ? `http://127.0.0.1:${opts.uiPort}` : null,
    stop: () => env.teardown(),
  };
}
