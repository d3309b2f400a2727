/** Read side of the frameworks a project contributes to (UNSDCF, IOM pillars, SDG, GCM) and of donors. */
import type { FrameworkNode } from '../domain/results-framework.js';
import type { Queryable } from './pool.js';

export interface FrameworkNodeRow extends FrameworkNode {
  /** Projects whose results contribute to this node directly. */
  projects: string[];
}

export async function listFrameworkNodes(q: Queryable): Promise<FrameworkNodeRow[]> {
  const { rows } = await q.query(
    `SELECT n.*,
            coalesce((SELECT array_agg(DISTINCT p.code ORDER BY p.code) FROM result_contributions c JOIN results r ON r.id = c.result_id
                       JOIN projects p ON p.id = r.project_id WHERE c.node_code = n.code), '{}') AS projects
       FROM framework_nodes n ORDER BY n.framework, n.code`,
  );
  return rows.map((n) => ({
    code: n.code, framework: n.framework, level: n.level, parentCode: n.parent_code, title: n.title, illustrative: n.illustrative, projects: n.projects,
  }));
}

export interface DonorRow {
  code: string;
  name: string;
  contactEmail: string | null;
  illustrative: boolean;
  projects: string[];
}

export async function listDonors(q: Queryable): Promise<DonorRow[]> {
  const { rows } = await q.query(
    `SELECT d.*, coalesce((SELECT array_agg(p.code ORDER BY p.code) FROM project_donors pd JOIN projects p ON p.id = pd.project_id
                            WHERE pd.donor_code = d.code), '{}') AS projects
       FROM donors d ORDER BY d.code`,
  );
  return rows.map((d) => ({ code: d.code, name: d.name, contactEmail: d.contact_email, illustrative: d.illustrative, projects: d.projects }));
}
