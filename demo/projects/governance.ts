/**
 * LY10P0542 "Strengthening Migration Governance in Libya" (PO.0185): the real project from the seeds.
 * Code, title, dates, budget, type, coverage, outcome and main activities are as published by IOM;
 * the donor, locations, indicator wording and targets are illustrative.
 */
import type { Project, Result } from '../../domain/results-framework.js';
import { indicator, targetsFor } from '../build.js';
import type { DemoProject } from '../portfolio.js';

export function governanceProject(): DemoProject {
  const project: Project = {
    code: 'LY10P0542',
    altCode: 'PO.0185',
    title: 'Strengthening Migration Governance in Libya',
    donors: ['DONOR-A'],
    startDate: '2022-01-01',
    endDate: '2025-12-31',
    budget: 300000,
    currency: 'USD',
    status: 'active',
    coverage: 'National',
    locations: ['Tripoli', 'Benghazi', 'Misrata', 'Sebha'],
    programmaticArea: 'Migration Policy Activities',
    illustrative: false,
  };

  const results: Result[] = [
    { code: 'OBJ', level: 'objective', parentCode: null, statement: 'Contribute to an effective migration governance framework in Libya, aligned with international standards and oriented towards accountable management of migration that improves the conditions of migrants and recognizes the economic benefits of migration', contributesTo: [] },
    { code: 'OC1', level: 'outcome', parentCode: 'OBJ', statement: 'Libyan authorities at national and local level engage in developing evidence-based migration management policies in line with international standards', contributesTo: ['UNSDCF-1.1.1', 'IOM-GOVERNANCE', 'SDG-10.7', 'GCM-23'] },
    { code: 'OP1.1', level: 'output', parentCode: 'OC1', statement: 'A structured analysis of migration management in Libya is produced and validated with national authorities', contributesTo: ['UNSDCF-1.1.1', 'IOM-GOVERNANCE', 'GCM-1'] },
    { code: 'OP1.2', level: 'output', parentCode: 'OC1', statement: 'Libyan officials learn from the migration governance model of a champion country through a study visit', contributesTo: ['UNSDCF-1.1.1', 'IOM-GOVERNANCE', 'GCM-23'] },
    { code: 'OP1.3', level: 'output', parentCode: 'OC1', statement: 'National and local authorities engage in migration governance through consultative workshops', contributesTo: ['UNSDCF-1.1.1', 'IOM-GOVERNANCE'] },
    { code: 'OP1.4', level: 'output', parentCode: 'OC1', statement: 'National and local officials are trained on labour migration and migration governance', contributesTo: ['UNSDCF-2.1.1', 'IOM-GOVERNANCE', 'SDG-8.8', 'GCM-6'] },
  ];

  const t = targetsFor(project);
  const indicators = [
    indicator({
      code: 'OC1.a', resultCode: 'OC1', type: 'count', unit: 'documents', timeAggregation: 'sum',
      title: 'Number of migration policies, strategies or action plans drafted or revised by Libyan authorities with IOM technical support',
      baseline: 0, baselineDate: '2021-12-31', disaggregations: [],
      dataSource: 'Project records; Migration Working Group minutes',
      meansOfVerification: 'Copies of draft policy documents; official correspondence from the ministries',
      targets: t.inQuarters({ '2024-Q2': 1, '2024-Q4': 1, '2025-Q2': 1, '2025-Q4': 1 }),
    }),
    indicator({
      code: 'OC1.b', resultCode: 'OC1', type: 'percentage', unit: '%', timeAggregation: 'average',
      title: 'Percentage of trained officials who report applying migration governance knowledge in their work three months after training',
      baseline: 20, baselineDate: '2022-06-30', disaggregations: ['sex'],
      dataSource: 'Post-training follow-up survey (KoboToolbox)',
      meansOfVerification: 'Follow-up survey dataset and analysis note',
      targets: t.level({ 2023: 40, 2024: 55, 2025: 65 }),
    }),
    indicator({
      code: 'OC1.c', resultCode: 'OC1', type: 'qualitative', timeAggregation: 'latest',
      title: 'Examples of national and local authorities using project evidence in migration policy discussions',
      baseline: null, baselineDate: null, disaggregations: [],
      dataSource: 'Quarterly narrative by the project team',
      meansOfVerification: 'Meeting minutes; policy documents referencing the analysis',
      targets: {},
    }),
    indicator({
      code: 'OP1.1.a', resultCode: 'OP1.1', type: 'yes_no', timeAggregation: 'latest',
      title: 'Structured analysis of migration management in Libya validated by national authorities',
      baseline: 0, baselineDate: '2021-12-31', disaggregations: [],
      dataSource: 'Project records',
      meansOfVerification: 'Validation workshop report; published analysis',
      targets: t.milestone('2023-Q4'),
    }),
    indicator({
      code: 'OP1.1.b', resultCode: 'OP1.1', type: 'count', unit: 'institutions', timeAggregation: 'sum',
      title: 'Number of national and local institutions consulted for the structured analysis',
      baseline: 0, baselineDate: '2021-12-31', disaggregations: ['location'],
      dataSource: 'Consultation log of the research team',
      meansOfVerification: 'Interview records; annex of the analysis listing the institutions consulted',
      targets: t.inQuarters({ '2023-Q1': 6, '2023-Q2': 8, '2023-Q3': 4 }),
    }),
    indicator({
      code: 'OP1.2.a', resultCode: 'OP1.2', type: 'count', unit: 'people', timeAggregation: 'sum',
      title: 'Number of Libyan officials participating in the study visit to a champion country',
      baseline: 0, baselineDate: '2021-12-31', disaggregations: ['sex', 'location'], disaggregationCheck: 'error',
      dataSource: 'Study visit participant list',
      meansOfVerification: 'Signed attendance sheets; study visit report',
      targets: t.inQuarters({ '2024-Q2': 12 }),
    }),
    indicator({
      code: 'OP1.3.a', resultCode: 'OP1.3', type: 'count', unit: 'workshops', timeAggregation: 'sum',
      title: 'Number of workshops held with national and local authorities on migration governance',
      baseline: 0, baselineDate: '2021-12-31', disaggregations: ['location'],
      dataSource: 'Project activity tracker',
      meansOfVerification: 'Workshop agendas and reports',
      targets: t.perQuarter({ 2023: 1, 2024: 2, 2025: 2 }),
    }),
    indicator({
      code: 'OP1.3.b', resultCode: 'OP1.3', type: 'count', unit: 'people', timeAggregation: 'sum',
      title: 'Number of national and local officials participating in migration governance workshops',
      baseline: 0, baselineDate: '2021-12-31', disaggregations: ['sex', 'location'], disaggregationCheck: 'error',
      dataSource: 'Workshop attendance sheets',
      meansOfVerification: 'Signed attendance sheets; workshop reports',
      targets: t.perQuarter({ 2023: 15, 2024: 30, 2025: 30 }),
    }),
    indicator({
      code: 'OP1.4.a', resultCode: 'OP1.4', type: 'count', unit: 'people', timeAggregation: 'sum',
      title: 'Number of officials trained on labour migration and migration governance',
      baseline: 0, baselineDate: '2021-12-31', disaggregations: ['sex', 'location'], disaggregationCheck: 'error',
      dataSource: 'Training attendance records',
      meansOfVerification: 'Signed attendance sheets; training reports',
      commonIndicatorCode: 'CI-GOV-01',
      targets: t.perQuarter({ 2023: 10, 2024: 20, 2025: 20 }),
    }),
    indicator({
      code: 'OP1.4.b', resultCode: 'OP1.4', type: 'percentage', unit: '%', timeAggregation: 'average',
      title: 'Percentage of trained officials scoring at least 70% in the post-training test',
      baseline: 45, baselineDate: '2022-06-30', disaggregations: ['sex'],
      dataSource: 'Pre- and post-training tests',
      meansOfVerification: 'Test score sheets; training reports',
      commonIndicatorCode: 'CI-GOV-02',
      targets: t.level({ 2023: 65, 2024: 70, 2025: 75 }),
    }),
  ];

  return { project, results, indicators };
}
