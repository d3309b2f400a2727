/**
 * The demo portfolio of RBM Flow: the frameworks IOM Libya reports against, the mission's library of
 * common indicators, donors, users and six projects with their results matrices, indicators and targets. Deterministic: every call returns the
 * same data (fresh objects, safe to mutate). Data values for the projects come from `demoValues`
 * (demo/values.ts).
 *
 * LY10P0542 "Strengthening Migration Governance in Libya" is a real IOM project (public project page);
 * everything else (projects, donors, people, UNSDCF outcome and output wording) is invented and flagged
 * `illustrative: true` where the schema has the flag.
 */
import type { CommonIndicator } from '../domain/common-indicators.js';
import type { ValidationRule } from '../domain/data-quality.js';
import type { FrameworkNode, Indicator, Project, Result } from '../domain/results-framework.js';
import { demoCommonIndicators } from './common-indicators.js';
import { demoFrameworkNodes } from './frameworks.js';
import { dtmProject } from './projects/dtm.js';
import { governanceProject } from './projects/governance.js';
import { healthProject } from './projects/health.js';
import { mhpssProject } from './projects/mhpss.js';
import { vhrProject } from './projects/vhr.js';
import { washProject } from './projects/wash.js';

export interface DemoDonor {
  code: string;
  name: string;
  illustrative: boolean;
  contactEmail: string;
}

export type DemoRole = 'admin' | 'me_officer' | 'project_manager' | 'approver' | 'donor_contact' | 'viewer';
export interface DemoUser {
  id: string;
  name: string;
  email: string;
  roles: Array<{ role: DemoRole; projectCode?: string; donorCode?: string }>;
}

export interface DemoProject {
  project: Project;
  results: Result[];
  indicators: Indicator[];
  /** Validation rules between its indicators (data-quality warnings). */
  validationRules?: ValidationRule[];
}

export interface DemoAgreement {
  donorCode: string;
  projectCode: string;
  templateId: string;
  frequency: 'quarterly' | 'semiannual' | 'annual';
  dueDays: number;
  leadDays: number;
  sendExcel: boolean;
}

export interface DemoPortfolio {
  frameworkNodes: FrameworkNode[];
  /** The mission's library of common indicators (demo/common-indicators.ts). */
  commonIndicators: CommonIndicator[];
  donors: DemoDonor[];
  users: DemoUser[];
  projects: DemoProject[];
  agreements: DemoAgreement[];
}

/** Each donor's reporting calendar for the projects it funds (illustrative). */
const DONOR_TERMS: Record<string, Pick<DemoAgreement, 'frequency' | 'dueDays' | 'leadDays' | 'sendExcel'>> = {
  EU: { frequency: 'quarterly', dueDays: 30, leadDays: 15, sendExcel: true },
  'DONOR-A': { frequency: 'quarterly', dueDays: 45, leadDays: 20, sendExcel: false },
  'DONOR-B': { frequency: 'semiannual', dueDays: 60, leadDays: 30, sendExcel: true },
  'POOLED-FUND': { frequency: 'quarterly', dueDays: 30, leadDays: 10, sendExcel: false },
};

export function demoAgreements(projects: DemoProject[] = demoProjects()): DemoAgreement[] {
  return projects.flatMap((p) => p.project.donors.map((donorCode) => ({ donorCode, projectCode: p.project.code, templateId: 'iom-donor-report', ...DONOR_TERMS[donorCode]! })));
}

export function demoDonors(): DemoDonor[] {
  return [
    { code: 'EU', name: 'European Union (illustrative)', illustrative: true, contactEmail: 'eu.donor@example.org' },
    { code: 'DONOR-A', name: 'Donor Agency A (illustrative)', illustrative: true, contactEmail: 'donor.a@example.org' },
    { code: 'DONOR-B', name: 'Donor Agency B (illustrative)', illustrative: true, contactEmail: 'donor.b@example.org' },
    { code: 'POOLED-FUND', name: 'Humanitarian Pooled Fund (illustrative)', illustrative: true, contactEmail: 'pooled.fund@example.org' },
  ];
}

export function demoProjects(): DemoProject[] {
  return [governanceProject(), mhpssProject(), washProject(), healthProject(), vhrProject(), dtmProject()];
}

/** Users: one per role, a project manager per project (one manages two), donor contacts per donor. */
export function demoUsers(projectCodes: string[] = demoProjects().map((p) => p.project.code)): DemoUser[] {
  const pm = (projectCode: string) => ({ role: 'project_manager' as const, projectCode });
  const donorContact = (donorCode: string) => ({ role: 'donor_contact' as const, donorCode });
  return [
    { id: 'admin', name: 'Omar Admin', email: 'admin@example.org', roles: [{ role: 'admin' }] },
    { id: 'me.officer', name: 'Salma Ben Ali', email: 'me.officer@example.org', roles: [{ role: 'me_officer' }] },
    { id: 'pm.governance', name: 'Amira Haddad', email: 'pm.governance@example.org', roles: [pm('LY10P0542')] },
    { id: 'pm.health', name: 'Khaled Mansour', email: 'pm.health@example.org', roles: [pm('LY10P0551'), pm('LY10P0563')] },
    { id: 'pm.wash', name: 'Fatima Zuhri', email: 'pm.wash@example.org', roles: [pm('LY10P0558')] },
    { id: 'pm.vhr', name: 'Youssef Darrat', email: 'pm.vhr@example.org', roles: [pm('LY10P0570')] },
    { id: 'pm.dtm', name: 'Nadia Elgheriani', email: 'pm.dtm@example.org', roles: [pm('LY10P0576')] },
    {
      id: 'com.libya',
      name: 'Chief of Mission, IOM Libya',
      email: 'com.libya@example.org',
      roles: projectCodes.map((projectCode) => ({ role: 'approver' as const, projectCode })),
    },
    { id: 'donor.eu', name: 'EU Programme Officer (illustrative)', email: 'eu.donor@example.org', roles: [donorContact('EU')] },
    { id: 'donor.a', name: 'Donor Agency A Desk Officer (illustrative)', email: 'donor.a@example.org', roles: [donorContact('DONOR-A')] },
    { id: 'donor.b', name: 'Donor Agency B Desk Officer (illustrative)', email: 'donor.b@example.org', roles: [donorContact('DONOR-B')] },
    { id: 'donor.pooled', name: 'Pooled Fund Officer (illustrative)', email: 'pooled.fund@example.org', roles: [donorContact('POOLED-FUND')] },
    { id: 'viewer', name: 'Programme Support Unit', email: 'psu@example.org', roles: [{ role: 'viewer' }] },
  ];
}

export function demoPortfolio(): DemoPortfolio {
  const projects = demoProjects();
  return {
    frameworkNodes: demoFrameworkNodes(),
    commonIndicators: demoCommonIndicators(),
    donors: demoDonors(),
    users: demoUsers(projects.map((p) => p.project.code)),
    projects,
    agreements: demoAgreements(projects),
  };
}
