/** LY10P0576: an invented Displacement Tracking Matrix project (illustrative). */
import type { Project, Result } from '../../domain/results-framework.js';
import { indicator, targetsFor } from '../build.js';
import type { DemoProject } from '../portfolio.js';

export function dtmProject(): DemoProject {
  const project: Project = {
    code: 'LY10P0576',
    altCode: 'PO.0252',
    title: 'Displacement Tracking Matrix Libya: Mobility Tracking and Migration Data',
    donors: ['DONOR-A', 'POOLED-FUND'],
    startDate: '2023-07-01',
    endDate: '2025-12-31',
    budget: 2200000,
    currency: 'USD',
    status: 'active',
    coverage: 'National',
    locations: ['Tripoli', 'Benghazi', 'Misrata', 'Sebha', 'Ubari'],
    programmaticArea: 'Displacement Tracking Matrix (DTM)',
    illustrative: true,
  };

  const results: Result[] = [
    { code: 'OBJ', level: 'objective', parentCode: null, statement: 'Humanitarian, development and government actors base their decisions on timely and reliable data on displacement and migration in Libya', contributesTo: [] },
    { code: 'OC1', level: 'outcome', parentCode: 'OBJ', statement: 'Humanitarian and development actors use DTM data to plan and target assistance', contributesTo: ['UNSDCF-3.2.1', 'IOM-MOBILITY', 'SDG-17.18', 'GCM-1'] },
    { code: 'OC2', level: 'outcome', parentCode: 'OBJ', statement: 'Libyan statistical and migration authorities produce and use migration data', contributesTo: ['UNSDCF-3.2.2', 'IOM-GOVERNANCE', 'GCM-1'] },
    { code: 'OP1.1', level: 'output', parentCode: 'OC1', statement: 'Mobility tracking and flow monitoring data are collected across all mantikas', contributesTo: ['UNSDCF-3.2.1', 'IOM-MOBILITY', 'GCM-1'] },
    { code: 'OP1.2', level: 'output', parentCode: 'OC1', statement: 'DTM reports, dashboards and datasets are published and disseminated', contributesTo: ['UNSDCF-3.2.1', 'IOM-MOBILITY', 'SDG-17.18'] },
    { code: 'OP2.1', level: 'output', parentCode: 'OC2', statement: 'Officials of the Bureau of Statistics and Census and line ministries are trained in migration data', contributesTo: ['UNSDCF-3.2.2', 'IOM-GOVERNANCE', 'SDG-17.18'] },
  ];

  const t = targetsFor(project);
  const indicators = [
    indicator({
      code: 'OC1.a', resultCode: 'OC1', type: 'percentage', unit: '%', timeAggregation: 'average',
      title: 'Percentage of surveyed humanitarian partners reporting that DTM data informed their programming',
      baseline: 60, baselineDate: '2023-06-30', disaggregations: [],
      dataSource: 'Quarterly DTM user survey',
      meansOfVerification: 'User survey dataset and summary',
      targets: t.level({ 2023: 70, 2024: 75, 2025: 80 }),
    }),
    indicator({
      code: 'OC2.a', resultCode: 'OC2', type: 'yes_no', timeAggregation: 'latest',
      title: 'Data sharing agreement signed with the Bureau of Statistics and Census',
      baseline: 0, baselineDate: '2023-06-30', disaggregations: [],
      dataSource: 'Project records',
      meansOfVerification: 'Signed data sharing agreement',
      targets: t.milestone('2024-Q4'),
    }),
    indicator({
      code: 'OC2.b', resultCode: 'OC2', type: 'qualitative', timeAggregation: 'latest',
      title: 'Uses of DTM data by national authorities and humanitarian actors',
      baseline: null, baselineDate: null, disaggregations: [],
      dataSource: 'Data request log; partner feedback',
      meansOfVerification: 'Data request log; plans and appeals citing DTM data',
      targets: {},
    }),
    indicator({
      code: 'OP1.1.a', resultCode: 'OP1.1', type: 'count', unit: 'interviews', timeAggregation: 'sum',
      title: 'Number of key informant interviews conducted for mobility tracking',
      baseline: 0, baselineDate: '2023-06-30', disaggregations: ['location'],
      dataSource: 'DTM mobility tracking database',
      meansOfVerification: 'Interview records by round',
      targets: t.perQuarter({ 2023: 1400, 2024: 1500, 2025: 1500 }),
    }),
    indicator({
      code: 'OP1.1.b', resultCode: 'OP1.1', type: 'count', unit: 'people', timeAggregation: 'sum',
      title: 'Number of migrants interviewed through the flow monitoring survey',
      baseline: 0, baselineDate: '2023-06-30', disaggregations: ['sex', 'location', 'nationality'], disaggregationCheck: 'error',
      dataSource: 'DTM flow monitoring survey database',
      meansOfVerification: 'Survey dataset (anonymised)',
      commonIndicatorCode: 'CI-DTM-01',
      targets: t.perQuarter({ 2023: 3000, 2024: 3500, 2025: 3500 }),
    }),
    indicator({
      code: 'OP1.1.c', resultCode: 'OP1.1', type: 'count', unit: 'baladiyas', timeAggregation: 'latest',
      title: 'Number of baladiyas covered by mobility tracking',
      baseline: 90, baselineDate: '2023-06-30', disaggregations: [],
      dataSource: 'DTM mobility tracking coverage map',
      meansOfVerification: 'Published mobility tracking round reports',
      targets: t.level({ 2023: 95, 2024: 100, 2025: 100 }),
    }),
    indicator({
      code: 'OP1.2.a', resultCode: 'OP1.2', type: 'count', unit: 'products', timeAggregation: 'sum',
      title: 'Number of DTM information products published (reports, dashboards, datasets)',
      baseline: 0, baselineDate: '2023-06-30', disaggregations: [],
      dataSource: 'DTM publication log',
      meansOfVerification: 'Products published on the DTM website',
      targets: t.perQuarter({ 2023: 6, 2024: 7, 2025: 7 }),
    }),
    indicator({
      code: 'OP2.1.a', resultCode: 'OP2.1', type: 'count', unit: 'people', timeAggregation: 'sum',
      title: 'Number of officials trained in migration data collection and analysis',
      baseline: 0, baselineDate: '2023-06-30', disaggregations: ['sex', 'location'], disaggregationCheck: 'error',
      dataSource: 'Training attendance records',
      meansOfVerification: 'Signed attendance sheets; training reports',
      commonIndicatorCode: 'CI-GOV-01',
      targets: t.perQuarter({ 2023: 10, 2024: 15, 2025: 15 }),
    }),
    indicator({
      code: 'OP2.1.b', resultCode: 'OP2.1', type: 'percentage', unit: '%', timeAggregation: 'average',
      title: 'Percentage of trained officials with improved migration data skills (pre/post-test)',
      baseline: 40, baselineDate: '2023-06-30', disaggregations: ['sex'],
      dataSource: 'Pre- and post-training tests',
      meansOfVerification: 'Test score sheets',
      commonIndicatorCode: 'CI-GOV-02',
      targets: t.level({ 2023: 60, 2024: 70, 2025: 75 }),
    }),
  ];

  return { project, results, indicators };
}
