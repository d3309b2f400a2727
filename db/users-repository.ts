/** Users and their roles (scoped to projects or donors). */
import type { Queryable } from './pool.js';

export type Role = 'admin' | 'me_officer' | 'project_manager' | 'approver' | 'donor_contact' | 'viewer';
export interface RoleGrant {
  role: Role;
  projectCode?: string | null;
  donorCode?: string | null;
}
export interface User {
  id: string;
  name: string;
  email: string;
  roles: RoleGrant[];
}

export async function upsertUsers(q: Queryable, users: User[]): Promise<void> {
  for (const u of users) {
    await q.query(
      `INSERT INTO users (id, name, email) VALUES ($1,$2,$3) ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = excluded.email`,
      [u.id, u.name, u.email],
    );
    await q.query('DELETE FROM user_roles WHERE user_id = $1', [u.id]);
    for (const g of u.roles) {
      await q.query('INSERT INTO user_roles (user_id, role, project_code, donor_code) VALUES ($1,$2,$3,$4)', [
        u.id, g.role, g.projectCode ?? null, g.donorCode ?? null,
      ]);
    }
  }
}

export async function listUsers(q: Queryable): Promise<User[]> {
  const { rows } = await q.query(
    `SELECT u.id, u.name, u.email,
            coalesce(jsonb_agg(jsonb_build_object('role', r.role, 'projectCode', r.project_code, 'donorCode', r.donor_code)
                     ORDER BY r.role, r.project_code, r.donor_code) FILTER (WHERE r.id IS NOT NULL), '[]') AS roles
       FROM users u LEFT JOIN user_roles r ON r.user_id = u.id GROUP BY u.id ORDER BY u.id`,
  );
  return rows as User[];
}

/** Users who hold `role` for a project (a grant without a project covers all projects). */
export async function usersWithRoleForProject(q: Queryable, role: Role, projectCode: string): Promise<Array<{ id: string; name: string; email: string }>> {
  const { rows } = await q.query(
    `SELECT DISTINCT u.id, u.name, u.email FROM users u JOIN user_roles r ON r.user_id = u.id
      WHERE r.role = $1 AND (r.project_code = $2 OR r.project_code IS NULL) ORDER BY u.id`,
    [role, projectCode],
  );
  return rows;
}

export async function getUserName(q: Queryable, id: string): Promise<string> {
  const { rows } = await q.query<{ name: string }>('SELECT name FROM users WHERE id = $1', [id]);
  return rows[0]?.name ?? id;
}

export async function getUsers(q: Queryable, ids: string[]): Promise<Array<{ id: string; name: string; email: string }>> {
  const { rows } = await q.query('SELECT id, name, email FROM users WHERE id = ANY($1::text[]) ORDER BY id', [ids]);
  return rows;
}
