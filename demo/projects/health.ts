/** LY10P0563: an invented migration health project in southern Libya (illustrative). */
import type { Project, Result } from '../../domain/results-framework.js';
import { indicator, targetsFor } from '../build.js';
import type { DemoProject } from '../portfolio.js';

export function healthProject(): DemoProject {
  const project: Project = {
    code: 'LY10P0563',
    altCode: 'PO.0237',
    title: 'Primary Health Care and Referral for Migrants and Host Communities in Southern Libya',
    donors: ['EU', 'DONOR-A'],
    startDate: '2023-01-01',
    endDate: '2025-12-31',
    budget: 3100000,
    currency: 'USD',
    status: 'active',
    coverage: 'Southern Libya and Tripoli',
    locations: ['Sebha', 'Kufra', 'Al Qatrun', 'Ubari', 'Tripoli'],
    programmaticArea: 'Migration Health',
    illustrative: true,
  };

  const results: Result[] = [
    { code: 'OBJ', level: 'objective', parentCode: null, statement: 'Reduce mortality and morbidity among migrants, displaced persons and host communities in Libya', contributesTo: [] },
    { code: 'OC1', level: 'outcome', parentCode: 'OBJ', statement: 'Migrants, displaced persons and host communities in targeted areas use quality primary health care services', contributesTo: ['UNSDCF-3.1.1', 'IOM-RESILIENCE', 'SDG-3.8', 'GCM-15'] },
    { code: 'OC2', level: 'outcome', parentCode: 'OBJ', statement: 'Health authorities detect and respond to public health risks along migration routes', contributesTo: ['UNSDCF-3.1.1', 'IOM-GOVERNANCE'] },
    { code: 'OP1.1', level: 'output', parentCode: 'OC1', statement: 'Primary health care consultations, vaccination and referrals are provided through fixed and mobile clinics', contributesTo: ['UNSDCF-3.1.1', 'IOM-RESILIENCE', 'SDG-3.8'] },
    { code: 'OP1.2', level: 'output', parentCode: 'OC1', statement: 'Supported primary health care facilities are functional and equipped', contributesTo: ['UNSDCF-3.1.1', 'IOM-RESILIENCE'] },
    { code: 'OP2.1', level: 'output', parentCode: 'OC2', statement: 'Health care providers are trained in emergency care and public health risk monitoring', contributesTo: ['UNSDCF-3.1.1', 'IOM-GOVERNANCE', 'SDG-3.8'] },
  ];

  const t = targetsFor(project);
  const indicators = [
    indicator({
      code: 'OC1.a', resultCode: 'OC1', type: 'percentage', unit: '%', timeAggregation: 'average',
      title: 'Percentage of patients satisfied with the primary health care services received',
      baseline: 60, baselineDate: '2022-12-31', disaggregations: ['sex'],
      dataSource: 'Patient exit interviews (monthly sample)',
      meansOfVerification: 'Exit interview dataset (KoboToolbox)',
      commonIndicatorCode: 'CI-SAT-01',
      targets: t.level({ 2023: 70, 2024: 75, 2025: 80 }),
    }),
    indicator({
      code: 'OC1.b', resultCode: 'OC1', type: 'percentage', unit: '%', timeAggregation: 'average',
      title: 'Percentage of referred patients who received secondary care within 7 days',
      baseline: 45, baselineDate: '2022-12-31', disaggregations: ['sex'],
      dataSource: 'Referral follow-up register',
      meansOfVerification: 'Referral forms with hospital acknowledgement',
      targets: t.level({ 2023: 55, 2024: 65, 2025: 70 }),
    }),
    indicator({
      code: 'OC2.a', resultCode: 'OC2', type: 'yes_no', timeAggregation: 'latest',
      title: 'Public health risk monitoring at points of entry reported weekly to the National Centre for Disease Control',
      baseline: 0, baselineDate: '2022-12-31', disaggregations: [],
      dataSource: 'NCDC surveillance reports',
      meansOfVerification: 'Weekly surveillance bulletins; NCDC correspondence',
      targets: t.milestone('2023-Q4'),
    }),
    indicator({
      code: 'OC2.b', resultCode: 'OC2', type: 'qualitative', timeAggregation: 'latest',
      title: 'Public health events detected at points of entry and how the health authorities responded',
      baseline: null, baselineDate: null, disaggregations: [],
      dataSource: 'Surveillance and outbreak response reports',
      meansOfVerification: 'NCDC alerts; response reports',
      targets: {},
    }),
    indicator({
      code: 'OP1.1.a', resultCode: 'OP1.1', type: 'count', unit: 'consultations', timeAggregation: 'sum',
      title: 'Number of primary health care consultations provided to migrants, displaced persons and host community members',
      baseline: 0, baselineDate: '2022-12-31', disaggregations: ['sex', 'location', 'age_group', 'population_type'], disaggregationCheck: 'error',
      dataSource: 'Clinic registers (DHIS2 monthly summary)',
      meansOfVerification: 'Monthly health facility reports',
      commonIndicatorCode: 'CI-HLTH-01',
      targets: t.perQuarter({ 2023: 5000, 2024: 6500, 2025: 6500 }),
    }),
    indicator({
      code: 'OP1.1.b', resultCode: 'OP1.1', type: 'count', unit: 'people', timeAggregation: 'sum',
      title: 'Number of patients referred to secondary or tertiary health care',
      baseline: 0, baselineDate: '2022-12-31', disaggregations: ['sex', 'location'],
      dataSource: 'Referral register',
      meansOfVerification: 'Referral forms; hospital acknowledgements',
      targets: t.perQuarter({ 2023: 150, 2024: 200, 2025: 200 }),
    }),
    indicator({
      code: 'OP1.1.c', resultCode: 'OP1.1', type: 'count', unit: 'children', timeAggregation: 'sum',
      title: 'Number of children under 5 vaccinated through routine immunization outreach',
      baseline: 0, baselineDate: '2022-12-31', disaggregations: ['sex', 'location', 'population_type'],
      dataSource: 'Vaccination registers of the mobile teams',
      meansOfVerification: 'Vaccination cards; monthly immunization reports to the NCDC',
      targets: t.perQuarter({ 2023: 400, 2024: 500, 2025: 500 }),
    }),
    indicator({
      code: 'OP1.2.a', resultCode: 'OP1.2', type: 'count', unit: 'facilities', timeAggregation: 'latest',
      title: 'Number of functional supported primary health care facilities',
      baseline: 3, baselineDate: '2022-12-31', disaggregations: ['location'],
      dataSource: 'Health facility functionality checklist',
      meansOfVerification: 'Quarterly facility assessments; equipment handover notes',
      targets: t.level({ 2023: 5, 2024: 7, 2025: 8 }),
    }),
    indicator({
      code: 'OP2.1.a', resultCode: 'OP2.1', type: 'count', unit: 'people', timeAggregation: 'sum',
      title: 'Number of health care providers trained in emergency and essential care',
      baseline: 0, baselineDate: '2022-12-31', disaggregations: ['sex', 'location'], disaggregationCheck: 'error',
      dataSource: 'Training attendance records',
      meansOfVerification: 'Signed attendance sheets; training reports',
      targets: t.perQuarter({ 2023: 30, 2024: 30, 2025: 20 }),
    }),
    indicator({
      code: 'OP2.1.b', resultCode: 'OP2.1', type: 'count', unit: 'people', timeAggregation: 'sum',
      title: 'Number of health staff trained in public health risk monitoring at points of entry',
      baseline: 0, baselineDate: '2022-12-31', disaggregations: ['sex', 'location'],
      dataSource: 'Training attendance records',
      meansOfVerification: 'Signed attendance sheets; training reports',
      commonIndicatorCode: 'CI-GOV-01',
      targets: t.perQuarter({ 2023: 10, 2024: 15, 2025: 10 }),
    }),
  ];

  return { project, results, indicators };
}
