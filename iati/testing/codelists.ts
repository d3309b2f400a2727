/**
 * Codelist checks for specs: the codes of an official codelist file, and every code of an activity
 * file against the official validator's codelist rules (codelists/codelist_rules.json, rules 9.x.1).
 */
import fs from 'node:fs';
import path from 'node:path';
import { CODELISTS_DIR } from './shared-iati.js';
import { attrOf, parseTree, select, walk, type XmlElement } from './xml-tree.js';

/** The codes of codelists/<name>.xml, e.g. codelistCodes('IndicatorMeasure') -> {"1", ..., "5"}. */
export function codelistCodes(name: string): Set<string> {
  const xml = fs.readFileSync(path.join(CODELISTS_DIR, `${name}.xml`), 'utf8');
  return new Set([...xml.matchAll(/<code>\s*([^<\s]+)\s*<\/code>/g)].map((m) => m[1]!));
}

/** Organisation identifier prefixes (XM-DAC, GB-COH, ...). */
export function registrationAgencies(): Set<string> {
  const json = JSON.parse(fs.readFileSync(path.join(CODELISTS_DIR, 'OrganisationRegistrationAgency.codes.json'), 'utf8')) as { codes: Array<{ code: string }> };
  return new Set(json.codes.map((c) => c.code));
}

interface CodeRule {
  allowedCodes?: string[];
  conditions?: { mapping: Record<string, { allowedCodes: string[]; id: string }>; linkedAttribute: string; defaultLink: string };
  id?: string;
  message?: string;
}
export interface CodelistViolation {
  rule: string;
  path: string;
  attribute: string;
  value: string;
  message: string;
}

/** Every attribute that codelist_rules.json governs, checked wherever it occurs in the activity file. */
export function codelistViolations(xml: string): CodelistViolation[] {
  const rules = JSON.parse(fs.readFileSync(path.join(CODELISTS_DIR, 'codelist_rules.json'), 'utf8')) as Record<string, Record<string, CodeRule>>;
  const tree = parseTree(xml);
  const out: CodelistViolation[] = [];
  for (const [rulePath, attributes] of Object.entries(rules)) {
    const elements: XmlElement[] =
      rulePath === '/' ? walk(tree).map((w) => w.element) : rulePath.startsWith('/iati-activities') ? select(tree, rulePath) : [];
    for (const element of elements) {
      for (const [attribute, rule] of Object.entries(attributes)) {
        if (attribute === 'text()') continue; // crs-add only, which we do not write
        const value = attrOf(element, attribute);
        if (value === undefined) continue;
        const allowed = rule.allowedCodes ?? rule.conditions?.mapping[attrOf(element, rule.conditions.linkedAttribute) ?? rule.conditions.defaultLink]?.allowedCodes;
        if (allowed && !allowed.includes(value)) out.push({ rule: rule.id ?? '?', path: rulePath, attribute, value, message: rule.message ?? '' });
      }
    }
  }
  return out;
}
