/** Donor agreements, and who receives a project's report (only donors that fund the project). */
import type { Agreement, Frequency } from '../domain/agreements.js';
import type { Queryable } from './pool.js';

const toAgreement = (r: Record<string, any>): Agreement => ({
  id: r.id, donorCode: r.donor_code, projectCode: r.project_code, templateId: r.template_id, frequency: r.frequency,
  dueDays: r.due_days, leadDays: r.lead_days, sendExcel: r.send_excel,
});

export async function upsertAgreement(q: Queryable, a: Omit<Agreement, 'id'>): Promise<Agreement> {
  const { rows } = await q.query(
    `INSERT INTO agreements (donor_code, project_code, template_id, frequency, due_days, lead_days, send_excel) VALUES ($1,$2,$3,$4,$5,$6,$7)
     ON CONFLICT (donor_code, project_code, template_id) DO UPDATE SET frequency = excluded.frequency, due_days = excluded.due_days,
       lead_days = excluded.lead_days, send_excel = excluded.send_excel
     RETURNING *`,
    [a.donorCode, a.projectCode, a.templateId, a.frequency, a.dueDays, a.leadDays, a.sendExcel],
  );
  return toAgreement(rows[0]);
}

export async function listAgreements(q: Queryable): Promise<Agreement[]> {
  const { rows } = await q.query('SELECT * FROM agreements ORDER BY donor_code, project_code, template_id');
  return rows.map(toAgreement);
}

export async function getAgreement(q: Queryable, id: number): Promise<Agreement | undefined> {
  const { rows } = await q.query('SELECT * FROM agreements WHERE id = $1', [id]);
  return rows[0] ? toAgreement(rows[0]) : undefined;
}

export interface DonorRecipient {
  donorCode: string;
  donorName: string;
  userId: string | null;
  name: string;
  email: string;
  sendExcel: boolean;
}

/**
 * The donor contacts who receive a project's report in a template for a period kind: donors that
 * fund the project AND have an agreement for it at that frequency. Never anyone else.
 */
export async function donorRecipients(q: Queryable, projectCode: string, templateId: string, frequency: Frequency): Promise<DonorRecipient[]> {
  const { rows } = await q.query(
    `SELECT DISTINCT d.code AS donor_code, d.name AS donor_name, u.id AS user_id, coalesce(u.name, d.name) AS name,
            coalesce(u.email, d.contact_email) AS email, a.send_excel
       FROM agreements a
       JOIN projects p ON p.code = a.project_code
       JOIN project_donors pd ON pd.project_id = p.id AND pd.donor_code = a.donor_code
       JOIN donors d ON d.code = a.donor_code
       LEFT JOIN user_roles r ON r.role = 'donor_contact' AND r.donor_code = d.code
       LEFT JOIN users u ON u.id = r.user_id
      WHERE a.project_code = $1 AND a.template_id = $2 AND a.frequency = $3 AND coalesce(u.email, d.contact_email) IS NOT NULL
      ORDER BY d.code, email`,
    [projectCode, templateId, frequency],
  );
  return rows.map((r) => ({ donorCode: r.donor_code, donorName: r.donor_name, userId: r.user_id, name: r.name, email: r.email, sendExcel: r.send_excel }));
}
