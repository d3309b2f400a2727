/**
 * Mailpit: a real SMTP server with a web inbox, used as the mail server of the embedded setup (demo,
 * `npm start`) and of the tests, when SMTP_URL is not set. Found on PATH or in tools/bin
 * (scripts/install-tools.sh builds it); without it, notifications are recorded but not sent.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from './logger.js';

export interface MailpitHandle {
  smtpUrl: string;
  uiUrl: string;
  stop(): Promise<void>;
}

export function findMailpit(toolsDir: string, envPath = process.env.PATH ?? ''): string | undefined {
  return [path.join(toolsDir, 'mailpit'), ...envPath.split(path.delimiter).filter(Boolean).map((d) => path.join(d, 'mailpit'))].find((c) => {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listens on 127.0.0.1:${port}`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

export async function startMailpit(opts: { binary: string; smtpPort: number; uiPort: number; databaseFile?: string; log: Logger }): Promise<MailpitHandle> {
  const args = ['--smtp', `127.0.0.1:${opts.smtpPort}`, '--listen', `127.0.0.1:${opts.uiPort}`, '--smtp-auth-accept-any', '--smtp-auth-allow-insecure'];
  // Keep every message (Mailpit drops the oldest past 500): a portfolio's cycles send more, and specs count them.
  args.push('--max', '100000');
  if (opts.databaseFile) args.push('--database', opts.databaseFile);
  const child = spawn(opts.binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  try {
    await Promise.race([
      waitForPort(opts.smtpPort, 15_000),
      exited.then(() => Promise.reject(new Error(`mailpit exited: ${stderr.trim()}`))),
    ]);
  } catch (e) {
    child.kill('SIGTERM');
    process.removeListener('exit', killOnExit);
    throw new Error(`Mailpit did not start on port ${opts.smtpPort}: ${(e as Error).message}`);
  }
  opts.log.debug({ smtpPort: opts.smtpPort, uiPort: opts.uiPort }, 'mailpit started');
  return {
    smtpUrl: `smtp://127.0.0.1:${opts.smtpPort}`,
    uiUrl: `http://127.0.0.1:${opts.uiPort}`,
    async stop() {
      process.removeListener('exit', killOnExit);
      child.kill('SIGTERM');
      await exited;
    },
  };
}
