/**
 * The mission-wide library of common indicators ("developing common indicators for all projects and
 * programmes ... to produce mission overviews of achievement"): each entry is defined once for the
 * mission, and a project indicator may link to one so that the mission overview rolls the linked
 * indicators of every project into one line (domain/rollup.ts).
 *
 * The one rule a link must follow: a project indicator links only to a common indicator of its own
 * type, because the roll-up rules depend on the type (counts are summed, percentages are the ratio of
 * the summed parts, yes/no are counted). `commonLinkProblem` says why a link is refused;
 * `indicatorSchemaFor` is the indicator schema with that rule, for callers that validate with zod.
 *
 * The library file (`rbm common-indicators import FILE`, CSV or XLSX): one entry per row, a header row
 * with these columns in any order (case, spaces and "-" do not matter):
 *   code (required)     e.g. CI-PROT-01: letters, digits, ".", "_", "-"; at most 50 characters
 *   title (required)    the indicator, as it appears on the mission overview
 *   type (required)     count, percentage, ratio, yes_no or qualitative
 *   unit                e.g. people, %
 *   time_aggregation    sum (default), latest, max or average
 *   direction           increase (default) or decrease
 *   definition          what is counted and how (the indicator reference sheet)
 *   sector              the sector or thematic area, e.g. Protection, DTM
 *   frameworks          framework node codes separated by ";" (UNSDCF outputs, SDG targets, GCM objectives)
 *   illustrative        yes for invented demo entries, otherwise no (default)
 *   validation_rule     a rule between common indicators, e.g. "CI-TRAINED <= CI-ENROLLED" (codes of the
 *                       library joined by "+", compared with <=, >=, =, < or >): a data-quality warning
 *                       in every project that links indicators to every code it names
 * An existing code is updated, a new one is added; entries the file does not list are kept.
 * `readLibraryRows` checks the rows (pure); the use case (app/common-indicators.ts) adds the checks
 * that need the database.
 */
import { z } from 'zod';
import { DIRECTIONS, INDICATOR_TYPES, IndicatorSchema, TIME_AGGREGATIONS, type Indicator, type IndicatorType } from './results-framework.js';
import { clip, looksLikeFormula, parseYesNo } from './value-rules.js';
import { parseRuleExpression } from './data-quality.js';

export const COMMON_CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/;
const CODE_MESSAGE = 'is not a common indicator code: letters, digits, ".", "_" or "-", at most 50 characters, e.g. CI-PROT-01';

export const CommonIndicatorSchema = z.object({
  code: z.string().regex(COMMON_CODE_PATTERN, CODE_MESSAGE),
  title: z.string().trim().min(1, 'the title is required').max(500, 'is longer than 500 characters'),
  type: z.enum(INDICATOR_TYPES),
  unit: z.string().max(50, 'is longer than 50 characters').default(''),
  timeAggregation: z.enum(TIME_AGGREGATIONS).default('sum'),
  direction: z.enum(DIRECTIONS).default('increase'),
  /** What is counted and how: the indicator reference sheet in a sentence or two. */
  definition: z.string().max(4000, 'is longer than 4000 characters').default(''),
  /** Sector or thematic area (e.g. Protection, DTM, Health). */
  sector: z.string().max(200, 'is longer than 200 characters').default(''),
  /** Framework nodes it reports against (UNSDCF outputs, SDG targets, GCM objectives), by code. */
  frameworkNodes: z.array(z.string().min(1)).default([]),
  /** Invented for the demo. */
  illustrative: z.boolean().default(false),
  /** A validation rule between common indicators ("CI-TRAINED <= CI-ENROLLED"), checked in every project linking them. */
  validationRule: z.string().max(500, 'is longer than 500 characters').optional(),
});
export type CommonIndicator = z.infer<typeof CommonIndicatorSchema>;

/** What a link check and the roll-up need of an entry. */
export type CommonIndicatorRef = Pick<CommonIndicator, 'code' | 'title' | 'type' | 'unit' | 'direction'>;
/** The library by code. */
export type CommonIndicatorLibrary = ReadonlyMap<string, CommonIndicatorRef>;

export const libraryOf = (entries: Iterable<CommonIndicatorRef>): CommonIndicatorLibrary => new Map([...entries].map((e) => [e.code, e]));

const TYPE_WORD: Record<IndicatorType, string> = { count: 'count', percentage: 'percentage', ratio: 'ratio', yes_no: 'yes/no', qualitative: 'qualitative' };
const article = (w: string) => (/^[aeiou]/.test(w) ? 'an' : 'a');
export const typeWord = (t: IndicatorType): string => `${article(TYPE_WORD[t])} ${TYPE_WORD[t]}`;

/**
 * Why `indicator` may not link to its common indicator, or null when it may (or links to none).
 * `seeAlso`: where the user finds the library.
 */
export function commonLinkProblem(
  indicator: Pick<Indicator, 'type' | 'commonIndicatorCode'>,
  library: CommonIndicatorLibrary,
  seeAlso = 'see `rbm common-indicators list`',
): string | null {
  const code = indicator.commonIndicatorCode;
  if (code === null || code === '') return null;
  const entry = library.get(code);
  if (!entry) return `"${clip(code)}" is not in the common indicator library (${seeAlso})`;
  if (entry.type !== indicator.type) {
    return `${code} "${clip(entry.title, 60)}" is ${typeWord(entry.type)} indicator: ${typeWord(indicator.type)} indicator cannot link to it (the roll-up adds up only indicators of the same type)`;
  }
  return null;
}

/** The indicator schema with the link rule, against `library`: the problem is on `commonIndicatorCode`. */
export function indicatorSchemaFor(library: CommonIndicatorLibrary) {
  return IndicatorSchema.superRefine((i, ctx) => {
    const problem = commonLinkProblem(i, library);
    if (problem) ctx.addIssue({ code: 'custom', path: ['commonIndicatorCode'], message: problem });
  });
}

// ---- the library file ------------------------------------------------------------------------------

export const LIBRARY_COLUMNS = ['code', 'title', 'type', 'unit', 'time_aggregation', 'direction', 'definition', 'sector', 'frameworks', 'illustrative', 'validation_rule'] as const;
export type LibraryColumn = (typeof LIBRARY_COLUMNS)[number];
export const REQUIRED_LIBRARY_COLUMNS: readonly LibraryColumn[] = ['code', 'title', 'type'];

/** One problem of a library file, where the user sees it (header = row 1; column = its header name). */
export interface LibraryIssue {
  file: string;
  row: number | null;
  column: string | null;
  message: string;
}

/** A row as read from the file: the text of each cell, and problems with cells that are not data (formulas). */
export interface LibraryRow {
  row: number;
  cells: string[];
  issues?: Array<{ column: number; message: string }>;
}

export interface LibraryReading {
  entries: Array<CommonIndicator & { row: number }>;
  issues: LibraryIssue[];
}

const normaliseHeader = (name: string) => name.trim().toLowerCase().replace(/[\s-]+/g, '_');
const choiceKey = (text: string) => text.trim().toLowerCase().replace(/[\s/-]+/g, '_');

/**
 * Checks the rows of a library file: the header (first non-blank row), then every row; every problem
 * is listed. `frameworkNodes`: the codes that exist. Pure.
 */
export function readLibraryRows(file: string, rows: LibraryRow[], frameworkNodes: ReadonlySet<string>): LibraryReading {
  const issues: LibraryIssue[] = [];
  const add = (row: number | null, column: string | null, message: string) => issues.push({ file, row, column, message });
  const blank = (r: LibraryRow) => r.cells.every((c) => c.trim() === '') && !r.issues?.length;
  const data = rows.filter((r) => !blank(r));
  const head = data.shift();
  if (!head) {
    add(null, null, `is empty: it needs a header row (${REQUIRED_LIBRARY_COLUMNS.join(', ')}, ...) and one row per common indicator`);
    return { entries: [], issues };
  }
  // The header.
  if (head.cells.length === 1 && /[;\t|]/.test(head.cells[0]!)) {
    add(head.row, null, 'the header is one cell: separate the columns with commas (save the file as "CSV UTF-8 (comma delimited)")');
    return { entries: [], issues };
  }
  for (const i of head.issues ?? []) add(head.row, `column ${i.column + 1}`, i.message);
  const columns = new Map<LibraryColumn, number>();
  head.cells.forEach((raw, i) => {
    const name = normaliseHeader(raw);
    if (!name) {
      if (data.some((r) => (r.cells[i] ?? '').trim() !== '')) add(head.row, `column ${i + 1}`, `column ${i + 1} holds data but has no header`);
      return;
    }
    const known = (LIBRARY_COLUMNS as readonly string[]).includes(name) ? (name as LibraryColumn) : undefined;
    if (!known) add(head.row, raw.trim(), `unknown column "${clip(raw.trim())}": the columns are ${LIBRARY_COLUMNS.join(', ')}`);
    else if (columns.has(known)) add(head.row, raw.trim(), `the column ${known} appears twice (columns ${columns.get(known)! + 1} and ${i + 1})`);
    else columns.set(known, i);
  });
  const missing = REQUIRED_LIBRARY_COLUMNS.filter((c) => !columns.has(c));
  for (const c of missing) add(head.row, c, `the required column ${c} is missing`);
  if (missing.length) return { entries: [], issues };
  if (!data.length) {
    add(head.row, null, 'has a header but no common indicators');
    return { entries: [], issues };
  }

  const entries: LibraryReading['entries'] = [];
  const firstRow = new Map<string, number>();
  const nameOf = new Map([...columns].map(([k, i]) => [i, k]));
  for (const r of data) {
    const before = issues.length;
    for (const i of r.issues ?? []) add(r.row, nameOf.get(i.column) ?? `column ${i.column + 1}`, i.message);
    const refused = new Set((r.issues ?? []).map((i) => i.column));
    const cell = (c: LibraryColumn): string => {
      const i = columns.get(c);
      return i === undefined || refused.has(i) ? '' : (r.cells[i] ?? '').trim();
    };
    const text = (c: LibraryColumn, max: number): string => {
      const t = cell(c);
      if (looksLikeFormula(t)) {
        add(r.row, c, `"${clip(t)}" starts like a spreadsheet formula (= + - @): remove or reword that first character`);
        return '';
      }
      if (t.length > max) add(r.row, c, `is longer than ${max} characters`);
      return t;
    };
    const choice = <T extends string>(c: LibraryColumn, choices: readonly T[], fallback: T | null): T | null => {
      const t = cell(c);
      if (!t) return fallback;
      const found = choices.find((x) => x === choiceKey(t));
      if (!found) add(r.row, c, `"${clip(t)}" is not one of ${choices.join(', ')}`);
      return found ?? null;
    };
    for (const c of REQUIRED_LIBRARY_COLUMNS) if (!cell(c) && !refused.has(columns.get(c)!)) add(r.row, c, `${c} is required`);
    const code = cell('code');
    if (code && !COMMON_CODE_PATTERN.test(code)) add(r.row, 'code', `"${clip(code)}" ${CODE_MESSAGE}`);
    else if (code) {
      const first = firstRow.get(code);
      if (first !== undefined) add(r.row, 'code', `${code} is already defined on row ${first}`);
      else firstRow.set(code, r.row);
    }
    const title = text('title', 500);
    const type = choice('type', INDICATOR_TYPES, null);
    const unit = text('unit', 50);
    const timeAggregation = choice('time_aggregation', TIME_AGGREGATIONS, 'sum');
    const direction = choice('direction', DIRECTIONS, 'increase');
    const definition = text('definition', 4000);
    const sector = text('sector', 200);
    const nodes = [...new Set(text('frameworks', 4000).split(/[;,]/).map((s) => s.trim()).filter(Boolean))];
    for (const n of nodes) if (!frameworkNodes.has(n)) add(r.row, 'frameworks', `unknown framework node "${clip(n)}": give codes of UNSDCF outputs, IOM pillars, SDG targets or GCM objectives (GET /api/v1/frameworks lists them)`);
    let illustrative = false;
    const yn = cell('illustrative');
    if (yn) {
      const parsed = parseYesNo(yn);
      if (parsed.ok) illustrative = parsed.value === 1;
      else add(r.row, 'illustrative', parsed.message);
    }
    const rule = text('validation_rule', 500);
    if (rule) {
      const expr = parseRuleExpression(rule);
      if (!expr.ok) add(r.row, 'validation_rule', expr.message);
    }
    if (issues.length !== before || !type || !timeAggregation || !direction) continue;
    const parsed = CommonIndicatorSchema.safeParse({ code, title, type, unit, timeAggregation, direction, definition, sector, frameworkNodes: nodes.sort(), illustrative, ...(rule ? { validationRule: rule } : {}) });
    if (!parsed.success) {
      for (const z of parsed.error.issues) add(r.row, String(z.path[0] ?? '') || null, z.message);
      continue;
    }
    entries.push({ ...parsed.data, row: r.row });
  }
  return { entries, issues };
}

/** An entry as a row of the library file (the inverse of readLibraryRows), for exports and fixtures. */
export function libraryFileRow(e: CommonIndicator): Record<LibraryColumn, string> {
  return {
    code: e.code, title: e.title, type: e.type, unit: e.unit, time_aggregation: e.timeAggregation, direction: e.direction,
    definition: e.definition, sector: e.sector, frameworks: e.frameworkNodes.join('; '), illustrative: e.illustrative ? 'yes' : 'no',
    validation_rule: e.validationRule ?? '',
  };
}
