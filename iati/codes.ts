/**
 * The IATI 2.03 codes RBM Flow writes, each taken from its official codelist (copies in
 * ../shared/iati/codelists; the specs check every code against those files), and the mappings from
 * our vocabulary to them.
 */
import type { IndicatorType, Project, Result } from '../domain/results-framework.js';

export const IATI_VERSION = '2.03';

/** IOM publishes to IATI as XM-DAC-47066, organisation type 40 (Multilateral). */
export const IOM = { ref: 'XM-DAC-47066', type: '40', name: 'International Organization for Migration (IOM)' } as const;

/**
 * Our extension namespace: the schema allows foreign-namespace attributes on result and indicator
 * (we put our codes there) and foreign elements in target and actual (we put a percentage's numerator
 * and denominator there), so that an export reads back without loss.
 */
export const RBM_NAMESPACE = 'urn:rbm-flow:iati';
export const RBM_PREFIX = 'rbm';

export const iatiIdentifier = (projectCode: string): string => `${IOM.ref}-${projectCode}`;

/** ResultType: 1 Output, 2 Outcome, 3 Impact. A project objective with indicators is its impact. */
export const RESULT_TYPE: Record<Result['level'], string> = { output: '1', outcome: '2', objective: '3' };

/** IndicatorMeasure: 1 Unit, 2 Percentage, 5 Qualitative. Yes/no (0/1) and ratios are units. */
export const INDICATOR_MEASURE: Record<IndicatorType, string> = {
  count: '1',
  percentage: '2',
  ratio: '1',
  yes_no: '1',
  qualitative: '5',
};
export const QUALITATIVE_MEASURE = '5';

/** ResultVocabulary has one code: 99 Reporting Organisation (our UNSDCF, pillar, SDG and GCM codes). */
export const RESULT_VOCABULARY_REPORTING_ORG = '99';

/** OrganisationRole. */
export const ORG_ROLE = { funding: '1', accountable: '2', implementing: '4' } as const;

/** ActivityDateType. */
export const ACTIVITY_DATE = { plannedStart: '1', actualStart: '2', plannedEnd: '3', actualEnd: '4' } as const;

/** DescriptionType. */
export const DESCRIPTION_TYPE = { general: '1', objectives: '2' } as const;

/** OtherIdentifierType A1: the reporting organisation's own activity identifier (our project ID, e.g. PO.0185). */
export const OTHER_IDENTIFIER_REPORTING_ORG = 'A1';

/** DocumentCategory A08: Results, outcomes and outputs. */
export const DOCUMENT_CATEGORY_RESULTS = 'A08';
export const DOCUMENT_FORMAT = {
  pdf: 'application/pdf',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;

/** BudgetType 1 Original; BudgetStatus 1 Indicative (our yearly split of the total is an estimate). */
export const BUDGET = { typeOriginal: '1', statusIndicative: '1' } as const;

/** SectorVocabulary: 1 OECD DAC CRS 5-digit purpose codes, 8 UN SDG targets. */
export const SECTOR_VOCABULARY = { dac: '1', sdgTarget: '8' } as const;

/** Libya. */
export const RECIPIENT_COUNTRY = { code: 'LY', name: 'Libya' } as const;

/**
 * ActivityStatus from our project status: 1 Pipeline/identification, 2 Implementation,
 * 3 Finalisation (active, but past its end date: open pending M&E), 4 Closed.
 */
export function activityStatusOf(project: Pick<Project, 'status' | 'endDate'>, today: string): string {
  if (project.status === 'pipeline') return '1';
  if (project.status === 'closed') return '4';
  return project.endDate < today ? '3' : '2';
}
