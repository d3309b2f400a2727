import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Indicator } from '../domain/results-framework.js';
import { sampleIndicators, sampleNodes, sampleProject, sampleResults, sampleValues } from '../test/fixtures/sample-report.js';
import { buildIatiActivities } from './export.js';
import { importIatiActuals } from './import-actuals.js';
import { parseIatiActivities } from './parse-activities.js';
import { REAL_FILES_DIR } from './testing/shared-iati.js';
import { valueLines } from './testing/value-lines.js';

const exportSample = () =>
  buildIatiActivities(
    [{ project: sampleProject, donorNames: ['Demo Donor'], results: sampleResults, indicators: sampleIndicators, frameworkNodes: sampleNodes, values: sampleValues, reports: [] }],
    { generatedAt: '2025-10-10T10:00:00Z', baseUrl: 'http://127.0.0.1:3000' },
  ).xml;

const target = { projectCode: sampleProject.code, indicators: sampleIndicators };

/** A hand-written activity in another publisher's style: titles, no codes of ours, free dimension names. */
const foreign = (body: string) => `<?xml version="1.0"?>
<iati-activities version="2.03"><iati-activity><iati-identifier>XM-DAC-47066-LY10P0542</iati-identifier>
<result type="1"><title><narrative>Training</narrative></title>
<indicator measure="1"><title><narrative>  officials   TRAINED </narrative></title>${body}</indicator></result>
</iati-activity></iati-activities>`;
const period = (start: string, end: string, actuals: string) => `<period><period-start iso-date="${start}"/><period-end iso-date="${end}"/>${actuals}</period>`;

describe('reading IATI actuals into indicator values', () => {
  it('reads our own export back to exactly the values it was made from (totals, disaggregations, ratios, texts)', () => {
    const read = importIatiActuals(exportSample(), target);
    expect(read.activityId).toBe('XM-DAC-47066-LY10P0542');
    expect(read.skipped).toEqual([]);
    expect(valueLines(read.values)).toEqual(valueLines(sampleValues));
  });

  it('matches another publisher’s indicators by title, maps dimension synonyms and keeps what it cannot map out, with the reason', () => {
    const xml = foreign(
      period('2025-07-01', '2025-09-30', '<actual value="36"/><actual value="16"><dimension name="Gender" value="Female"/></actual><actual value="5"><dimension name="Age group" value="18-59"/><dimension name="sex" value="male"/></actual><actual value="3"><dimension name="disability" value="yes"/></actual><actual value="16"><dimension name="gender" value="female"/></actual><actual value=""/>') +
        period('2025-01-01', '2025-12-31', '<actual value="120"/>') +
        period('2025-02-05', '2025-11-03', '<actual value="7"/>'),
    );
    const read = importIatiActuals(xml, target);
    expect(valueLines(read.values)).toEqual([
      'OP1.2.a 2025 [] 120 (-/-)',
      'OP1.2.a 2025-Q3 [] 36 (-/-)',
      'OP1.2.a 2025-Q3 [age_group=18-59,sex=male] 5 (-/-)',
      'OP1.2.a 2025-Q3 [sex=female] 16 (-/-)',
    ]);
    expect(read.skipped).toEqual([
      { indicator: 'OP1.2.a', period: '2025-Q3', reason: 'unknown dimension "disability"' },
      { indicator: 'OP1.2.a', period: '2025-Q3', reason: 'a second actual for the same disaggregation cell' },
      { indicator: 'OP1.2.a', period: '2025-Q3', reason: 'no numeric value ("")' },
      { indicator: 'OP1.2.a', period: '2025-02-05..2025-11-03', reason: 'the period is not a month, quarter, half-year or year' },
    ]);
  });

  it('takes the caller’s indicator map first, and says when nothing matches', () => {
    const xml = foreign(period('2025-04-01', '2025-06-30', '<actual value="30"/>'));
    expect(valueLines(importIatiActuals(xml, target, { indicatorMap: { 'officials   TRAINED': 'OC1.a' } }).values)).toEqual(['OC1.a 2025-Q2 [] 30 (-/-)']);
    const none = importIatiActuals(xml, { projectCode: 'LY10P0542', indicators: [] });
    expect(none.values).toEqual([]);
    expect(none.skipped).toEqual([{ indicator: 'officials   TRAINED', period: null, reason: 'no indicator of LY10P0542 matches it' }]);
  });

  it('refuses a file without the activity, a file that is not XML and one that declares entities', () => {
    expect(() => importIatiActuals(foreign(''), { projectCode: 'LY10P0999', indicators: [] })).toThrow(/no IATI activity XM-DAC-47066-LY10P0999 in the file \(activities found: XM-DAC-47066-LY10P0542\)/);
    expect(() => parseIatiActivities('<iati-activities><iati-activity></iati-activities>')).toThrow(/not well-formed XML/);
    expect(() => parseIatiActivities('<!DOCTYPE x [<!ENTITY a "b">]><iati-activities/>')).toThrow(/declares XML entities/);
    expect(() => parseIatiActivities('<activities/>')).toThrow(/no <iati-activities> root/);
  });
});

describe('reading the real published files in ../shared/iati/real', () => {
  const read = (name: string) => parseIatiActivities(fs.readFileSync(path.join(REAL_FILES_DIR, name), 'utf8'));

  it('reads the CERF grants to IOM: 3 activities, 8 results, 24 qualitative periods and no actuals', () => {
    const activities = read('ocha-cerf-2019-iom-XM-OCHA-CERF.xml');
    expect(activities.map((a) => a.identifier)).toEqual(['XM-OCHA-CERF-19-RR-IOM-003', 'XM-OCHA-CERF-19-RR-IOM-004', 'XM-OCHA-CERF-19-RR-IOM-027']);
    const indicators = activities.flatMap((a) => a.results).flatMap((r) => r.indicators);
    expect(activities.flatMap((a) => a.results)).toHaveLength(8);
    expect(indicators.flatMap((i) => i.periods)).toHaveLength(24);
    expect(new Set(indicators.map((i) => i.measure))).toEqual(new Set(['5']));
    expect(indicators.flatMap((i) => i.periods).flatMap((p) => p.actuals)).toEqual([]);
    // Mapped onto a project with the same indicator title: no actuals, nothing skipped, no crash.
    const project: Array<Pick<Indicator, 'code' | 'title' | 'type'>> = [{ code: 'OP1', title: 'Indicator 1.1', type: 'qualitative' }];
    expect(importIatiActuals(activities, { projectCode: 'X', indicators: project }, { activityId: 'XM-OCHA-CERF-19-RR-IOM-003' })).toEqual({ activityId: 'XM-OCHA-CERF-19-RR-IOM-003', values: [], skipped: [] });
  });

  it('reads UNDP Guinea: 30 actuals, the women’s figures with their sex dimension, in French', () => {
    const activities = read('undp-guinea-XM-DAC-41114.xml');
    const actuals = activities.flatMap((a) => a.results).flatMap((r) => r.indicators).flatMap((i) => i.periods).flatMap((p) => p.actuals);
    expect(actuals).toHaveLength(30);
    expect(actuals.filter((a) => a.dimensions.length).map((a) => `${a.value} ${a.dimensions.map((d) => `${d.name}=${d.value}`).join()}`)).toEqual([
      '11312 sex=female',
      '21106 sex=female',
      '83000 sex=female',
      '110721 sex=female',
    ]);
    const project: Array<Pick<Indicator, 'code' | 'title' | 'type'>> = [
      { code: 'JOBS-W', title: 'Output Indicator 1.1.1.A.1.1', type: 'count' },
      { code: 'JOBS', title: 'Output Indicator 1.1.1.A.3.1', type: 'count' },
      { code: 'FHH', title: 'Output Indicator 1.5.2.B.1.1', type: 'percentage' },
    ];
    const imported = importIatiActuals(activities, { projectCode: 'GN', indicators: project }, { activityId: 'XM-DAC-41114-PROJECT-00094465' });
    expect(valueLines(imported.values)).toEqual([
      'FHH 2016 [] 27 (-/-)',
      'FHH 2017 [] 28 (-/-)',
      'JOBS 2016 [] 44512 (-/-)',
      'JOBS 2017 [] 62129 (-/-)',
      'JOBS-W 2016 [sex=female] 11312 (-/-)',
      'JOBS-W 2017 [sex=female] 21106 (-/-)',
    ]);
    // The other indicators of the activity have actuals but no counterpart in this project.
    expect(imported.skipped.every((s) => s.reason === 'no indicator of GN matches it')).toBe(true);
    expect(imported.skipped).toHaveLength(10);
  });
});
