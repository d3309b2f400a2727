/** LY10P0570: an invented voluntary humanitarian return and protection project (illustrative). */
import type { Project, Result } from '../../domain/results-framework.js';
import { indicator, targetsFor } from '../build.js';
import type { DemoProject } from '../portfolio.js';

export function vhrProject(): DemoProject {
  const project: Project = {
    code: 'LY10P0570',
    altCode: 'PO.0245',
    title: 'Voluntary Humanitarian Return and Protection Assistance for Stranded Migrants in Libya',
    donors: ['EU', 'DONOR-B'],
    startDate: '2023-01-01',
    endDate: '2025-12-31',
    budget: 6500000,
    currency: 'USD',
    status: 'active',
    coverage: 'National',
    locations: ['Tripoli', 'Benghazi', 'Misrata', 'Sebha', 'Kufra'],
    programmaticArea: 'Voluntary Humanitarian Return (VHR)',
    illustrative: true,
  };

  const results: Result[] = [
    { code: 'OBJ', level: 'objective', parentCode: null, statement: 'Stranded and vulnerable migrants in Libya are protected and can return home safely and with dignity', contributesTo: [] },
    { code: 'OC1', level: 'outcome', parentCode: 'OBJ', statement: 'Stranded migrants who wish to return to their countries of origin do so in a safe, dignified and timely manner', contributesTo: ['UNSDCF-3.1.2', 'IOM-MOBILITY', 'SDG-10.7', 'GCM-21'] },
    { code: 'OC2', level: 'outcome', parentCode: 'OBJ', statement: 'Migrants in vulnerable situations receive protection and life-saving assistance', contributesTo: ['UNSDCF-3.1.2', 'IOM-RESILIENCE', 'GCM-7'] },
    { code: 'OP1.1', level: 'output', parentCode: 'OC1', statement: 'Migrants receive return counselling, consular support and travel documents', contributesTo: ['UNSDCF-1.1.2', 'IOM-MOBILITY', 'SDG-16.9', 'GCM-4'] },
    { code: 'OP1.2', level: 'output', parentCode: 'OC1', statement: 'Migrants receive pre-departure health checks and are assisted on their return journey', contributesTo: ['UNSDCF-3.1.2', 'IOM-MOBILITY', 'GCM-21'] },
    { code: 'OP2.1', level: 'output', parentCode: 'OC2', statement: 'Migrants in detention and urban settings receive non-food items and protection case management', contributesTo: ['UNSDCF-3.1.2', 'IOM-RESILIENCE', 'GCM-7'] },
  ];

  const t = targetsFor(project);
  const indicators = [
    indicator({
      code: 'OC1.a', resultCode: 'OC1', type: 'count', unit: 'people', timeAggregation: 'sum',
      title: 'Number of migrants assisted to return voluntarily to their countries of origin',
      baseline: 0, baselineDate: '2022-12-31', disaggregations: ['sex', 'location', 'age_group', 'nationality'], disaggregationCheck: 'error',
      dataSource: 'IOM case management system (MiMOSA)',
      meansOfVerification: 'Flight manifests; departure records',
      targets: t.perQuarter({ 2023: 2000, 2024: 2500, 2025: 2500 }),
    }),
    indicator({
      code: 'OC1.b', resultCode: 'OC1', type: 'count', unit: 'days', timeAggregation: 'average', direction: 'decrease',
      title: 'Average number of days between registration for return and departure',
      baseline: 60, baselineDate: '2022-12-31', disaggregations: [],
      dataSource: 'IOM case management system (MiMOSA)',
      meansOfVerification: 'Case management extract (registration and departure dates)',
      targets: t.level({ 2023: 50, 2024: 40, 2025: 30 }),
    }),
    indicator({
      code: 'OC1.c', resultCode: 'OC1', type: 'percentage', unit: '%', timeAggregation: 'average',
      title: 'Percentage of returnees satisfied with the return assistance received',
      baseline: 70, baselineDate: '2022-12-31', disaggregations: ['sex'],
      dataSource: 'Exit survey at departure (sample)',
      meansOfVerification: 'Exit survey dataset (KoboToolbox)',
      commonIndicatorCode: 'CI-SAT-01',
      targets: t.level({ 2023: 80, 2024: 85, 2025: 85 }),
    }),
    indicator({
      code: 'OC2.a', resultCode: 'OC2', type: 'qualitative', timeAggregation: 'latest',
      title: 'Main protection concerns identified among assisted migrants and how they were addressed',
      baseline: null, baselineDate: null, disaggregations: [],
      dataSource: 'Protection monitoring and case conferences',
      meansOfVerification: 'Protection monitoring reports (anonymised)',
      targets: {},
    }),
    indicator({
      code: 'OP1.1.a', resultCode: 'OP1.1', type: 'count', unit: 'people', timeAggregation: 'sum',
      title: 'Number of migrants receiving return counselling',
      baseline: 0, baselineDate: '2022-12-31', disaggregations: ['sex', 'location', 'nationality'],
      dataSource: 'IOM case management system (MiMOSA)',
      meansOfVerification: 'Counselling records',
      targets: t.perQuarter({ 2023: 2600, 2024: 3200, 2025: 3200 }),
    }),
    indicator({
      code: 'OP1.1.b', resultCode: 'OP1.1', type: 'count', unit: 'people', timeAggregation: 'sum',
      title: 'Number of migrants issued travel documents through consular support',
      baseline: 0, baselineDate: '2022-12-31', disaggregations: ['sex', 'nationality'],
      dataSource: 'Consular coordination tracker',
      meansOfVerification: 'Copies of emergency travel documents (kept on file)',
      targets: t.perQuarter({ 2023: 1500, 2024: 2000, 2025: 2000 }),
    }),
    indicator({
      code: 'OP1.2.a', resultCode: 'OP1.2', type: 'count', unit: 'people', timeAggregation: 'sum',
      title: 'Number of migrants receiving pre-departure medical screening',
      baseline: 0, baselineDate: '2022-12-31', disaggregations: ['sex', 'location'],
      dataSource: 'Pre-departure medical screening records',
      meansOfVerification: 'Fit-to-travel certificates',
      targets: t.perQuarter({ 2023: 2000, 2024: 2500, 2025: 2500 }),
    }),
    indicator({
      code: 'OP1.2.b', resultCode: 'OP1.2', type: 'yes_no', timeAggregation: 'latest',
      title: 'Standard operating procedures for return from detention agreed with the Directorate for Combatting Illegal Migration',
      baseline: 0, baselineDate: '2022-12-31', disaggregations: [],
      dataSource: 'Project records',
      meansOfVerification: 'Signed standard operating procedures',
      targets: t.milestone('2023-Q3'),
    }),
    indicator({
      code: 'OP2.1.a', resultCode: 'OP2.1', type: 'count', unit: 'people', timeAggregation: 'sum',
      title: 'Number of migrants receiving non-food items (hygiene kits, blankets, clothing)',
      baseline: 0, baselineDate: '2022-12-31', disaggregations: ['sex', 'location', 'population_type'],
      dataSource: 'Distribution lists',
      meansOfVerification: 'Signed distribution lists; waybills',
      targets: t.perQuarter({ 2023: 4000, 2024: 5000, 2025: 5000 }),
    }),
    indicator({
      code: 'OP2.1.b', resultCode: 'OP2.1', type: 'count', unit: 'people', timeAggregation: 'sum',
      title: 'Number of vulnerable migrants receiving protection case management',
      baseline: 0, baselineDate: '2022-12-31', disaggregations: ['sex', 'location', 'age_group'], disaggregationCheck: 'error',
      dataSource: 'Protection case management database',
      meansOfVerification: 'Anonymised case register; case conference notes',
      commonIndicatorCode: 'CI-PROT-01',
      targets: t.perQuarter({ 2023: 300, 2024: 400, 2025: 400 }),
    }),
  ];

  const validationRules = [
    { code: 'R1', left: ['OP1.2.a'], operator: '<=' as const, right: ['OP1.1.a'], description: 'screening follows counselling: screened ≤ counselled' },
  ];
  return { project, results, indicators, validationRules };
}
