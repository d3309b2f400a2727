/** A plain tree of an XML file for spec checks: every element a list, attributes as "@name". */
import { XMLParser } from 'fast-xml-parser';

export type XmlElement = Record<string, unknown>;

export function parseTree(xml: string): XmlElement {
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    parseTagValue: false,
    parseAttributeValue: false,
    isArray: (_name, _path, _leaf, isAttribute) => !isAttribute,
  }).parse(xml) as XmlElement;
}

/** Child elements at a slash-separated path below `node` ("iati-activity/result/indicator"). */
export function select(node: XmlElement, path: string): XmlElement[] {
  let current: XmlElement[] = [node];
  for (const step of path.split('/').filter(Boolean)) {
    current = current.flatMap((n) => asElements(n[step]));
  }
  return current;
}

/** Every element of the tree, with its path from the root. */
export function walk(node: XmlElement, path = ''): Array<{ path: string; element: XmlElement }> {
  const out: Array<{ path: string; element: XmlElement }> = [];
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('@') || key === '#text' || key === '?xml') continue;
    for (const child of asElements(value)) {
      const childPath = `${path}/${key}`;
      out.push({ path: childPath, element: child }, ...walk(child, childPath));
    }
  }
  return out;
}

export const attrOf = (node: XmlElement, name: string): string | undefined => (node[`@${name}`] as string | undefined) ?? undefined;

export function textOf(node: XmlElement | string | undefined): string {
  if (node === undefined) return '';
  return typeof node === 'string' ? node : String(node['#text'] ?? '');
}

/** The text of an element's narratives (title, description, comment). */
export const narrativesOf = (node: XmlElement): string[] => asList(node['narrative']).map((n) => textOf(n as XmlElement | string));

function asList(v: unknown): unknown[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}
/** Elements only; an element with text only and no attributes parses as a string: it becomes {"#text"}. */
function asElements(v: unknown): XmlElement[] {
  return asList(v).map((x) => (typeof x === 'object' && x !== null ? (x as XmlElement) : { '#text': String(x) }));
}
