import { describe, it, expect } from 'vitest';
import { parsePeriod, periodWithin } from '../domain/periods.js';
import { computeIndicatorProgress } from '../domain/progress.js';
import {
  DISAGGREGATION_DIMENSIONS,
  FrameworkNodeSchema,
  IndicatorSchema,
  ProjectSchema,
  ResultSchema,
  isTotal,
  type DisaggregationDimension,
  type IndicatorValue,
} from '../domain/results-framework.js';
import { CommonIndicatorSchema, commonLinkProblem, libraryOf } from '../domain/common-indicators.js';
import { buildMissionRollup } from '../domain/rollup.js';
import { reportingQuarters } from './build.js';
import { demoPortfolio, type DemoProject } from './portfolio.js';
import { DENOMINATORS, MISSING_CELLS, NARRATIVES, PERFORMANCE, demoValues, splitInteger } from './values.js';

const portfolio = demoPortfolio();
const { frameworkNodes, donors, users, projects } = portfolio;
const nodeCodes = new Set(frameworkNodes.map((n) => n.code));
const THROUGH = '2025-Q4';

const dupes = (xs: string[]) => xs.filter((x, i) => xs.indexOf(x) !== i);
const soleDimension = (v: IndicatorValue): DisaggregationDimension | undefined => {
  const present = DISAGGREGATION_DIMENSIONS.filter((k) => v.disaggregation[k]);
  return present.length === 1 ? present[0] : undefined;
};
const byPeriod = (values: IndicatorValue[]) => {
  const m = new Map<string, IndicatorValue[]>();
  for (const v of values) m.set(`${v.indicatorCode}@${v.period}`, [...(m.get(`${v.indicatorCode}@${v.period}`) ?? []), v]);
  return m;
};
const indicatorOf = (p: DemoProject, code: string) => p.indicators.find((i) => i.code === code)!;
const valuesOf = (p: DemoProject) => demoValues(p, THROUGH);

describe('demo portfolio: frameworks', () => {
  it('every framework node parses, codes are unique and parents exist', () => {
    for (const n of frameworkNodes) expect(FrameworkNodeSchema.parse(n)).toEqual(n);
    expect(dupes(frameworkNodes.map((n) => n.code))).toEqual([]);
    for (const n of frameworkNodes) if (n.parentCode !== null) expect(nodeCodes, n.code).toContain(n.parentCode);
  });

  it('has the 4 UNSDCF strategic priorities, each with 1-2 outcomes of 2-3 outputs (illustrative wording)', () => {
    const priorities = frameworkNodes.filter((n) => n.framework === 'unsdcf' && n.level === 'strategic_priority');
    expect(priorities.map((n) => n.title)).toEqual([
      'Peace and Governance',
      'Sustainable Economic Development',
      'Social and Human Capital Development',
      'Climate Change, Environment and Water',
    ]);
    for (const sp of priorities) {
      expect(sp.illustrative).toBe(false);
      const outcomes = frameworkNodes.filter((n) => n.parentCode === sp.code);
      expect(outcomes.length).toBeGreaterThanOrEqual(1);
      expect(outcomes.length).toBeLessThanOrEqual(2);
      for (const oc of outcomes) {
        expect(oc).toMatchObject({ level: 'outcome', illustrative: true });
        const outputs = frameworkNodes.filter((n) => n.parentCode === oc.code);
        expect(outputs.length).toBeGreaterThanOrEqual(2);
        expect(outputs.length).toBeLessThanOrEqual(3);
        for (const op of outputs) expect(op).toMatchObject({ level: 'output', illustrative: true, framework: 'unsdcf' });
      }
    }
  });

  it('has the IOM pillars, SDG targets and GCM objectives', () => {
    for (const code of ['IOM-RESILIENCE', 'IOM-MOBILITY', 'IOM-GOVERNANCE', 'SDG-10.7', 'SDG-16.9', 'SDG-3.8', 'SDG-6.1', 'GCM-1', 'GCM-7', 'GCM-21']) {
      expect(nodeCodes, code).toContain(code);
    }
  });
});

describe('demo portfolio: the library of common indicators', () => {
  const library = portfolio.commonIndicators;
  const links = projects.flatMap((p) => p.indicators.filter((i) => i.commonIndicatorCode).map((i) => ({ project: p.project.code, indicator: i })));

  it('has illustrative entries that parse, with unique codes and existing framework nodes', () => {
    expect(library.length).toBeGreaterThanOrEqual(5);
    expect(dupes(library.map((e) => e.code))).toEqual([]);
    for (const e of library) {
      expect(CommonIndicatorSchema.parse(e)).toEqual(e);
      expect(e.illustrative).toBe(true);
      for (const n of e.frameworkNodes) expect(nodeCodes, `${e.code} -> ${n}`).toContain(n);
    }
    expect(library.map((e) => e.type)).toContain('percentage');
  });

  it('links indicators of at least 3 projects to one entry, every link to an entry of the same type', () => {
    const lib = libraryOf(library);
    for (const l of links) expect(commonLinkProblem(l.indicator, lib), `${l.project}/${l.indicator.code}`).toBeNull();
    const projectsOf = (code: string) => new Set(links.filter((l) => l.indicator.commonIndicatorCode === code).map((l) => l.project));
    expect(Math.max(...library.map((e) => projectsOf(e.code).size))).toBeGreaterThanOrEqual(3);
    expect([...projectsOf('CI-GOV-01')].sort()).toEqual(['LY10P0542', 'LY10P0563', 'LY10P0576']);
    expect(new Set(links.map((l) => l.project)).size).toBeGreaterThanOrEqual(5);
  });

  it('rolls CI-GOV-01 up across its three projects in the 2025-Q3 mission overview (the IOM Governance pillar)', () => {
    const inputs = projects.map((p) => ({ ...p, donorNames: p.project.donors, values: valuesOf(p) }));
    const rollup = buildMissionRollup({ projects: inputs, frameworkNodes, period: '2025-Q3', commonIndicators: libraryOf(library) });
    const line = rollup.byPillar.find((g) => g.key === 'IOM-GOVERNANCE')!.lines.find((l) => l.key === 'CI-GOV-01')!;
    // Independently: the three indicators' 2025-Q3 totals and targets, straight from the demo data.
    const linked = links.filter((l) => l.indicator.commonIndicatorCode === 'CI-GOV-01');
    const total = (l: (typeof links)[number]) => valuesOf(projects.find((p) => p.project.code === l.project)!)
      .find((v) => v.indicatorCode === l.indicator.code && v.period === '2025-Q3' && isTotal(v.disaggregation))!.value!;
    expect(line).toMatchObject({
      common: true, type: 'count', unit: 'people', projects: ['LY10P0542', 'LY10P0563', 'LY10P0576'], indicatorCount: 3,
      title: library.find((e) => e.code === 'CI-GOV-01')!.title,
      actual: linked.reduce((a, l) => a + total(l), 0),
      target: linked.reduce((a, l) => a + l.indicator.targets['2025-Q3']!, 0),
    });
    expect(line.actual).toBeGreaterThan(0);
  });
});

describe('demo portfolio: projects', () => {
  it('has 6 projects whose project, results and indicators parse with the schemas', () => {
    expect(projects).toHaveLength(6);
    for (const p of projects) {
      expect(ProjectSchema.parse(p.project)).toEqual(p.project);
      for (const r of p.results) expect(ResultSchema.parse(r)).toEqual(r);
      for (const i of p.indicators) expect(IndicatorSchema.parse(i)).toEqual(i);
    }
  });

  it('has unique codes: projects, project IDs, donors, users, and results and indicators within a project', () => {
    expect(dupes(projects.map((p) => p.project.code))).toEqual([]);
    expect(dupes(projects.map((p) => p.project.altCode ?? ''))).toEqual([]);
    expect(dupes(donors.map((d) => d.code))).toEqual([]);
    expect(dupes(users.map((u) => u.id))).toEqual([]);
    for (const p of projects) {
      expect(dupes(p.results.map((r) => r.code))).toEqual([]);
      expect(dupes(p.indicators.map((i) => i.code))).toEqual([]);
    }
  });

  it('includes the real LY10P0542 as published, and marks every other project illustrative', () => {
    const real = projects.find((p) => p.project.code === 'LY10P0542')!;
    expect(real.project).toMatchObject({
      altCode: 'PO.0185',
      title: 'Strengthening Migration Governance in Libya',
      startDate: '2022-01-01',
      endDate: '2025-12-31',
      budget: 300000,
      currency: 'USD',
      coverage: 'National',
      programmaticArea: 'Migration Policy Activities',
      illustrative: false,
    });
    expect(real.project.donors).toHaveLength(1);
    expect(real.results.find((r) => r.level === 'outcome')!.statement).toBe(
      'Libyan authorities at national and local level engage in developing evidence-based migration management policies in line with international standards',
    );
    for (const p of projects) if (p !== real) expect(p.project.illustrative, p.project.code).toBe(true);
    for (const d of donors) expect(d.illustrative).toBe(true);
  });

  it('has one objective, 1-2 outcomes and 2-4 outputs per project, with existing parents', () => {
    for (const p of projects) {
      const codes = new Set(p.results.map((r) => r.code));
      const count = (level: string) => p.results.filter((r) => r.level === level).length;
      expect(count('objective')).toBe(1);
      expect(count('outcome')).toBeGreaterThanOrEqual(1);
      expect(count('outcome')).toBeLessThanOrEqual(2);
      expect(count('output')).toBeGreaterThanOrEqual(2);
      expect(count('output')).toBeLessThanOrEqual(4);
      for (const r of p.results) if (r.level !== 'objective') expect(codes, `${p.project.code} ${r.code}`).toContain(r.parentCode);
    }
  });

  it('maps every outcome and output to an existing UNSDCF output and IOM pillar', () => {
    const byCode = new Map(frameworkNodes.map((n) => [n.code, n]));
    for (const p of projects) {
      for (const r of p.results) {
        for (const c of r.contributesTo) expect(nodeCodes, `${p.project.code} ${r.code} -> ${c}`).toContain(c);
        if (r.level === 'objective') continue;
        const nodes = r.contributesTo.map((c) => byCode.get(c)!);
        expect(nodes.filter((n) => n.framework === 'unsdcf' && n.level === 'output'), `${p.project.code} ${r.code}`).toHaveLength(1);
        expect(nodes.filter((n) => n.framework === 'iom_pillar'), `${p.project.code} ${r.code}`).toHaveLength(1);
      }
    }
  });

  it('has 6-12 indicators per project, each measuring an existing outcome or output', () => {
    for (const p of projects) {
      expect(p.indicators.length).toBeGreaterThanOrEqual(6);
      expect(p.indicators.length).toBeLessThanOrEqual(12);
      for (const i of p.indicators) {
        const result = p.results.find((r) => r.code === i.resultCode);
        expect(result, `${p.project.code} ${i.code}`).toBeDefined();
        expect(result!.level).not.toBe('objective');
      }
    }
  });

  it('mixes indicator types in every project, with decrease indicators in the portfolio', () => {
    for (const p of projects) {
      const types = new Set(p.indicators.map((i) => i.type));
      for (const t of ['count', 'percentage', 'yes_no', 'qualitative'] as const) expect(types, `${p.project.code} ${t}`).toContain(t);
    }
    const all = projects.flatMap((p) => p.indicators);
    expect(all.some((i) => i.type === 'count' && i.timeAggregation === 'latest')).toBe(true);
    expect(all.some((i) => i.direction === 'decrease')).toBe(true);
    expect(all.some((i) => i.disaggregations.includes('age_group'))).toBe(true);
    expect(all.some((i) => i.disaggregations.includes('population_type'))).toBe(true);
    for (const i of all.filter((x) => x.type === 'percentage')) expect(i.baseline, i.code).not.toBeNull();
  });

  it('has a target for every reporting quarter plus LOP, all within the project dates', () => {
    for (const p of projects) {
      const quarters = reportingQuarters(p.project);
      expect(quarters[0]! >= '2023-Q1').toBe(true);
      for (const i of p.indicators) {
        for (const key of Object.keys(i.targets)) {
          if (key === 'LOP') continue;
          expect(periodWithin(parsePeriod(key), p.project.startDate, p.project.endDate), `${p.project.code} ${i.code} ${key}`).toBe(true);
        }
        if (i.type === 'qualitative') continue;
        expect(Object.keys(i.targets).sort()).toEqual([...quarters, 'LOP'].sort());
      }
    }
  });
});

describe('demo portfolio: donors and users', () => {
  it('funds every project by known donors and gives each donor a contact', () => {
    const donorCodes = new Set(donors.map((d) => d.code));
    for (const p of projects) {
      expect(p.project.donors.length).toBeGreaterThanOrEqual(1);
      for (const d of p.project.donors) expect(donorCodes).toContain(d);
    }
    for (const d of donors) {
      expect(d.contactEmail).toMatch(/@example\.org$/);
      expect(users.some((u) => u.roles.some((r) => r.role === 'donor_contact' && r.donorCode === d.code)), d.code).toBe(true);
    }
  });

  it('has an admin, an M&E officer, a PM and the Chief of Mission as approver for every project', () => {
    const has = (role: string, projectCode?: string) =>
      users.some((u) => u.roles.some((r) => r.role === role && (projectCode === undefined || r.projectCode === projectCode)));
    expect(has('admin')).toBe(true);
    expect(has('me_officer')).toBe(true);
    const com = users.find((u) => u.id === 'com.libya')!;
    for (const p of projects) {
      expect(has('project_manager', p.project.code), p.project.code).toBe(true);
      expect(com.roles).toContainEqual({ role: 'approver', projectCode: p.project.code });
    }
    const projectCodes = new Set(projects.map((p) => p.project.code));
    const donorCodes = new Set(donors.map((d) => d.code));
    for (const u of users) {
      expect(u.email).toMatch(/@example\.org$/);
      for (const r of u.roles) {
        if (r.projectCode) expect(projectCodes).toContain(r.projectCode);
        if (r.donorCode) expect(donorCodes).toContain(r.donorCode);
      }
    }
  });

  it('is deterministic and returns fresh objects', () => {
    const again = demoPortfolio();
    expect(again).toEqual(portfolio);
    expect(again.projects[0]).not.toBe(portfolio.projects[0]);
  });
});

describe('demo values', () => {
  it('are deterministic and do not depend on throughPeriod', () => {
    for (const p of projects) {
      expect(demoValues(p, THROUGH)).toEqual(demoValues(p, THROUGH));
      const upToQ2 = demoValues(p, '2025-Q2');
      expect(upToQ2).toEqual(valuesOf(p).filter((v) => v.period <= '2025-Q2'));
      expect(demoValues(p, '2025')).toEqual(valuesOf(p));
    }
  });

  it('use valid quarters from 2023-Q1 (or the project start) through throughPeriod, within the project dates', () => {
    for (const p of projects) {
      const values = demoValues(p, '2025-Q3');
      expect(values.length).toBeGreaterThan(0);
      const codes = new Set(p.indicators.map((i) => i.code));
      for (const v of values) {
        expect(codes).toContain(v.indicatorCode);
        const period = parsePeriod(v.period);
        expect(period.kind).toBe('quarter');
        expect(period.id).toBe(v.period);
        expect(periodWithin(period, p.project.startDate, p.project.endDate), `${p.project.code} ${v.indicatorCode} ${v.period}`).toBe(true);
        expect(period.start >= '2023-01-01').toBe(true);
        expect(period.end <= '2025-09-30').toBe(true);
      }
    }
    expect(demoValues(projects[0]!, '2022-Q4')).toEqual([]);
  });

  it('have disaggregated count rows that add up to the total per dimension', () => {
    for (const p of projects) {
      for (const [cell, rows] of byPeriod(valuesOf(p))) {
        const ind = indicatorOf(p, rows[0]!.indicatorCode);
        if (ind.type !== 'count') continue;
        const total = rows.filter((r) => isTotal(r.disaggregation));
        expect(total, cell).toHaveLength(1);
        expect(Number.isInteger(total[0]!.value), cell).toBe(true);
        for (const dim of ind.disaggregations) {
          const parts = rows.filter((r) => soleDimension(r) === dim);
          if (total[0]!.value === 0 && parts.length === 0) continue;
          expect(parts.length, `${p.project.code} ${cell} ${dim}`).toBeGreaterThan(0);
          for (const r of parts) expect(Number.isInteger(r.value) && r.value! >= 0).toBe(true);
          expect(parts.reduce((a, r) => a + r.value!, 0), `${p.project.code} ${cell} ${dim}`).toBe(total[0]!.value);
          if (dim === 'location') for (const r of parts) expect(p.project.locations).toContain(r.disaggregation.location);
        }
        for (const r of rows) if (!isTotal(r.disaggregation)) expect(ind.disaggregations).toContain(soleDimension(r));
      }
    }
  });

  it('keep percentages within 0-100 and consistent with numerator/denominator, also per dimension', () => {
    let checked = 0;
    for (const p of projects) {
      for (const [cell, rows] of byPeriod(valuesOf(p))) {
        const ind = indicatorOf(p, rows[0]!.indicatorCode);
        if (ind.type !== 'percentage') continue;
        for (const r of rows) {
          const { numerator: num, denominator: den, value } = r;
          expect(typeof num === 'number' && typeof den === 'number' && den > 0, cell).toBe(true);
          expect(num!).toBeGreaterThanOrEqual(0);
          expect(num!).toBeLessThanOrEqual(den!);
          expect(value).toBe(Math.round((num! / den!) * 1000) / 10);
          expect(value!).toBeGreaterThanOrEqual(0);
          expect(value!).toBeLessThanOrEqual(100);
          checked++;
        }
        const total = rows.find((r) => isTotal(r.disaggregation))!;
        for (const dim of ind.disaggregations) {
          const parts = rows.filter((r) => soleDimension(r) === dim);
          expect(parts.reduce((a, r) => a + r.numerator!, 0), `${cell} ${dim}`).toBe(total.numerator);
          expect(parts.reduce((a, r) => a + r.denominator!, 0), `${cell} ${dim}`).toBe(total.denominator);
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('never decrease "latest" counts, switch yes/no from 0 to 1 once, and report qualitative text', () => {
    for (const p of projects) {
      const values = valuesOf(p);
      for (const ind of p.indicators) {
        const rows = values.filter((v) => v.indicatorCode === ind.code);
        const totals = rows.filter((v) => isTotal(v.disaggregation)).map((v) => v.value!);
        if (ind.type === 'count' && ind.timeAggregation === 'latest') {
          const cells = [...new Set(rows.map((v) => JSON.stringify(v.disaggregation)))];
          for (const cell of cells) {
            const series = rows.filter((v) => JSON.stringify(v.disaggregation) === cell).map((v) => v.value!);
            series.forEach((x, k) => k > 0 && expect(x, `${p.project.code} ${ind.code} ${cell}`).toBeGreaterThanOrEqual(series[k - 1]!));
          }
        }
        if (ind.type === 'yes_no') {
          expect(totals.every((x) => x === 0 || x === 1)).toBe(true);
          expect(totals.join('')).toMatch(/^0*1*$/);
          expect(totals).toContain(0);
        }
        if (ind.type === 'qualitative') {
          expect(rows.length).toBeGreaterThan(0);
          for (const r of rows) {
            expect(r.value).toBeNull();
            expect(r.text!.length).toBeGreaterThan(10);
          }
        }
      }
    }
  });

  it('leave the listed cells empty, and the tuning tables name real indicators', () => {
    const known = new Set(projects.flatMap((p) => p.indicators.map((i) => `${p.project.code}/${i.code}`)));
    for (const key of [...Object.keys(PERFORMANCE), ...Object.keys(DENOMINATORS), ...Object.keys(NARRATIVES)]) expect(known, key).toContain(key);
    for (const cell of Object.keys(MISSING_CELLS)) {
      const [key, period] = cell.split('@') as [string, string];
      expect(known, cell).toContain(key);
      const p = projects.find((x) => key.startsWith(`${x.project.code}/`))!;
      const code = key.slice(p.project.code.length + 1);
      expect(valuesOf(p).filter((v) => v.indicatorCode === code && v.period === period), cell).toEqual([]);
      expect(valuesOf(p).some((v) => v.indicatorCode === code), cell).toBe(true);
    }
  });

  it('show indicators on track, at risk, off track and without data in 2025-Q3, with no disaggregation mismatch', () => {
    const statuses = new Set<string>();
    for (const p of projects) {
      const values = demoValues(p, '2025-Q3');
      const quarters = reportingQuarters(p.project).filter((q) => q <= '2025-Q3');
      for (const ind of p.indicators) {
        const progress = computeIndicatorProgress(ind, values, '2025-Q3', quarters);
        statuses.add(progress.status);
        expect(progress.disaggregationMismatches, `${p.project.code} ${ind.code}`).toEqual([]);
      }
    }
    for (const s of ['on_track', 'at_risk', 'off_track', 'no_data', 'reported']) expect(statuses).toContain(s);
  });

  it('split integers exactly (largest remainder)', () => {
    expect(splitInteger(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(splitInteger(7, [3, 4])).toEqual([3, 4]);
    expect(splitInteger(0, [1, 2])).toEqual([0, 0]);
    expect(splitInteger(5, [0, 0])).toEqual([5, 0]);
  });
});
