/**
 * `result/reference` from the framework nodes a result contributes to (UNSDCF outputs, IOM pillars,
 * SDG targets, GCM objectives). These codes are ours, so they go under ResultVocabulary 99 (Reporting
 * Organisation, the only code of that list) with a vocabulary-uri saying which framework each code
 * belongs to. References are written at result level only: IATI rule 8.11.1 refuses a reference on both
 * a result and its indicators.
 */
import type { FrameworkKind, FrameworkNode, Result } from '../domain/results-framework.js';
import { RESULT_VOCABULARY_REPORTING_ORG } from './codes.js';

export interface ResultReference {
  code: string;
  vocabulary: string;
  vocabularyUri: string;
}

/** Where each framework's codes are defined. SDG: the list IATI's IndicatorVocabulary itself points to. */
export function frameworkVocabularyUri(kind: FrameworkKind, baseUrl: string): string {
  switch (kind) {
    case 'sdg':
      return 'https://unstats.un.org/sdgs/indicators/indicators-list/';
    case 'gcm':
      return 'https://undocs.org/A/RES/73/195'; // the Global Compact for Migration (GA resolution 73/195)
    case 'unsdcf':
    case 'iom_pillar':
      // The UNSDCF output codes and IOM pillars as RBM Flow keeps them, served by its portal.
      return `${trimSlash(baseUrl)}/frameworks/${kind}`;
  }
}

const FRAMEWORK_LABEL: Record<FrameworkKind, string> = {
  unsdcf: 'UNSDCF',
  iom_pillar: 'IOM Libya pillar',
  sdg: 'SDG target',
  gcm: 'GCM objective',
};
const labelOf = (n: FrameworkNode): string => (n.framework === 'unsdcf' ? `UNSDCF ${n.level.replace('_', ' ')}` : FRAMEWORK_LABEL[n.framework]);

export function resultReferences(result: Result, nodes: FrameworkNode[], baseUrl: string): ResultReference[] {
  const byCode = new Map(nodes.map((n) => [n.code, n]));
  return result.contributesTo.flatMap((code) => {
    const node = byCode.get(code);
    return node ? [{ code, vocabulary: RESULT_VOCABULARY_REPORTING_ORG, vocabularyUri: frameworkVocabularyUri(node.framework, baseUrl) }] : [];
  });
}

/** A sentence for the result's description: what it contributes to, invented wording marked as such. */
export function contributionSentence(result: Result, nodes: FrameworkNode[]): string | null {
  const byCode = new Map(nodes.map((n) => [n.code, n]));
  const parts = result.contributesTo.flatMap((code) => {
    const node = byCode.get(code);
    if (!node) return [];
    const flag = node.illustrative && !/illustrative/i.test(node.title) ? ' (illustrative wording)' : '';
    return [`${code} (${labelOf(node)}): ${node.title}${flag}`];
  });
  return parts.length ? `Contributes to ${parts.join('; ')}.` : null;
}

export const trimSlash = (url: string): string => url.replace(/\/+$/, '');
