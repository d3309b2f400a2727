/**
 * The data desk's scope: which projects a principal may enter data for, and see the data work of
 * (imports, the quarantine, batches, deliveries, agreements, schedules). An admin or an M&E officer
 * without a project covers every project; an M&E officer granted projects covers those only.
 * Every use case of the data desk asks here, so that the rule lives in one place.
 */
import { RbmError } from '../domain/errors.js';
import { can, hasRole, type Principal } from './auth.js';

export interface ProjectScope {
  /** Every project (and rows naming no or an unknown project). */
  all: boolean;
  /** The projects granted when not `all` (upper case). */
  projects: string[];
  /** Whether a project code (as typed in a file: any case) is in scope. */
  allows(projectCode: string): boolean;
}

export const EVERY_PROJECT: ProjectScope = { all: true, projects: [], allows: () => true };

/** Only the given projects (a data source writes to the projects it is configured for). */
export function onlyProjects(codes: string[]): ProjectScope {
  const set = new Set(codes.map((c) => c.trim().toUpperCase()));
  return { all: false, projects: [...set], allows: (code) => set.has(code.trim().toUpperCase()) };
}

/** The M&E officers and administrators: the data desk is theirs; anyone else gets a 403. */
export function requireDataDesk(p: Principal, what = 'the data desk'): void {
  if (!hasRole(p, 'admin', 'me_officer')) throw new RbmError('refused', `${what} is for M&E officers and administrators`, { status: 403 });
}

/** The projects the principal may enter data for (and see the data work of). */
export function dataScopeOf(p: Principal): ProjectScope {
  if (p.roles.some((g) => g.role === 'admin' || (g.role === 'me_officer' && !g.projectCode))) return EVERY_PROJECT;
  const codes = p.roles.filter((g) => g.projectCode && can(p, 'enter_data', g.projectCode)).map((g) => g.projectCode!);
  return onlyProjects(codes);
}

/** The row message of a row for a project outside the scope (an unknown project says the same). */
export const notYourProject = (projectCode: string) => `you may not enter data for project ${projectCode}`;

/** Administrators only (users, templates, agreements, schedules' pause and resume). */
export function requireAdmin(p: Principal, what: string): void {
  if (!p.roles.some((g) => g.role === 'admin')) throw new RbmError('refused', `${what} are for administrators`, { status: 403 });
}
