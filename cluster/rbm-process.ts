/**
 * One RBM Flow process of the cluster (`rbm worker` or `rbm web`), as on its own host: its own data,
 * outbox and temporary folders under its home; nothing shared with the others but PostgreSQL,
 * Temporal and SMTP (and the payload key every process must have). Output goes to HOME/process.log.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../config/config.js';

export type RbmRole = 'worker' | 'web';

export interface RbmProcessSpec {
  name: string;
  role: RbmRole;
  /** The process's own folder: data/, out/, tmp/, process.log. */
  home: string;
  /** Shared endpoints and secrets (DATABASE_URL, TEMPORAL_ADDRESS, SMTP_URL, RBM_PAYLOAD_KEY_FILE...). */
  env: Record<string, string>;
  /** web: the HTTP port. */
  port?: number;
  /** Prometheus GET /metrics on 127.0.0.1 at this port (RBM_METRICS_ADDRESS); undefined: none. */
  metricsPort?: number;
}

export interface RbmProcess {
  spec: RbmProcessSpec;
  url: string | undefined;
  /** http://127.0.0.1:PORT/metrics when the process serves metrics. */
  metricsUrl: string | undefined;
  logFile: string;
  pid(): number | undefined;
  running(): boolean;
  /** Starts it (again) and waits until it is ready (worker: polling; web: /healthz 200). */
  start(timeoutMs?: number): Promise<void>;
  /** SIGKILL: the host dies. */
  kill(): Promise<void>;
  /** SIGTERM and wait (graceful). */
  stop(): Promise<void>;
}

const READY_LINE: Record<RbmRole, RegExp> = { worker: /Worker running on task queues/, web: /RBM Flow web is running/ };

export function rbmProcess(spec: RbmProcessSpec): RbmProcess {
  const logFile = path.join(spec.home, 'process.log');
  const dirs = { data: path.join(spec.home, 'data'), out: path.join(spec.home, 'out'), tmp: path.join(spec.home, 'tmp') };
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const killOnExit = () => child?.kill('SIGKILL');
  const alive = () => !!child && child.exitCode === null && child.signalCode === null;

  const halt = async (signal: NodeJS.Signals) => {
    process.removeListener('exit', killOnExit);
    if (!alive()) return;
    child!.kill(signal);
    const timer = setTimeout(() => child?.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  };

  return {
    spec,
    url: spec.port ? `http://127.0.0.1:${spec.port}` : undefined,
    metricsUrl: spec.metricsPort ? `http://127.0.0.1:${spec.metricsPort}/metrics` : undefined,
    logFile,
    pid: () => child?.pid,
    running: alive,
    async start(timeoutMs = 120_000) {
      if (alive()) return;
      for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_OPTIONS: process.env.NODE_OPTIONS,
        ...spec.env,
        RBM_DATA_DIR: dirs.data,
        RBM_OUT_DIR: dirs.out,
        TMPDIR: dirs.tmp,
        RBM_LOG_LEVEL: spec.env.RBM_LOG_LEVEL ?? 'info',
        ...(spec.port ? { PORT: String(spec.port), HOST: '127.0.0.1' } : {}),
        ...(spec.metricsPort ? { RBM_METRICS_ADDRESS: `127.0.0.1:${spec.metricsPort}` } : {}),
      };
      for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
      const log = fs.createWriteStream(logFile, { flags: 'a' });
      await new Promise((r) => log.once('open', r));
      log.write(`--- ${new Date().toISOString()} starting rbm ${spec.role}\n`);
      const c = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'rbm.js'), spec.role], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      child = c;
      exited = new Promise((resolve) => c.once('exit', () => resolve()));
      process.once('exit', killOnExit);
      let stdout = '';
      const ready = new Promise<void>((resolve) => {
        c.stdout!.on('data', (d: Buffer) => {
          log.write(d);
          if (stdout.length < 100_000) stdout += d.toString();
          if (READY_LINE[spec.role].test(stdout)) resolve();
        });
      });
      c.stderr!.on('data', (d: Buffer) => log.write(d));
      c.once('exit', () => log.end());
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          ready,
          exited.then(() => Promise.reject(new Error(`${spec.name} exited at start (code ${c.exitCode}); see ${logFile}`))),
          new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${spec.name} not ready within ${timeoutMs / 1000} s; see ${logFile}`)), timeoutMs))),
        ]);
      } catch (e) {
        await halt('SIGKILL');
        throw e;
      } finally {
        clearTimeout(timer);
      }
    },
    kill: () => halt('SIGKILL'),
    stop: () => halt('SIGTERM'),
  };
}
