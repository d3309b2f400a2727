/**
 * A test oracle: PRODUCT.md's "How every figure is computed", written again from the brief as plainly
 * as possible (loops over simple records, no shared code with domain/), so that the property specs can
 * compare the product's arithmetic with an independent reading of the rules. Where the brief leaves a
 * case open, the README's table of rules says how it is read, and this file reads it the same way:
 * - decrease without a baseline and an actual of 0: undefined (target / 0);
 * - percentages over time with the "latest" rule take the latest value; with every period value-only,
 *   a single such period is the figure (there is nothing to average it with).
 */
export type Kind = 'count' | 'percentage' | 'yes_no' | 'qualitative';

export interface OracleIndicator {
  kind: Kind;
  direction: 'increase' | 'decrease';
  baseline: number | null;
  timeRule: 'sum' | 'latest' | 'max';
  /** Target per quarter (missing: no target), and 'LOP'. */
  targets: Record<string, number>;
}

/** One stored value, as entered: `sex` empty for the total row. */
export interface OracleEntry {
  quarter: string;
  sex: '' | 'female' | 'male';
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  text: string | null;
}

export interface OracleFigure {
  actual: number | null;
  /** For percentages: whether the actual came from a numerator and a denominator. */
  hasParts: boolean;
  numerator: number | null;
  denominator: number | null;
}

/** Entries in the order they were made: for each cell, the last one is the value (earlier ones were revised). */
export function currentEntries(entries: OracleEntry[]): OracleEntry[] {
  const last: Record<string, OracleEntry> = {};
  for (const e of entries) last[`${e.quarter}|${e.sex}`] = e;
  return Object.values(last);
}

/** "Actual: the total row; without one, the sum of one dimension's parts. A percentage is 100 × n / d, else the value." */
export function oracleActual(ind: OracleIndicator, current: OracleEntry[], quarter: string): OracleFigure {
  let total: OracleEntry | null = null;
  const parts: OracleEntry[] = [];
  for (const e of current) {
    if (e.quarter !== quarter) continue;
    if (e.sex === '') total = e;
    else parts.push(e);
  }
  if (total) {
    if (ind.kind === 'percentage' && total.numerator !== null && total.denominator !== null && total.denominator > 0) {
      return { actual: (100 * total.numerator) / total.denominator, hasParts: true, numerator: total.numerator, denominator: total.denominator };
    }
    return { actual: total.value, hasParts: false, numerator: null, denominator: null };
  }
  if (parts.length === 0) return { actual: null, hasParts: false, numerator: null, denominator: null };
  if (ind.kind === 'count') {
    let sum = 0;
    for (const p of parts) sum += p.value ?? 0;
    return { actual: sum, hasParts: false, numerator: null, denominator: null };
  }
  if (ind.kind === 'percentage') {
    let n = 0;
    let d = 0;
    let any = false;
    for (const p of parts) {
      if (p.numerator !== null && p.denominator !== null) {
        n += p.numerator;
        d += p.denominator;
        any = true;
      }
    }
    if (any && d > 0) return { actual: (100 * n) / d, hasParts: true, numerator: n, denominator: d };
  }
  return { actual: null, hasParts: false, numerator: null, denominator: null };
}

/** "% of target", unrounded, or null where the brief says it is undefined. */
export function oraclePercent(direction: 'increase' | 'decrease', baseline: number | null, actual: number | null, target: number | null): number | null {
  if (actual === null || target === null) return null;
  if (direction === 'increase') {
    if (target === 0) return null;
    return (100 * actual) / target;
  }
  if (baseline === null) {
    if (actual === 0) return null;
    return (100 * target) / actual;
  }
  if (baseline === target) return null;
  return (100 * (baseline - actual)) / (baseline - target);
}

/** As shown: one decimal. */
export const shownPercent = (p: number | null): number | null => (p === null ? null : Math.round(p * 10) / 10);

export function oracleStatus(kind: Kind, hasActual: boolean, percent: number | null): string {
  if (kind === 'qualitative') return hasActual ? 'reported' : 'no_data';
  if (!hasActual) return 'no_data';
  if (percent === null) return 'no_target';
  const shown = shownPercent(percent)!;
  if (shown >= 90) return 'on_track';
  if (shown >= 60) return 'at_risk';
  return 'off_track';
}

/** "Cumulative: by the time rule; percentages as the ratio of summed parts, value-only periods left out." */
export function oracleCumulative(ind: OracleIndicator, figures: OracleFigure[]): { value: number | null; leftOut: number } {
  const reported = figures.filter((f) => f.actual !== null);
  if (reported.length === 0) return { value: null, leftOut: 0 };
  if (ind.kind === 'percentage' && ind.timeRule !== 'latest') {
    let n = 0;
    let d = 0;
    let withParts = 0;
    for (const f of reported) {
      if (f.hasParts) {
        n += f.numerator!;
        d += f.denominator!;
        withParts++;
      }
    }
    const leftOut = reported.length - withParts;
    if (withParts === 0) return leftOut === 1 ? { value: reported[0]!.actual, leftOut: 0 } : { value: null, leftOut };
    return { value: (100 * n) / d, leftOut };
  }
  if (ind.timeRule === 'latest') return { value: reported[reported.length - 1]!.actual, leftOut: 0 };
  if (ind.timeRule === 'max') {
    let max = -Infinity;
    for (const f of reported) if (f.actual! > max) max = f.actual!;
    return { value: max, leftOut: 0 };
  }
  let sum = 0;
  for (const f of reported) sum += f.actual!;
  return { value: sum, leftOut: 0 };
}

/** One contribution to a line across projects. */
export interface OracleContribution {
  kind: Kind;
  direction: 'increase' | 'decrease';
  baseline: number | null;
  figure: OracleFigure;
  target: number | null;
  hasText: boolean;
}

/**
 * "Across projects": actual = sum of actuals (percentages: summed parts; yes/no: n of m); the % over
 * contributions with both an actual and a target; value-only percentages never averaged with others.
 */
export function oracleLine(cs: OracleContribution[]): { actual: number | null; percent: number | null; status: string; leftOut: number } {
  const kind = cs[0]!.kind;
  if (kind === 'qualitative') {
    const any = cs.some((c) => c.hasText || c.figure.actual !== null);
    return { actual: null, percent: null, status: any ? 'reported' : 'no_data', leftOut: 0 };
  }
  if (cs.length === 1) {
    // "A line with a single contribution shows exactly that indicator's own figure and status."
    const c = cs[0]!;
    const percent = oraclePercent(c.direction, c.baseline, c.figure.actual, c.target);
    return { actual: c.figure.actual, percent, status: oracleStatus(kind, c.figure.actual !== null, percent), leftOut: 0 };
  }
  const direction = cs[0]!.direction;
  let counted = cs.filter((c) => c.figure.actual !== null);
  let leftOut = 0;
  if (kind === 'percentage') {
    const withParts = counted.filter((c) => c.figure.hasParts);
    const valueOnly = counted.filter((c) => !c.figure.hasParts);
    if (withParts.length > 0) {
      leftOut = valueOnly.length;
      counted = withParts;
    } else if (valueOnly.length !== 1) {
      leftOut = valueOnly.length;
      counted = [];
    }
  }
  const used = counted.filter((c) => c.target !== null);
  let actual: number | null = null;
  let percent: number | null = null;
  if (kind === 'count' || kind === 'yes_no') {
    if (counted.length) {
      actual = 0;
      for (const c of counted) actual += kind === 'yes_no' ? (c.figure.actual! >= 1 ? 1 : 0) : c.figure.actual!;
    }
    if (used.length) {
      let a = 0;
      let t = 0;
      let b = 0;
      let allBaselines = true;
      for (const c of used) {
        a += c.figure.actual!;
        t += c.target!;
        if (c.baseline === null) allBaselines = false;
        else b += c.baseline;
      }
      percent = oraclePercent(direction, allBaselines ? b : null, a, t);
    }
  } else if (counted.length === 1 && !counted[0]!.figure.hasParts) {
    const c = counted[0]!;
    actual = c.figure.actual;
    if (c.target !== null) percent = oraclePercent(direction, c.baseline, c.figure.actual, c.target);
  } else if (counted.length) {
    let n = 0;
    let d = 0;
    for (const c of counted) {
      n += c.figure.numerator!;
      d += c.figure.denominator!;
    }
    actual = (100 * n) / d;
    if (used.length) {
      // Percentages pool by their denominators: actual, target and baseline weighted alike.
      let un = 0;
      let ud = 0;
      let wt = 0;
      let wb = 0;
      let allBaselines = true;
      for (const c of used) {
        un += c.figure.numerator!;
        ud += c.figure.denominator!;
        wt += c.target! * c.figure.denominator!;
        if (c.baseline === null) allBaselines = false;
        else wb += c.baseline * c.figure.denominator!;
      }
      percent = oraclePercent(direction, allBaselines ? wb / ud : null, (100 * un) / ud, wt / ud);
    }
  }
  return { actual, percent, status: oracleStatus(kind, actual !== null, percent), leftOut };
}

/** "Mean achievement: the mean of the defined % of period targets, each capped at 100%." */
export function oracleMean(percents: Array<number | null>): { percent: number | null; count: number } {
  let sum = 0;
  let count = 0;
  for (const p of percents) {
    if (p === null) continue;
    sum += p > 100 ? 100 : p;
    count++;
  }
  return { percent: count ? sum / count : null, count };
}
