/** LY10P0551: an invented MHPSS project (illustrative). */
import type { Project, Result } from '../../domain/results-framework.js';
import { indicator, targetsFor } from '../build.js';
import type { DemoProject } from '../portfolio.js';

export function mhpssProject(): DemoProject {
  const project: Project = {
    code: 'LY10P0551',
    altCode: 'PO.0211',
    title: 'Community-based Mental Health and Psychosocial Support for Migrants and Host Communities in Libya',
    donors: ['EU'],
    startDate: '2023-01-01',
    endDate: '2025-12-31',
    budget: 2400000,
    currency: 'USD',
    status: 'active',
    coverage: 'Western and eastern Libya',
    locations: ['Tripoli', 'Misrata', 'Zuwara', 'Benghazi'],
    programmaticArea: 'Mental Health and Psychosocial Support (MHPSS)',
    illustrative: true,
  };

  const results: Result[] = [
    { code: 'OBJ', level: 'objective', parentCode: null, statement: 'Improve the psychosocial well-being and resilience of migrants, displaced persons and host communities in Libya', contributesTo: [] },
    { code: 'OC1', level: 'outcome', parentCode: 'OBJ', statement: 'Migrants, displaced persons and host community members in targeted baladiyas have improved psychosocial well-being', contributesTo: ['UNSDCF-3.1.3', 'IOM-RESILIENCE', 'SDG-3.4'] },
    { code: 'OC2', level: 'outcome', parentCode: 'OBJ', statement: 'Community and health actors provide quality, coordinated MHPSS services', contributesTo: ['UNSDCF-3.1.3', 'IOM-RESILIENCE', 'GCM-15'] },
    { code: 'OP1.1', level: 'output', parentCode: 'OC1', statement: 'Individuals receive community-based psychosocial support and specialised MHPSS services', contributesTo: ['UNSDCF-3.1.3', 'IOM-RESILIENCE', 'GCM-7'] },
    { code: 'OP1.2', level: 'output', parentCode: 'OC1', statement: 'Community MHPSS spaces are established and functional', contributesTo: ['UNSDCF-3.1.3', 'IOM-RESILIENCE'] },
    { code: 'OP2.1', level: 'output', parentCode: 'OC2', statement: 'Frontline workers and health staff are trained in psychological first aid and MHPSS', contributesTo: ['UNSDCF-3.1.1', 'IOM-RESILIENCE', 'SDG-3.8'] },
    { code: 'OP2.2', level: 'output', parentCode: 'OC2', statement: 'MHPSS referral pathways are agreed with the national health authorities', contributesTo: ['UNSDCF-3.1.3', 'IOM-GOVERNANCE'] },
  ];

  const t = targetsFor(project);
  const indicators = [
    indicator({
      code: 'OC1.a', resultCode: 'OC1', type: 'percentage', unit: '%', timeAggregation: 'average',
      title: 'Percentage of MHPSS beneficiaries reporting improved psychosocial well-being at follow-up',
      baseline: 35, baselineDate: '2022-11-30', disaggregations: ['sex'],
      dataSource: 'Well-being assessment (WHO-5) at intake and follow-up, sample of beneficiaries',
      meansOfVerification: 'Assessment dataset (KoboToolbox); quarterly MHPSS analysis note',
      targets: t.level({ 2023: 55, 2024: 65, 2025: 70 }),
    }),
    indicator({
      code: 'OC1.b', resultCode: 'OC1', type: 'percentage', unit: '%', timeAggregation: 'average', direction: 'decrease',
      title: 'Percentage of assessed beneficiaries with severe psychological distress at follow-up',
      baseline: 40, baselineDate: '2022-11-30', disaggregations: ['sex'],
      dataSource: 'Kessler psychological distress scale (K10) at intake and follow-up',
      meansOfVerification: 'Assessment dataset; case files (confidential, verified by the MHPSS coordinator)',
      targets: t.level({ 2023: 32, 2024: 25, 2025: 20 }),
    }),
    indicator({
      code: 'OC2.a', resultCode: 'OC2', type: 'qualitative', timeAggregation: 'latest',
      title: 'Feedback from communities and partners on the quality and accessibility of MHPSS services',
      baseline: null, baselineDate: null, disaggregations: [],
      dataSource: 'Focus group discussions; complaints and feedback mechanism',
      meansOfVerification: 'Focus group notes; feedback log',
      targets: {},
    }),
    indicator({
      code: 'OP1.1.a', resultCode: 'OP1.1', type: 'count', unit: 'people', timeAggregation: 'sum',
      title: 'Number of individuals receiving community-based psychosocial support',
      baseline: 0, baselineDate: '2022-12-31', disaggregations: ['sex', 'location', 'age_group', 'population_type'], disaggregationCheck: 'error',
      dataSource: 'MHPSS activity registration forms',
      meansOfVerification: 'Beneficiary lists; activity reports of the mobile MHPSS teams',
      targets: t.perQuarter({ 2023: 900, 2024: 1200, 2025: 1200 }),
    }),
    indicator({
      code: 'OP1.1.b', resultCode: 'OP1.1', type: 'count', unit: 'people', timeAggregation: 'sum',
      title: 'Number of individuals receiving specialised MHPSS services (individual counselling or psychiatric referral)',
      baseline: 0, baselineDate: '2022-12-31', disaggregations: ['sex', 'location'],
      dataSource: 'MHPSS case management database',
      meansOfVerification: 'Anonymised case register; referral forms',
      commonIndicatorCode: 'CI-PROT-01',
      targets: t.perQuarter({ 2023: 120, 2024: 160, 2025: 160 }),
    }),
    indicator({
      code: 'OP1.2.a', resultCode: 'OP1.2', type: 'count', unit: 'spaces', timeAggregation: 'latest',
      title: 'Number of functional community MHPSS spaces',
      baseline: 2, baselineDate: '2022-12-31', disaggregations: ['location'],
      dataSource: 'Monthly MHPSS space monitoring checklist',
      meansOfVerification: 'Monitoring checklists; photos; agreements with the baladiyas',
      targets: t.level({ 2023: 4, 2024: 6, 2025: 8 }),
    }),
    indicator({
      code: 'OP2.1.a', resultCode: 'OP2.1', type: 'count', unit: 'people', timeAggregation: 'sum',
      title: 'Number of frontline workers and health staff trained in psychological first aid and MHPSS',
      baseline: 0, baselineDate: '2022-12-31', disaggregations: ['sex', 'location'], disaggregationCheck: 'error',
      dataSource: 'Training attendance records',
      meansOfVerification: 'Signed attendance sheets; training reports',
      targets: t.perQuarter({ 2023: 40, 2024: 40, 2025: 25 }),
    }),
    indicator({
      code: 'OP2.1.b', resultCode: 'OP2.1', type: 'percentage', unit: '%', timeAggregation: 'average',
      title: 'Percentage of trained staff meeting the psychological first aid competency standard at post-training assessment',
      baseline: 50, baselineDate: '2022-12-31', disaggregations: ['sex'],
      dataSource: 'Post-training competency assessment',
      meansOfVerification: 'Assessment score sheets',
      commonIndicatorCode: 'CI-GOV-02',
      targets: t.level({ 2023: 70, 2024: 75, 2025: 80 }),
    }),
    indicator({
      code: 'OP2.2.a', resultCode: 'OP2.2', type: 'yes_no', timeAggregation: 'latest',
      title: 'MHPSS referral pathway endorsed by the Ministry of Health',
      baseline: 0, baselineDate: '2022-12-31', disaggregations: [],
      dataSource: 'Project records',
      meansOfVerification: 'Endorsement letter from the Ministry of Health; published referral pathway',
      targets: t.milestone('2024-Q3'),
    }),
  ];

  return { project, results, indicators };
}
