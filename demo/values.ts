/**
 * Deterministic quarterly indicator values for the demo projects. Each indicator gets its own seeded
 * generator (mulberry32 keyed by "project/indicator"), so the same call always returns the same rows,
 * and a quarter's values do not depend on `throughPeriod` (the whole series is generated, then cut).
 *
 * What the rows look like:
 * - counts (sum): a total row plus one row per category of each disaggregation; every dimension adds up
 *   exactly to the total (integers);
 * - counts (latest, e.g. functional facilities): a level that never goes down, per location too;
 * - counts (average, e.g. days to departure): one total row;
 * - percentages: numerator and denominator, value = numerator / denominator * 100 (1 decimal), also per
 *   disaggregation category (numerators and denominators add up);
 * - yes/no: 0, then 1 from some quarter (late when the indicator performs poorly);
 * - qualitative: text, value null.
 * Achievement is around 70-110% of the period target, with a few deliberate laggards (PERFORMANCE) and a
 * few missing cells (MISSING_CELLS) so that reports show on track, at risk, off track and "no data".
 */
import { parsePeriod } from '../domain/periods.js';
import type { Disaggregation, DisaggregationDimension, Indicator, IndicatorValue, Project } from '../domain/results-framework.js';
import { reportingQuarters } from './build.js';
import type { DemoProject } from './portfolio.js';
import { rngFor } from './prng.js';

/** Indicators whose achievement is set rather than drawn (1 = on target), keyed "project/indicator". */
export const PERFORMANCE: Record<string, { level: number; why: string }> = {
  'LY10P0542/OP1.1.a': { level: 1, why: 'Structured analysis validated on schedule' },
  'LY10P0558/OP1.2.a': { level: 0.5, why: 'Hygiene kit pipeline break after a customs delay' },
  'LY10P0563/OP1.1.b': { level: 0.5, why: 'Referral hospitals in the south have limited capacity' },
  'LY10P0570/OC1.b': { level: 0.45, why: 'Charter flights suspended several times; departures delayed' },
  'LY10P0576/OC2.a': { level: 0.8, why: 'Data sharing agreement awaiting clearance by the ministry' },
};

/** (indicator, quarter) cells with no data, keyed "project/indicator@quarter". */
export const MISSING_CELLS: Record<string, string> = {
  'LY10P0542/OC1.b@2024-Q1': 'Follow-up survey postponed to the next quarter',
  'LY10P0551/OP1.1.b@2024-Q3': 'Case management database migration',
  'LY10P0558/OC1.b@2025-Q3': 'Laboratory results pending',
  'LY10P0563/OC1.a@2025-Q3': 'Exit interviews not conducted (enumerator contracts)',
  'LY10P0563/OP1.2.a@2024-Q2': 'Facility assessments not submitted',
  'LY10P0570/OP2.1.b@2025-Q2': 'Protection database export failed',
  'LY10P0576/OP1.1.a@2025-Q3': 'Mobility tracking round still in the field',
};

/** Typical quarterly denominator of small percentage indicators (default: a survey sample of 60-200). */
export const DENOMINATORS: Record<string, number> = {
  'LY10P0542/OC1.b': 12, // officials followed up three months after training
  'LY10P0542/OP1.4.b': 18, // officials trained in the quarter
  'LY10P0551/OP2.1.b': 35, // staff trained in the quarter
  'LY10P0563/OC1.b': 180, // patients referred in the quarter
  'LY10P0576/OC1.a': 30, // humanitarian partners surveyed
  'LY10P0576/OP2.1.b': 14, // officials trained in the quarter
};

/** Quarterly texts of the qualitative indicators, used in turn. */
export const NARRATIVES: Record<string, string[]> = {
  'LY10P0542/OC1.c': [
    'The Ministry of Labour referred to the preliminary findings of the structured analysis when discussing labour migration priorities in the Migration Working Group.',
    'Municipal councils in Misrata and Sebha requested the analysis to prepare local action plans on migrant access to services.',
    'National counterparts used the lessons of the study visit to draft terms of reference for an inter-ministerial migration coordination committee.',
    'Workshop participants presented proposals on labour migration data to the Ministry of Foreign Affairs.',
    'The draft national migration strategy cites the structured analysis and the Voluntary National Review of the Global Compact for Migration.',
  ],
  'LY10P0551/OC2.a': [
    'Beneficiaries in Tripoli and Zuwara value the women-only group sessions; men asked for evening hours that fit their working day.',
    'Partners in Benghazi report shorter waiting times for psychiatric referral since the mobile team started weekly visits.',
    'Migrant community leaders asked for sessions in Hausa and Tigrinya; two interpreters joined the Misrata team.',
    'Feedback boxes show high satisfaction with the community MHPSS spaces; concerns relate mainly to transport costs.',
  ],
  'LY10P0558/OP1.3.b': [
    'Water storage tanks in two detention centres needed cleaning; site management agreed to a monthly cleaning schedule.',
    'Latrine-to-person ratios at the Zuwara disembarkation point meet the minimum standard after the rehabilitation works.',
    'Residual chlorine was below standard in Al Khums during a power cut; the backup generator was repaired.',
    'Joint visits with the authorities confirmed that hygiene kits reach women and children first, as agreed.',
  ],
  'LY10P0563/OC2.b': [
    'Suspected measles cases among migrants in Sebha were detected; the NCDC organised a vaccination campaign within two weeks.',
    'Screening at the Kufra point of entry identified tuberculosis cases; patients were referred and contacts traced.',
    'An increase in acute watery diarrhoea in Ubari was reported; health promotion and water treatment were reinforced.',
    'No public health event requiring a response was reported this quarter; weekly reporting continued from all points of entry.',
  ],
  'LY10P0570/OC2.a': [
    'Unaccompanied children identified in detention were referred for best interests assessments before any return.',
    'Survivors of trafficking received case management and referrals to safe shelter before their return.',
    'Lost identity documents remain the main barrier to return; consular missions were organised in Tripoli and Sebha.',
    'Medical cases were prioritised for departure after fit-to-travel checks, with medical escorts on the flights.',
  ],
  'LY10P0576/OC2.b': [
    'The Bureau of Statistics and Census used mobility tracking figures to plan the sample of the labour force survey.',
    'The humanitarian needs overview used baladiya-level DTM data to estimate the number of people in need.',
    'The Ministry of Local Government requested migrant presence data for municipal planning in the south.',
    'Partners used flow monitoring data to pre-position assistance along the southern routes.',
  ],
};

/** Categories of each disaggregation and their typical shares (location comes from the project). */
const CATEGORIES: Record<Exclude<DisaggregationDimension, 'location' | 'sex'>, Array<[string, number]>> = {
  age_group: [['0-17', 0.18], ['18-59', 0.77], ['60+', 0.05]],
  population_type: [['migrant', 0.55], ['IDP', 0.15], ['returnee', 0.1], ['host community', 0.2]],
  nationality: [['Nigeria', 0.2], ['Niger', 0.2], ['Sudan', 0.18], ['Chad', 0.14], ['Mali', 0.12], ['Other', 0.16]],
};

type Rng = () => number;
interface Split {
  dimension: DisaggregationDimension;
  categories: string[];
  weights: number[];
}

/** The values of one project from its first quarter (not before 2023-Q1) through `throughPeriod`. */
export function demoValues(p: DemoProject, throughPeriod: string): IndicatorValue[] {
  const through = parsePeriod(throughPeriod);
  const quarters = reportingQuarters(p.project);
  return p.indicators
    .flatMap((ind) => indicatorSeries(p.project, ind, quarters))
    .filter((v) => parsePeriod(v.period).end <= through.end);
}

function indicatorSeries(project: Project, ind: Indicator, quarters: string[]): IndicatorValue[] {
  const key = `${project.code}/${ind.code}`;
  const rng = rngFor(key);
  const performance = PERFORMANCE[key]?.level ?? 0.78 + rng() * 0.3;
  const achievement = () => Math.max(0.3, performance + (rng() - 0.5) * 0.2);
  const splits = ind.disaggregations.map((d) => splitFor(d, project, rng));

  const byQuarter: IndicatorValue[][] = [];
  const row = (period: string, disaggregation: Disaggregation, value: number | null, extra: Partial<IndicatorValue> = {}): IndicatorValue => ({
    indicatorCode: ind.code,
    period,
    disaggregation,
    value,
    ...extra,
  });

  if (ind.type === 'qualitative') {
    const texts = NARRATIVES[key] ?? [`Progress on "${ind.title}" was discussed with partners this quarter.`];
    quarters.forEach((q, i) => byQuarter.push([row(q, {}, null, { text: texts[i % texts.length]! })]));
  } else if (ind.type === 'yes_no') {
    const due = quarters.findIndex((q) => (ind.targets[q] ?? 0) >= 1);
    const delay = performance >= 0.95 ? 0 : performance >= 0.85 ? 1 : 2;
    const doneAt = due < 0 ? Infinity : due + delay;
    quarters.forEach((q, i) => byQuarter.push([row(q, {}, i >= doneAt ? 1 : 0)]));
  } else if (ind.type === 'percentage' || ind.type === 'ratio') {
    const typicalDenominator = DENOMINATORS[key] ?? 60 + Math.floor(rng() * 140);
    for (const q of quarters) {
      const target = ind.targets[q];
      if (target === undefined) continue;
      const pct = clamp(towards(ind, target, achievement()), 0, 100);
      const denominator = Math.max(1, Math.round(typicalDenominator * (0.8 + 0.4 * rng())));
      const numerator = Math.round((pct / 100) * denominator);
      const rows = [row(q, {}, percent(numerator, denominator), { numerator, denominator })];
      for (const s of splits) {
        const dens = splitInteger(denominator, jitter(s.weights, rng));
        const nums = splitInteger(numerator, dens);
        s.categories.forEach((c, i) => {
          const den = dens[i]!;
          const num = nums[i]!;
          if (den > 0) rows.push(row(q, { [s.dimension]: c }, percent(num, den), { numerator: num, denominator: den }));
        });
      }
      byQuarter.push(rows);
    }
  } else if (ind.timeAggregation === 'latest' || ind.timeAggregation === 'max') {
    // A stock (functional facilities, baladiyas covered): never goes down, never above the LOP target.
    const cap = ind.targets.LOP ?? Infinity;
    let level = ind.baseline ?? 0;
    const parts = splits.map((s) => splitInteger(level, s.weights));
    for (const q of quarters) {
      const target = ind.targets[q];
      if (target === undefined) continue;
      const next = Math.max(level, Math.min(cap, Math.round(target * achievement())));
      splits.forEach((s, k) => {
        const add = splitInteger(next - level, jitter(s.weights, rng));
        parts[k] = parts[k]!.map((x, i) => x + add[i]!);
      });
      level = next;
      const rows = [row(q, {}, level)];
      if (level > 0) splits.forEach((s, k) => s.categories.forEach((c, i) => rows.push(row(q, { [s.dimension]: c }, parts[k]![i]!))));
      byQuarter.push(rows);
    }
  } else if (ind.timeAggregation === 'average') {
    // An average per period (e.g. days to departure): one total row.
    for (const q of quarters) {
      const target = ind.targets[q];
      if (target === undefined) continue;
      byQuarter.push([row(q, {}, Math.max(0, Math.round(towards(ind, target, achievement()))))]);
    }
  } else {
    // A flow (people reached, kits distributed): total and every dimension adding up to it.
    for (const q of quarters) {
      const target = ind.targets[q];
      if (target === undefined) continue;
      const total = Math.round(target * achievement());
      const rows = [row(q, {}, total)];
      if (total > 0) {
        for (const s of splits) {
          const parts = splitInteger(total, jitter(s.weights, rng));
          s.categories.forEach((c, i) => rows.push(row(q, { [s.dimension]: c }, parts[i]!)));
        }
      }
      byQuarter.push(rows);
    }
  }

  return byQuarter.flat().filter((v) => !(`${key}@${v.period}` in MISSING_CELLS));
}

/** The actual value for a target at a given achievement, respecting the indicator's direction. */
function towards(ind: Indicator, target: number, achievement: number): number {
  if (ind.direction === 'decrease') {
    // Achievement is measured from the baseline down to the target.
    return ind.baseline !== null ? ind.baseline - achievement * (ind.baseline - target) : target / achievement;
  }
  return target * achievement;
}

function splitFor(dimension: DisaggregationDimension, project: Project, rng: Rng): Split {
  if (dimension === 'sex') {
    const male = 0.55 + rng() * 0.3; // most migrants in Libya are men
    return { dimension, categories: ['male', 'female'], weights: [male, 1 - male] };
  }
  if (dimension === 'location') {
    const locations = project.locations.length ? project.locations : ['National'];
    return { dimension, categories: locations, weights: locations.map((_, i) => (i === 0 ? 1.5 : 1) * (0.5 + rng())) };
  }
  const table = CATEGORIES[dimension];
  return { dimension, categories: table.map(([c]) => c), weights: table.map(([, w]) => w) };
}

/** Weights moved by up to ±15% each quarter, so that shares vary a little over time. */
const jitter = (weights: number[], rng: Rng) => weights.map((w) => w * (0.85 + 0.3 * rng()));

/** Split an integer into integer parts proportional to the weights (largest remainder): they add up exactly. */
export function splitInteger(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum <= 0) return weights.map((_, i) => (i === 0 ? total : 0));
  const exact = weights.map((w) => (total * w) / sum);
  const parts = exact.map(Math.floor);
  const rest = total - parts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; k < rest; k++) parts[order[k]!.i]! += 1;
  return parts;
}

const percent = (numerator: number, denominator: number) => Math.round((numerator / denominator) * 1000) / 10;
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
