/**
 * A synthetic portfolio of any size, deterministic from a seed: for benchmarks and load tests
 * (`rbm portfolio synth`, `npm run bench -- cycles`). Pure: the same options always give the same
 * projects, users, donors, agreements and values.
 *
 * - Projects `SYN0001`, `SYN0002`...: an objective, an outcome and outputs, each contributing to one of
 *   the demo's UNSDCF outputs and one IOM pillar (demo/frameworks.ts), flagged illustrative.
 * - Indicators in turn: a count summed over time by sex, a percentage with numerator and denominator
 *   by sex, a yes/no milestone, a count of a level ("latest") by sex; every breakdown by sex adds up
 *   exactly to its total (numerators and denominators too).
 * - Users: a project manager per project (`pm.syn0001`), one Chief of Mission (`com.synth`, approver
 *   of every synthetic project), one M&E officer (`me.synth`); four donors, each with a contact user.
 * - Each project is funded by one or two donors, with a quarterly agreement for the donor report.
 * - Values for every quarter, the last being SYNTH_LAST_QUARTER.
 */
import type { FrameworkNode, Indicator, IndicatorValue, Project, Result } from '../domain/results-framework.js';
import { indicator } from './build.js';
import { demoFrameworkNodes } from './frameworks.js';
import type { DemoAgreement, DemoDonor, DemoProject, DemoUser } from './portfolio.js';
import { rngFor } from './prng.js';
import { splitInteger } from './values.js';

/** Every synthetic project's code starts with it; a database holding other codes is not synthetic. */
export const SYNTH_CODE_PREFIX = 'SYN';
export const SYNTH_LAST_QUARTER = '2025-Q4';
export const SYNTH_APPROVER = 'com.synth';
export const SYNTH_ME_OFFICER = 'me.synth';
export const SYNTH_TEMPLATE = 'iom-donor-report';

export interface SynthOptions {
  projects: number;
  /** Indicators per project (default 10). */
  indicators?: number;
  /** Quarters of data per project, ending SYNTH_LAST_QUARTER (default 12). */
  quarters?: number;
  seed?: string | number;
}

export interface SynthProject extends DemoProject {
  values: IndicatorValue[];
}

export interface SynthPortfolio {
  frameworkNodes: FrameworkNode[];
  donors: DemoDonor[];
  users: DemoUser[];
  projects: SynthProject[];
  agreements: DemoAgreement[];
  quarters: string[];
}

const SEX = ['male', 'female'] as const;
const KINDS = ['count', 'percentage', 'yes_no', 'level'] as const;
type Kind = (typeof KINDS)[number];

export const synthProjectCode = (i: number) => `${SYNTH_CODE_PREFIX}${String(i + 1).padStart(4, '0')}`;
export const synthManager = (code: string) => `pm.${code.toLowerCase()}`;

/** The `count` quarters ending `last` ("2025-Q4"), oldest first. */
export function quartersEnding(last: string, count: number): string[] {
  const year = Number(last.slice(0, 4));
  const q = Number(last.slice(6));
  const index = year * 4 + (q - 1);
  return Array.from({ length: count }, (_, k) => {
    const i = index - (count - 1 - k);
    return `${Math.floor(i / 4)}-Q${(i % 4) + 1}`;
  });
}

const quarterStart = (q: string) => `${q.slice(0, 4)}-${String((Number(q.slice(6)) - 1) * 3 + 1).padStart(2, '0')}-01`;
const quarterEnd = (q: string) => {
  const month = Number(q.slice(6)) * 3;
  return `${q.slice(0, 4)}-${String(month).padStart(2, '0')}-${month === 6 || month === 9 ? '30' : '31'}`;
};

export function synthDonors(): DemoDonor[] {
  return [1, 2, 3, 4].map((n) => ({ code: `SYN-DONOR-${n}`, name: `Synthetic Donor ${n}`, illustrative: true, contactEmail: `syn.donor${n}@example.org` }));
}

export function synthPortfolio(opts: SynthOptions): SynthPortfolio {
  const count = opts.projects;
  const perProject = opts.indicators ?? 10;
  const quarterCount = opts.quarters ?? 12;
  if (!Number.isInteger(count) || count < 1) throw new RangeError('projects: a whole number >= 1');
  if (!Number.isInteger(perProject) || perProject < 1 || perProject > 200) throw new RangeError('indicators: 1 to 200');
  if (!Number.isInteger(quarterCount) || quarterCount < 1 || quarterCount > 40) throw new RangeError('quarters: 1 to 40');
  const seed = String(opts.seed ?? 1);
  const frameworkNodes = demoFrameworkNodes();
  const outputs = frameworkNodes.filter((n) => n.framework === 'unsdcf' && n.level === 'output').map((n) => n.code);
  const pillars = frameworkNodes.filter((n) => n.framework === 'iom_pillar').map((n) => n.code);
  const donors = synthDonors();
  const quarters = quartersEnding(SYNTH_LAST_QUARTER, quarterCount);

  const projects: SynthProject[] = [];
  for (let i = 0; i < count; i++) {
    const code = synthProjectCode(i);
    const rng = rngFor(`${seed}/${code}`);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng() * xs.length)]!;
    const first = donors[Math.floor(rng() * donors.length)]!.code;
    const second = rng() < 0.4 ? donors.find((d) => d.code !== first && rng() < 0.5)?.code : undefined;
    const project: Project = {
      code,
      altCode: `PO.S${String(i + 1).padStart(4, '0')}`,
      title: `Synthetic project ${i + 1}`,
      donors: second ? [first, second] : [first],
      startDate: quarterStart(quarters[0]!),
      endDate: quarterEnd(quarters[quarters.length - 1]!),
      budget: 250_000 + Math.round(rng() * 40) * 50_000,
      currency: 'USD',
      status: 'active',
      coverage: 'Libya (synthetic)',
      locations: ['Tripoli', 'Benghazi', 'Sebha'],
      programmaticArea: 'Synthetic portfolio',
      illustrative: true,
    };
    const outputCount = Math.max(1, Math.ceil(perProject / 4));
    const results: Result[] = [
      { code: 'OBJ', level: 'objective', parentCode: null, statement: `Objective of ${code}`, contributesTo: [] },
      { code: 'OC1', level: 'outcome', parentCode: 'OBJ', statement: `Outcome of ${code}`, contributesTo: [pick(outputs), pick(pillars)] },
      ...Array.from({ length: outputCount }, (_, k): Result => ({
        code: `OP${k + 1}`, level: 'output', parentCode: 'OC1', statement: `Output ${k + 1} of ${code}`, contributesTo: [pick(outputs), pick(pillars)],
      })),
    ];
    const indicators: Indicator[] = [];
    const values: IndicatorValue[] = [];
    for (let k = 0; k < perProject; k++) {
      const kind = KINDS[k % KINDS.length]!;
      const resultCode = `OP${Math.floor(k / 4) + 1}`;
      const ind = synthIndicator(kind, `${resultCode}.${String.fromCharCode(97 + (k % 4))}`, resultCode, quarters, rng);
      indicators.push(ind);
      values.push(...synthValues(ind, kind, quarters, rngFor(`${seed}/${code}/${ind.code}`)));
    }
    projects.push({ project, results, indicators, values });
  }

  const users: DemoUser[] = [
    { id: SYNTH_ME_OFFICER, name: 'Synthetic M&E officer', email: 'me.synth@example.org', roles: projects.map((p) => ({ role: 'me_officer' as const, projectCode: p.project.code })) },
    { id: SYNTH_APPROVER, name: 'Synthetic Chief of Mission', email: 'com.synth@example.org', roles: projects.map((p) => ({ role: 'approver' as const, projectCode: p.project.code })) },
    ...projects.map((p): DemoUser => ({
      id: synthManager(p.project.code), name: `Manager of ${p.project.code}`, email: `${synthManager(p.project.code)}@example.org`,
      roles: [{ role: 'project_manager', projectCode: p.project.code }],
    })),
    ...donors.map((d, n): DemoUser => ({ id: `donor.syn${n + 1}`, name: `${d.name} contact`, email: d.contactEmail, roles: [{ role: 'donor_contact', donorCode: d.code }] })),
  ];
  const agreements: DemoAgreement[] = projects.flatMap((p) =>
    p.project.donors.map((donorCode) => ({ donorCode, projectCode: p.project.code, templateId: SYNTH_TEMPLATE, frequency: 'quarterly' as const, dueDays: 30, leadDays: 15, sendExcel: false })),
  );
  return { frameworkNodes, donors, users, projects, agreements, quarters };
}

function synthIndicator(kind: Kind, code: string, resultCode: string, quarters: string[], rng: () => number): Indicator {
  const targets: Record<string, number> = {};
  const common = { code, resultCode, baselineDate: null, dataSource: 'Synthetic data', meansOfVerification: 'Synthetic records' };
  if (kind === 'count') {
    const perQuarter = 50 * (2 + Math.floor(rng() * 40));
    for (const q of quarters) targets[q] = perQuarter;
    targets.LOP = perQuarter * quarters.length;
    return indicator({ ...common, type: 'count', unit: 'people', timeAggregation: 'sum', title: `Number of people reached (${code})`, baseline: 0, disaggregations: ['sex'], disaggregationCheck: 'error', targets });
  }
  if (kind === 'percentage') {
    const level = 50 + Math.floor(rng() * 40);
    for (const q of quarters) targets[q] = level;
    targets.LOP = level;
    return indicator({ ...common, type: 'percentage', unit: '%', timeAggregation: 'average', title: `Percentage of people satisfied (${code})`, baseline: 30, disaggregations: ['sex'], targets });
  }
  if (kind === 'yes_no') {
    const due = Math.floor(rng() * quarters.length);
    quarters.forEach((q, i) => (targets[q] = i >= due ? 1 : 0));
    targets.LOP = 1;
    return indicator({ ...common, type: 'yes_no', timeAggregation: 'latest', title: `Plan adopted (${code})`, baseline: 0, disaggregations: [], targets });
  }
  const step = 2 + Math.floor(rng() * 8);
  quarters.forEach((q, i) => (targets[q] = step * (i + 1)));
  targets.LOP = step * quarters.length;
  return indicator({ ...common, type: 'count', unit: 'facilities', timeAggregation: 'latest', title: `Number of functional facilities (${code})`, baseline: 0, disaggregations: ['sex'], targets });
}

/** A quarter's rows: a total and, when disaggregated, one row per sex adding up to it. */
function synthValues(ind: Indicator, kind: Kind, quarters: string[], rng: () => number): IndicatorValue[] {
  const rows: IndicatorValue[] = [];
  const row = (period: string, sex: string | undefined, value: number, extra: Partial<IndicatorValue> = {}) =>
    rows.push({ indicatorCode: ind.code, period, disaggregation: sex ? { sex } : {}, value, ...extra });
  const achievement = () => 0.6 + rng() * 0.55;
  let level = 0;
  quarters.forEach((q, i) => {
    const target = ind.targets[q] ?? 0;
    if (kind === 'yes_no') {
      row(q, undefined, target >= 1 && rng() < 0.9 ? 1 : 0);
      return;
    }
    const male = 0.4 + rng() * 0.3;
    if (kind === 'percentage') {
      const denominator = 40 + Math.floor(rng() * 160);
      const numerator = Math.min(denominator, Math.round((target / 100) * achievement() * denominator));
      const dens = splitInteger(denominator, [male, 1 - male]);
      // In proportion to the denominators (largest remainder): never above its denominator, adding up.
      const nums = splitInteger(numerator, dens);
      row(q, undefined, pct(numerator, denominator), { numerator, denominator });
      SEX.forEach((s, k) => dens[k]! > 0 && row(q, s, pct(nums[k]!, dens[k]!), { numerator: nums[k]!, denominator: dens[k]! }));
      return;
    }
    const total = kind === 'level' ? (level = Math.max(level, Math.round(target * achievement()) + (i === 0 ? 1 : 0))) : Math.round(target * achievement());
    row(q, undefined, total);
    splitInteger(total, [male, 1 - male]).forEach((v, k) => row(q, SEX[k], v));
  });
  return rows;
}

const pct = (n: number, d: number) => Math.round((n / d) * 1000) / 10;
