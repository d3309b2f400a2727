import { describe, expect, it } from 'vitest';
import { isTotal } from '../domain/results-framework.js';
import { quartersEnding, SYNTH_APPROVER, SYNTH_LAST_QUARTER, synthPortfolio } from './synth.js';

describe('the synthetic portfolio', () => {
  it('is the same for the same seed, and another for another seed', () => {
    const a = synthPortfolio({ projects: 5, seed: 7 });
    expect(JSON.stringify(synthPortfolio({ projects: 5, seed: 7 }))).toBe(JSON.stringify(a));
    expect(JSON.stringify(synthPortfolio({ projects: 5, seed: 8 }).projects.map((p) => p.values))).not.toBe(JSON.stringify(a.projects.map((p) => p.values)));
    // A larger portfolio starts with the same projects.
    expect(JSON.stringify(synthPortfolio({ projects: 8, seed: 7 }).projects.slice(0, 5))).toBe(JSON.stringify(a.projects));
  });

  it('has the sizes asked for, every quarter ending 2025-Q4, and every indicator type', () => {
    const p = synthPortfolio({ projects: 4, indicators: 10, quarters: 12, seed: 1 });
    expect(p.projects.map((x) => x.project.code)).toEqual(['SYN0001', 'SYN0002', 'SYN0003', 'SYN0004']);
    expect(p.quarters).toEqual(quartersEnding(SYNTH_LAST_QUARTER, 12));
    expect(p.quarters[0]).toBe('2023-Q1');
    for (const proj of p.projects) {
      expect(proj.indicators).toHaveLength(10);
      expect(new Set(proj.indicators.map((i) => i.type))).toEqual(new Set(['count', 'percentage', 'yes_no']));
      expect(proj.indicators.some((i) => i.type === 'count' && i.timeAggregation === 'latest')).toBe(true);
      for (const ind of proj.indicators) {
        const periods = new Set(proj.values.filter((v) => v.indicatorCode === ind.code && isTotal(v.disaggregation)).map((v) => v.period));
        expect([...periods]).toEqual(p.quarters);
      }
    }
  });

  it('maps every result below the objective to a UNSDCF output and an IOM pillar', () => {
    const p = synthPortfolio({ projects: 3, seed: 2 });
    const nodes = new Map(p.frameworkNodes.map((n) => [n.code, n]));
    for (const r of p.projects.flatMap((x) => x.results).filter((r) => r.level !== 'objective')) {
      expect(r.contributesTo.map((c) => `${nodes.get(c)!.framework}/${nodes.get(c)!.level}`).sort()).toEqual(['iom_pillar/pillar', 'unsdcf/output']);
    }
  });

  it('has breakdowns by sex that add up to their totals, and percentages as numerator / denominator', () => {
    const p = synthPortfolio({ projects: 6, seed: 3 });
    let checked = 0;
    for (const proj of p.projects) {
      for (const ind of proj.indicators) {
        for (const q of p.quarters) {
          const rows = proj.values.filter((v) => v.indicatorCode === ind.code && v.period === q);
          const total = rows.find((v) => isTotal(v.disaggregation))!;
          const bySex = rows.filter((v) => v.disaggregation.sex);
          if (ind.type === 'yes_no') {
            expect([0, 1]).toContain(total.value);
            expect(bySex).toEqual([]);
            continue;
          }
          expect(bySex.length).toBeGreaterThan(0);
          if (ind.type === 'percentage') {
            expect(bySex.reduce((a, v) => a + v.numerator!, 0)).toBe(total.numerator);
            expect(bySex.reduce((a, v) => a + v.denominator!, 0)).toBe(total.denominator);
            for (const v of [total, ...bySex]) {
              expect(v.numerator!).toBeLessThanOrEqual(v.denominator!);
              expect(v.value).toBe(Math.round((v.numerator! / v.denominator!) * 1000) / 10);
            }
          } else {
            expect(bySex.reduce((a, v) => a + v.value!, 0)).toBe(total.value);
          }
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(300);
  });

  it('gives every project a manager, the Chief of Mission as approver, donors with agreements and contacts', () => {
    const p = synthPortfolio({ projects: 10, seed: 4 });
    const roleHolders = (role: string, code: string) => p.users.filter((u) => u.roles.some((r) => r.role === role && r.projectCode === code)).map((u) => u.id);
    for (const proj of p.projects) {
      const code = proj.project.code;
      expect(roleHolders('project_manager', code)).toEqual([`pm.${code.toLowerCase()}`]);
      expect(roleHolders('approver', code)).toEqual([SYNTH_APPROVER]);
      expect(roleHolders('me_officer', code)).toHaveLength(1);
      expect(proj.project.donors.length).toBeGreaterThan(0);
      for (const d of proj.project.donors) {
        expect(p.agreements).toContainEqual(expect.objectContaining({ donorCode: d, projectCode: code, frequency: 'quarterly' }));
        expect(p.users.some((u) => u.roles.some((r) => r.role === 'donor_contact' && r.donorCode === d))).toBe(true);
      }
    }
  });
});
