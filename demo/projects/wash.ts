/** LY10P0558: an invented WASH project in detention centres and disembarkation points (illustrative). */
import type { Project, Result } from '../../domain/results-framework.js';
import { indicator, targetsFor } from '../build.js';
import type { DemoProject } from '../portfolio.js';

export function washProject(): DemoProject {
  const project: Project = {
    code: 'LY10P0558',
    altCode: 'PO.0224',
    title: 'Water, Sanitation and Hygiene in Detention Centres and Disembarkation Points',
    donors: ['DONOR-B', 'POOLED-FUND'],
    startDate: '2023-04-01',
    endDate: '2025-12-31',
    budget: 1850000,
    currency: 'USD',
    status: 'active',
    coverage: 'Western Libya (coast)',
    locations: ['Tripoli', 'Zuwara', 'Zawiya', 'Al Khums'],
    programmaticArea: 'Water, Sanitation and Hygiene (WASH)',
    illustrative: true,
  };

  const results: Result[] = [
    { code: 'OBJ', level: 'objective', parentCode: null, statement: 'Reduce public health risks for migrants in detention and at disembarkation points and for the surrounding host communities', contributesTo: [] },
    { code: 'OC1', level: 'outcome', parentCode: 'OBJ', statement: 'Migrants in detention centres and at disembarkation points have sustained access to safe water, sanitation and hygiene', contributesTo: ['UNSDCF-4.1.1', 'IOM-RESILIENCE', 'SDG-6.1', 'GCM-7'] },
    { code: 'OP1.1', level: 'output', parentCode: 'OC1', statement: 'WASH infrastructure in detention centres and disembarkation points is rehabilitated and maintained', contributesTo: ['UNSDCF-4.1.1', 'IOM-RESILIENCE', 'SDG-6.2'] },
    { code: 'OP1.2', level: 'output', parentCode: 'OC1', statement: 'Migrants and site staff receive hygiene items and hygiene promotion', contributesTo: ['UNSDCF-4.1.2', 'IOM-RESILIENCE', 'SDG-6.2'] },
    { code: 'OP1.3', level: 'output', parentCode: 'OC1', statement: 'Water quality is monitored and water safety plans are applied with the authorities', contributesTo: ['UNSDCF-4.1.2', 'IOM-GOVERNANCE', 'SDG-6.1'] },
  ];

  const t = targetsFor(project);
  const indicators = [
    indicator({
      code: 'OC1.a', resultCode: 'OC1', type: 'count', unit: 'people', timeAggregation: 'sum',
      title: 'Number of people with access to safe drinking water in supported sites',
      baseline: 0, baselineDate: '2023-03-31', disaggregations: ['sex', 'location', 'population_type'], disaggregationCheck: 'error',
      dataSource: 'Site population figures from site management; WASH distribution records',
      meansOfVerification: 'Site monitoring reports; water trucking and distribution logs',
      targets: t.perQuarter({ 2023: 3000, 2024: 4000, 2025: 4000 }),
    }),
    indicator({
      code: 'OC1.b', resultCode: 'OC1', type: 'percentage', unit: '%', timeAggregation: 'average', direction: 'decrease',
      title: 'Percentage of water samples with faecal contamination (E. coli) in supported sites',
      baseline: 35, baselineDate: '2023-03-31', disaggregations: ['location'],
      dataSource: 'Water quality testing (field kits, confirmed by laboratory)',
      meansOfVerification: 'Water quality test records; laboratory certificates',
      targets: t.level({ 2023: 25, 2024: 15, 2025: 10 }),
    }),
    indicator({
      code: 'OC1.c', resultCode: 'OC1', type: 'percentage', unit: '%', timeAggregation: 'average',
      title: 'Percentage of surveyed migrants reporting enough water for drinking, cooking and personal hygiene',
      baseline: 38, baselineDate: '2023-03-31', disaggregations: ['sex'],
      dataSource: 'Quarterly WASH satisfaction survey (KoboToolbox)',
      meansOfVerification: 'Survey dataset and analysis',
      targets: t.level({ 2023: 55, 2024: 65, 2025: 75 }),
    }),
    indicator({
      code: 'OP1.1.a', resultCode: 'OP1.1', type: 'count', unit: 'facilities', timeAggregation: 'latest',
      title: 'Number of functional WASH facilities (latrines, showers, water points) rehabilitated in supported sites',
      baseline: 0, baselineDate: '2023-03-31', disaggregations: ['location'],
      dataSource: 'WASH infrastructure monitoring checklist',
      meansOfVerification: 'Completion certificates; photos; monitoring checklists',
      targets: t.level({ 2023: 20, 2024: 45, 2025: 60 }),
    }),
    indicator({
      code: 'OP1.1.b', resultCode: 'OP1.1', type: 'count', unit: 'visits', timeAggregation: 'sum',
      title: 'Number of WASH maintenance visits to detention centres and disembarkation points',
      baseline: 0, baselineDate: '2023-03-31', disaggregations: ['location'],
      dataSource: 'Maintenance team visit log',
      meansOfVerification: 'Visit reports signed by site focal points',
      targets: t.perQuarter({ 2023: 24, 2024: 30, 2025: 30 }),
    }),
    indicator({
      code: 'OP1.2.a', resultCode: 'OP1.2', type: 'count', unit: 'kits', timeAggregation: 'sum',
      title: 'Number of hygiene kits distributed',
      baseline: 0, baselineDate: '2023-03-31', disaggregations: ['location'],
      dataSource: 'Distribution lists',
      meansOfVerification: 'Signed distribution lists; warehouse waybills',
      targets: t.perQuarter({ 2023: 2500, 2024: 3000, 2025: 3000 }),
    }),
    indicator({
      code: 'OP1.2.b', resultCode: 'OP1.2', type: 'count', unit: 'people', timeAggregation: 'sum',
      title: 'Number of people reached by hygiene promotion sessions',
      baseline: 0, baselineDate: '2023-03-31', disaggregations: ['sex', 'location', 'age_group'],
      dataSource: 'Hygiene promotion session attendance',
      meansOfVerification: 'Attendance sheets; hygiene promoter reports',
      targets: t.perQuarter({ 2023: 1500, 2024: 2000, 2025: 2000 }),
    }),
    indicator({
      code: 'OP1.3.a', resultCode: 'OP1.3', type: 'yes_no', timeAggregation: 'latest',
      title: 'Water safety plan adopted for supported sites with the detention and disembarkation point authorities',
      baseline: 0, baselineDate: '2023-03-31', disaggregations: [],
      dataSource: 'Project records',
      meansOfVerification: 'Signed water safety plan',
      targets: t.milestone('2024-Q2'),
    }),
    indicator({
      code: 'OP1.3.b', resultCode: 'OP1.3', type: 'qualitative', timeAggregation: 'latest',
      title: 'Main findings of joint WASH monitoring visits with the authorities',
      baseline: null, baselineDate: null, disaggregations: [],
      dataSource: 'Joint monitoring visit reports',
      meansOfVerification: 'Visit reports; action plans agreed with site management',
      targets: {},
    }),
  ];

  return { project, results, indicators };
}
