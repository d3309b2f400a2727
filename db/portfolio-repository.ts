/** Frameworks, donors, projects and their results matrices: stored by business code, idempotently. */
import type { FrameworkNode, Indicator, Project, Result } from '../domain/results-framework.js';
import { commonLinkProblem, libraryOf, type CommonIndicatorRef } from '../domain/common-indicators.js';
import type { RuleOperator, ValidationRule } from '../domain/data-quality.js';
import { RbmError } from '../domain/errors.js';
import { groupBy } from '../domain/group-by.js';
import type { Queryable } from './pool.js';

export interface ProjectDefinition {
  project: Project;
  results: Result[];
  indicators: Indicator[];
  /** Validation rules between its indicators; undefined leaves the stored ones as they are. */
  validationRules?: ValidationRule[];
}
export interface ProjectBundle extends ProjectDefinition {
  donorNames: string[];
  frameworkNodes: FrameworkNode[];
  validationRules: ValidationRule[];
}

export async function upsertFrameworkNodes(q: Queryable, nodes: FrameworkNode[]): Promise<void> {
  // Parents before children, so that the parent reference always resolves.
  const pending = [...nodes];
  const done = new Set((await q.query<{ code: string }>('SELECT code FROM framework_nodes')).rows.map((r) => r.code));
  while (pending.length) {
    const ready = pending.filter((n) => !n.parentCode || done.has(n.parentCode));
    if (!ready.length) throw new RbmError('invalid_input', `framework node ${pending[0]!.code} has an unknown parent ${pending[0]!.parentCode}`);
    for (const n of ready) {
      await q.query(
        `INSERT INTO framework_nodes (code, framework, level, parent_code, title, illustrative) VALUES ($1,$2,$3,$4,$5,$6)
         ON CONFLICT (code) DO UPDATE SET framework = excluded.framework, level = excluded.level, parent_code = excluded.parent_code,
           title = excluded.title, illustrative = excluded.illustrative`,
        [n.code, n.framework, n.level, n.parentCode, n.title, n.illustrative],
      );
      done.add(n.code);
      pending.splice(pending.indexOf(n), 1);
    }
  }
}

export async function upsertDonors(q: Queryable, donors: Array<{ code: string; name: string; contactEmail?: string; illustrative?: boolean }>): Promise<void> {
  for (const d of donors) {
    await q.query(
      `INSERT INTO donors (code, name, contact_email, illustrative) VALUES ($1,$2,$3,$4)
       ON CONFLICT (code) DO UPDATE SET name = excluded.name, contact_email = excluded.contact_email, illustrative = excluded.illustrative`,
      [d.code, d.name, d.contactEmail ?? null, d.illustrative ?? false],
    );
  }
}

/** Creates or updates a project with its results matrix and targets (matched by code). */
export async function upsertProject(q: Queryable, def: ProjectDefinition): Promise<number> {
  const p = def.project;
  const { rows } = await q.query<{ id: number }>(
    `INSERT INTO projects (code, alt_code, title, start_date, end_date, budget, currency, status, coverage, locations, programmatic_area, illustrative)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)
     ON CONFLICT (code) DO UPDATE SET alt_code = excluded.alt_code, title = excluded.title, start_date = excluded.start_date,
       end_date = excluded.end_date, budget = excluded.budget, currency = excluded.currency, status = excluded.status,
       coverage = excluded.coverage, locations = excluded.locations, programmatic_area = excluded.programmatic_area,
       illustrative = excluded.illustrative
     RETURNING id`,
    [p.code, p.altCode, p.title, p.startDate, p.endDate, p.budget, p.currency, p.status, p.coverage, p.locations, p.programmaticArea, p.illustrative],
  );
  const projectId = rows[0]!.id;
  await q.query('DELETE FROM project_donors WHERE project_id = $1', [projectId]);
  for (const donor of p.donors) await q.query('INSERT INTO project_donors (project_id, donor_code) VALUES ($1,$2)', [projectId, donor]);

  // A link to a common indicator: an entry of the library, of the indicator's own type.
  const codes = [...new Set(def.indicators.map((i) => i.commonIndicatorCode).filter((c): c is string => !!c))];
  if (codes.length) {
    const entries = await q.query<CommonIndicatorRef>('SELECT code, title, type, unit, direction FROM common_indicators WHERE code = ANY($1::text[])', [codes]);
    const library = libraryOf(entries.rows);
    for (const i of def.indicators) {
      const problem = commonLinkProblem(i, library);
      if (problem) throw new RbmError('invalid_input', `indicator ${i.code} of ${p.code}: ${problem}`, { field: 'commonIndicatorCode' });
    }
  }

  const resultIds = new Map<string, number>();
  for (const [ordinal, r] of def.results.entries()) {
    const res = await q.query<{ id: number }>(
      `INSERT INTO results (project_id, code, level, parent_code, statement, ordinal) VALUES ($1,$2,$3,$4,$5,$6)
       ON CONFLICT (project_id, code) DO UPDATE SET level = excluded.level, parent_code = excluded.parent_code,
         statement = excluded.statement, ordinal = excluded.ordinal
       RETURNING id`,
      [projectId, r.code, r.level, r.parentCode, r.statement, ordinal],
    );
    const id = res.rows[0]!.id;
    resultIds.set(r.code, id);
    await q.query('DELETE FROM result_contributions WHERE result_id = $1', [id]);
    for (const node of r.contributesTo) await q.query('INSERT INTO result_contributions (result_id, node_code) VALUES ($1,$2)', [id, node]);
  }

  for (const [ordinal, i] of def.indicators.entries()) {
    const resultId = resultIds.get(i.resultCode);
    if (!resultId) throw new RbmError('invalid_input', `indicator ${i.code} of ${p.code} measures unknown result ${i.resultCode}`);
    const res = await q.query<{ id: number }>(
      `INSERT INTO indicators (project_id, result_id, code, title, type, unit, baseline, baseline_date, time_aggregation, direction,
         disaggregations, disaggregation_check, data_source, means_of_verification, common_indicator_code, ordinal, reporting_frequency)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17)
       ON CONFLICT (project_id, code) DO UPDATE SET result_id = excluded.result_id, title = excluded.title, type = excluded.type,
         unit = excluded.unit, baseline = excluded.baseline, baseline_date = excluded.baseline_date,
         time_aggregation = excluded.time_aggregation, reporting_frequency = excluded.reporting_frequency,
         direction = excluded.direction, disaggregations = excluded.disaggregations,
         disaggregation_check = excluded.disaggregation_check, data_source = excluded.data_source,
         means_of_verification = excluded.means_of_verification, common_indicator_code = excluded.common_indicator_code,
         ordinal = excluded.ordinal
       RETURNING id`,
      [projectId, resultId, i.code, i.title, i.type, i.unit, i.baseline, i.baselineDate, i.timeAggregation, i.direction,
        i.disaggregations, i.disaggregationCheck, i.dataSource, i.meansOfVerification, i.commonIndicatorCode || null, ordinal, i.reportingFrequency],
    );
    const indicatorId = res.rows[0]!.id;
    const periods = Object.keys(i.targets);
    await q.query('DELETE FROM indicator_targets WHERE indicator_id = $1 AND NOT (period = ANY($2::text[]))', [indicatorId, periods]);
    if (periods.length) {
      await q.query(
        `INSERT INTO indicator_targets (indicator_id, period, value) SELECT $1, * FROM unnest($2::text[], $3::numeric[])
         ON CONFLICT (indicator_id, period) DO UPDATE SET value = excluded.value`,
        [indicatorId, periods, periods.map((k) => i.targets[k])],
      );
    }
  }
  if (def.validationRules) await replaceValidationRules(q, projectId, p.code, def);
  return projectId;
}

/** A project's validation rules, replaced whole; each may only name the project's own indicators. */
async function replaceValidationRules(q: Queryable, projectId: number, projectCode: string, def: ProjectDefinition): Promise<void> {
  const known = new Set(def.indicators.map((i) => i.code));
  for (const r of def.validationRules!) {
    const unknown = [...r.left, ...r.right].find((c) => !known.has(c));
    if (unknown) throw new RbmError('invalid_input', `validation rule ${r.code} of ${projectCode} names ${unknown}, which is not an indicator of the project`, { field: 'validationRules' });
  }
  await q.query('DELETE FROM validation_rules WHERE project_id = $1', [projectId]);
  for (const [ordinal, r] of def.validationRules!.entries()) {
    await q.query(
      'INSERT INTO validation_rules (project_id, code, left_codes, operator, right_codes, description, ordinal) VALUES ($1,$2,$3,$4,$5,$6,$7)',
      [projectId, r.code, r.left, r.operator, r.right, r.description, ordinal],
    );
  }
}

export interface ProjectSummary {
  code: string;
  altCode: string | null;
  title: string;
  startDate: string;
  endDate: string;
  status: string;
  donors: string[];
  indicatorCount: number;
  illustrative: boolean;
}

export async function listProjects(q: Queryable): Promise<ProjectSummary[]> {
  const { rows } = await q.query(
    `SELECT p.code, p.alt_code, p.title, p.start_date, p.end_date, p.status, p.illustrative,
            coalesce((SELECT array_agg(donor_code ORDER BY donor_code) FROM project_donors d WHERE d.project_id = p.id), '{}') AS donors,
            (SELECT count(*) FROM indicators i WHERE i.project_id = p.id)::int AS indicator_count
       FROM projects p ORDER BY p.code`,
  );
  return rows.map((r) => ({
    code: r.code, altCode: r.alt_code, title: r.title, startDate: r.start_date, endDate: r.end_date,
    status: r.status, donors: r.donors, indicatorCount: r.indicator_count, illustrative: r.illustrative,
  }));
}

function toIndicator(r: Record<string, any>, targets: Record<string, number>): Indicator {
  return {
    code: r.code, resultCode: r.result_code, title: r.title, type: r.type, unit: r.unit, baseline: r.baseline,
    baselineDate: r.baseline_date, timeAggregation: r.time_aggregation, reportingFrequency: r.reporting_frequency, direction: r.direction,
    disaggregations: r.disaggregations, disaggregationCheck: r.disaggregation_check, dataSource: r.data_source,
    meansOfVerification: r.means_of_verification, commonIndicatorCode: r.common_indicator_code, targets,
  };
}

export async function listIndicators(q: Queryable, projectCode: string): Promise<Indicator[]> {
  const { rows } = await q.query(
    `SELECT i.*, r.code AS result_code,
            coalesce((SELECT jsonb_object_agg(t.period, t.value) FROM indicator_targets t WHERE t.indicator_id = i.id), '{}') AS targets
       FROM indicators i JOIN projects p ON p.id = i.project_id JOIN results r ON r.id = i.result_id
      WHERE p.code = $1 ORDER BY i.ordinal, i.code`,
    [projectCode],
  );
  return rows.map((r) => toIndicator(r, r.targets));
}

const noSuchProject = (projectCode: string) =>
  new RbmError('not_found', `no project with code ${projectCode} (see \`rbm projects list\`)`, { missing: 'project', projectCode });

export async function getProjectBundle(q: Queryable, projectCode: string): Promise<ProjectBundle> {
  const bundle = (await getProjectBundles(q, [projectCode])).get(projectCode);
  if (!bundle) throw noSuchProject(projectCode);
  return bundle;
}

/** Throws not_found unless a project has exactly this code (not another case, not its other code). */
export async function requireProjectCode(q: Queryable, projectCode: string): Promise<void> {
  const { rowCount } = await q.query('SELECT 1 FROM projects WHERE code = $1', [projectCode]);
  if (!rowCount) throw noSuchProject(projectCode);
}

/**
 * The bundles of many projects in six queries, whatever their number (the portfolio page reads a page
 * of them at once): each equal to what getProjectBundle returns for that project. Unknown codes are
 * left out of the map. The reads run one after the other: `q` may be a client in a transaction (pg
 * queues and deprecates parallel queries on one client), and six round trips cost little.
 */
export async function getProjectBundles(q: Queryable, projectCodes: string[]): Promise<Map<string, ProjectBundle>> {
  const out = new Map<string, ProjectBundle>();
  const codes = [...new Set(projectCodes)];
  if (!codes.length) return out;
  const projects = await q.query(`SELECT * FROM projects WHERE code = ANY($1::text[]) ORDER BY code`, [codes]);
  if (!projects.rows.length) return out;
  const ids = projects.rows.map((r) => r.id as number);
  const [donors, results, indicators, nodes, rules] = [
    await q.query<{ project_id: number; code: string; name: string }>(
      `SELECT pd.project_id, d.code, d.name FROM project_donors pd JOIN donors d ON d.code = pd.donor_code
        WHERE pd.project_id = ANY($1::int[]) ORDER BY pd.project_id, d.code`,
      [ids],
    ),
    await q.query(
      `SELECT r.project_id, r.code, r.level, r.parent_code, r.statement,
              coalesce((SELECT array_agg(c.node_code ORDER BY c.node_code) FROM result_contributions c WHERE c.result_id = r.id), '{}') AS contributes_to
         FROM results r WHERE r.project_id = ANY($1::int[]) ORDER BY r.project_id, r.ordinal`,
      [ids],
    ),
    await q.query(
      `SELECT i.*, r.code AS result_code,
              coalesce((SELECT jsonb_object_agg(t.period, t.value) FROM indicator_targets t WHERE t.indicator_id = i.id), '{}') AS targets
         FROM indicators i JOIN results r ON r.id = i.result_id
        WHERE i.project_id = ANY($1::int[]) ORDER BY i.project_id, i.ordinal, i.code`,
      [ids],
    ),
    // The nodes the project's results contribute to, and their parents (as getProjectBundle reads them).
    await q.query(
      `WITH linked AS (
         SELECT DISTINCT r.project_id, c.node_code FROM result_contributions c JOIN results r ON r.id = c.result_id
          WHERE r.project_id = ANY($1::int[])
       ), wanted AS (
         SELECT project_id, node_code AS code FROM linked
         UNION
         SELECT l.project_id, n2.parent_code FROM linked l JOIN framework_nodes n2 ON n2.code = l.node_code WHERE n2.parent_code IS NOT NULL
       )
       SELECT w.project_id, n.* FROM wanted w JOIN framework_nodes n ON n.code = w.code ORDER BY w.project_id, n.code`,
      [ids],
    ),
    await q.query<{ project_id: number; code: string; left_codes: string[]; operator: RuleOperator; right_codes: string[]; description: string }>(
      `SELECT project_id, code, left_codes, operator, right_codes, description FROM validation_rules
        WHERE project_id = ANY($1::int[]) ORDER BY project_id, ordinal, code`,
      [ids],
    ),
  ];
  const byProject = <T extends { project_id: number }>(rows: T[]) => groupBy(rows, (r) => r.project_id);
  const donorsOf = byProject(donors.rows);
  const resultsOf = byProject(results.rows);
  const indicatorsOf = byProject(indicators.rows);
  const nodesOf = byProject(nodes.rows);
  const rulesOf = byProject(rules.rows);
  for (const row of projects.rows) {
    const d = donorsOf.get(row.id) ?? [];
    out.set(row.code, {
      project: {
        code: row.code, altCode: row.alt_code, title: row.title, donors: d.map((x) => x.code),
        startDate: row.start_date, endDate: row.end_date, budget: row.budget, currency: row.currency, status: row.status,
        coverage: row.coverage, locations: row.locations, programmaticArea: row.programmatic_area, illustrative: row.illustrative,
      },
      donorNames: d.map((x) => x.name),
      results: (resultsOf.get(row.id) ?? []).map((r) => ({ code: r.code, level: r.level, parentCode: r.parent_code, statement: r.statement, contributesTo: r.contributes_to })),
      indicators: (indicatorsOf.get(row.id) ?? []).map((r) => toIndicator(r, r.targets)),
      frameworkNodes: (nodesOf.get(row.id) ?? []).map((n) => ({ code: n.code, framework: n.framework, level: n.level, parentCode: n.parent_code, title: n.title, illustrative: n.illustrative })),
      validationRules: (rulesOf.get(row.id) ?? []).map((r) => ({ code: r.code, left: r.left_codes, operator: r.operator, right: r.right_codes, description: r.description })),
    });
  }
  return out;
}
