/**
 * The frameworks demo projects contribute to. Strategic priority names of the UNSDCF Libya 2023-2025,
 * the IOM Libya pillars, SDG targets and GCM objectives are real; the UNSDCF outcome and output wording
 * is invented for the demo and flagged `illustrative: true`.
 */
import type { FrameworkNode } from '../domain/results-framework.js';

type Level = FrameworkNode['level'];
const unsdcf = (code: string, level: Level, parentCode: string | null, title: string, illustrative = true): FrameworkNode => ({
  code,
  framework: 'unsdcf',
  level,
  parentCode,
  title,
  illustrative,
});
const pillar = (code: string, title: string): FrameworkNode => ({ code, framework: 'iom_pillar', level: 'pillar', parentCode: null, title, illustrative: false });
const sdg = (code: string, title: string): FrameworkNode => ({ code, framework: 'sdg', level: 'target', parentCode: null, title, illustrative: false });
const gcm = (code: string, title: string): FrameworkNode => ({ code, framework: 'gcm', level: 'objective', parentCode: null, title, illustrative: false });

export function demoFrameworkNodes(): FrameworkNode[] {
  return [
    // UNSDCF Libya 2023-2025: strategic priorities (real) -> outcomes -> outputs (illustrative wording)
    unsdcf('UNSDCF-1', 'strategic_priority', null, 'Peace and Governance', false),
    unsdcf('UNSDCF-1.1', 'outcome', 'UNSDCF-1', 'National and local institutions are more accountable and effective, and govern migration in line with international standards'),
    unsdcf('UNSDCF-1.1.1', 'output', 'UNSDCF-1.1', 'National and local authorities have the evidence and capacity to develop rights-based migration policies'),
    unsdcf('UNSDCF-1.1.2', 'output', 'UNSDCF-1.1', 'Migration and border management institutions apply rights-based procedures'),
    unsdcf('UNSDCF-1.2', 'outcome', 'UNSDCF-1', 'Communities are more cohesive and resilient to conflict'),
    unsdcf('UNSDCF-1.2.1', 'output', 'UNSDCF-1.2', 'Local authorities and communities jointly address drivers of instability'),
    unsdcf('UNSDCF-1.2.2', 'output', 'UNSDCF-1.2', 'Community-oriented policing and local dispute resolution mechanisms are strengthened'),

    unsdcf('UNSDCF-2', 'strategic_priority', null, 'Sustainable Economic Development', false),
    unsdcf('UNSDCF-2.1', 'outcome', 'UNSDCF-2', 'Libyans, migrants and displaced persons have better access to decent work and livelihoods'),
    unsdcf('UNSDCF-2.1.1', 'output', 'UNSDCF-2.1', 'Labour migration governance and fair recruitment mechanisms are strengthened'),
    unsdcf('UNSDCF-2.1.2', 'output', 'UNSDCF-2.1', 'Vulnerable people, including returnees and host communities, access skills and livelihood opportunities'),

    unsdcf('UNSDCF-3', 'strategic_priority', null, 'Social and Human Capital Development', false),
    unsdcf('UNSDCF-3.1', 'outcome', 'UNSDCF-3', 'People in Libya, including migrants and displaced persons, have equitable access to quality basic social services'),
    unsdcf('UNSDCF-3.1.1', 'output', 'UNSDCF-3.1', 'Primary health care and referral services reach the most vulnerable'),
    unsdcf('UNSDCF-3.1.2', 'output', 'UNSDCF-3.1', 'Protection services and case management reach people in situations of vulnerability'),
    unsdcf('UNSDCF-3.1.3', 'output', 'UNSDCF-3.1', 'Mental health and psychosocial support is integrated into community and health services'),
    unsdcf('UNSDCF-3.2', 'outcome', 'UNSDCF-3', 'Quality, disaggregated data on population and mobility inform policies and programmes'),
    unsdcf('UNSDCF-3.2.1', 'output', 'UNSDCF-3.2', 'Data on displacement and migration are collected, analysed and shared regularly'),
    unsdcf('UNSDCF-3.2.2', 'output', 'UNSDCF-3.2', 'National statistics institutions have the capacity to produce and use migration data'),

    unsdcf('UNSDCF-4', 'strategic_priority', null, 'Climate Change, Environment and Water', false),
    unsdcf('UNSDCF-4.1', 'outcome', 'UNSDCF-4', 'Communities have sustainable and equitable access to safe water and sanitation and are more resilient to climate shocks'),
    unsdcf('UNSDCF-4.1.1', 'output', 'UNSDCF-4.1', 'Water and sanitation infrastructure is rehabilitated and managed sustainably'),
    unsdcf('UNSDCF-4.1.2', 'output', 'UNSDCF-4.1', 'Communities and institutions practise safe hygiene and water safety'),
    unsdcf('UNSDCF-4.1.3', 'output', 'UNSDCF-4.1', 'Local plans anticipate climate- and environment-related displacement'),

    // IOM Libya Strategic Framework pillars
    pillar('IOM-RESILIENCE', 'Resilience'),
    pillar('IOM-MOBILITY', 'Mobility'),
    pillar('IOM-GOVERNANCE', 'Governance'),

    // SDG targets
    sdg('SDG-3.4', 'Reduce premature mortality from non-communicable diseases through prevention and treatment and promote mental health and well-being'),
    sdg('SDG-3.8', 'Achieve universal health coverage, including access to quality essential health-care services for all'),
    sdg('SDG-6.1', 'Achieve universal and equitable access to safe and affordable drinking water for all'),
    sdg('SDG-6.2', 'Achieve access to adequate and equitable sanitation and hygiene for all'),
    sdg('SDG-8.8', 'Protect labour rights and promote safe and secure working environments for all workers, including migrant workers'),
    sdg('SDG-10.7', 'Facilitate orderly, safe, regular and responsible migration and mobility of people, including through planned and well-managed migration policies'),
    sdg('SDG-16.9', 'Provide legal identity for all, including birth registration'),
    sdg('SDG-17.18', 'Increase significantly the availability of high-quality, timely and reliable data disaggregated by migratory status and other characteristics'),

    // Global Compact for Safe, Orderly and Regular Migration objectives
    gcm('GCM-1', 'Collect and utilize accurate and disaggregated data as a basis for evidence-based policies'),
    gcm('GCM-4', 'Ensure that all migrants have proof of legal identity and adequate documentation'),
    gcm('GCM-6', 'Facilitate fair and ethical recruitment and safeguard conditions that ensure decent work'),
    gcm('GCM-7', 'Address and reduce vulnerabilities in migration'),
    gcm('GCM-15', 'Provide access to basic services for migrants'),
    gcm('GCM-21', 'Cooperate in facilitating safe and dignified return and readmission, as well as sustainable reintegration'),
    gcm('GCM-23', 'Strengthen international cooperation and global partnerships for safe, orderly and regular migration'),
  ];
}
