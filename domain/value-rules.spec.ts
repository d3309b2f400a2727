import { describe, expect, it } from 'vitest';
import { checkEvidenceUrl, checkRange, checkText, looksLikeFormula, normaliseCategory, parseNumber, parseYesNo } from './value-rules.js';

const message = (c: { ok: boolean; message?: string }) => (c.ok ? undefined : c.message);

describe('numbers', () => {
  it('reads plain decimals with a dot', () => {
    expect(parseNumber(' 12 ')).toEqual({ ok: true, value: 12 });
    expect(parseNumber('12.50')).toEqual({ ok: true, value: 12.5 });
    expect(parseNumber('-3')).toEqual({ ok: true, value: -3 });
    expect(parseNumber('1e3')).toEqual({ ok: true, value: 1000 });
  });
  it('names what is wrong with text that is not a number', () => {
    expect(message(parseNumber('abc'))).toBe('"abc" is not a number');
    expect(message(parseNumber('1,234'))).toMatch(/dot for decimals and no thousands separators/);
    expect(message(parseNumber('12,5'))).toMatch(/dot for decimals/);
    expect(message(parseNumber('=SUM(A1:A3)'))).toMatch(/spreadsheet formula/);
    expect(message(parseNumber('1e400'))).toMatch(/too large/);
  });
});

describe('yes/no', () => {
  it('accepts yes, no, 1, 0, true, false in any case', () => {
    for (const yes of ['yes', 'YES', 'True', '1']) expect(parseYesNo(yes)).toEqual({ ok: true, value: 1 });
    for (const no of ['no', 'No', 'FALSE', '0']) expect(parseYesNo(no)).toEqual({ ok: true, value: 0 });
  });
  it('refuses anything else', () => {
    expect(message(parseYesNo('maybe'))).toBe('"maybe" is not yes or no: write yes, no, 1, 0, true or false');
  });
});

describe('ranges by indicator type', () => {
  it('refuses negative counts and ratios, percentages outside 0-100', () => {
    expect(message(checkRange('count', -1))).toBe('-1 is negative: a count cannot be below 0');
    expect(message(checkRange('percentage', 101))).toMatch(/outside 0-100/);
    expect(message(checkRange('percentage', -0.5))).toMatch(/outside 0-100/);
    expect(checkRange('percentage', 100).ok).toBe(true);
    expect(checkRange('count', 0).ok).toBe(true);
  });
});

describe('formulas', () => {
  it('recognises what a spreadsheet would run', () => {
    for (const t of ['=1+1', '+218 91', '-x', '@SUM(A1)', '\t=1']) expect(looksLikeFormula(t)).toBe(true);
    for (const t of ['Tripoli', 'a=b', '12', '-', '+']) expect(looksLikeFormula(t)).toBe(false);
  });
  it('refuses such free text', () => {
    expect(message(checkText('=HYPERLINK("http://x")', 100))).toMatch(/starts like a spreadsheet formula/);
    expect(checkText(' survey round 3 ', 100)).toEqual({ ok: true, value: 'survey round 3' });
    expect(message(checkText('x'.repeat(11), 10))).toBe('is longer than 10 characters');
  });
});

describe('disaggregation categories', () => {
  it('spells fixed vocabularies one way', () => {
    expect(normaliseCategory('sex', 'F')).toEqual({ ok: true, value: 'female' });
    expect(normaliseCategory('sex', ' Male ')).toEqual({ ok: true, value: 'male' });
    expect(normaliseCategory('population_type', 'idps')).toEqual({ ok: true, value: 'IDP' });
    expect(normaliseCategory('population_type', 'Host  community')).toEqual({ ok: true, value: 'host community' });
    expect(message(normaliseCategory('sex', 'unknown'))).toBe('"unknown" is not a sex: write male, female');
  });
  it('checks age groups as ranges and keeps other dimensions as written', () => {
    expect(normaliseCategory('age_group', '18 - 59')).toEqual({ ok: true, value: '18-59' });
    expect(normaliseCategory('age_group', '60+')).toEqual({ ok: true, value: '60+' });
    expect(message(normaliseCategory('age_group', 'adults'))).toMatch(/not an age group/);
    expect(normaliseCategory('location', 'Al  Khums')).toEqual({ ok: true, value: 'Al Khums' });
    expect(message(normaliseCategory('nationality', '=cmd'))).toMatch(/formula/);
  });
});

describe('evidence links', () => {
  it('takes http and https addresses only', () => {
    expect(checkEvidenceUrl('https://example.org/report.pdf').ok).toBe(true);
    expect(message(checkEvidenceUrl('file:///C:/report.pdf'))).toMatch(/not a web link/);
    expect(message(checkEvidenceUrl('report.pdf'))).toMatch(/not a web link/);
  });
});
