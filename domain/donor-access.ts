/**
 * What a donor may receive: the ONE rule the donor portal, the API, the donor e-mail and the monthly
 * digest apply. A donor gets a project's report only in a template one of its agreements for that
 * project names (and funds the project), and the Excel only when that agreement asks for it; the PDF
 * is the report itself. Pure.
 */

/** What of an agreement the rule needs. */
export interface AgreementTerms {
  donorCode: string;
  projectCode: string;
  templateId: string;
  sendExcel: boolean;
}

/** A final report file, as the rule sees it. */
export interface ReportFileFacts {
  projectCode: string;
  templateId: string;
  format: 'pdf' | 'xlsx' | string;
}

/** Whether one agreement covers the file: same project and template; the Excel only if it asks for it. */
export function agreementCovers(a: AgreementTerms, f: ReportFileFacts): boolean {
  if (a.projectCode !== f.projectCode || a.templateId !== f.templateId) return false;
  return f.format === 'pdf' || (f.format === 'xlsx' && a.sendExcel);
}

/** That a donor funds a project (a row of the project's donors). */
export interface Funding {
  donorCode: string;
  projectCode: string;
}

/**
 * Whether a donor (or a contact of several donors) may receive the file: an agreement of a donor that
 * funds the project covers it. Each agreement counts only with its own donor's funding: a contact of two
 * donors gets nothing from the leftover agreement of one that no longer funds the project, even while
 * the other funds it (an agreement left over after the funding ended gives nothing).
 */
export function donorMayReceive(funding: readonly Funding[], agreements: readonly AgreementTerms[], f: ReportFileFacts): boolean {
  return agreements.some((a) => agreementCovers(a, f) && funding.some((d) => d.donorCode === a.donorCode && d.projectCode === f.projectCode));
}
