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
  /**
   * Connections each process may hold to RBM Flow's PostgreSQL. Size it so that every process together
   * stays under the server's max_connections (100 by default): workers + web processes times this.
   */
  RBM_DB_POOL_MAX: z.coerce.number().int().min(1).max(1000).default(8),
  /** Reports a worker renders at once on the render queue (each a PDF and a workbook; CPU and memory bound). */
  RBM_RENDER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /** SMTP server for notifications and delivery, e.g. smtp://user:pass@host:587. Unset: embedded Mailpit if found. */
  SMTP_URL: z.string().url().optional(),
  MAIL_FROM: z.string().default('RBM Flow <rbm-flow@localhost>'),
  /** The web app's base URL, for links in e-mails. */
  PUBLIC_URL: z.string().url().optional(),
  RBM_SMTP_PORT: z.coerce.number().int().default(1025),
  RBM_MAIL_UI_PORT: z.coerce.number().int().default(8025),
  /** Signs session cookies; unset: a random secret at each start (everyone signs in again). */
  RBM_SESSION_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  /**
   * Behind TLS proxies: trust X-Forwarded-* from that many hops ("true" = 1; never the whole chain)
   * or from the proxies' addresses/CIDRs ("10.0.0.2,172.16.0.0/12"); cookies are then Secure over HTTPS.
   */
  RBM_TRUST_PROXY: z.string().default('false').transform((v, c) => {
    if (v === 'false' || v === '0') return false;
    if (v === 'true') return 1;
    if (/^\d+$/.test(v)) return Number(v);
    if (/^[\w.:/-]+(\s*,\s*[\w.:/-]+)*$/.test(v)) return v;
    c.addIssue({ code: 'custom', message: 'false, true, a number of proxy hops, or the proxies\' addresses (comma-separated)' });
    return z.NEVER;
  }),
  RBM_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** The sources file: where each project's indicator data is gathered from, and when. */
  RBM_SOURCES_FILE: z.string().default(DEFAULT_SOURCES_FILE),
  /**
   * The keys that encrypt every Temporal payload: "id:base64key,id2:base64key" (32-byte keys), the
   * first encrypts, all decrypt. Or RBM_PAYLOAD_KEY_FILE: a file with the same entries (one a line).
   * Neither, with embedded services: a key generated once into RBM_DATA_DIR/payload-keys.
   */
  RBM_PAYLOAD_KEYS: z.string().transform((text, c) => parseKeysOrIssue(text, c)).optional(),
  RBM_PAYLOAD_KEY_FILE: z.string().optional(),
  /** mTLS to the Temporal frontend: client certificate and key, and the CA of the server's certificate (PEM files). */
  TEMPORAL_TLS_CERT: z.string().optional(),
  TEMPORAL_TLS_KEY: z.string().optional(),
  TEMPORAL_TLS_CA: z.string().optional(),
  /** The name in the server's certificate when it differs from the host of TEMPORAL_ADDRESS. */
  TEMPORAL_TLS_SERVER_NAME: z.string().optional(),
  /** Origins (comma-separated) of the Temporal UI allowed to call the codec endpoint (CORS). */
  RBM_TEMPORAL_UI_ORIGINS: z.string().optional(),
  /**
   * Prometheus GET /metrics of this process on its own listener: "PORT" (on 127.0.0.1) or "HOST:PORT".
   * Unset: no metrics listener. Never the web port: see SECURITY.md.
   */
  RBM_METRICS_ADDRESS: z.string().transform((v, c) => {
    try {
      return parseMetricsAddress(v);
    } catch (e) {
      c.addIssue({ code: 'custom', message: (e as Error).message });
      return z.NEVER;
    }
  }).optional(),
}).superRefine((e, c) => {
  if (!!e.TEMPORAL_TLS_CERT !== !!e.TEMPORAL_TLS_KEY) c.addIssue({ code: 'custom', path: ['TEMPORAL_TLS_CERT'], message: 'TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together' });
  if (e.RBM_PAYLOAD_KEYS && e.RBM_PAYLOAD_KEY_FILE) c.addIssue({ code: 'custom', path: ['RBM_PAYLOAD_KEYS'], message: 'set RBM_PAYLOAD_KEYS or RBM_PAYLOAD_KEY_FILE, not both' });
});

/** Where a process serves its Prometheus metrics (RBM_METRICS_ADDRESS, `--metrics`). */
export interface MetricsAddress {
  host: string;
  port: number;
}

/**
 * "9464" (loopback: the safe default, a scraper on the same host or a tunnel), "0.0.0.0:9464" (a
 * container whose port is reached on a private network only) or "[::1]:9464".
 */
export function parseMetricsAddress(text: string): MetricsAddress {
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|[\w.-]+):)?(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) throw new Error(`"${text}": write PORT (on 127.0.0.1) or HOST:PORT, e.g. 9464 or 0.0.0.0:9464`);
  return { host: m[1] ? m[1].replace(/^\[|\]$/g, '') : '127.0.0.1', port };
}

/** A key of the payload codec (runtime/payload-codec.ts). */
export interface PayloadKey {
  id: string;
  /** 32 bytes (AES-256). */
  key: Buffer;
}

/**
 * "id:base64,id:base64" or one entry a line (# comments); the first is the current key. The error
 * never quotes a key.
 */
export function parsePayloadKeys(text: string): PayloadKey[] {
  const entries = text.split(/[,\n]/).map((s) => s.trim()).filter((s) => s && !s.startsWith('#'));
  if (!entries.length) throw new Error('no key: write id:base64key (a 32-byte key, e.g. `openssl rand -base64 32`)');
  const keys = entries.map((entry, i) => {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(id)) throw new Error(`entry ${i + 1}: write id:base64key, the id made of letters, digits, . _ -`);
    const b64 = entry.slice(colon + 1);
    const key = Buffer.from(b64, 'base64');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || key.length !== 32) throw new Error(`key ${id}: not 32 bytes in base64 (make one with \`openssl rand -base64 32\`)`);
    return { id, key };
  });
  const ids = new Set<string>();
  for (const k of keys) {
    if (ids.has(k.id)) throw new Error(`key id ${k.id} appears twice`);
    ids.add(k.id);
  }
  return keys;
}

function parseKeysOrIssue(text: string, c: z.RefinementCtx): PayloadKey[] {
  try {
    return parsePayloadKeys(text);
  } catch (e) {
    c.addIssue({ code: 'custom', message: (e as Error).message });
    return z.NEVER;
  }
}

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
  /** RBM_DB_POOL_MAX: connections this process may hold to RBM Flow's PostgreSQL. */
  dbPoolMax: number;
  /** RBM_RENDER_CONCURRENCY: reports a worker renders at once. */
  renderConcurrency: number;
  smtpUrl: string | undefined;
  mailFrom: string;
  publicUrl: string;
  embeddedSmtpPort: number;
  embeddedMailUiPort: number;
  logLevel: z.infer<typeof EnvSchema>['RBM_LOG_LEVEL'];
  sessionSecret: string | undefined;
  /** false: trust no X-Forwarded-* header; a number: that many proxy hops; a string: the proxies' addresses. */
  trustProxy: false | number | string;
  sourcesFile: string;
  /** Configured payload keys (RBM_PAYLOAD_KEYS), or undefined: see runtime/payload-keys.ts. */
  payloadKeys: PayloadKey[] | undefined;
  payloadKeyFile: string | undefined;
  /** mTLS to Temporal: PEM file paths (undefined: plain TCP, as to the embedded dev server). */
  temporalTls: { certFile: string | undefined; keyFile: string | undefined; caFile: string | undefined; serverName: string | undefined } | undefined;
  /** Origins allowed to call POST /codec/* from a browser (the Temporal UI). */
  temporalUiOrigins: string[];
  /** The Prometheus metrics listener of this process (RBM_METRICS_ADDRESS); undefined: none. */
  metricsAddress: MetricsAddress | undefined;
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
    dbPoolMax: e.RBM_DB_POOL_MAX,
    renderConcurrency: e.RBM_RENDER_CONCURRENCY,
    logLevel: e.RBM_LOG_LEVEL,
    sessionSecret: e.RBM_SESSION_SECRET,
    trustProxy: e.RBM_TRUST_PROXY,
    sourcesFile: path.resolve(e.RBM_SOURCES_FILE),
    payloadKeys: e.RBM_PAYLOAD_KEYS,
    payloadKeyFile: e.RBM_PAYLOAD_KEY_FILE ? path.resolve(e.RBM_PAYLOAD_KEY_FILE) : undefined,
    temporalTls: e.TEMPORAL_TLS_CERT || e.TEMPORAL_TLS_CA
      ? {
          certFile: e.TEMPORAL_TLS_CERT && path.resolve(e.TEMPORAL_TLS_CERT),
          keyFile: e.TEMPORAL_TLS_KEY && path.resolve(e.TEMPORAL_TLS_KEY),
          caFile: e.TEMPORAL_TLS_CA && path.resolve(e.TEMPORAL_TLS_CA),
          serverName: e.TEMPORAL_TLS_SERVER_NAME,
        }
      : undefined,
    temporalUiOrigins: e.RBM_TEMPORAL_UI_ORIGINS
      ? e.RBM_TEMPORAL_UI_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean)
      : [`http://127.0.0.1:${e.RBM_TEMPORAL_UI_PORT}`, `http://localhost:${e.RBM_TEMPORAL_UI_PORT}`],
    metricsAddress: e.RBM_METRICS_ADDRESS,
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
