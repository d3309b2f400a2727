/**
 * The demo mission's library of common indicators, in the style of IOM's institutional indicators
 * (codes, wording and definitions are invented for the demo: `illustrative: true`), and which demo
 * project indicators link to them. Linked indicators have the entry's type, so the mission overview
 * rolls them into one line across projects: CI-GOV-01 (officials trained) sums three projects under
 * the IOM Governance pillar; CI-GOV-02 (a percentage) is the ratio of the summed numerators and
 * denominators of two of them; CI-PROT-01 adds up protection assistance of two projects under the
 * Resilience pillar.
 */
import type { CommonIndicator } from '../domain/common-indicators.js';

const entry = (e: Omit<CommonIndicator, 'illustrative' | 'unit' | 'timeAggregation' | 'direction'> & Partial<CommonIndicator>): CommonIndicator => ({
  unit: '', timeAggregation: 'sum', direction: 'increase', illustrative: true, ...e,
});

export function demoCommonIndicators(): CommonIndicator[] {
  return [
    entry({
      code: 'CI-DTM-01', type: 'count', unit: 'people', sector: 'Displacement Tracking Matrix',
      title: 'Number of migrants interviewed through DTM flow monitoring surveys',
      definition: 'Individual flow monitoring survey interviews completed with migrants at flow monitoring points in the period, after data cleaning.',
      frameworkNodes: ['GCM-1', 'SDG-17.18', 'UNSDCF-3.2.1'],
    }),
    entry({
      code: 'CI-GOV-01', type: 'count', unit: 'people', sector: 'Migration governance',
      title: 'Number of government officials trained on migration governance, migration data or migration health',
      definition: 'National and local government officials (including public health staff at points of entry) who completed an IOM-supported training in the period; a person trained twice in a period counts once.',
      frameworkNodes: ['GCM-23', 'SDG-10.7', 'UNSDCF-1.1.1'],
    }),
    entry({
      code: 'CI-GOV-02', type: 'percentage', unit: '%', timeAggregation: 'average', sector: 'Capacity building',
      title: 'Percentage of trained participants meeting the competency standard at the post-training assessment',
      definition: 'Numerator: trained participants who reach the pass mark or competency standard of the post-training test. Denominator: trained participants who took the test. Across projects, the ratio of the summed numerators and denominators.',
      frameworkNodes: ['GCM-23'],
    }),
    entry({
      code: 'CI-HLTH-01', type: 'count', unit: 'consultations', sector: 'Migration health',
      title: 'Number of primary health care consultations provided to migrants, displaced persons and host community members',
      definition: 'Consultations recorded in the health information system of IOM-supported primary health care facilities and mobile teams.',
      frameworkNodes: ['GCM-15', 'SDG-3.8', 'UNSDCF-3.1.1'],
    }),
    entry({
      code: 'CI-PROT-01', type: 'count', unit: 'people', sector: 'Protection',
      title: 'Number of migrants provided with protection assistance',
      definition: 'Migrants in vulnerable situations who received protection case management or specialised mental health and psychosocial support in the period.',
      frameworkNodes: ['GCM-7', 'UNSDCF-3.1.2'],
    }),
    entry({
      code: 'CI-SAT-01', type: 'percentage', unit: '%', timeAggregation: 'average', sector: 'Accountability to affected populations',
      title: 'Percentage of assisted people satisfied with the assistance received',
      definition: 'Numerator: surveyed beneficiaries who say they are satisfied or very satisfied. Denominator: surveyed beneficiaries who answered.',
      frameworkNodes: [],
    }),
  ];
}

