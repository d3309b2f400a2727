/**
 * A form submissions API in the style of KoboToolbox (`/api/v2/assets/<uid>/data/`: token auth,
 * {"results": [...], "next": url}, a `query` filter on _submission_time) or ODK Central's OData feed
 * (Bearer token, $top/$skip, {"value": [...]}, a $filter on __system/submissionDate).
 *
 * Incremental: with `since`, only submissions at or after the watermark are asked for (inclusive, so
 * that a submission sharing the watermark's second is never lost), and those at the watermark already
 * read (by id) are skipped. The new watermark is the latest submission time seen with the ids at that
 * time; the caller stores it only after the rows are stored, so a failed run is pulled again whole.
 *
 * Submissions become long-format rows through the mapping of the configuration: each mapped field of
 * a submission is the value of one indicator, in the period and disaggregation the mapping says. A
 * later submission for the same cell is a correction of the earlier one: the latest wins.
 */
import { tryParsePeriod } from '../domain/periods.js';
import type { FieldOrConstantValue, FormApiSourceDefinition } from './config.js';
import { describeRef, resolveSecret, type SecretEnv } from './credentials.js';
import { SourceFailure } from './errors.js';
import { httpGetJson, shownUrl } from './http.js';
import type { Watermark } from './gather-types.js';
import { emptyRow, type StagedRow } from './staging.js';

type Submission = Record<string, unknown>;

export interface FormApiFetch {
  rows: StagedRow[];
  submissions: number;
  pages: number;
  /** Submissions at the watermark already read by an earlier run, left out. */
  alreadyRead: number;
  /** The latest submission time seen and the ids at it (or the previous watermark when none is newer). */
  watermark: Watermark | null;
}

export interface FetchContext {
  watermark: Watermark | null;
  env: SecretEnv;
  /** Called after each page (heartbeat). */
  progress?: (p: { pages: number; submissions: number }) => void;
  signal?: AbortSignal;
}

const MAX_PAGES = 100_000;

export async function fetchFormApi(s: FormApiSourceDefinition, c: FetchContext): Promise<FormApiFetch> {
  const token = s.auth ? await resolveSecret(s.auth.token, c.env) : undefined;
  const headers: Record<string, string> = token && s.auth ? { authorization: `${s.auth.scheme} ${token}` } : {};
  // The token goes only to the origin of the configured URL: pages and redirects elsewhere are refused.
  const origin = new URL(s.url).origin;
  const get = (url: string) => httpGetJson(url, {
    headers, timeoutMs: s.timeoutSeconds * 1000, credential: s.auth ? describeRef(s.auth.token) : undefined, signal: c.signal,
    origin, maxBytes: s.maxResponseMegabytes * 1024 ** 2, source: s.id,
  });
  const submissions: Submission[] = [];
  let pages = 0;
  let url: string | null = firstPageUrl(s, c.watermark?.at ?? null);
  const visited = new Set<string>();
  while (url) {
    if (visited.has(url) || pages >= MAX_PAGES) throw SourceFailure.badAnswer(`${shownUrl(s.url)}: the pages do not end (page ${pages + 1} points back to a page already read)`);
    visited.add(url);
    const body = await get(url);
    pages++;
    const records = pageRecords(s, body, pages);
    submissions.push(...records);
    c.progress?.({ pages, submissions: submissions.length });
    url = nextPageUrl(s, body, url, records.length, pages);
  }
  const fresh = unreadSubmissions(s, submissions, c.watermark);
  return {
    rows: submissionsToRows(s, fresh), submissions: submissions.length, alreadyRead: submissions.length - fresh.length, pages,
    watermark: nextWatermark(s, submissions, c.watermark),
  };
}

function firstPageUrl(s: FormApiSourceDefinition, watermark: string | null): string {
  const u = new URL(s.url);
  if (s.paging.style === 'next-url') u.searchParams.set(s.paging.pageSizeParam, String(s.paging.pageSize));
  else {
    u.searchParams.set(s.paging.limitParam, String(s.paging.pageSize));
    u.searchParams.set(s.paging.offsetParam, '0');
  }
  if (s.since && watermark) u.searchParams.set(s.since.param, s.since.template.split('{since}').join(watermark));
  return u.toString();
}

function nextPageUrl(s: FormApiSourceDefinition, body: unknown, current: string, count: number, pages: number): string | null {
  if (s.paging.style === 'next-url') {
    const next = (body as Record<string, unknown>)[s.paging.next];
    if (next === null || next === undefined || next === '') return null;
    if (typeof next !== 'string') throw SourceFailure.badAnswer(`${shownUrl(s.url)}: page ${pages} has a "${s.paging.next}" that is not a URL`);
    let url: URL;
    try {
      url = new URL(next, current);
    } catch {
      throw SourceFailure.badAnswer(`${shownUrl(s.url)}: page ${pages} has a "${s.paging.next}" that is not a URL`);
    }
    const origin = new URL(s.url).origin;
    if (url.origin !== origin) {
      throw SourceFailure.badAnswer(
        `source "${s.id}": page ${pages} points its next page to ${url.origin}, another origin than ${origin} (that of the source's URL): not followed, the token of the source is sent only to ${origin}`,
      );
    }
    return url.toString();
  }
  if (count < s.paging.pageSize) return null;
  const u = new URL(current);
  u.searchParams.set(s.paging.offsetParam, String(Number(u.searchParams.get(s.paging.offsetParam) ?? '0') + count));
  return u.toString();
}

function pageRecords(s: FormApiSourceDefinition, body: unknown, page: number): Submission[] {
  let node: unknown = body;
  for (const key of s.paging.records.split('.')) node = node && typeof node === 'object' && !Array.isArray(node) ? (node as Record<string, unknown>)[key] : undefined;
  if (!Array.isArray(node)) {
    throw SourceFailure.badAnswer(`${shownUrl(s.url)}: page ${page} is not a page of submissions (no "${s.paging.records}" array in the answer)`);
  }
  return node.map((r, i) => {
    if (!r || typeof r !== 'object' || Array.isArray(r)) throw SourceFailure.badAnswer(`${shownUrl(s.url)}: page ${page}, submission ${i + 1} is not an object`);
    return r as Submission;
  });
}

/** A field of a submission; "a/b" or "a.b" reach into groups (Kobo names grouped questions "group/question"). */
export function fieldOf(sub: Submission, field: string): unknown {
  if (field in sub) return sub[field];
  let node: unknown = sub;
  for (const key of field.split(/[./]/)) node = node && typeof node === 'object' && !Array.isArray(node) ? (node as Record<string, unknown>)[key] : undefined;
  return node;
}

const text = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'string' ? v.trim() : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v));

function resolveValue(sub: Submission, spec: FieldOrConstantValue): string {
  if ('value' in spec) return spec.value;
  const raw = text(fieldOf(sub, spec.field));
  return spec.map && raw in spec.map ? spec.map[raw]! : raw;
}

/** The period of a submission: the field's text, or its date turned into a period; what is not a date is passed on for the import to reject. */
function periodOf(s: FormApiSourceDefinition, sub: Submission): string {
  const p = s.mapping.period;
  if ('field' in p) return text(fieldOf(sub, p.field));
  const raw = text(fieldOf(sub, p.dateField));
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(raw);
  if (!m) return raw;
  const [year, month] = [Number(m[1]), Number(m[2])];
  const id = p.as === 'month' ? `${m[1]}-${m[2]}` : p.as === 'quarter' ? `${year}-Q${Math.ceil(month / 3)}` : p.as === 'half' ? `${year}-H${month <= 6 ? 1 : 2}` : `${year}`;
  return tryParsePeriod(id)?.id ?? raw;
}

/** The rows of the submissions, the latest submission winning for a cell (by `since.field`, then order). */
export function submissionsToRows(s: FormApiSourceDefinition, submissions: Submission[]): StagedRow[] {
  const ordered = s.since ? [...submissions].map((sub, i) => ({ sub, i })).sort((a, b) => compare(text(fieldOf(a.sub, s.since!.field)), text(fieldOf(b.sub, s.since!.field))) || a.i - b.i).map((x) => x.sub) : submissions;
  const cells = new Map<string, StagedRow>();
  for (const sub of ordered) {
    const period = periodOf(s, sub);
    const id = text(fieldOf(sub, s.mapping.idField));
    for (const v of s.mapping.values) {
      const value = text(fieldOf(sub, v.field));
      if (value === '') continue; // a question left empty is no value
      const row = emptyRow();
      row.project_code = s.project;
      row.indicator_code = v.indicator;
      row.period = period;
      row.value = value;
      for (const [dim, spec] of Object.entries({ ...s.mapping.disaggregation, ...v.disaggregation })) {
        if (spec) row[dim as keyof StagedRow] = resolveValue(sub, spec);
      }
      if (v.numeratorField) row.numerator = text(fieldOf(sub, v.numeratorField));
      if (v.denominatorField) row.denominator = text(fieldOf(sub, v.denominatorField));
      row.source = s.id;
      row.comment = id ? `submission ${id}` : '';
      const key = [row.project_code, row.indicator_code, row.period, row.sex, row.age_group, row.population_type, row.nationality, row.location].join('\u0001');
      cells.delete(key); // keep the order of the latest
      cells.set(key, row);
    }
  }
  return [...cells.values()];
}

/** The submissions not read before: those at the watermark's time whose id it lists are left out. */
export function unreadSubmissions(s: FormApiSourceDefinition, submissions: Submission[], watermark: Watermark | null): Submission[] {
  if (!s.since || !watermark?.ids.length) return submissions;
  const seen = new Set(watermark.ids);
  return submissions.filter((sub) => text(fieldOf(sub, s.since!.field)) !== watermark.at || !seen.has(text(fieldOf(sub, s.mapping.idField))));
}

/** The latest submission time of the pull, with the ids at that time (merged with the previous ones at the same time). */
export function nextWatermark(s: FormApiSourceDefinition, submissions: Submission[], previous: Watermark | null): Watermark | null {
  if (!s.since) return null;
  let at = previous?.at ?? null;
  for (const sub of submissions) {
    const t = text(fieldOf(sub, s.since.field));
    if (t && (at === null || compare(t, at) > 0)) at = t;
  }
  if (at === null) return null;
  const ids = new Set(previous && previous.at === at ? previous.ids : []);
  for (const sub of submissions) {
    const id = text(fieldOf(sub, s.mapping.idField));
    if (id && text(fieldOf(sub, s.since.field)) === at) ids.add(id);
  }
  return { at, ids: [...ids].sort() };
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
