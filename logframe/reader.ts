/**
 * Reads a logframe workbook (layout: logframe/layout.ts) into a project definition, checking
 * everything before anything is stored: the domain's zod schemas, then the cross-checks a results
 * matrix needs (unknown or misplaced parents, unknown result codes, duplicate codes, framework node
 * and donor codes that do not exist, period columns that are not periods or fall outside the project,
 * numbers that are not numbers, dates that are not dates, formulas and text that starts like one).
 * Every problem is reported with its sheet, row and column; any problem refuses the whole workbook.
 *
 * `readLogframe` is pure (an exceljs Workbook and the codes that exist in, problems out);
 * `loadLogframeWorkbook` reads the file after the zip checks of the data imports.
 */
import fs from 'node:fs/promises';
import ExcelJS from 'exceljs';
import type { Cell, Worksheet } from 'exceljs';
import { commonLinkProblem, type CommonIndicatorLibrary } from '../domain/common-indicators.js';
import { parseRuleExpression, type ValidationRule } from '../domain/data-quality.js';
import { periodLabel, periodWithin, tryParsePeriod } from '../domain/periods.js';
import {
  IndicatorSchema, ProjectSchema, ResultSchema, type DisaggregationDimension, type Indicator, type IndicatorType, type Project,
  type ReportingFrequency, type Result,
} from '../domain/results-framework.js';
import { checkRange, clip, looksLikeFormula, parseNumber, parseYesNo } from '../domain/value-rules.js';
import { inspectWorkbookZip, XLSX_LIMITS, type ZipLimits } from '../imports/zip-inspect.js';
import { FileRefused } from '../imports/issues.js';
import { columnLetter } from '../imports/xlsx-source.js';
import {
  DIRECTIONS, DISAGGREGATION_CHECKS, DISAGGREGATION_DIMENSIONS, INDICATOR_COLUMNS, INDICATOR_TYPES, LEVELS, LIST_SEPARATOR,
  PROJECT_FIELDS, REPORTING_FREQUENCIES, RESULT_COLUMNS, SHEETS, STATUSES, TARGET_PREFIX, TIME_AGGREGATIONS, VALIDATION_RULE_COLUMNS,
  type FieldSpec, type IndicatorField, type LogframeIssue, type ProjectField, type ResultField,
} from './layout.js';

/**
 * An indicator as the workbook defines it: `reportingFrequency` is undefined when the Indicators sheet
 * has no "Reporting frequency" column (a workbook from before it existed), so that an import keeps
 * the stored frequency instead of resetting it.
 */
export type LogframeIndicator = Omit<Indicator, 'reportingFrequency'> & { reportingFrequency?: ReportingFrequency };

/** What the workbook defines. `illustrative` is undefined when the Project sheet does not say. */
export interface LogframeDefinition {
  project: Omit<Project, 'illustrative'> & { illustrative?: boolean };
  results: Result[];
  indicators: LogframeIndicator[];
  /** Undefined when the workbook has no "Validation rules" sheet (the stored rules are kept). */
  validationRules?: ValidationRule[];
}

/** Codes that exist in the database, for the cross-checks. */
export interface KnownCodes {
  frameworkNodes: ReadonlySet<string>;
  donors: ReadonlySet<string>;
  /** The library of common indicators: a project indicator links only to an entry of its own type. */
  commonIndicators: CommonIndicatorLibrary;
  /**
   * The stored projects' codes and other codes: a workbook may not give its project a code or other code
   * that names another project (in any case), or rows and files for that project would land in this one.
   */
  projects: ReadonlyArray<{ code: string; altCode: string | null }>;
}

export type LogframeReading = { ok: true; definition: LogframeDefinition; issues: [] } | { ok: false; issues: LogframeIssue[] };

const MAX_CODE = 50;
/** A logframe is read whole into memory (not streamed like data files): far tighter than a data workbook. */
export const LOGFRAME_LIMITS: ZipLimits = { ...XLSX_LIMITS, maxTotalBytes: 64 * 1024 ** 2 };
const MAX_TEXT = 4000;

/** The workbook as exceljs reads it, after the zip-bomb checks; unreadable files become one issue. */
export async function loadLogframeWorkbook(file: string, filePath: string): Promise<ExcelJS.Workbook | LogframeIssue[]> {
  try {
    await inspectWorkbookZip(file, filePath, LOGFRAME_LIMITS);
    const wb = new ExcelJS.Workbook();
    const bytes = await fs.readFile(filePath);
    await wb.xlsx.load(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    return wb;
  } catch (e) {
    if (e instanceof FileRefused) return e.issues.map((i) => ({ file, sheet: null, row: i.row, column: i.column, message: i.message }));
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [{ file, sheet: null, row: null, column: null, message: 'does not exist' }];
    return [{ file, sheet: null, row: null, column: null, message: `could not be read as an Excel workbook (${e instanceof Error ? e.message : String(e)})` }];
  }
}

// ---- cells ----------------------------------------------------------------------------------------

type Input =
  | { kind: 'empty' }
  | { kind: 'text'; text: string }
  | { kind: 'number'; value: number }
  | { kind: 'date'; iso: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'refused'; message: string };

const isPercentFormat = (numFmt: string | undefined) => !!numFmt && numFmt.replace(/"[^"]*"/g, '').includes('%');

function cellInput(cell: Cell): Input {
  const v = cell.value as unknown;
  if (v === null || v === undefined) return { kind: 'empty' };
  if (typeof v === 'string') return v.trim() === '' ? { kind: 'empty' } : { kind: 'text', text: v.trim() };
  if (typeof v === 'number') return { kind: 'number', value: isPercentFormat(cell.numFmt) ? Number((v * 100).toPrecision(12)) : v };
  if (typeof v === 'boolean') return { kind: 'bool', value: v };
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? { kind: 'refused', message: 'is not a valid date' } : { kind: 'date', iso: v.toISOString().slice(0, 10) };
  if (typeof v === 'object') {
    const o = v as { richText?: Array<{ text: string }>; formula?: string; sharedFormula?: string; text?: unknown; error?: string };
    if (o.formula !== undefined || o.sharedFormula !== undefined) {
      return { kind: 'refused', message: `holds a formula (=${clip(String(o.formula ?? o.sharedFormula))}): type or paste the value only` };
    }
    if (o.error !== undefined) return { kind: 'refused', message: `holds the Excel error ${o.error}` };
    const t = o.richText ? o.richText.map((r) => r.text).join('') : typeof o.text === 'string' ? o.text : '';
    return t.trim() === '' ? { kind: 'empty' } : { kind: 'text', text: t.trim() };
  }
  return { kind: 'text', text: String(v) };
}

/** Collects issues for one sheet; `at(row, column)` reports against a cell. */
class Problems {
  readonly issues: LogframeIssue[] = [];
  constructor(readonly file: string) {}
  add(sheet: string | null, row: number | null, column: string | null, message: string): void {
    this.issues.push({ file: this.file, sheet, row, column, message });
  }
}

type Check<T> = { ok: true; value: T } | { ok: false; message: string };
const ok = <T>(value: T): Check<T> => ({ ok: true, value });
const no = <T>(message: string): Check<T> => ({ ok: false, message });

function asText(input: Input, max = MAX_TEXT): Check<string | null> {
  switch (input.kind) {
    case 'empty': return ok(null);
    case 'refused': return no(input.message);
    case 'number': return ok(String(input.value));
    case 'bool': return no(`is ${input.value ? 'TRUE' : 'FALSE'} (a yes/no cell), not text`);
    case 'date': return no(`is a date (${input.iso}), not text: format the cell as text`);
    case 'text':
      if (looksLikeFormula(input.text)) return no(`"${clip(input.text)}" starts like a spreadsheet formula (= + - @): remove or reword that first character`);
      if (input.text.length > max) return no(`is longer than ${max} characters`);
      return ok(input.text);
  }
}

function asCode(input: Input): Check<string | null> {
  const t = asText(input, MAX_CODE);
  if (!t.ok || t.value === null) return t;
  if (/[;,\s]/.test(t.value)) return no(`"${clip(t.value)}" is not a code: a code has no spaces, commas or semicolons`);
  return t;
}

function asNumber(input: Input): Check<number | null> {
  switch (input.kind) {
    case 'empty': return ok(null);
    case 'refused': return no(input.message);
    case 'number': return Number.isFinite(input.value) ? ok(input.value) : no('is not a number');
    case 'bool': return no(`is ${input.value ? 'TRUE' : 'FALSE'}, not a number`);
    case 'date': return no(`is a date (${input.iso}), not a number`);
    case 'text': {
      const n = parseNumber(input.text);
      return n.ok ? ok(n.value) : no(n.message);
    }
  }
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
function asDate(input: Input): Check<string | null> {
  switch (input.kind) {
    case 'empty': return ok(null);
    case 'refused': return no(input.message);
    case 'date': return ok(input.iso);
    case 'text': {
      const m = ISO_DATE.exec(input.text);
      if (m) {
        const d = new Date(`${input.text}T00:00:00Z`);
        if (!Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === input.text) return ok(input.text);
      }
      return no(`"${clip(input.text)}" is not a date: write YYYY-MM-DD (e.g. 2025-12-31) or use an Excel date`);
    }
    case 'number': return no(`${input.value} is not a date: write YYYY-MM-DD (e.g. 2025-12-31) or use an Excel date`);
    case 'bool': return no('is not a date');
  }
}

/** One of a fixed list, any case; spaces, "/" and "-" read as "_" (so "Yes/No" is yes_no). */
function asChoice<T extends string>(input: Input, choices: readonly T[]): Check<T | null> {
  const t = asText(input);
  if (!t.ok || t.value === null) return t as Check<T | null>;
  const key = t.value.toLowerCase().replace(/[\s/-]+/g, '_');
  const found = choices.find((c) => c === key);
  return found ? ok(found) : no(`"${clip(t.value)}" is not one of ${choices.join(', ')}`);
}

/** Words people write for a reporting frequency, as the stored kind of period. */
const FREQUENCY_WORDS: Record<string, ReportingFrequency> = {
  monthly: 'month', quarterly: 'quarter', half_year: 'half', half_yearly: 'half', halfyearly: 'half', semiannual: 'half', semi_annual: 'half',
  biannual: 'half', yearly: 'year', annual: 'year', annually: 'year',
};
function asFrequency(input: Input): Check<ReportingFrequency | null> {
  const t = asText(input);
  if (!t.ok || t.value === null) return t as Check<ReportingFrequency | null>;
  const key = t.value.toLowerCase().replace(/[\s/-]+/g, '_');
  const found = REPORTING_FREQUENCIES.find((c) => c === key) ?? FREQUENCY_WORDS[key];
  return found ? ok(found) : no(`"${clip(t.value)}" is not one of ${REPORTING_FREQUENCIES.join(', ')}`);
}

function asYesNo(input: Input): Check<boolean | null> {
  if (input.kind === 'bool') return ok(input.value);
  if (input.kind === 'number') return input.value === 1 ? ok(true) : input.value === 0 ? ok(false) : no(`${input.value} is not yes or no`);
  const t = asText(input);
  if (!t.ok || t.value === null) return t as Check<boolean | null>;
  const yn = parseYesNo(t.value);
  return yn.ok ? ok(yn.value === 1) : no(yn.message);
}

/** A ";"-separated list (codes may also be separated by ","); empty items dropped, duplicates kept once. */
function asList(input: Input, codes: boolean): Check<string[]> {
  const t = asText(input);
  if (!t.ok) return t;
  if (t.value === null) return ok([]);
  const items = t.value.split(codes ? /[;,]/ : LIST_SEPARATOR).map((s) => s.trim()).filter(Boolean);
  for (const item of items) {
    if (looksLikeFormula(item)) return no(`"${clip(item)}" starts like a spreadsheet formula (= + - @)`);
    if (codes && /\s/.test(item)) return no(`"${clip(item)}" is not a code: separate codes with ";"`);
  }
  return ok([...new Set(items)]);
}

// ---- sheets ---------------------------------------------------------------------------------------

const normalise = (label: string) => label.toLowerCase().replace(/[^a-z0-9]/g, '');

function findSheet(wb: ExcelJS.Workbook, name: string): Worksheet | undefined {
  return wb.worksheets.find((ws) => normalise(ws.name) === normalise(name));
}

/** The text of a header or label cell ('' when empty). */
function labelOf(cell: Cell): string {
  const input = cellInput(cell);
  return input.kind === 'text' ? input.text : input.kind === 'number' ? String(input.value) : '';
}

const isBlankRow = (ws: Worksheet, row: number, columns: number) => {
  for (let c = 1; c <= columns; c++) if (cellInput(ws.getCell(row, c)).kind !== 'empty') return false;
  return true;
};

interface Table<K extends string> {
  columns: Map<K, number>;
  /** Target period columns: period id -> column number. */
  periods: Array<{ period: string; column: number; label: string }>;
  width: number;
}

/** Resolves the header row (row 1) of a table sheet: known columns by label, "Target <period>" columns. */
function readHeader<K extends string>(ws: Worksheet, specs: ReadonlyArray<FieldSpec<K>>, p: Problems, withTargets: boolean): Table<K> | undefined {
  const columns = new Map<K, number>();
  const periods: Table<K>['periods'] = [];
  const width = Math.max(ws.columnCount, ws.getRow(1).cellCount);
  const byLabel = new Map<string, FieldSpec<K>>();
  for (const s of specs) {
    byLabel.set(normalise(s.label), s);
    byLabel.set(normalise(s.key), s);
  }
  for (let c = 1; c <= width; c++) {
    const cell = ws.getCell(1, c);
    const input = cellInput(cell);
    if (input.kind === 'refused') {
      p.add(ws.name, 1, columnLetter(c), input.message);
      continue;
    }
    const label = labelOf(cell);
    if (!label) {
      for (let r = 2; r <= ws.rowCount; r++) {
        if (cellInput(ws.getCell(r, c)).kind !== 'empty') {
          p.add(ws.name, 1, columnLetter(c), `column ${columnLetter(c)} holds data but has no header`);
          break;
        }
      }
      continue;
    }
    const spec = byLabel.get(normalise(label));
    if (spec) {
      if (columns.has(spec.key)) p.add(ws.name, 1, label, `the column "${spec.label}" appears twice (columns ${columnLetter(columns.get(spec.key)!)} and ${columnLetter(c)})`);
      else columns.set(spec.key, c);
      continue;
    }
    const target = withTargets ? /^target\s*(.+)$/i.exec(label) : null;
    if (target) {
      const period = tryParsePeriod(target[1]!.trim());
      if (!period) p.add(ws.name, 1, label, `"${clip(target[1]!.trim())}" is not a period: name target columns "${TARGET_PREFIX}2025-Q3", "${TARGET_PREFIX}2025-H1", "${TARGET_PREFIX}2025" or "${TARGET_PREFIX}2025-07"`);
      else if (periods.some((x) => x.period === period.id)) p.add(ws.name, 1, label, `the target of ${period.id} has two columns`);
      else periods.push({ period: period.id, column: c, label });
      continue;
    }
    p.add(ws.name, 1, label, `unknown column "${clip(label)}": the columns are ${specs.map((s) => s.label).join(', ')}${withTargets ? `, then "${TARGET_PREFIX}<period>" columns` : ''}`);
  }
  for (const s of specs) if (s.required && !columns.has(s.key)) p.add(ws.name, 1, s.label, `the required column "${s.label}" is missing`);
  if (specs.some((s) => s.required && !columns.has(s.key))) return undefined;
  return { columns, periods, width };
}

/** Reads a cell of a table row through a check; a problem is recorded against the column's label. */
function take<T>(ws: Worksheet, row: number, column: number | undefined, label: string, check: (i: Input) => Check<T>, p: Problems, fallback: T): T {
  const input: Input = column === undefined ? { kind: 'empty' } : cellInput(ws.getCell(row, column));
  const c = check(input);
  if (c.ok) return c.value;
  p.add(ws.name, row, label, c.message);
  return fallback;
}

// ---- Project sheet -------------------------------------------------------------------------------

function readProject(wb: ExcelJS.Workbook, known: KnownCodes, p: Problems): { project: LogframeDefinition['project']; rows: Map<ProjectField, number> } | undefined {
  const ws = findSheet(wb, SHEETS.project);
  if (!ws) {
    p.add(SHEETS.project, null, null, `the workbook has no "${SHEETS.project}" sheet`);
    return undefined;
  }
  const rows = new Map<ProjectField, number>();
  const byLabel = new Map<string, FieldSpec<ProjectField>>();
  for (const s of PROJECT_FIELDS) {
    byLabel.set(normalise(s.label), s);
    byLabel.set(normalise(s.key), s);
  }
  for (let r = 1; r <= ws.rowCount; r++) {
    const a = ws.getCell(r, 1);
    const aInput = cellInput(a);
    if (aInput.kind === 'refused') {
      p.add(ws.name, r, 'A', aInput.message);
      continue;
    }
    const label = labelOf(a);
    if (!label) {
      if (cellInput(ws.getCell(r, 2)).kind !== 'empty') p.add(ws.name, r, 'B', 'a value without a field name in column A');
      continue;
    }
    if (r === 1 && normalise(label) === 'field') continue;
    const spec = byLabel.get(normalise(label));
    if (!spec) {
      p.add(ws.name, r, label, `unknown field "${clip(label)}": the fields are ${PROJECT_FIELDS.map((f) => f.label).join(', ')}`);
      continue;
    }
    if (rows.has(spec.key)) p.add(ws.name, r, spec.label, `the field "${spec.label}" is given twice (rows ${rows.get(spec.key)} and ${r})`);
    else rows.set(spec.key, r);
  }
  const label = (k: ProjectField) => PROJECT_FIELDS.find((f) => f.key === k)!.label;
  const get = <T>(k: ProjectField, check: (i: Input) => Check<T>, fallback: T): T => {
    const row = rows.get(k);
    if (row !== undefined) return take(ws, row, 2, label(k), check, p, fallback);
    const empty = check({ kind: 'empty' });
    return empty.ok ? empty.value : fallback;
  };
  for (const f of PROJECT_FIELDS) if (f.required && !rows.has(f.key)) p.add(ws.name, null, f.label, `the required field "${f.label}" is missing (a row with "${f.label}" in column A)`);

  const project: LogframeDefinition['project'] = {
    code: get('code', asCode, null) ?? '',
    altCode: get('altCode', asText, null),
    title: get('title', asText, null) ?? '',
    donors: get('donors', (i) => asList(i, true), []),
    startDate: get('startDate', asDate, null) ?? '',
    endDate: get('endDate', asDate, null) ?? '',
    budget: get('budget', asNumber, null),
    currency: get('currency', asCode, null) ?? 'USD',
    status: get('status', (i) => asChoice(i, STATUSES), null) ?? 'active',
    coverage: get('coverage', asText, null) ?? '',
    locations: get('locations', (i) => asList(i, false), []),
    programmaticArea: get('programmaticArea', asText, null) ?? '',
  };
  const illustrative = get('illustrative', asYesNo, null);
  if (illustrative !== null) project.illustrative = illustrative;

  const at = (k: ProjectField) => rows.get(k) ?? null;
  for (const k of ['code', 'title', 'startDate', 'endDate'] as const) {
    if (rows.has(k) && !project[k] && !p.issues.some((i) => i.sheet === ws.name && i.row === at(k))) p.add(ws.name, at(k), label(k), `${label(k)} is required`);
  }
  if (project.startDate && project.endDate && project.endDate < project.startDate) p.add(ws.name, at('endDate'), label('endDate'), `the end date ${project.endDate} is before the start date ${project.startDate}`);
  if (project.budget !== null && project.budget < 0) p.add(ws.name, at('budget'), label('budget'), `${project.budget} is negative: a budget cannot be below 0`);
  for (const d of project.donors) if (!known.donors.has(d)) p.add(ws.name, at('donors'), label('donors'), `unknown donor "${clip(d)}" (see the ${SHEETS.donors} sheet)`);
  for (const k of ['code', 'altCode'] as const) {
    const given = project[k];
    const other = given && project.code ? projectNamedBy(known.projects, given, project.code) : undefined;
    if (other) p.add(ws.name, at(k), label(k), `"${clip(given!)}" already names project ${other}: ${k === 'code' ? 'a project code' : 'an other code'} must name no other project (in any case)`);
  }
  const parsed = ProjectSchema.safeParse({ ...project, illustrative: project.illustrative ?? false });
  if (!parsed.success && !p.issues.some((i) => i.sheet === ws.name)) {
    for (const z of parsed.error.issues) {
      const k = String(z.path[0]) as ProjectField;
      p.add(ws.name, at(k), PROJECT_FIELDS.find((f) => f.key === k)?.label ?? k, z.message);
    }
  }
  return { project, rows };
}

// ---- Results sheet --------------------------------------------------------------------------------

/** The stored project other than `self` whose code or other code is `name` in any case. */
function projectNamedBy(projects: KnownCodes['projects'], name: string, self: string): string | undefined {
  const upper = name.toUpperCase();
  return projects.find((q) => q.code !== self && (q.code.toUpperCase() === upper || q.altCode?.toUpperCase() === upper))?.code;
}

function readResults(wb: ExcelJS.Workbook, known: KnownCodes, p: Problems): { results: Result[]; rowOf: Map<string, number> } | undefined {
  const ws = findSheet(wb, SHEETS.results);
  if (!ws) {
    p.add(SHEETS.results, null, null, `the workbook has no "${SHEETS.results}" sheet`);
    return undefined;
  }
  const table = readHeader(ws, RESULT_COLUMNS, p, false);
  if (!table) return undefined;
  const label = (k: ResultField) => RESULT_COLUMNS.find((c) => c.key === k)?.label ?? k;
  const col = (k: ResultField) => table.columns.get(k);
  const results: Result[] = [];
  const rowOf = new Map<string, number>();
  const rowsOfResult: number[] = [];
  for (let r = 2; r <= ws.rowCount; r++) {
    if (isBlankRow(ws, r, table.width)) continue;
    const before = p.issues.length;
    const result: Result = {
      level: take(ws, r, col('level'), label('level'), (i) => asChoice(i, LEVELS), p, null) ?? 'output',
      code: take(ws, r, col('code'), label('code'), asCode, p, null) ?? '',
      parentCode: take(ws, r, col('parentCode'), label('parentCode'), asCode, p, null),
      statement: take(ws, r, col('statement'), label('statement'), asText, p, null) ?? '',
      contributesTo: take(ws, r, col('contributesTo'), label('contributesTo'), (i) => asList(i, true), p, []),
    };
    for (const k of ['level', 'code', 'statement'] as const) {
      const input = cellInput(ws.getCell(r, col(k)!));
      if (input.kind === 'empty') p.add(ws.name, r, label(k), `${label(k)} is required`);
    }
    if (p.issues.length === before) {
      const parsed = ResultSchema.safeParse(result);
      if (!parsed.success) for (const z of parsed.error.issues) p.add(ws.name, r, label(String(z.path[0]) as ResultField), z.message);
    }
    for (const node of result.contributesTo) {
      if (!known.frameworkNodes.has(node)) p.add(ws.name, r, label('contributesTo'), `unknown framework node "${clip(node)}" (see the ${SHEETS.frameworks} sheet)`);
    }
    if (result.code) {
      const first = rowOf.get(result.code);
      if (first !== undefined) p.add(ws.name, r, label('code'), `the result code ${result.code} is already used on row ${first}`);
      else rowOf.set(result.code, r);
    }
    results.push(result);
    rowsOfResult.push(r);
  }
  // The hierarchy: objective -> outcome -> output.
  const byCode = new Map(results.map((x) => [x.code, x] as const));
  results.forEach((x, k) => {
    const r = rowsOfResult[k]!;
    if (x.parentCode === null) {
      if (x.level === 'output') p.add(ws.name, r, label('parentCode'), `output ${x.code} needs a parent outcome`);
      return;
    }
    const parent = byCode.get(x.parentCode);
    if (!parent) {
      p.add(ws.name, r, label('parentCode'), `unknown parent "${clip(x.parentCode)}": it is not a result code of this sheet`);
      return;
    }
    if (x.level === 'objective') p.add(ws.name, r, label('parentCode'), `the objective ${x.code} has no parent: leave the cell empty`);
    else if (x.level === 'outcome' && parent.level !== 'objective') p.add(ws.name, r, label('parentCode'), `the parent of outcome ${x.code} must be the objective, not ${parent.level} ${parent.code}`);
    else if (x.level === 'output' && parent.level !== 'outcome') p.add(ws.name, r, label('parentCode'), `the parent of output ${x.code} must be an outcome, not ${parent.level} ${parent.code}`);
  });
  return { results, rowOf };
}

// ---- Indicators sheet -----------------------------------------------------------------------------

function readIndicators(
  wb: ExcelJS.Workbook, project: LogframeDefinition['project'] | undefined, resultCodes: ReadonlySet<string> | undefined, known: KnownCodes, p: Problems,
): LogframeIndicator[] | undefined {
  const ws = findSheet(wb, SHEETS.indicators);
  if (!ws) {
    p.add(SHEETS.indicators, null, null, `the workbook has no "${SHEETS.indicators}" sheet`);
    return undefined;
  }
  const table = readHeader(ws, INDICATOR_COLUMNS, p, true);
  if (!table) return undefined;
  const label = (k: IndicatorField) => INDICATOR_COLUMNS.find((c) => c.key === k)?.label ?? k;
  const col = (k: IndicatorField) => table.columns.get(k);
  if (project?.startDate && project.endDate) {
    for (const t of table.periods) {
      const period = tryParsePeriod(t.period)!;
      if (!periodWithin(period, project.startDate, project.endDate)) {
        p.add(ws.name, 1, t.label, `${periodLabel(t.period)} is outside the project (${project.startDate} to ${project.endDate})`);
      }
    }
  }
  const indicators: LogframeIndicator[] = [];
  const rowOf = new Map<string, number>();
  for (let r = 2; r <= ws.rowCount; r++) {
    if (isBlankRow(ws, r, table.width)) continue;
    const before = p.issues.length;
    const type: IndicatorType = take(ws, r, col('type'), label('type'), (i) => asChoice(i, INDICATOR_TYPES), p, null) ?? 'count';
    const typeOk = p.issues.length === before;
    const figure = (i: Input): Check<number | null> => {
      let n: Check<number | null>;
      if (type === 'yes_no' && (i.kind === 'text' || i.kind === 'bool')) {
        const yn = asYesNo(i);
        n = yn.ok ? ok(yn.value === null ? null : yn.value ? 1 : 0) : no(yn.message);
      } else n = asNumber(i);
      if (!n.ok || n.value === null || !typeOk) return n;
      if (type === 'yes_no' && n.value !== 0 && n.value !== 1) return no(`${n.value} is not yes or no: a yes/no indicator takes 1 (yes) or 0 (no)`);
      const range = checkRange(type, n.value);
      return range.ok ? n : no(range.message);
    };
    const targets: Record<string, number> = {};
    const lop = take(ws, r, col('lop'), label('lop'), figure, p, null);
    if (lop !== null) targets.LOP = lop;
    for (const t of table.periods) {
      const v = take(ws, r, t.column, t.label, figure, p, null);
      if (v !== null) targets[t.period] = v;
    }
    const indicator: LogframeIndicator = {
      resultCode: take(ws, r, col('resultCode'), label('resultCode'), asCode, p, null) ?? '',
      code: take(ws, r, col('code'), label('code'), asCode, p, null) ?? '',
      title: take(ws, r, col('title'), label('title'), asText, p, null) ?? '',
      type,
      unit: take(ws, r, col('unit'), label('unit'), (i) => asText(i, 50), p, null) ?? '',
      baseline: take(ws, r, col('baseline'), label('baseline'), figure, p, null),
      baselineDate: take(ws, r, col('baselineDate'), label('baselineDate'), asDate, p, null),
      timeAggregation: take(ws, r, col('timeAggregation'), label('timeAggregation'), (i) => asChoice(i, TIME_AGGREGATIONS), p, null) ?? 'sum',
      ...(col('reportingFrequency') === undefined ? {} : { reportingFrequency: take(ws, r, col('reportingFrequency'), label('reportingFrequency'), asFrequency, p, null) ?? 'quarter' }),
      direction: take(ws, r, col('direction'), label('direction'), (i) => asChoice(i, DIRECTIONS), p, null) ?? 'increase',
      disaggregations: take(ws, r, col('disaggregations'), label('disaggregations'), (i) => {
        const l = asList(i, true);
        if (!l.ok) return l;
        const bad = l.value.find((d) => !(DISAGGREGATION_DIMENSIONS as readonly string[]).includes(d.toLowerCase().replace(/[\s-]+/g, '_')));
        if (bad) return no(`"${clip(bad)}" is not a disaggregation: use ${DISAGGREGATION_DIMENSIONS.join(', ')}`);
        return ok([...new Set(l.value.map((d) => d.toLowerCase().replace(/[\s-]+/g, '_') as DisaggregationDimension))]);
      }, p, []),
      disaggregationCheck: take(ws, r, col('disaggregationCheck'), label('disaggregationCheck'), (i) => asChoice(i, DISAGGREGATION_CHECKS), p, null) ?? 'warning',
      dataSource: take(ws, r, col('dataSource'), label('dataSource'), asText, p, null) ?? '',
      meansOfVerification: take(ws, r, col('meansOfVerification'), label('meansOfVerification'), asText, p, null) ?? '',
      commonIndicatorCode: take(ws, r, col('commonIndicatorCode'), label('commonIndicatorCode'), asCode, p, null),
      targets,
    };
    for (const k of ['resultCode', 'code', 'title', 'type', 'timeAggregation'] as const) {
      if (cellInput(ws.getCell(r, col(k)!)).kind === 'empty') p.add(ws.name, r, label(k), `${label(k)} is required`);
    }
    if (p.issues.length === before) {
      const parsed = IndicatorSchema.safeParse(indicator);
      if (!parsed.success) for (const z of parsed.error.issues) p.add(ws.name, r, label(String(z.path[0]) as IndicatorField), z.message);
    }
    // The link to the library: an existing common indicator, of this indicator's type (when the type is readable).
    if (indicator.commonIndicatorCode) {
      const problem = commonLinkProblem(
        { type: typeOk ? type : (known.commonIndicators.get(indicator.commonIndicatorCode)?.type ?? type), commonIndicatorCode: indicator.commonIndicatorCode },
        known.commonIndicators, `see the ${SHEETS.commonIndicators} sheet`,
      );
      if (problem) p.add(ws.name, r, label('commonIndicatorCode'), problem);
    }
    if (indicator.resultCode && resultCodes && !resultCodes.has(indicator.resultCode)) {
      p.add(ws.name, r, label('resultCode'), `unknown result code "${clip(indicator.resultCode)}": it is not on the ${SHEETS.results} sheet`);
    }
    if (indicator.code) {
      const first = rowOf.get(indicator.code);
      if (first !== undefined) p.add(ws.name, r, label('code'), `the indicator code ${indicator.code} is already used on row ${first}`);
      else rowOf.set(indicator.code, r);
    }
    indicators.push(indicator);
  }
  return indicators;
}

/** The optional "Validation rules" sheet: each rule parsed, its codes among the workbook's indicators. */
function readValidationRules(wb: ExcelJS.Workbook, indicatorCodes: ReadonlySet<string> | undefined, p: Problems): ValidationRule[] | undefined {
  const ws = findSheet(wb, SHEETS.validationRules);
  if (!ws) return undefined;
  const table = readHeader(ws, VALIDATION_RULE_COLUMNS, p, false);
  if (!table) return undefined;
  const label = (k: (typeof VALIDATION_RULE_COLUMNS)[number]['key']) => VALIDATION_RULE_COLUMNS.find((c) => c.key === k)!.label;
  const rules: ValidationRule[] = [];
  const seen = new Map<string, number>();
  for (let r = 2; r <= ws.rowCount; r++) {
    if (isBlankRow(ws, r, table.width)) continue;
    const code = take(ws, r, table.columns.get('code'), label('code'), asCode, p, null);
    const text = take(ws, r, table.columns.get('rule'), label('rule'), (i) => asText(i), p, null);
    const description = take(ws, r, table.columns.get('description'), label('description'), (i) => asText(i), p, null) ?? '';
    if (!code) p.add(ws.name, r, label('code'), 'is empty: give the rule a code, e.g. R1');
    else if (seen.has(code)) p.add(ws.name, r, label('code'), `rule ${code} appears twice (rows ${seen.get(code)} and ${r})`);
    else seen.set(code, r);
    if (!text) {
      p.add(ws.name, r, label('rule'), 'is empty: write e.g. "OP1.a <= OP1.b"');
      continue;
    }
    const parsed = parseRuleExpression(text);
    if (!parsed.ok) {
      p.add(ws.name, r, label('rule'), parsed.message);
      continue;
    }
    const unknown = [...parsed.left, ...parsed.right].filter((c) => indicatorCodes && !indicatorCodes.has(c));
    for (const c of unknown) p.add(ws.name, r, label('rule'), `unknown indicator code "${clip(c)}": it is not on the ${SHEETS.indicators} sheet`);
    if (code && !unknown.length) rules.push({ code, left: parsed.left, operator: parsed.operator, right: parsed.right, description });
  }
  return rules;
}

/** The whole workbook, checked; any problem refuses it. */
export function readLogframe(wb: ExcelJS.Workbook, file: string, known: KnownCodes): LogframeReading {
  const p = new Problems(file);
  const project = readProject(wb, known, p);
  const results = readResults(wb, known, p);
  const indicators = readIndicators(wb, project?.project, results ? new Set(results.rowOf.keys()) : undefined, known, p);
  const validationRules = readValidationRules(wb, indicators ? new Set(indicators.map((i) => i.code)) : undefined, p);
  if (p.issues.length || !project || !results || !indicators) {
    return { ok: false, issues: p.issues.length ? p.issues : [{ file, sheet: null, row: null, column: null, message: 'could not be read' }] };
  }
  return { ok: true, definition: { project: project.project, results: results.results, indicators, ...(validationRules ? { validationRules } : {}) }, issues: [] };
}
