/**
 * The history of an indicator's values as a reader sees it: every revision of each cell (period and
 * disaggregation), the current value first, then the earlier ones, each with who entered it, when,
 * from where, and what the next revision changed. A correction never overwrites a value: it is a new
 * revision and the old one stays, superseded (db/values-repository.ts). Pure functions.
 */
import { parsePeriod, type PeriodKind } from './periods.js';
import { DISAGGREGATION_DIMENSIONS, type Disaggregation, type IndicatorType } from './results-framework.js';

/** One stored revision of a value, current (supersededAt null) or superseded. */
export interface ValueRevision {
  id: number;
  period: string;
  disaggregation: Disaggregation;
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  text: string | null;
  source: string;
  comment: string;
  evidenceUrl: string;
  enteredBy: string;
  /** The user's name when `enteredBy` is a user (a loader or a data source is not). */
  enteredByName: string | null;
  /** ISO timestamps in UTC with microseconds. */
  enteredAt: string;
  supersededAt: string | null;
  importBatchId: number | null;
  /** The file's name when the value came from an import batch. */
  importFileName: string | null;
}

export interface FieldChange {
  field: 'value' | 'source' | 'comment' | 'evidence link';
  before: string;
  after: string;
}

export interface RevisionView extends ValueRevision {
  current: boolean;
  /** The value as a reader reads it: "45% (9 / 20)", "yes", "1,250", or the text. */
  shown: string;
  /** "Salma Ben Ali (me.officer)", or the id when it is not a user. */
  by: string;
  /** The evidence link when it is an http(s) URL (anything else is shown as text, never linked). */
  evidenceLink: string | null;
  /** What this revision changed from the one it replaced (empty for the first revision of a cell). */
  changes: FieldChange[];
  /** Superseded revisions: who entered the revision that replaced it (its time is supersededAt). */
  replacedBy: string | null;
}

export interface CellHistory {
  period: string;
  disaggregation: Disaggregation;
  /** "total", or e.g. "sex: female · location: Tripoli". */
  cell: string;
  /** The current value; null when every revision of the cell is superseded. */
  current: RevisionView | null;
  /** Older revisions, newest first. */
  earlier: RevisionView[];
}

/** "total", or the cell's categories, e.g. "sex: female · location: Tripoli". */
export const cellLabel = (d: Disaggregation): string =>
  DISAGGREGATION_DIMENSIONS.filter((k) => d[k]).map((k) => `${k.replace('_', ' ')}: ${d[k]}`).join(' · ') || 'total';

const cellKey = (period: string, d: Disaggregation) => [period, ...DISAGGREGATION_DIMENSIONS.map((k) => d[k] ?? '')].join('\u0000');

/** A number with thousands separators and at most two decimals, independent of the machine's locale. */
export function formatNumber(n: number): string {
  const rounded = Math.round(n * 100) / 100;
  const [int, frac] = String(Math.abs(rounded)).split('.');
  const grouped = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${rounded < 0 ? '-' : ''}${grouped}${frac ? `.${frac}` : ''}`;
}

/** A figure of an indicator of `type` (an actual, a target, a cumulative): "—" when there is none. */
export function formatFigure(n: number | null | undefined, type: IndicatorType): string {
  if (n === null || n === undefined) return '—';
  if (type === 'yes_no') return n >= 1 ? 'yes' : 'no';
  if (type === 'percentage') return `${formatNumber(n)}%`;
  return formatNumber(n);
}

/** A stored value as a reader reads it. */
export function shownValue(r: Pick<ValueRevision, 'value' | 'numerator' | 'denominator' | 'text'>, type: IndicatorType): string {
  if (r.text) return r.text;
  if (r.value === null) return '—';
  const parts = r.numerator !== null && r.denominator !== null ? ` (${formatNumber(r.numerator)} / ${formatNumber(r.denominator)})` : '';
  return formatFigure(r.value, type) + parts;
}

/** True for an absolute http:// or https:// URL: only those become links on a page. */
export function isHttpUrl(text: string | null | undefined): boolean {
  if (!text) return false;
  try {
    const u = new URL(text);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** What `newer` changed from `older` (value with its parts, source, comment, evidence link). */
export function changesBetween(older: ValueRevision, newer: ValueRevision, type: IndicatorType): FieldChange[] {
  const out: FieldChange[] = [];
  const before = shownValue(older, type);
  const after = shownValue(newer, type);
  if (before !== after) out.push({ field: 'value', before, after });
  if (older.source !== newer.source) out.push({ field: 'source', before: older.source, after: newer.source });
  if (older.comment !== newer.comment) out.push({ field: 'comment', before: older.comment, after: newer.comment });
  if (older.evidenceUrl !== newer.evidenceUrl) out.push({ field: 'evidence link', before: older.evidenceUrl, after: newer.evidenceUrl });
  return out;
}

const byOf = (r: ValueRevision) => (r.enteredByName ? `${r.enteredByName} (${r.enteredBy})` : r.enteredBy);

/**
 * Revisions grouped per cell, cells in the order they come (the repository sorts by period and cell),
 * each cell's revisions newest first: the current one, then the earlier ones with who replaced them.
 */
export function groupRevisions(rows: ValueRevision[], type: IndicatorType): CellHistory[] {
  const groups = new Map<string, ValueRevision[]>();
  for (const r of rows) {
    const key = cellKey(r.period, r.disaggregation);
    const list = groups.get(key) ?? [];
    list.push(r);
    groups.set(key, list);
  }
  const cells: CellHistory[] = [];
  for (const list of groups.values()) {
    // Newest first; the current revision (not superseded) ahead of any other.
    const sorted = [...list].sort((a, b) =>
      (a.supersededAt === null ? 0 : 1) - (b.supersededAt === null ? 0 : 1) || b.enteredAt.localeCompare(a.enteredAt) || b.id - a.id);
    const views: RevisionView[] = sorted.map((r, i) => {
      const older = sorted[i + 1];
      const newer = i > 0 ? sorted[i - 1]! : null;
      return {
        ...r,
        current: r.supersededAt === null,
        shown: shownValue(r, type),
        by: byOf(r),
        evidenceLink: isHttpUrl(r.evidenceUrl) ? r.evidenceUrl : null,
        changes: older ? changesBetween(older, r, type) : [],
        replacedBy: r.supersededAt !== null && newer ? byOf(newer) : null,
      };
    });
    const first = views[0]!;
    cells.push({
      period: first.period,
      disaggregation: first.disaggregation,
      cell: cellLabel(first.disaggregation),
      current: first.current ? first : null,
      earlier: first.current ? views.slice(1) : views,
    });
  }
  return cells;
}

const MONTHS_PER: Record<PeriodKind, number> = { month: 1, quarter: 3, half: 6, year: 12 };

/**
 * The periods of `kind` from the one that contains `startDate` (an ISO date) to the one that contains
 * the last day of `through`, in order: for quarters, the same as domain/report-model.ts projectQuartersTo.
 */
export function periodsOfKindTo(kind: PeriodKind, startDate: string, through: string): string[] {
  const last = parsePeriod(through).end;
  const months = MONTHS_PER[kind];
  const indexOf = (iso: string) => Number(iso.slice(0, 4)) * 12 + Math.floor((Number(iso.slice(5, 7)) - 1) / months) * months;
  const out: string[] = [];
  for (let m = indexOf(startDate); m <= indexOf(last); m += months) {
    const year = Math.floor(m / 12);
    const index = (m % 12) / months + 1;
    out.push(kind === 'year' ? `${year}` : kind === 'month' ? `${year}-${String(index).padStart(2, '0')}` : `${year}-${kind === 'quarter' ? 'Q' : 'H'}${index}`);
  }
  return out;
}
