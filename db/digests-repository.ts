/** What goes into a donor's digest: the latest approved final report of each project it funds. */
import type { ArtifactRef } from '../domain/report-cycle.js';
import type { Queryable } from './pool.js';

export interface DigestReport {
  projectCode: string;
  projectTitle: string;
  templateId: string;
  period: string;
  cycleId: string;
  version: number;
  pdf: ArtifactRef;
}

/**
 * For each project the donor funds and each template, the final PDF of its most recent completed cycle
 * (latest period); which of them the donor receives is the agreements' rule (domain/donor-access.ts).
 */
export async function latestApprovedReports(q: Queryable, donorCode: string): Promise<DigestReport[]> {
  const { rows } = await q.query(
    `SELECT DISTINCT ON (p.code, c.template_id) p.code AS project_code, p.title, c.template_id, c.period, c.id AS cycle_id, a.version,
            a.id, a.sha256, a.filename, a.format, a.size_bytes
       FROM project_donors pd
       JOIN projects p ON p.id = pd.project_id
       JOIN report_cycles c ON c.project_code = p.code AND c.state = 'completed'
       JOIN artifacts a ON a.cycle_id = c.id AND a.stage = 'final' AND a.format = 'pdf' AND a.version = c.current_version
      WHERE pd.donor_code = $1
      ORDER BY p.code, c.template_id, c.period DESC, c.updated_at DESC`,
    [donorCode],
  );
  return rows.map((r) => ({
    projectCode: r.project_code, projectTitle: r.title, templateId: r.template_id, period: r.period, cycleId: r.cycle_id, version: r.version,
    pdf: { id: r.id, sha256: r.sha256, filename: r.filename, format: r.format, sizeBytes: r.size_bytes },
  }));
}

/** The donors that have at least one agreement (they get a monthly digest), with their contacts. */
export async function digestRecipients(q: Queryable, donorCode: string): Promise<Array<{ name: string; email: string }>> {
  const { rows } = await q.query(
    `SELECT DISTINCT coalesce(u.name, d.name) AS name, coalesce(u.email, d.contact_email) AS email
       FROM donors d
       LEFT JOIN user_roles r ON r.role = 'donor_contact' AND r.donor_code = d.code
       LEFT JOIN users u ON u.id = r.user_id
      WHERE d.code = $1 AND coalesce(u.email, d.contact_email) IS NOT NULL
      ORDER BY email`,
    [donorCode],
  );
  return rows;
}

export async function donorsWithAgreements(q: Queryable): Promise<string[]> {
  const { rows } = await q.query<{ donor_code: string }>('SELECT DISTINCT donor_code FROM agreements ORDER BY donor_code');
  return rows.map((r) => r.donor_code);
}
