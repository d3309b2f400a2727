/**
 * One `iati-activity` per project, its elements in the 2.03 schema's order: iati-identifier,
 * reporting-org, title, description+, participating-org+, other-identifier, activity-status,
 * activity-date+, recipient-country, sector*, budget*, document-link*, result*.
 */
import { periodLabel } from '../domain/periods.js';
import type { ActivityInput, ApprovedReport, ExportCounts, ExportOptions, XmlNode } from './activity-input.js';
import {
  ACTIVITY_DATE,
  activityStatusOf,
  BUDGET,
  DESCRIPTION_TYPE,
  DOCUMENT_CATEGORY_RESULTS,
  DOCUMENT_FORMAT,
  iatiIdentifier,
  IOM,
  ORG_ROLE,
  OTHER_IDENTIFIER_REPORTING_ORG,
  RECIPIENT_COUNTRY,
} from './codes.js';
import { annualBudgets } from './budgets.js';
import { trimSlash } from './framework-references.js';
import { appendNarrative, appendResults } from './results-xml.js';
import { sectorsFor } from './sectors.js';
import { xmlSafe } from './xml-text.js';

export function appendActivity(root: XmlNode, input: ActivityInput, options: ExportOptions, counts: ExportCounts): void {
  const { project } = input;
  const today = options.generatedAt.slice(0, 10);
  const activity = root.ele('iati-activity', {
    'last-updated-datetime': options.generatedAt,
    'xml:lang': 'en',
    'default-currency': project.currency,
  });
  activity.ele('iati-identifier').txt(iatiIdentifier(project.code));
  activity.ele('reporting-org', { ref: IOM.ref, type: IOM.type }).ele('narrative').txt(IOM.name);
  appendNarrative(activity, 'title', project.title);
  activity.ele('description', { type: DESCRIPTION_TYPE.general }).ele('narrative').txt(xmlSafe(generalDescription(input)));
  const objective = input.results.find((r) => r.level === 'objective');
  if (objective) activity.ele('description', { type: DESCRIPTION_TYPE.objectives }).ele('narrative').txt(xmlSafe(objective.statement));

  project.donors.forEach((code, i) => {
    // Donors have no IATI organisation identifier in RBM Flow yet: named, not referenced.
    activity.ele('participating-org', { role: ORG_ROLE.funding }).ele('narrative').txt(xmlSafe(input.donorNames[i] ?? code));
  });
  activity.ele('participating-org', { ref: IOM.ref, type: IOM.type, role: ORG_ROLE.accountable }).ele('narrative').txt(IOM.name);
  activity.ele('participating-org', { ref: IOM.ref, type: IOM.type, role: ORG_ROLE.implementing }).ele('narrative').txt(IOM.name);
  if (project.altCode) {
    activity
      .ele('other-identifier', { ref: project.altCode, type: OTHER_IDENTIFIER_REPORTING_ORG })
      .ele('owner-org', { ref: IOM.ref })
      .ele('narrative')
      .txt(IOM.name);
  }

  const status = activityStatusOf(project, today);
  activity.ele('activity-status', { code: status });
  activity.ele('activity-date', { type: ACTIVITY_DATE.plannedStart, 'iso-date': project.startDate.slice(0, 10) });
  // Actual dates only once they are past (IATI rules 11.1.4 and 11.1.5 refuse actual dates in the future).
  if (status !== '1' && project.startDate.slice(0, 10) <= today) {
    activity.ele('activity-date', { type: ACTIVITY_DATE.actualStart, 'iso-date': project.startDate.slice(0, 10) });
  }
  activity.ele('activity-date', { type: ACTIVITY_DATE.plannedEnd, 'iso-date': project.endDate.slice(0, 10) });
  if (status === '4' && project.endDate.slice(0, 10) <= today) {
    activity.ele('activity-date', { type: ACTIVITY_DATE.actualEnd, 'iso-date': project.endDate.slice(0, 10) });
  }

  activity.ele('recipient-country', { code: RECIPIENT_COUNTRY.code }).ele('narrative').txt(RECIPIENT_COUNTRY.name);
  for (const s of sectorsFor(project, input.results, input.frameworkNodes)) {
    activity.ele('sector', { vocabulary: s.vocabulary, code: s.code, ...(s.percentage === null ? {} : { percentage: s.percentage }) });
  }
  for (const b of annualBudgets(project)) {
    const budget = activity.ele('budget', { type: BUDGET.typeOriginal, status: BUDGET.statusIndicative });
    budget.ele('period-start', { 'iso-date': b.start });
    budget.ele('period-end', { 'iso-date': b.end });
    budget.ele('value', { currency: project.currency, 'value-date': b.start }).txt(b.value);
  }
  for (const report of input.reports) {
    appendReportLink(activity, report, options.baseUrl);
    counts.documentLinks++;
  }
  appendResults(activity, input, options, counts);
  counts.activities++;
}

function appendReportLink(activity: XmlNode, report: ApprovedReport, baseUrl: string): void {
  const link = activity.ele('document-link', { url: `${trimSlash(baseUrl)}/reports/${encodeURIComponent(report.artifactId)}`, format: DOCUMENT_FORMAT[report.format] });
  appendNarrative(link, 'title', `Approved donor report, ${periodLabel(report.period)}, version ${report.version} (${report.format.toUpperCase()})`);
  link.ele('category', { code: DOCUMENT_CATEGORY_RESULTS });
  link.ele('language', { code: report.language });
  link.ele('document-date', { 'iso-date': report.approvedOn.slice(0, 10) });
}

function generalDescription({ project }: ActivityInput): string {
  return [
    `${project.title}${project.altCode ? ` (project ID ${project.altCode}, Prima ID ${project.code})` : ` (Prima ID ${project.code})`}.`,
    project.programmaticArea ? `Programmatic area: ${project.programmaticArea}.` : '',
    project.coverage ? `Coverage: ${project.coverage}${project.locations.length ? ` (${project.locations.join(', ')})` : ''}.` : '',
    project.illustrative ? 'Illustrative demo data: the project, its donors and its figures are invented.' : '',
  ]
    .filter(Boolean)
    .join(' ');
}
