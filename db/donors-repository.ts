/** Donors, the projects they fund and their contacts (users with the donor_contact role). */
import type { Queryable } from './pool.js';

export interface DonorSummary {
  code: string;
  name: string;
  contactEmail: string | null;
  illustrative: boolean;
  projects: string[];
  contacts: Array<{ id: string; name: string; email: string }>;
}

export async function listDonors(q: Queryable): Promise<DonorSummary[]> {
  const { rows } = await q.query(
    `SELECT d.code, d.name, d.contact_email, d.illustrative,
            coalesce((SELECT array_agg(p.code ORDER BY p.code) FROM project_donors pd JOIN projects p ON p.id = pd.project_id WHERE pd.donor_code = d.code), '{}') AS projects,
            coalesce((SELECT jsonb_agg(jsonb_build_object('id', u.id, 'name', u.name, 'email', u.email) ORDER BY u.id)
                        FROM user_roles r JOIN users u ON u.id = r.user_id WHERE r.role = 'donor_contact' AND r.donor_code = d.code), '[]') AS contacts
       FROM donors d ORDER BY d.code`,
  );
  return rows.map((r) => ({ code: r.code, name: r.name, contactEmail: r.contact_email, illustrative: r.illustrative, projects: r.projects, contacts: r.contacts }));
}

/** Records that a donor funds a project (idempotent). */
export async function addProjectDonor(q: Queryable, donorCode: string, projectCode: string): Promise<void> {
  await q.query(
    `INSERT INTO project_donors (project_id, donor_code) SELECT p.id, $1 FROM projects p WHERE p.code = $2 ON CONFLICT DO NOTHING`,
    [donorCode, projectCode],
  );
}

/** Makes a user a contact of a donor (creating or updating the user; other roles are kept). */
export async function addDonorContact(q: Queryable, donorCode: string, user: { id: string; name: string; email: string }): Promise<void> {
  await q.query(
    `INSERT INTO users (id, name, email) VALUES ($1,$2,$3) ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = excluded.email`,
    [user.id, user.name, user.email],
  );
  await q.query(
    `INSERT INTO user_roles (user_id, role, donor_code) VALUES ($1, 'donor_contact', $2) ON CONFLICT DO NOTHING`,
    [user.id, donorCode],
  );
}
