/**
 * What a valid indicator value looks like, whatever brings it in (an import, later a web form):
 * numbers as people type them, yes/no, the range each indicator type allows, the categories of the
 * disaggregation dimensions, and text that a spreadsheet would run as a formula. Pure.
 */
import type { DisaggregationDimension, IndicatorType } from './results-framework.js';

/** A problem with one cell, worded for the person who has to fix it. */
export type CellCheck<T> = { ok: true; value: T } | { ok: false; message: string };
const ok = <T>(value: T): CellCheck<T> => ({ ok: true, value });
const no = <T>(message: string): CellCheck<T> => ({ ok: false, message });

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/** Values stored as numeric; beyond this a typo is far more likely than a real figure. */
const MAX_MAGNITUDE = 1e15;

/** A plain decimal number with a dot; no thousands separators, no decimal comma, no formulas. */
export function parseNumber(text: string): CellCheck<number> {
  const t = text.trim();
  if (NUMBER.test(t)) {
    const n = Number(t);
    if (Number.isFinite(n) && Math.abs(n) <= MAX_MAGNITUDE) return ok(n);
    return no(`"${t}" is too large to be a value`);
  }
  if (looksLikeFormula(t)) return no(`"${clip(t)}" is a spreadsheet formula, not a number: paste the values only`);
  if (/^[+-]?[\d.,\s]+$/.test(t) && /\d/.test(t)) {
    return no(`"${t}" is not a number: write it with a dot for decimals and no thousands separators (e.g. 1234.5)`);
  }
  return no(`"${clip(t)}" is not a number`);
}

export const YES_WORDS = ['yes', 'true', '1'] as const;
export const NO_WORDS = ['no', 'false', '0'] as const;

/** yes/no/1/0/true/false, any case; stored as 1 or 0. */
export function parseYesNo(text: string): CellCheck<0 | 1> {
  const t = text.trim().toLowerCase();
  if ((YES_WORDS as readonly string[]).includes(t)) return ok(1);
  if ((NO_WORDS as readonly string[]).includes(t)) return ok(0);
  return no(`"${clip(text.trim())}" is not yes or no: write yes, no, 1, 0, true or false`);
}

/** The range an indicator type allows for its value. */
export function checkRange(type: IndicatorType, value: number): CellCheck<number> {
  if (type === 'percentage' && (value < 0 || value > 100)) return no(`${value} is outside 0-100: a percentage is written 0 to 100 (not 0 to 1)`);
  if ((type === 'count' || type === 'ratio') && value < 0) return no(`${value} is negative: a ${type} cannot be below 0`);
  return ok(value);
}

/**
 * Text that Excel, LibreOffice or Google Sheets would run as a formula when the data is exported
 * again (CSV injection): it starts with = or @, or with + or - followed by anything (a lone "-", which
 * M&E sheets use for "none", stays text in every spreadsheet), possibly after tabs or carriage returns.
 */
export function looksLikeFormula(text: string): boolean {
  return /^[\t\r]*(?:[=@]|[+-][\s\S])/.test(text);
}

/** Fixed vocabularies; the other dimensions take free text (nationalities, mantika/baladiya names). */
const VOCABULARIES: Partial<Record<DisaggregationDimension, Record<string, string>>> = {
  sex: { male: 'male', m: 'male', female: 'female', f: 'female' },
  population_type: {
    migrant: 'migrant', migrants: 'migrant', idp: 'IDP', idps: 'IDP', returnee: 'returnee', returnees: 'returnee',
    'host community': 'host community', host: 'host community',
  },
};
const AGE_GROUP = /^\d{1,3}\s*(?:-\s*\d{1,3}|\+)$/;
const MAX_CATEGORY_LENGTH = 100;

/** A disaggregation category in its canonical spelling (e.g. "F" -> "female", "idps" -> "IDP"). */
export function normaliseCategory(dimension: DisaggregationDimension, text: string): CellCheck<string> {
  const t = text.trim().replace(/\s+/g, ' ');
  const vocabulary = VOCABULARIES[dimension];
  if (vocabulary) {
    const canonical = vocabulary[t.toLowerCase()];
    if (canonical) return ok(canonical);
    return no(`"${clip(t)}" is not a ${dimension.replace('_', ' ')}: write ${[...new Set(Object.values(vocabulary))].join(', ')}`);
  }
  if (dimension === 'age_group') {
    if (AGE_GROUP.test(t)) return ok(t.replace(/\s+/g, ''));
    return no(`"${clip(t)}" is not an age group: write a range such as 0-17, 18-59 or 60+`);
  }
  if (looksLikeFormula(t)) return no(`"${clip(t)}" starts like a spreadsheet formula (= + - @); remove that first character`);
  if (t.length > MAX_CATEGORY_LENGTH) return no(`is longer than ${MAX_CATEGORY_LENGTH} characters`);
  return ok(t);
}

/** Free text (source, comment, qualitative values): refused when it would run as a formula. */
export function checkText(text: string, maxLength: number): CellCheck<string> {
  const t = text.trim();
  if (looksLikeFormula(t)) return no(`"${clip(t)}" starts like a spreadsheet formula (= + - @); remove or reword that first character`);
  if (t.length > maxLength) return no(`is longer than ${maxLength} characters`);
  return ok(t);
}

/** A link to evidence: http or https only. */
export function checkEvidenceUrl(text: string): CellCheck<string> {
  const t = text.trim();
  let url: URL | undefined;
  try {
    url = new URL(t);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) return no(`"${clip(t)}" is not a web link: write a full address starting with https://`);
  if (t.length > 2000) return no('is longer than 2000 characters');
  return ok(t);
}

/** Long cell text shortened for a message. */
export const clip = (text: string, max = 40): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
