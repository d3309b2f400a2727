/**
 * `sector`: the project's programmatic area mapped to one OECD DAC purpose code (vocabulary 1), and
 * the SDG targets its results contribute to (vocabulary 8). An area we cannot map gets no DAC code
 * rather than a guess. Percentages within a vocabulary add up to exactly 100 (IATI rule 2.1.2).
 */
import type { FrameworkNode, Project, Result } from '../domain/results-framework.js';
import { SECTOR_VOCABULARY } from './codes.js';

export interface Sector {
  vocabulary: string;
  code: string;
  percentage: string | null; // null: the only code of its vocabulary (percentage omitted)
}

/**
 * The programmatic areas of the IOM Libya Strategic Framework and the DAC code each fits best
 * (first match wins; the descriptions are in ../shared/iati/codelists/Sector.xml).
 */
const DAC_BY_AREA: Array<[RegExp, string]> = [
  [/mhpss|mental health|psychosocial/i, '12340'], // Promotion of mental health and well-being
  [/wash|water|sanitation|hygiene/i, '14030'], // Basic drinking water supply and basic sanitation
  [/migration health|health/i, '12220'], // Basic health care
  [/displacement tracking|\bdtm\b/i, '72050'], // Relief co-ordination and support services (evidence base)
  [/community policing/i, '15210'], // Security system management and reform
  [/stabili[sz]ation/i, '15220'], // Civilian peace-building, conflict prevention and resolution
  [/direct assistance|protection|search and rescue/i, '72010'], // Material relief assistance and services
  // Policy, governance, labour mobility, border management, the Migration Working Group, MRRM and
  // voluntary humanitarian return: the DAC code for orderly, safe, regular migration names them all.
  [/migration|mobility|border|return|\bvhr\b|\bmrrm\b/i, '15190'],
];

export function dacSectorOf(programmaticArea: string): string | undefined {
  return DAC_BY_AREA.find(([re]) => re.test(programmaticArea))?.[1];
}

/** "SDG-10.7" -> "10.7"; other codes are not SDG targets. */
const sdgTargetOf = (node: FrameworkNode): string | undefined =>
  node.framework === 'sdg' ? /^SDG-(\d{1,2}\.[0-9a-z]{1,2})$/i.exec(node.code)?.[1]?.toLowerCase() : undefined;

export function sectorsFor(project: Project, results: Result[], nodes: FrameworkNode[]): Sector[] {
  const out: Sector[] = [];
  const dac = dacSectorOf(project.programmaticArea);
  if (dac) out.push({ vocabulary: SECTOR_VOCABULARY.dac, code: dac, percentage: null });
  const byCode = new Map(nodes.map((n) => [n.code, n]));
  const targets = [...new Set(results.flatMap((r) => r.contributesTo).map((c) => byCode.get(c)).flatMap((n) => (n ? [sdgTargetOf(n)] : [])))]
    .filter((t): t is string => t !== undefined)
    .sort(compareSdgTargets);
  const shares = splitHundred(targets.length);
  targets.forEach((code, i) => out.push({ vocabulary: SECTOR_VOCABULARY.sdgTarget, code, percentage: targets.length > 1 ? shares[i]! : null }));
  return out;
}

/** n shares with two decimals that add up to exactly 100 ("33.34", "33.33", "33.33"). */
export function splitHundred(n: number): string[] {
  if (n <= 0) return [];
  const base = Math.floor(10000 / n);
  const rest = 10000 - base * n;
  return Array.from({ length: n }, (_, i) => formatHundredths(base + (i < rest ? 1 : 0)));
}

const formatHundredths = (h: number): string => (h % 100 === 0 ? String(h / 100) : (h / 100).toFixed(2));

function compareSdgTargets(a: string, b: string): number {
  const [ga, ta] = a.split('.');
  const [gb, tb] = b.split('.');
  return Number(ga) - Number(gb) || (ta ?? '').localeCompare(tb ?? '', 'en', { numeric: true });
}
