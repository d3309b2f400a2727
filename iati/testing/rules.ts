/**
 * The rules of IATI's 'standard' ruleset (rulesets/standard.json, applied by IATI's validator) that
 * concern what our export writes, checked in specs. Each check names its rule id.
 */
import { attrOf, narrativesOf, parseTree, select, walk, type XmlElement } from './xml-tree.js';

export interface RuleViolation {
  rule: string;
  where: string;
  message: string;
}

const isNumber = (v: string | undefined) => v !== undefined && /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(v.trim());
const dateOf = (e: XmlElement | undefined) => (e ? attrOf(e, 'iso-date') : undefined);

export function ruleViolations(xml: string, now: string): RuleViolation[] {
  const out: RuleViolation[] = [];
  const fail = (rule: string, where: string, message: string) => out.push({ rule, where, message });
  const tree = parseTree(xml);

  for (const { path, element } of walk(tree)) {
    if (/\/(title|description)$/.test(path) && !narrativesOf(element).some((t) => t.trim())) fail(path.endsWith('title') ? '4.3.1' : '4.4.1', path, 'no narrative text');
  }

  for (const activity of select(tree, 'iati-activities/iati-activity')) {
    const id = select(activity, 'iati-identifier').map((e) => String(e['#text'] ?? ''))[0] ?? '';
    const org = attrOf(select(activity, 'reporting-org')[0] ?? {}, 'ref') ?? '';
    if (id === org) fail('1.1.3', id, 'identifier equals the reporting organisation identifier');
    if (!id.startsWith(`${org}-`)) fail('1.1.21', id, 'identifier does not start with the reporting organisation identifier');
    if (!attrOf(activity, 'xml:lang')) fail('4.1.1', id, 'no default language');
    if (!attrOf(activity, 'default-currency')) fail('7.8.1', id, 'no default currency');
    const updated = attrOf(activity, 'last-updated-datetime');
    if (updated && Date.parse(updated) > Date.parse(now)) fail('11.1.1', id, 'last-updated-datetime in the future');

    const dates = (type: string) => select(activity, 'activity-date').filter((d) => attrOf(d, 'type') === type).map((d) => attrOf(d, 'iso-date')!);
    if (!dates('1').length && !dates('2').length) fail('6.11.1', id, 'no planned or actual start date');
    if (dates('1')[0] && dates('3')[0] && !(dates('1')[0]! < dates('3')[0]!)) fail('11.1.2', id, 'planned start not before planned end');
    for (const [type, rule] of [['2', '11.1.4'], ['4', '11.1.5']] as const) if (dates(type).some((d) => d > now.slice(0, 10))) fail(rule, id, `activity date type ${type} in the future`);

    const sectors = select(activity, 'sector');
    if (!sectors.length) fail('6.2.2', id, 'no sector');
    for (const vocabulary of new Set(sectors.map((s) => attrOf(s, 'vocabulary') ?? '1'))) {
      const inVocabulary = sectors.filter((s) => (attrOf(s, 'vocabulary') ?? '1') === vocabulary);
      const percentages = inVocabulary.map((s) => attrOf(s, 'percentage'));
      if (inVocabulary.length === 1 && percentages[0] !== undefined && Number(percentages[0]) !== 100) fail('2.1.4', id, `single sector of vocabulary ${vocabulary} not at 100%`);
      if (inVocabulary.length > 1) {
        if (percentages.some((p) => p === undefined)) fail('2.1.1', id, `a sector of vocabulary ${vocabulary} has no percentage`);
        const sum = percentages.reduce((a, p) => a + Math.round(Number(p ?? 0) * 100), 0);
        if (sum !== 10000) fail('2.1.2', id, `sector percentages of vocabulary ${vocabulary} add up to ${sum / 100}`);
      }
    }
    const countries = select(activity, 'recipient-country');
    if (countries.length === 1 && attrOf(countries[0]!, 'percentage') !== undefined && Number(attrOf(countries[0]!, 'percentage')) !== 100) fail('3.1.4', id, 'single country not at 100%');

    for (const budget of select(activity, 'budget')) {
      const start = dateOf(select(budget, 'period-start')[0]) ?? '';
      const end = dateOf(select(budget, 'period-end')[0]) ?? '';
      if (!(start < end)) fail('8.6.3', id, `budget period ${start}..${end} not in order`);
      const yearLater = new Date(`${start}T00:00:00Z`);
      yearLater.setUTCFullYear(yearLater.getUTCFullYear() + 1);
      if (end >= yearLater.toISOString().slice(0, 10)) fail('7.5.3', id, `budget period ${start}..${end} longer than one year`);
    }

    for (const result of select(activity, 'result')) {
      const resultHasReference = select(result, 'reference').length > 0;
      for (const indicator of select(result, 'indicator')) {
        const where = `${id} indicator "${narrativesOf(select(indicator, 'title')[0] ?? {})[0] ?? ''}"`;
        if (resultHasReference && select(indicator, 'reference').length) fail('8.11.1', where, 'reference on both the result and the indicator');
        const qualitative = attrOf(indicator, 'measure') === '5';
        const checkValue = (e: XmlElement, what: string, rules: [string, string, string]) => {
          const value = attrOf(e, 'value');
          if (qualitative && value !== undefined) fail(rules[2], where, `${what} value on a qualitative indicator`);
          if (!qualitative && value === undefined) fail(rules[0], where, `${what} without a value`);
          if (!qualitative && value !== undefined && !isNumber(value)) fail(rules[1], where, `${what} value "${value}" is not a number`);
        };
        for (const b of select(indicator, 'baseline')) checkValue(b, 'baseline', ['8.8.1', '8.8.2', '8.8.3']);
        for (const period of select(indicator, 'period')) {
          const start = dateOf(select(period, 'period-start')[0]) ?? '';
          const end = dateOf(select(period, 'period-end')[0]) ?? '';
          if (!(start < end)) fail('8.6.1', where, `period ${start}..${end} not in order`);
          for (const t of select(period, 'target')) checkValue(t, 'target', ['8.9.1', '8.9.2', '8.9.3']);
          for (const a of select(period, 'actual')) checkValue(a, 'actual', ['8.10.1', '8.10.2', '8.10.3']);
        }
      }
    }
  }
  return out;
}
