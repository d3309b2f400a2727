/**
 * The sources file (RBM_SOURCES_FILE, default sources.json in the repository root; example:
 * sources.example.json): where each project's indicator data lives, how to read it and on what
 * schedule. Validated with zod when read; relative paths are resolved against the file's folder.
 *
 * Credentials are never written here in clear: a credential is a reference, {"env": "KOBO_TOKEN"} or
 * {"file": "/run/secrets/kobo-token"}, resolved by the worker at fetch time (sources/credentials.ts).
 * A reference is all that reaches the database, Temporal's history or a log.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { DISAGGREGATION_DIMENSIONS } from '../domain/results-framework.js';
import { RbmError } from '../domain/errors.js';

/** A reference to a secret: the name of an environment variable, or the path of a file holding it. */
export const SecretRefSchema = z.union([
  z.object({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable') }).strict(),
  z.object({ file: z.string().min(1) }).strict(),
]);
export type SecretRef = z.infer<typeof SecretRefSchema>;

const DURATION = /^\d+(s|m|h|d)$/;
export const ScheduleSchema = z.union([
  /** Every interval, e.g. "6h", "30m", "1d"; `offset` shifts the start within the interval. */
  z.object({ every: z.string().regex(DURATION, 'is a duration like 30m, 6h or 1d'), offset: z.string().regex(DURATION).optional() }).strict(),
  /** A calendar (UTC): at hour:minute, on given days of the week or month (all days when absent). */
  z.object({
    calendar: z.object({
      hour: z.number().int().min(0).max(23).default(2),
      minute: z.number().int().min(0).max(59).default(0),
      dayOfWeek: z.array(z.enum(['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'])).optional(),
      dayOfMonth: z.array(z.number().int().min(1).max(31)).optional(),
    }).strict(),
  }).strict(),
]);
export type SourceSchedule = z.infer<typeof ScheduleSchema>;

const ID = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'is lower case letters, digits, dot, dash or underscore (at most 63)');
const PROJECT = z.string().min(1).max(40);
const DIMENSION = z.enum(DISAGGREGATION_DIMENSIONS);

/** Common to every source. */
const Base = {
  id: ID,
  /** The project whose data this is (a report cycle of the project gathers its sources first). */
  project: PROJECT,
  description: z.string().default(''),
  schedule: ScheduleSchema.optional(),
  /** Fetch attempts (with backoff) before the run fails; invalid configuration and 4xx answers fail at once. */
  retries: z.number().int().min(1).max(20).default(5),
  /** Each HTTP request or SQL query is abandoned after this long (then retried). */
  timeoutSeconds: z.number().positive().max(3600).default(30),
};

const FolderSource = z.object({
  ...Base,
  kind: z.literal('folder'),
  /** The drop folder: CSV, XLSX or JSON files in the long format; done/ and failed/ are made inside it. */
  path: z.string().min(1),
  /**
   * The task queue of the host that sees the folder (e.g. "host-a"): the run's folder activities go
   * there, and only a worker on which the folder exists polls it. Absent: the main queue (one host,
   * or a folder every worker sees).
   */
  taskQueue: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'is a task queue name: letters, digits, dot, dash or underscore').optional(),
}).strict();

/** A value of a disaggregation (or of the period): a constant, or a field of the submission (with a map of its codes). */
const FieldOrConstant = z.union([
  z.object({ value: z.string() }).strict(),
  z.object({ field: z.string().min(1), map: z.record(z.string(), z.string()).optional() }).strict(),
]);

/** The largest answer read from an HTTP source (enforced while it streams): more is refused. */
const MAX_RESPONSE_MEGABYTES = z.number().positive().max(1024).default(20);

const FormApiSource = z.object({
  ...Base,
  kind: z.literal('form-api'),
  maxResponseMegabytes: MAX_RESPONSE_MEGABYTES,
  /** The data endpoint, e.g. https://kf.kobotoolbox.org/api/v2/assets/<uid>/data/ or an ODK Central OData Submissions URL. */
  url: z.string().url(),
  auth: z.object({
    /** The Authorization scheme: "Token" (KoboToolbox), "Bearer" (ODK Central). */
    scheme: z.string().regex(/^[A-Za-z]+$/).default('Token'),
    token: SecretRefSchema,
  }).strict().optional(),
  paging: z.union([
    /** KoboToolbox / DRF style: {"results": [...], "next": "<url of the next page>|null"}. */
    z.object({ style: z.literal('next-url'), records: z.string().default('results'), next: z.string().default('next'), pageSizeParam: z.string().default('limit'), pageSize: z.number().int().positive().default(1000) }).strict(),
    /** OData style (ODK Central): $top/$skip, {"value": [...]}; stops at a short page. */
    z.object({ style: z.literal('offset'), records: z.string().default('value'), limitParam: z.string().default('$top'), offsetParam: z.string().default('$skip'), pageSize: z.number().int().positive().default(500) }).strict(),
  ]).default({ style: 'next-url', records: 'results', next: 'next', pageSizeParam: 'limit', pageSize: 1000 }),
  /**
   * Incremental pulls: the submission field holding its time, and the query parameter that filters on
   * it. `template` is the parameter's value with {since} where the watermark goes, e.g. Kobo:
   * {"_submission_time":{"$gte":"{since}"}}, ODK: __system/submissionDate ge {since}.
   */
  since: z.object({ field: z.string().min(1), param: z.string().min(1), template: z.string().includes('{since}').default('{since}') }).strict().optional(),
  /** How submissions become rows of the long format. */
  mapping: z.object({
    /** The reporting period: a field holding 2025-Q3 / 2025-07 / ..., or a date field turned into a period of the given kind. */
    period: z.union([
      z.object({ field: z.string().min(1) }).strict(),
      z.object({ dateField: z.string().min(1), as: z.enum(['month', 'quarter', 'half', 'year']) }).strict(),
    ]),
    /** Disaggregation shared by every value of a submission (e.g. the location of the clinic). */
    disaggregation: z.partialRecord(DIMENSION, FieldOrConstant).default({}),
    /** Each submission field that is a value of an indicator. */
    values: z.array(z.object({
      field: z.string().min(1),
      indicator: z.string().min(1),
      /** Disaggregation of this value (e.g. field n_women: {"sex": {"value": "female"}}), over the shared one. */
      disaggregation: z.partialRecord(DIMENSION, FieldOrConstant).default({}),
      numeratorField: z.string().optional(),
      denominatorField: z.string().optional(),
    }).strict()).min(1),
    /** The submission's id (for the comment of each row). */
    idField: z.string().default('_id'),
  }).strict(),
}).strict();

const SqlSource = z.object({
  ...Base,
  kind: z.literal('sql'),
  /** The project database's connection string, as a secret reference (it holds the password). */
  connection: SecretRefSchema,
  /**
   * A SELECT whose columns are those of the long format (project_code optional: the source's project);
   * run in a READ ONLY transaction.
   */
  query: z.string().min(1),
}).strict();

const IatiSource = z.object({
  ...Base,
  kind: z.literal('iati'),
  maxResponseMegabytes: MAX_RESPONSE_MEGABYTES,
  /** An IATI 2.03 activity file: a URL or a path. */
  url: z.string().url().optional(),
  file: z.string().min(1).optional(),
  /** Sent as Authorization: <scheme> <token> with a URL. */
  auth: z.object({ scheme: z.string().regex(/^[A-Za-z]+$/).default('Bearer'), token: SecretRefSchema }).strict().optional(),
  /** Default: XM-DAC-47066-<project>. */
  activityId: z.string().optional(),
  /** IATI indicator (reference code or title) -> our indicator code. */
  indicatorMap: z.record(z.string(), z.string()).optional(),
}).strict().refine((s) => Boolean(s.url) !== Boolean(s.file), { message: 'give either url or file (one of them)' });

export const SourceSchema = z.discriminatedUnion('kind', [FolderSource, FormApiSource, SqlSource, IatiSource]);
export type SourceDefinition = z.infer<typeof SourceSchema>;
export type SourceKind = SourceDefinition['kind'];
export type FolderSourceDefinition = z.infer<typeof FolderSource>;
export type FormApiSourceDefinition = z.infer<typeof FormApiSource>;
export type SqlSourceDefinition = z.infer<typeof SqlSource>;
export type IatiSourceDefinition = z.infer<typeof IatiSource>;
export type FieldOrConstantValue = z.infer<typeof FieldOrConstant>;

export const SourcesFileSchema = z.object({
  $schema: z.string().optional(),
  $comment: z.string().optional(),
  /**
   * This worker's scratch folder for the file the import reads, written and removed within one activity
   * (default .rbm/staging beside the file). Not shared: fetched rows are staged in PostgreSQL.
   */
  stagingDir: z.string().optional(),
  sources: z.array(SourceSchema),
}).strict();

export interface SourcesConfig {
  file: string;
  stagingDir: string;
  sources: SourceDefinition[];
  /**
   * Per source id, the SHA-256 of its definition as written (defaults applied, paths not resolved): two
   * workers whose files define a source alike agree on it wherever their files are (sourceDigest).
   */
  digests: Record<string, string>;
}

/** Reads and validates the sources file; a missing file is an empty configuration. */
export async function loadSourcesFile(file: string): Promise<SourcesConfig> {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = await fs.readFile(abs, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { file: abs, stagingDir: defaultStagingDir(abs), sources: [], digests: {} };
    throw new RbmError('invalid_input', `the sources file ${abs} cannot be read (${(e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new RbmError('invalid_input', `the sources file ${abs} is not valid JSON (${(e as Error).message})`);
  }
  return parseSourcesConfig(json, abs);
}

/** Validates a parsed sources file; paths are made absolute against the file's folder. */
export function parseSourcesConfig(json: unknown, file: string): SourcesConfig {
  const parsed = SourcesFileSchema.safeParse(json);
  if (!parsed.success) throw new RbmError('invalid_input', `the sources file ${file} is invalid: ${describeIssues(parsed.error.issues, json)}`);
  const dir = path.dirname(file);
  const seen = new Set<string>();
  for (const s of parsed.data.sources) {
    if (seen.has(s.id)) throw new RbmError('invalid_input', `the sources file ${file} is invalid: source id "${s.id}" appears twice`);
    seen.add(s.id);
  }
  const digests = Object.fromEntries(parsed.data.sources.map((s) => [s.id, sourceDigest(s)]));
  const sources = parsed.data.sources.map((s) => resolvePaths(s, dir));
  return { file, stagingDir: parsed.data.stagingDir ? path.resolve(dir, parsed.data.stagingDir) : defaultStagingDir(file), sources, digests };
}

/** The SHA-256 of a definition as written, over its JSON with keys sorted (the order in the file does not matter). */
export function sourceDigest(s: SourceDefinition): string {
  return createHash('sha256').update(canonicalJson(s), 'utf8').digest('hex');
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The task queues of the folder sources whose folder exists on this host (the worker polls them). */
export async function hostQueuesOf(config: SourcesConfig): Promise<string[]> {
  const queues = new Set<string>();
  for (const s of config.sources) {
    if (s.kind !== 'folder' || !s.taskQueue) continue;
    if (await fs.stat(s.path).then((st) => st.isDirectory(), () => false)) queues.add(s.taskQueue);
  }
  return [...queues].sort();
}

/** Validates one definition again (the worker does, on what a schedule or a caller gave it). */
export function checkSource(value: unknown): SourceDefinition {
  const parsed = SourceSchema.safeParse(value);
  if (!parsed.success) {
    const id = (value as { id?: unknown } | null)?.id;
    throw new RbmError('invalid_input', `source ${typeof id === 'string' ? id : '?'} has an invalid configuration: ${describeIssues(parsed.error.issues, value)}`);
  }
  return parsed.data;
}

const defaultStagingDir = (file: string) => path.join(path.dirname(file), '.rbm', 'staging');

function resolvePaths(s: SourceDefinition, dir: string): SourceDefinition {
  const secret = (r: SecretRef): SecretRef => ('file' in r ? { file: path.resolve(dir, r.file) } : r);
  switch (s.kind) {
    case 'folder':
      return { ...s, path: path.resolve(dir, s.path) };
    case 'form-api':
      return s.auth ? { ...s, auth: { ...s.auth, token: secret(s.auth.token) } } : s;
    case 'sql':
      return { ...s, connection: secret(s.connection) };
    case 'iati':
      return { ...s, ...(s.file ? { file: path.resolve(dir, s.file) } : {}), ...(s.auth ? { auth: { ...s.auth, token: secret(s.auth.token) } } : {}) };
  }
}

function describeIssues(issues: z.core.$ZodIssue[], root: unknown): string {
  return issues.slice(0, 3).map((i) => `${pathLabel(i.path, root)}: ${i.message}`).join('; ');
}

/** sources[2].mapping.values[0].field, with the source id when there is one: sources[2] (kobo-health).… */
function pathLabel(p: PropertyKey[], root: unknown): string {
  let label = '';
  let node: unknown = root;
  for (const key of p) {
    node = node && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined;
    label += typeof key === 'number' ? `[${key}]` : `${label ? '.' : ''}${String(key)}`;
    const id = node && typeof node === 'object' && !Array.isArray(node) ? (node as { id?: unknown }).id : undefined;
    if (typeof key === 'number' && typeof id === 'string') label += ` (${id})`;
  }
  return label || '(top level)';
}
