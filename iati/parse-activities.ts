/**
 * Reads any IATI 2.0x activity file into plain objects: activities -> results -> indicators ->
 * baselines and periods -> targets and actuals with their dimensions, comments and locations. Nothing
 * is mapped to our data here (see import-actuals.ts): this only reads what is there, our own extension
 * (codes, a percentage's numerator and denominator) included when the file declares its namespace.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { RbmError } from '../domain/errors.js';
import { RBM_NAMESPACE } from './codes.js';

export interface IatiDimension {
  name: string;
  value: string;
}
export interface IatiPeriodValue {
  value: string | null; // as written: "12", "66.7", "" or absent
  dimensions: IatiDimension[];
  locationRefs: string[];
  comment: string | null;
  /** Our extension: the numerator and denominator of a percentage. */
  ratio: { numerator: number; denominator: number } | null;
}
export interface IatiPeriod {
  start: string;
  end: string;
  targets: IatiPeriodValue[];
  actuals: IatiPeriodValue[];
}
export interface IatiReference {
  vocabulary: string;
  code: string;
}
export interface IatiBaseline {
  year: string;
  isoDate: string | null;
  value: string | null;
  comment: string | null;
}
export interface IatiIndicator {
  code: string | null; // our extension attribute, when present
  title: string;
  description: string | null;
  measure: string;
  ascending: boolean | null;
  references: IatiReference[];
  baselines: IatiBaseline[];
  periods: IatiPeriod[];
}
export interface IatiResult {
  code: string | null;
  type: string;
  title: string;
  description: string | null;
  references: IatiReference[];
  indicators: IatiIndicator[];
}
export interface IatiActivity {
  identifier: string;
  title: string;
  reportingOrg: string | null;
  results: IatiResult[];
}

type Node = Record<string, unknown>;
const REPEATED = new Set(['iati-activity', 'result', 'indicator', 'period', 'target', 'actual', 'dimension', 'narrative', 'reference', 'baseline', 'location', 'description', 'title', 'comment', 'period-start', 'period-end']);

export function parseIatiActivities(xml: string): IatiActivity[] {
  if (/<!ENTITY/i.test(xml)) throw new RbmError('invalid_input', 'IATI file refused: it declares XML entities');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new RbmError('invalid_input', `IATI file is not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
    isArray: (name, _path, _leaf, isAttribute) => !isAttribute && (REPEATED.has(name) || REPEATED.has(localName(name))),
  });
  const doc = parser.parse(xml) as Node;
  const root = doc['iati-activities'] as Node | string | undefined;
  if (root === '') return []; // <iati-activities/>
  if (!root || typeof root !== 'object') throw new RbmError('invalid_input', 'not an IATI activity file: no <iati-activities> root element');
  const rootPrefix = rbmPrefix(root);
  return list(root['iati-activity']).map((a) => readActivity(a, rbmPrefix(a) ?? rootPrefix));
}

function readActivity(a: Node, prefix: string | undefined): IatiActivity {
  return {
    identifier: text(first(a['iati-identifier'])) ?? '',
    title: narrative(first(a['title'])) ?? '',
    reportingOrg: attr(first(a['reporting-org']), 'ref'),
    results: list(a['result']).map((r) => ({
      code: prefix ? attr(r, `${prefix}:code`) : null,
      type: attr(r, 'type') ?? '',
      title: narrative(first(r['title'])) ?? '',
      description: narrative(first(r['description'])),
      references: references(r),
      indicators: list(r['indicator']).map((i) => readIndicator(i, prefix)),
    })),
  };
}

function readIndicator(i: Node, prefix: string | undefined): IatiIndicator {
  const ascending = attr(i, 'ascending');
  return {
    code: prefix ? attr(i, `${prefix}:code`) : null,
    title: narrative(first(i['title'])) ?? '',
    description: narrative(first(i['description'])),
    measure: attr(i, 'measure') ?? '',
    ascending: ascending === null ? null : ascending === '1' || ascending === 'true',
    references: references(i),
    baselines: list(i['baseline']).map((b) => ({ year: attr(b, 'year') ?? '', isoDate: attr(b, 'iso-date'), value: attr(b, 'value'), comment: narrative(first(b['comment'])) })),
    periods: list(i['period']).map((p) => ({
      start: attr(first(p['period-start']), 'iso-date') ?? '',
      end: attr(first(p['period-end']), 'iso-date') ?? '',
      targets: list(p['target']).map((t) => readValue(t, prefix)),
      actuals: list(p['actual']).map((t) => readValue(t, prefix)),
    })),
  };
}

function readValue(v: Node, prefix: string | undefined): IatiPeriodValue {
  const ratioNode = prefix ? first(v[`${prefix}:ratio`]) : undefined;
  const numerator = Number(attr(ratioNode, 'numerator') ?? NaN);
  const denominator = Number(attr(ratioNode, 'denominator') ?? NaN);
  return {
    value: attr(v, 'value'),
    dimensions: list(v['dimension']).map((d) => ({ name: attr(d, 'name') ?? '', value: attr(d, 'value') ?? '' })),
    locationRefs: list(v['location']).flatMap((l) => attr(l, 'ref') ?? []),
    comment: narrative(first(v['comment'])),
    ratio: Number.isFinite(numerator) && Number.isFinite(denominator) ? { numerator, denominator } : null,
  };
}

const references = (n: Node): IatiReference[] => list(n['reference']).map((r) => ({ vocabulary: attr(r, 'vocabulary') ?? '', code: attr(r, 'code') ?? '' }));

/** The prefix a node declares for our namespace, if any (e.g. "rbm"). */
function rbmPrefix(n: Node): string | undefined {
  for (const [k, v] of Object.entries(n)) if (k.startsWith('@xmlns:') && v === RBM_NAMESPACE) return k.slice('@xmlns:'.length);
  return undefined;
}

const localName = (name: string) => name.slice(name.indexOf(':') + 1);

function list(v: unknown): Node[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map((x) => (typeof x === 'object' && x !== null ? (x as Node) : { '#text': String(x) }));
}
const first = (v: unknown): Node | undefined => list(v)[0];

function attr(n: Node | undefined, name: string): string | null {
  const v = n?.[`@${name}`];
  return v === undefined || v === null ? null : String(v);
}
function text(n: Node | undefined): string | null {
  const v = n?.['#text'];
  return v === undefined || v === null ? null : String(v).trim();
}
/** The first non-empty narrative of an element (title, description, comment). */
function narrative(n: Node | undefined): string | null {
  for (const item of list(n?.['narrative'])) {
    const t = text(item);
    if (t) return t;
  }
  return null;
}
