/**
 * Data-quality checks a reviewer sees before approving (as DHIS2 has them): validation rules between
 * indicators, defined with the results framework ("OP1.a <= OP1.b", "OP1.w + OP1.m = OP1.t"), and
 * outlier flags (a value far outside its own history or its targets). Both are warnings, never
 * refusals: the figures stay as entered and the warnings travel beside them. Pure functions.
 */
import type { Indicator } from './results-framework.js';
import type { PeriodFigure } from './progress.js';

export const RULE_OPERATORS = ['<=', '>=', '=', '<', '>'] as const;
export type RuleOperator = (typeof RULE_OPERATORS)[number];

/** A rule between indicators' period actuals: the sum of `left` compared with the sum of `right`. */
export interface ValidationRule {
  code: string;
  left: string[];
  operator: RuleOperator;
  right: string[];
  description: string;
}

export interface DataQualityWarning {
  kind: 'rule' | 'outlier';
  indicatorCode: string;
  period: string;
  /** The rule's code, for a rule warning. */
  ruleCode: string | null;
  message: string;
}

const CODE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Reads "OP1.a + OP1.b <= OP1.c"; the error says what is wrong with the text. */
export function parseRuleExpression(text: string): { ok: true; left: string[]; operator: RuleOperator; right: string[] } | { ok: false; message: string } {
  const match = /^(.*?)(<=|>=|=|<|>)(.*)$/.exec(text.replace(/≤/g, '<=').replace(/≥/g, '>=').replace(/==/g, '='));
  if (!match) return { ok: false, message: `"${text}" has no comparison: write e.g. "OP1.a <= OP1.b" (operators <=, >=, =, <, >)` };
  const side = (s: string) => s.split('+').map((c) => c.trim());
  const left = side(match[1]!);
  const right = side(match[3]!);
  const bad = [...left, ...right].find((c) => !CODE.test(c));
  if (bad !== undefined) return { ok: false, message: bad ? `"${bad}" is not an indicator code` : `"${text}" has an empty side: write indicator codes joined by "+"` };
  return { ok: true, left, operator: match[2] as RuleOperator, right };
}

export const ruleText = (r: Pick<ValidationRule, 'left' | 'operator' | 'right'>): string => `${r.left.join(' + ')} ${r.operator} ${r.right.join(' + ')}`;

/**
 * The library's rules as rules of one project: each common code stands for the project's indicators
 * linked to it (summed when several are). A rule applies only where every code it names is linked.
 */
export function expandLibraryRules(library: Array<{ code: string; validationRule: string }>, indicators: Array<Pick<Indicator, 'code' | 'commonIndicatorCode'>>): ValidationRule[] {
  const linked = (common: string) => indicators.filter((i) => i.commonIndicatorCode === common).map((i) => i.code);
  const rules: ValidationRule[] = [];
  for (const entry of library) {
    const expr = parseRuleExpression(entry.validationRule);
    if (!expr.ok) continue;
    const sides = [expr.left, expr.right].map((codes) => codes.map(linked));
    if (sides.some((side) => side.some((codes) => !codes.length))) continue;
    rules.push({
      code: `library:${entry.code}`, left: sides[0]!.flat(), operator: expr.operator, right: sides[1]!.flat(),
      description: `library rule ${entry.validationRule}`,
    });
  }
  return rules;
}

const holds = (a: number, op: RuleOperator, b: number): boolean => {
  const eps = 1e-9;
  switch (op) {
    case '<=': return a <= b + eps;
    case '>=': return a + eps >= b;
    case '=': return Math.abs(a - b) <= eps;
    case '<': return a < b - eps;
    case '>': return a > b + eps;
  }
};

/**
 * The rules broken in `period`, given each indicator's period actual. A rule is checked only when
 * every indicator it names has an actual (a missing value is "no data", not a broken rule).
 */
export function checkValidationRules(rules: ValidationRule[], actuals: Map<string, number | null>, period: string): DataQualityWarning[] {
  const warnings: DataQualityWarning[] = [];
  for (const rule of rules) {
    const codes = [...rule.left, ...rule.right];
    if (codes.some((c) => actuals.get(c) === null || actuals.get(c) === undefined)) continue;
    const sum = (cs: string[]) => cs.reduce((a, c) => a + actuals.get(c)!, 0);
    const [a, b] = [sum(rule.left), sum(rule.right)];
    if (holds(a, rule.operator, b)) continue;
    warnings.push({
      kind: 'rule', indicatorCode: rule.left[0]!, period, ruleCode: rule.code,
      message: `rule ${rule.code} (${rule.description || ruleText(rule)}) does not hold: ${ruleText(rule)} is ${a} ${rule.operator} ${b}`,
    });
  }
  return warnings;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** How far a value may stray before it is flagged (modified z-score; multiples of a target). */
export const OUTLIER_LIMITS = { zScore: 3.5, minHistory: 3, timesMedian: 2, minMedian: 5, timesPeriodTarget: 5, timesLifeTarget: 2 } as const;

/**
 * Is the period's actual far outside the indicator's own history (modified z-score over the other
 * periods' actuals, Iglewicz and Hoaglin, and more than twice the median away) or its targets (over 5 × the period target, or one period
 * over 2 × the life-of-project target)? Counts and ratios only; yes/no and text have no outliers.
 */
export function findOutlier(indicator: Pick<Indicator, 'code' | 'type' | 'targets'>, byPeriod: PeriodFigure[], period: string): DataQualityWarning | null {
  if (indicator.type === 'yes_no' || indicator.type === 'qualitative') return null;
  const current = byPeriod.find((f) => f.period === period);
  const x = current?.actual ?? null;
  if (x === null) return null;
  const flag = (message: string): DataQualityWarning => ({ kind: 'outlier', indicatorCode: indicator.code, period, ruleCode: null, message });
  const lop = indicator.targets['LOP'] ?? null;
  if (indicator.type === 'count' && lop !== null && lop > 0 && x > OUTLIER_LIMITS.timesLifeTarget * lop) {
    return flag(`${x} in ${period} is over ${OUTLIER_LIMITS.timesLifeTarget} × the life-of-project target of ${lop}: check the value`);
  }
  const target = current?.target ?? null;
  if (target !== null && target > 0 && x > OUTLIER_LIMITS.timesPeriodTarget * target) {
    return flag(`${x} in ${period} is over ${OUTLIER_LIMITS.timesPeriodTarget} × its target of ${target}: check the value`);
  }
  const history = byPeriod.filter((f) => f.period !== period && f.actual !== null).map((f) => f.actual!);
  if (history.length < OUTLIER_LIMITS.minHistory) return null;
  const m = median(history);
  const mad = median(history.map((h) => Math.abs(h - m)));
  // Both: unusual for this series (modified z-score) and large in itself (over twice the median's size,
  // at least 10), so that steady growth and small series do not cry wolf.
  const unusual = mad > 0 ? (0.6745 * Math.abs(x - m)) / mad > OUTLIER_LIMITS.zScore : x !== m;
  const far = unusual && Math.abs(x - m) > OUTLIER_LIMITS.timesMedian * Math.max(Math.abs(m), OUTLIER_LIMITS.minMedian);
  return far ? flag(`${x} in ${period} is far from this indicator's other periods (median ${Math.round(m * 100) / 100}): check the value`) : null;
}
