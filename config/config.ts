/**
 * Configuration, read once from the environment, validated with zod and passed down.
 * Nothing else in the code reads process.env.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { RbmError } from '../domain/errors.js';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The data sources of the projects (sources.example.json documents it; git-ignored). */
export const DEFAULT_SOURCES_FILE = path.join(PROJECT_ROOT, 'sources.json');

const EnvSchema = z.object({
  DATABASE_URL: z.string().url().optional(),
  TEMPORAL_ADDRESS: z.string().min(3).optional(),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Interface the HTTP server listens on; 0.0.0.0 in a container. */
  HOST: z.string().default('127.0.0.1'),
  /** Load the demo portfolio into an empty database at start (always done for the embedded one). */
  RBM_LOAD_DEMO: z.enum(['true', 'false']).default('false'),
  /** Where the embedded services keep their data (git-ignored). */
  RBM_DATA_DIR: z.string().default(path.join(PROJECT_ROOT, '.rbm')),
  /** The local outbox where delivered reports are written. */
  RBM_OUT_DIR: z.string().default(path.join(PROJECT_ROOT, 'out')),
  RBM_TOOLS_DIR: z.string().default(path.join(PROJECT_ROOT, 'tools', 'bin')),
  RBM_PG_PORT: z.coerce.number().int().default(54329),
  RBM_TEMPORAL_PORT: z.coerce.number().int().default(7233),
  RBM_TEMPORAL_UI_PORT: z.coerce.number().int().default(8233),
  RBM_TASK_QUEUE: z.string().default('rbm-flow'),
  RBM_RENDER_TASK_QUEUE: z.string().default('rbm-flow-render'),
  /** SMTP server for notifications and delivery, e.g. smtp://user:pass@host:587. Unset: embedded Mailpit if found. */
  SMTP_URL: z.string().url().optional(),
  MAIL_FROM: z.string().default('RBM Flow <rbm-flow@localhost>'),
  /** The web app's base URL, for links in e-mails. */
  PUBLIC_URL: z.string().url().optional(),
  RBM_SMTP_PORT: z.coerce.number().int().default(1025),
  RBM_MAIL_UI_PORT: z.coerce.number().int().default(8025),
  /** Signs session cookies; unset: a random secret at each start (everyone signs in again). */
  RBM_SESSION_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  /** Behind a TLS proxy: trust X-Forwarded-* and mark cookies Secure. */
  RBM_TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  RBM_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** The sources file: where each project's indicator data is gathered from, and when. */
  RBM_SOURCES_FILE: z.string().default(DEFAULT_SOURCES_FILE),
});

export type Config = {
  databaseUrl: string | undefined;
  temporalAddress: string | undefined;
  temporalNamespace: string;
  port: number;
  host: string;
  loadDemo: boolean;
  dataDir: string;
  outDir: string;
  toolsDir: string;
  embeddedPgPort: number;
  embeddedTemporalPort: number;
  embeddedTemporalUiPort: number;
  taskQueue: string;
  renderTaskQueue: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  publicUrl: string;
  embeddedSmtpPort: number;
  embeddedMailUiPort: number;
  logLevel: z.infer<typeof EnvSchema>['RBM_LOG_LEVEL'];
  sessionSecret: string | undefined;
  trustProxy: boolean;
  sourcesFile: string;
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "not set" (as in `DATABASE_URL= npm start`).
  const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(set);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new RbmError('invalid_input', `environment variable ${issue.path.join('.')}: ${issue.message}`);
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    temporalAddress: e.TEMPORAL_ADDRESS,
    temporalNamespace: e.TEMPORAL_NAMESPACE,
    port: e.PORT,
    host: e.HOST,
    loadDemo: e.RBM_LOAD_DEMO === 'true',
    dataDir: path.resolve(e.RBM_DATA_DIR),
    outDir: path.resolve(e.RBM_OUT_DIR),
    toolsDir: path.resolve(e.RBM_TOOLS_DIR),
    embeddedPgPort: e.RBM_PG_PORT,
    embeddedTemporalPort: e.RBM_TEMPORAL_PORT,
    embeddedTemporalUiPort: e.RBM_TEMPORAL_UI_PORT,
    taskQueue: e.RBM_TASK_QUEUE,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    publicUrl: e.PUBLIC_URL ?? `http://${e.HOST === '0.0.0.0' ? '127.0.0.1' : e.HOST}:${e.PORT}`,
    embeddedSmtpPort: e.RBM_SMTP_PORT,
    embeddedMailUiPort: e.RBM_MAIL_UI_PORT,
    renderTaskQueue: e.RBM_RENDER_TASK_QUEUE,
    logLevel: e.RBM_LOG_LEVEL,
    sessionSecret: e.RBM_SESSION_SECRET,
    trustProxy: e.RBM_TRUST_PROXY === 'true',
    sourcesFile: path.resolve(e.RBM_SOURCES_FILE),
  };
}

/**
 * Where the credential references of the sources file ({"env": NAME}) are looked up: the worker's
 * environment, read at fetch time (so that a rotated secret is picked up) and never copied into the
 * configuration, a log or the database.
 */
export function secretEnvironment(env: NodeJS.ProcessEnv = process.env): Readonly<Record<string, string | undefined>> {
  return env;
}
