import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleIndicators, sampleNodes, sampleProject, sampleResults, sampleValues } from '../test/fixtures/sample-report.js';
import type { ActivityInput } from './activity-input.js';
import { buildIatiActivities } from './export.js';
import { codelistCodes, codelistViolations, registrationAgencies } from './testing/codelists.js';
import { ruleViolations } from './testing/rules.js';
import { validateWithXmllint } from './testing/shared-iati.js';
import { attrOf, narrativesOf, parseTree, select, textOf, type XmlElement } from './testing/xml-tree.js';

const GENERATED_AT = '2025-10-10T10:00:00.000Z';
const REPORT_ID = '5b7c1f9e-0000-4000-8000-000000000001';

function sampleInput(overrides: Partial<ActivityInput> = {}): ActivityInput {
  return {
    project: sampleProject,
    donorNames: ['Demo Donor Agency (illustrative)'],
    results: sampleResults,
    indicators: sampleIndicators,
    frameworkNodes: sampleNodes,
    values: sampleValues,
    reports: [{ artifactId: REPORT_ID, format: 'pdf', period: '2025-Q3', version: 1, approvedOn: '2025-10-10', language: 'en' }],
    ...overrides,
  };
}
const build = (input = sampleInput()) => buildIatiActivities([input], { generatedAt: GENERATED_AT, baseUrl: 'http://127.0.0.1:3000/' });

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'rbm-iati-unit-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const activityOf = (xml: string): XmlElement => select(parseTree(xml), 'iati-activities/iati-activity')[0]!;
const indicatorByCode = (activity: XmlElement, code: string) => select(activity, 'result/indicator').find((i) => attrOf(i, 'rbm:code') === code)!;
const periodOf = (indicator: XmlElement, start: string) => select(indicator, 'period').find((p) => attrOf(select(p, 'period-start')[0]!, 'iso-date') === start)!;

describe('IATI export of the sample project', () => {
  const { xml, counts } = build();

  it('validates against the official 2.03 schema (xmllint)', () => {
    const file = path.join(scratch, 'sample.xml');
    fs.writeFileSync(file, xml);
    const lint = validateWithXmllint(file);
    expect(lint.output).toBe(`${file} validates`);
    expect(lint.ok).toBe(true);
  });

  it('uses only codes of the official codelists, and breaks none of the validator rules on what it writes', () => {
    const a = activityOf(xml);
    const codes = (p: string, attr: string) => select(a, p).map((e) => attrOf(e, attr)!);
    expect(codelistCodes('Version').has(attrOf(select(parseTree(xml), 'iati-activities')[0]!, 'version')!)).toBe(true);
    for (const m of codes('result/indicator', 'measure')) expect(codelistCodes('IndicatorMeasure')).toContain(m);
    for (const t of codes('result', 'type')) expect(codelistCodes('ResultType')).toContain(t);
    for (const v of codes('result/reference', 'vocabulary')) expect(codelistCodes('ResultVocabulary')).toContain(v);
    for (const v of codes('result/indicator/reference', 'vocabulary')) expect(codelistCodes('IndicatorVocabulary')).toContain(v);
    for (const c of codes('activity-status', 'code')) expect(codelistCodes('ActivityStatus')).toContain(c);
    for (const t of codes('activity-date', 'type')) expect(codelistCodes('ActivityDateType')).toContain(t);
    for (const t of [...codes('reporting-org', 'type'), ...codes('participating-org', 'type').filter(Boolean)]) expect(codelistCodes('OrganisationType')).toContain(t);
    for (const c of codes('recipient-country', 'code')) expect(codelistCodes('Country')).toContain(c);
    expect(codelistCodes('Currency')).toContain(attrOf(a, 'default-currency'));
    for (const v of codes('sector', 'vocabulary')) expect(codelistCodes('SectorVocabulary')).toContain(v);
    for (const s of select(a, 'sector').filter((s) => attrOf(s, 'vocabulary') === '1')) expect(codelistCodes('Sector')).toContain(attrOf(s, 'code'));
    expect(registrationAgencies()).toContain('XM-DAC');
    expect(codelistViolations(xml)).toEqual([]);
    expect(ruleViolations(xml, GENERATED_AT)).toEqual([]);
  });

  it('describes the activity as IOM reports it', () => {
    const a = activityOf(xml);
    expect(textOf(select(a, 'iati-identifier')[0])).toBe('XM-DAC-47066-LY10P0542');
    expect(attrOf(select(a, 'reporting-org')[0]!, 'ref')).toBe('XM-DAC-47066');
    expect(attrOf(select(a, 'reporting-org')[0]!, 'type')).toBe('40');
    const orgs = select(a, 'participating-org').map((o) => `${attrOf(o, 'role')}:${attrOf(o, 'ref') ?? ''}:${narrativesOf(o)[0]}`);
    expect(orgs).toEqual([
      '1::Demo Donor Agency (illustrative)',
      '2:XM-DAC-47066:International Organization for Migration (IOM)',
      '4:XM-DAC-47066:International Organization for Migration (IOM)',
    ]);
    expect(select(a, 'other-identifier').map((o) => `${attrOf(o, 'type')}:${attrOf(o, 'ref')}`)).toEqual(['A1:PO.0185']);
    expect(select(a, 'activity-date').map((d) => `${attrOf(d, 'type')}:${attrOf(d, 'iso-date')}`)).toEqual(['1:2025-01-01', '2:2025-01-01', '3:2025-12-31']);
    expect(attrOf(select(a, 'recipient-country')[0]!, 'code')).toBe('LY');
    expect(select(a, 'sector').map((s) => `${attrOf(s, 'vocabulary')}:${attrOf(s, 'code')}`)).toEqual(['1:15190']);
    const budgets = select(a, 'budget').map((b) => textOf(select(b, 'value')[0]));
    expect(budgets).toEqual(['300000']);
    const link = select(a, 'document-link')[0]!;
    expect(attrOf(link, 'url')).toBe(`http://127.0.0.1:3000/reports/${REPORT_ID}`);
    expect(attrOf(link, 'format')).toBe('application/pdf');
    expect(attrOf(select(link, 'category')[0]!, 'code')).toBe('A08');
  });

  it('writes one result per outcome and output with indicators, typed from the codelist, with their framework references', () => {
    const a = activityOf(xml);
    const results = select(a, 'result').map((r) => `${attrOf(r, 'rbm:code')}:${attrOf(r, 'type')}`);
    expect(results).toEqual(['OC1:2', 'OP1.1:1', 'OP1.2:1']); // the objective has no indicators: no result
    const oc1 = select(a, 'result')[0]!;
    expect(select(oc1, 'reference').map((r) => `${attrOf(r, 'vocabulary')}:${attrOf(r, 'code')}:${attrOf(r, 'vocabulary-uri')}`)).toEqual([
      '99:UNSDCF-1.2.1:http://127.0.0.1:3000/frameworks/unsdcf',
      '99:IOM-GOVERNANCE:http://127.0.0.1:3000/frameworks/iom_pillar',
    ]);
    expect(select(a, 'result/indicator/reference')).toEqual([]); // rule 8.11.1: result level only
    expect(counts).toMatchObject({ activities: 1, results: 3, indicators: 5, documentLinks: 1, skippedValues: 0 });
  });

  it('maps measure, direction, baseline, targets and every disaggregated actual', () => {
    const a = activityOf(xml);
    const trained = indicatorByCode(a, 'OP1.2.a');
    expect(attrOf(trained, 'measure')).toBe('1');
    expect(attrOf(trained, 'ascending')).toBe('1');
    expect(select(trained, 'baseline').map((b) => [attrOf(b, 'year'), attrOf(b, 'iso-date'), attrOf(b, 'value')])).toEqual([['2024', '2024-12-31', '0']]);
    const q3 = periodOf(trained, '2025-07-01');
    expect(attrOf(select(q3, 'period-end')[0]!, 'iso-date')).toBe('2025-09-30');
    expect(select(q3, 'target').map((t) => attrOf(t, 'value'))).toEqual(['40']);
    const actuals = select(q3, 'actual').map((x) => [attrOf(x, 'value'), ...select(x, 'dimension').map((d) => `${attrOf(d, 'name')}=${attrOf(d, 'value')}`)]);
    expect(actuals).toEqual([['36'], ['16', 'sex=female'], ['20', 'sex=male'], ['12', 'location=Benghazi'], ['24', 'location=Tripoli']]);

    const passing = indicatorByCode(a, 'OP1.2.b');
    expect(attrOf(passing, 'measure')).toBe('2');
    const ratio = select(periodOf(passing, '2025-07-01'), 'actual')[0]!;
    expect(attrOf(ratio, 'value')).toBe('75');
    expect(select(ratio, 'rbm:ratio').map((r) => [attrOf(r, 'numerator'), attrOf(r, 'denominator')])).toEqual([['27', '36']]);

    const lessons = indicatorByCode(a, 'OP1.2.c');
    expect(attrOf(lessons, 'measure')).toBe('5');
    expect(select(lessons, 'baseline')).toEqual([]);
    const [narrative] = select(lessons, 'period/actual');
    expect(attrOf(narrative!, 'value')).toBeUndefined();
    expect(narrativesOf(select(narrative!, 'comment')[0]!)[0]).toMatch(/^The study visit to a champion country/);
  });

  it('says ascending="0" for an indicator where lower is better', () => {
    const indicators = sampleIndicators.map((i) => (i.code === 'OC1.a' ? { ...i, direction: 'decrease' as const } : i));
    expect(attrOf(indicatorByCode(activityOf(build(sampleInput({ indicators })).xml), 'OC1.a'), 'ascending')).toBe('0');
  });

  it('splits a multi-year budget by calendar year and tags SDG targets as sectors that add up to 100%', () => {
    const project = { ...sampleProject, startDate: '2024-07-01', endDate: '2025-12-31', budget: 300000 };
    const results = sampleResults.map((r) => (r.code === 'OC1' ? { ...r, contributesTo: [...r.contributesTo, 'SDG-10.7', 'SDG-8.8', 'SDG-16.9'] } : r));
    const nodes = [
      ...sampleNodes,
      { code: 'SDG-10.7', framework: 'sdg' as const, level: 'target' as const, parentCode: null, title: 'Orderly, safe, regular migration', illustrative: false },
      { code: 'SDG-8.8', framework: 'sdg' as const, level: 'target' as const, parentCode: null, title: 'Labour rights', illustrative: false },
      { code: 'SDG-16.9', framework: 'sdg' as const, level: 'target' as const, parentCode: null, title: 'Legal identity', illustrative: false },
    ];
    const { xml: multi } = build(sampleInput({ project, results, frameworkNodes: nodes }));
    const a = activityOf(multi);
    expect(select(a, 'budget').map((b) => `${attrOf(select(b, 'period-start')[0]!, 'iso-date')}..${attrOf(select(b, 'period-end')[0]!, 'iso-date')}=${textOf(select(b, 'value')[0])}`)).toEqual([
      '2024-07-01..2024-12-31=100546.44',
      '2025-01-01..2025-12-31=199453.56',
    ]);
    expect(select(a, 'sector').map((s) => `${attrOf(s, 'vocabulary')}:${attrOf(s, 'code')}:${attrOf(s, 'percentage') ?? ''}`)).toEqual([
      '1:15190:',
      '8:8.8:33.34',
      '8:10.7:33.33',
      '8:16.9:33.33',
    ]);
    expect(ruleViolations(multi, GENERATED_AT)).toEqual([]);
    expect(codelistViolations(multi)).toEqual([]);
    const file = path.join(scratch, 'multi.xml');
    fs.writeFileSync(file, multi);
    expect(validateWithXmllint(file).ok).toBe(true);
  });

  it('counts what it cannot write instead of writing it wrong', () => {
    const values = [
      ...sampleValues,
      { indicatorCode: 'OP1.2.a', period: 'LOP', disaggregation: {}, value: 120 }, // not a period
      { indicatorCode: 'OP1.2.a', period: '2025-Q2', disaggregation: { sex: 'female' }, value: null }, // no number
    ];
    const { counts: c } = build(sampleInput({ values }));
    expect(c.skippedValues).toBe(2);
    expect(c.actuals).toBe(counts.actuals);
  });

  it('refuses to write a file without activities', () => {
    expect(() => buildIatiActivities([], { generatedAt: GENERATED_AT, baseUrl: 'http://x' })).toThrow(/at least one activity/);
  });
});
