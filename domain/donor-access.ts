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

/**
 * Whether a donor (or a contact of several donors) may receive the file: one of its agreements covers
 * it, for a project the donor funds (an agreement left over after the funding ended gives nothing).
 */
export function donorMayReceive(
  donor: { donorCodes: readonly string[]; fundedProjects: readonly string[] },
  agreements: readonly AgreementTerms[],
  f: ReportFileFacts,
): boolean {
  if (!donor.fundedProjects.includes(f.projectCode)) return false;
  return agreements.some((a) => donor.donorCodes.includes(a.donorCode) && agreementCovers(a, f));
}
