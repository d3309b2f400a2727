/**
 * The common indicator library (domain/common-indicators.ts): entries stored by code, idempotently,
 * with the framework nodes they report against; read back with the project indicators linked to them.
 */
import type { CommonIndicator, CommonIndicatorLibrary } from '../domain/common-indicators.js';
import { libraryOf } from '../domain/common-indicators.js';
import type { Indicator, IndicatorType } from '../domain/results-framework.js';
import { expandLibraryRules, type ValidationRule } from '../domain/data-quality.js';
import type { Queryable } from './pool.js';

export interface CommonIndicatorRow extends CommonIndicator {
  createdAt: string;
  updatedAt: string;
}

export interface CommonIndicatorListRow extends CommonIndicatorRow {
  /** Project indicators linked to it, and the projects they belong to. */
  linkedIndicators: number;
  linkedProjects: number;
  projects: string[];
}

export interface LinkedIndicator {
  projectCode: string;
  projectTitle: string;
  indicatorCode: string;
  resultCode: string;
  title: string;
  type: IndicatorType;
  unit: string;
}

export type UpsertOutcome = 'created' | 'updated' | 'unchanged';

const SELECT_ENTRY = `
  SELECT c.code, c.title, c.type, c.unit, c.time_aggregation, c.direction, c.definition, c.sector, c.illustrative, c.validation_rule,
         to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created_at,
         to_char(c.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS updated_at,
         coalesce((SELECT array_agg(f.node_code ORDER BY f.node_code) FROM common_indicator_frameworks f WHERE f.common_indicator_code = c.code), '{}') AS framework_nodes
    FROM common_indicators c`;

function toRow(r: Record<string, any>): CommonIndicatorRow {
  return {
    code: r.code, title: r.title, type: r.type, unit: r.unit, timeAggregation: r.time_aggregation, direction: r.direction,
    definition: r.definition, sector: r.sector, frameworkNodes: r.framework_nodes, illustrative: r.illustrative,
    ...(r.validation_rule ? { validationRule: r.validation_rule } : {}),
    createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

const sameEntry = (a: CommonIndicator, b: CommonIndicator): boolean =>
  a.title === b.title && a.type === b.type && a.unit === b.unit && a.timeAggregation === b.timeAggregation && a.direction === b.direction &&
  a.definition === b.definition && a.sector === b.sector && a.illustrative === b.illustrative && (a.validationRule ?? '') === (b.validationRule ?? '') &&
  [...a.frameworkNodes].sort().join('\u0000') === [...b.frameworkNodes].sort().join('\u0000');

/** Entries by code (all of them when `codes` is not given). */
export async function getCommonIndicators(q: Queryable, codes?: string[]): Promise<Map<string, CommonIndicatorRow>> {
  const { rows } = codes
    ? await q.query(`${SELECT_ENTRY} WHERE c.code = ANY($1::text[]) ORDER BY c.code`, [codes])
    : await q.query(`${SELECT_ENTRY} ORDER BY c.code`);
  return new Map(rows.map((r) => [r.code as string, toRow(r)]));
}

/**
 * Creates or updates entries by code; an entry equal to the stored one is left as it is (its
 * updated_at too). Framework node codes must exist. Returns what happened to each code.
 */
export async function upsertCommonIndicators(q: Queryable, entries: CommonIndicator[]): Promise<Map<string, UpsertOutcome>> {
  const existing = await getCommonIndicators(q, entries.map((e) => e.code));
  const outcome = new Map<string, UpsertOutcome>();
  for (const e of entries) {
    const before = existing.get(e.code);
    if (before && sameEntry(before, e)) {
      outcome.set(e.code, 'unchanged');
      continue;
    }
    await q.query(
      `INSERT INTO common_indicators (code, title, type, unit, time_aggregation, direction, definition, sector, illustrative, validation_rule)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)
       ON CONFLICT (code) DO UPDATE SET title = excluded.title, type = excluded.type, unit = excluded.unit,
         time_aggregation = excluded.time_aggregation, direction = excluded.direction, definition = excluded.definition,
         sector = excluded.sector, illustrative = excluded.illustrative, validation_rule = excluded.validation_rule, updated_at = now()`,
      [e.code, e.title, e.type, e.unit, e.timeAggregation, e.direction, e.definition, e.sector, e.illustrative, e.validationRule ?? ''],
    );
    await q.query('DELETE FROM common_indicator_frameworks WHERE common_indicator_code = $1 AND NOT (node_code = ANY($2::text[]))', [e.code, e.frameworkNodes]);
    if (e.frameworkNodes.length) {
      await q.query(
        `INSERT INTO common_indicator_frameworks (common_indicator_code, node_code) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`,
        [e.code, e.frameworkNodes],
      );
    }
    outcome.set(e.code, before ? 'updated' : 'created');
  }
  return outcome;
}

/** The library with how many project indicators (and projects) link to each entry. */
export async function listCommonIndicators(q: Queryable): Promise<CommonIndicatorListRow[]> {
  const { rows } = await q.query(
    `SELECT e.*, coalesce(l.indicators, 0)::int AS linked_indicators, coalesce(l.projects, '{}') AS projects
       FROM (${SELECT_ENTRY}) e
       LEFT JOIN (SELECT i.common_indicator_code AS code, count(*) AS indicators, array_agg(DISTINCT p.code ORDER BY p.code) AS projects
                    FROM indicators i JOIN projects p ON p.id = i.project_id
                   WHERE i.common_indicator_code IS NOT NULL GROUP BY 1) l ON l.code = e.code
      ORDER BY e.code`,
  );
  return rows.map((r) => ({ ...toRow(r), linkedIndicators: r.linked_indicators, linkedProjects: r.projects.length, projects: r.projects }));
}

/** The project indicators linked to `code`, by project and indicator code. */
export async function linkedIndicators(q: Queryable, code: string): Promise<LinkedIndicator[]> {
  const { rows } = await q.query(
    `SELECT p.code AS project_code, p.title AS project_title, i.code, r.code AS result_code, i.title, i.type, i.unit
       FROM indicators i JOIN projects p ON p.id = i.project_id JOIN results r ON r.id = i.result_id
      WHERE i.common_indicator_code = $1
      ORDER BY p.code, i.ordinal, i.code`,
    [code],
  );
  return rows.map((r) => ({ projectCode: r.project_code, projectTitle: r.project_title, indicatorCode: r.code, resultCode: r.result_code, title: r.title, type: r.type, unit: r.unit }));
}

/** For a type change: per code of `wanted`, the project indicators linked to it whose type is not the wanted one. */
export async function linksOfOtherType(q: Queryable, wanted: Map<string, IndicatorType>): Promise<Map<string, Array<{ projectCode: string; indicatorCode: string; type: IndicatorType }>>> {
  const out = new Map<string, Array<{ projectCode: string; indicatorCode: string; type: IndicatorType }>>();
  if (!wanted.size) return out;
  const { rows } = await q.query(
    `SELECT i.common_indicator_code AS code, p.code AS project_code, i.code AS indicator_code, i.type
       FROM indicators i JOIN projects p ON p.id = i.project_id
       JOIN unnest($1::text[], $2::text[]) AS w(code, type) ON w.code = i.common_indicator_code
      WHERE i.type <> w.type
      ORDER BY 1, 2, i.ordinal, 3`,
    [[...wanted.keys()], [...wanted.values()]],
  );
  for (const r of rows) {
    const list = out.get(r.code) ?? [];
    list.push({ projectCode: r.project_code, indicatorCode: r.indicator_code, type: r.type });
    out.set(r.code, list);
  }
  return out;
}

/** The whole library as the roll-up and the link checks need it. */
export async function loadCommonIndicatorLibrary(q: Queryable): Promise<CommonIndicatorLibrary> {
  const { rows } = await q.query<{ code: string; title: string; type: IndicatorType; unit: string; direction: 'increase' | 'decrease' }>(
    'SELECT code, title, type, unit, direction FROM common_indicators ORDER BY code',
  );
  return libraryOf(rows);
}

/** The library's validation rules that apply to a project's indicators (domain/data-quality.ts expandLibraryRules). */
export async function libraryRulesFor(q: Queryable, indicators: Array<Pick<Indicator, 'code' | 'commonIndicatorCode'>>): Promise<ValidationRule[]> {
  const codes = [...new Set(indicators.map((i) => i.commonIndicatorCode).filter((c): c is string => !!c))];
  if (!codes.length) return [];
  const { rows } = await q.query<{ code: string; validation_rule: string }>(
    `SELECT code, validation_rule FROM common_indicators WHERE validation_rule <> '' ORDER BY code`,
  );
  return expandLibraryRules(rows.map((r) => ({ code: r.code, validationRule: r.validation_rule })), indicators);
}
