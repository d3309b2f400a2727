/**
 * Checks one row of the long format on its own (pure): codes exist, the period is a period of the
 * project and on the indicator's frequency, the value fits the indicator's type, disaggregation
 * categories are the indicator's, text is not a formula. Every problem of the row is reported, each
 * with its column. Checks that need other rows (duplicates, disaggregations adding up to the total)
 * are set-based, in the database (db/imports-repository.ts).
 */
import { periodLabel, periodWithin, tryParsePeriod, type Period, type PeriodKind } from '../domain/periods.js';
import { DISAGGREGATION_DIMENSIONS, type DisaggregationDimension } from '../domain/results-framework.js';
import { checkEvidenceUrl, checkRange, checkText, clip, looksLikeFormula, normaliseCategory, parseNumber, parseYesNo, type CellCheck } from '../domain/value-rules.js';
import { findIndicator, findProject, type Catalogue, type CatalogueIndicator } from './catalogue.js';
import { COL, type Cells } from './format.js';
import type { RowIssue } from './issues.js';

/** A row that passed: what will be stored (disaggregation '' = not disaggregated by that dimension). */
export interface ValidRow {
  indicatorId: number;
  period: string;
  dims: [sex: string, ageGroup: string, populationType: string, nationality: string, location: string];
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  text: string | null;
  source: string;
  comment: string;
  evidenceUrl: string;
}

export type RowVerdict = { ok: true; row: ValidRow } | { ok: false; issues: RowIssue[] };

const NONE: RowIssue[] = [];
const NO_VALUE = { value: null, numerator: null, denominator: null, text: null } as const;
const MAX_SOURCE = 200;
const MAX_COMMENT = 2000;
const MAX_QUALITATIVE = 4000;
const FREQUENCY_WORD: Record<PeriodKind, string> = { month: 'monthly', quarter: 'quarterly', half: 'half-yearly', year: 'yearly' };
const FREQUENCY_EXAMPLE: Record<PeriodKind, string> = { month: '2025-07', quarter: '2025-Q3', half: '2025-H1', year: '2025' };

export class RowValidator {
  /** Parsed periods by text: a file has few distinct periods and a million rows. */
  private readonly periods = new Map<string, Period | null>();
  /** Checked categories by dimension and text, for the same reason. */
  private readonly categories = DISAGGREGATION_DIMENSIONS.map(() => new Map<string, CellCheck<string>>());
  /** Problems of the row being validated (no closures or spare objects per row: this runs a million times). */
  private issues: RowIssue[] = NONE;

  constructor(private readonly catalogue: Catalogue) {}

  private fail(column: string | null, message: string): void {
    if (this.issues === NONE) this.issues = [];
    this.issues.push({ column, message });
  }

  validate(cells: Cells): RowVerdict {
    this.issues = NONE;

    // Codes
    const projectCode = cells[COL.project_code]!.trim();
    const indicatorCode = cells[COL.indicator_code]!.trim();
    const project = projectCode ? findProject(this.catalogue, projectCode) : undefined;
    if (!projectCode) this.fail('project_code', 'is empty');
    else if (!project) this.fail('project_code', looksLikeFormula(projectCode) ? formulaMessage(projectCode) : `unknown project "${clip(projectCode)}" (see \`rbm projects list\`)`);
    let indicator: CatalogueIndicator | undefined;
    if (!indicatorCode) this.fail('indicator_code', 'is empty');
    else if (project) {
      indicator = findIndicator(project, indicatorCode);
      if (!indicator) this.fail('indicator_code', `project ${project.code} has no indicator "${clip(indicatorCode)}" (see \`rbm indicators list --project ${project.code}\`)`);
    }

    // Period
    const periodText = cells[COL.period]!.trim();
    const period = periodText ? this.parsePeriod(periodText) : null;
    if (!periodText) this.fail('period', 'is empty');
    else if (!period) this.fail('period', notAPeriod(periodText));
    else {
      if (indicator && period.kind !== indicator.frequency) {
        this.fail('period', `${indicator.code} is reported ${FREQUENCY_WORD[indicator.frequency]}: write a ${indicator.frequency === 'half' ? 'half-year' : indicator.frequency} such as ${FREQUENCY_EXAMPLE[indicator.frequency]}, not ${period.id}`);
      }
      if (project && !periodWithin(period, project.startDate, project.endDate)) {
        this.fail('period', `${periodLabel(period.id)} is outside project ${project.code} (${project.startDate} to ${project.endDate})`);
      }
    }

    // Disaggregation
    const dims: ValidRow['dims'] = ['', '', '', '', ''];
    for (let k = 0; k < DISAGGREGATION_DIMENSIONS.length; k++) {
      const dim = DISAGGREGATION_DIMENSIONS[k]!;
      const text = cells[COL[dim]]!;
      if (!text) continue;
      if (indicator && !indicator.disaggregations.includes(dim)) {
        if (text.trim()) {
          this.fail(dim, `${indicator.code} is not disaggregated by ${dimensionName(dim)} (${indicator.disaggregations.length ? `it is by ${indicator.disaggregations.map(dimensionName).join(', ')}` : 'it has totals only'})`);
        }
        continue;
      }
      const checked = this.category(k, dim, text);
      if (checked.ok) dims[k] = checked.value;
      else this.fail(dim, checked.message);
    }

    // Value, numerator, denominator
    const value = indicator ? this.checkValue(indicator, cells) : NO_VALUE;

    // Free text
    const source = this.optionalText(cells[COL.source]!, 'source', MAX_SOURCE);
    const comment = this.optionalText(cells[COL.comment]!, 'comment', MAX_COMMENT);
    let evidenceUrl = cells[COL.evidence_url]!.trim();
    if (evidenceUrl) {
      const checked = checkEvidenceUrl(evidenceUrl);
      if (checked.ok) evidenceUrl = checked.value;
      else this.fail('evidence_url', checked.message);
    }

    const issues = this.issues;
    if (issues.length || !indicator || !period) return { ok: false, issues };
    return {
      ok: true,
      row: {
        indicatorId: indicator.id, period: period.id, dims, value: value.value, numerator: value.numerator, denominator: value.denominator,
        text: value.text, source, comment, evidenceUrl,
      },
    };
  }

  private category(k: number, dim: DisaggregationDimension, text: string): CellCheck<string> {
    const cache = this.categories[k]!;
    let checked = cache.get(text);
    if (!checked) {
      checked = normaliseCategory(dim, text);
      if (cache.size < 50_000) cache.set(text, checked);
    }
    return checked;
  }

  private optionalText(raw: string, column: string, maxLength: number): string {
    if (!raw) return '';
    if (raw.length <= maxLength && isPlainText(raw)) return raw;
    const checked = checkText(raw, maxLength);
    if (checked.ok) return checked.value;
    this.fail(column, checked.message);
    return '';
  }

  private parsePeriod(text: string): Period | null {
    let p = this.periods.get(text);
    if (p === undefined) {
      p = tryParsePeriod(text) ?? null;
      if (this.periods.size < 10_000) this.periods.set(text, p);
    }
    return p;
  }

  private checkValue(indicator: CatalogueIndicator, cells: Cells): Pick<ValidRow, 'value' | 'numerator' | 'denominator' | 'text'> {
    const out: Pick<ValidRow, 'value' | 'numerator' | 'denominator' | 'text'> = { value: null, numerator: null, denominator: null, text: null };
    const valueText = cells[COL.value]!.trim();
    const numeratorText = cells[COL.numerator]!.trim();
    const denominatorText = cells[COL.denominator]!.trim();
    const hasParts = numeratorText !== '' || denominatorText !== '';
    const partsAllowed = indicator.type === 'percentage' || indicator.type === 'ratio';
    if (hasParts && !partsAllowed) {
      this.fail(numeratorText ? 'numerator' : 'denominator', `only percentage and ratio indicators take a numerator and a denominator; ${indicator.code} is a ${typeName(indicator)} indicator`);
    }

    if (indicator.type === 'qualitative') {
      if (!valueText) this.fail('value', `is empty: ${indicator.code} is qualitative; write the text in the value column`);
      else out.text = this.take(checkText(valueText, MAX_QUALITATIVE), 'value');
      return out;
    }
    if (indicator.type === 'yes_no') {
      if (!valueText) this.fail('value', 'is empty: write yes or no');
      else out.value = this.take(parseYesNo(valueText), 'value');
      return out;
    }

    // count, percentage, ratio
    if (valueText) {
      const plain = PLAIN_NUMBER.test(valueText) ? Number(valueText) : NaN; // the common case, without allocating a check
      if (plain >= 0 && (plain <= 100 || indicator.type !== 'percentage')) out.value = plain;
      else {
        const number = parseNumber(indicator.type === 'percentage' ? valueText.replace(/\s*%$/, '') : valueText);
        out.value = this.take(number.ok ? checkRange(indicator.type, number.value) : number, 'value');
      }
    } else if (!(partsAllowed && numeratorText && denominatorText)) {
      this.fail('value', partsAllowed ? 'is empty: write the value, or the numerator and the denominator' : 'is empty');
    }
    if (!partsAllowed || !hasParts) return out;
    if (!numeratorText || !denominatorText) {
      this.fail(numeratorText ? 'denominator' : 'numerator', 'is empty: give both the numerator and the denominator, or neither');
      return out;
    }
    const numerator = parseNumber(numeratorText);
    const denominator = parseNumber(denominatorText);
    out.numerator = this.take(numerator.ok && numerator.value < 0 ? { ok: false, message: `${numerator.value} is negative` } : numerator, 'numerator');
    out.denominator = this.take(denominator.ok && denominator.value <= 0 ? { ok: false, message: `${denominator.value} cannot be a denominator: it must be above 0` } : denominator, 'denominator');
    if (out.numerator === null || out.denominator === null) return out;
    const computed = (out.numerator / out.denominator) * (indicator.type === 'percentage' ? 100 : 1);
    if (indicator.type === 'percentage' && out.numerator > out.denominator) {
      this.fail('numerator', `${out.numerator} is more than the denominator ${out.denominator}: a percentage cannot exceed 100`);
    } else if (!valueText) {
      out.value = Math.round(computed * 100) / 100;
    } else if (out.value !== null && Math.abs(out.value - computed) > (indicator.type === 'percentage' ? 0.5 : 0.005)) {
      this.fail('value', `${out.value} does not match numerator / denominator = ${out.numerator} / ${out.denominator} = ${round2(computed)}${indicator.type === 'percentage' ? '%' : ''}`);
    }
    return out;
  }

  /** The checked value, or null with the problem recorded. */
  private take<T>(check: CellCheck<T>, column: string): T | null {
    if (check.ok) return check.value;
    this.fail(column, check.message);
    return null;
  }
}

const PLAIN_NUMBER = /^\d{1,15}(?:\.\d{1,15})?$/;

/** Text with nothing to trim and no formula start: most free text, accepted as it is. */
function isPlainText(text: string): boolean {
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(text.length - 1);
  // 61 '=', 43 '+', 45 '-', 64 '@'; anything at or below 32 (spaces, tabs) needs the full check.
  return first > 32 && last > 32 && first !== 61 && first !== 43 && first !== 45 && first !== 64;
}

function notAPeriod(text: string): string {
  const hint = /^\d{4}-\d{2}-\d{2}/.test(text)
    ? ' (it is a date: Excel may have turned a period into a date; format the column as text)'
    : looksLikeFormula(text) ? ' (it starts like a spreadsheet formula)' : '';
  return `"${clip(text)}" is not a period: write 2025-Q3, 2025-H1, 2025 or 2025-07${hint}`;
}

const formulaMessage = (text: string) => `"${clip(text)}" starts like a spreadsheet formula (= + - @), not a code`;
const dimensionName = (d: DisaggregationDimension) => d.replace('_', ' ');
const typeName = (i: CatalogueIndicator) => (i.type === 'yes_no' ? 'yes/no' : i.type);
const round2 = (n: number) => Math.round(n * 100) / 100;
