/**
 * A project on the web: /projects/:code (the project, its indicators by result with the last ended
 * quarter's figures) and /projects/:code/indicators/:indicator (the definition, progress per period
 * and every revision of its values: current first, then what was replaced, when and by whom), and the
 * values as JSON at /api/v1/projects/:code/indicators/:indicator/values (zod-validated, in
 * /openapi.json). For staff who may read the project; a project a user may not read answers 404, like
 * a file they may not see; donors are refused.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { authorize, can, type Principal } from '../app/auth.js';
import type { AppContext } from '../app/context.js';
import { correctValueAs } from '../app/corrections.js';
import { buildLogframeExport } from '../app/logframe.js';
import { indicatorValues, projectOverview, type IndicatorLine, type IndicatorValuesView } from '../app/values.js';
import { requireProjectReader } from '../app/web-views.js';
import { isRbmError, RbmError } from '../domain/errors.js';
import { comparePeriods, periodLabel } from '../domain/periods.js';
import { DISAGGREGATION_DIMENSIONS, type DisaggregationDimension } from '../domain/results-framework.js';
import { cellLabel, formatFigure, formatNumber } from '../domain/value-history.js';
import { documentRoutes, mountRoute, PROJECT } from './api.js';
import { renderPage, type LayoutData } from './render.js';
import { requirePrincipal } from './server.js';

type Ctx = () => AppContext;

const PERIOD = z.string().regex(/^\d{4}(-(Q[1-4]|H[12]|0[1-9]|1[0-2]))?$/, 'a period: 2025-Q3, 2025-H1, 2025 or 2025-07').describe('reporting period, e.g. 2025-Q3');
const INDICATOR = z.string().trim().min(1, 'an indicator code such as OC1.a').max(50).describe("indicator code within the project, e.g. OC1.a");
const ProjectParams = z.object({ code: PROJECT });
const CorrectionForm = z.object({
  period: z.string().min(1),
  value: z.string().trim().min(1, 'give the new value'),
  numerator: z.string().optional(),
  denominator: z.string().optional(),
  comment: z.string().trim().min(1, 'say why the value changes: it stays with the new revision'),
  evidence_url: z.string().optional(),
  ...Object.fromEntries(DISAGGREGATION_DIMENSIONS.map((d) => [d, z.string().optional()])) as Record<DisaggregationDimension, z.ZodOptional<z.ZodString>>,
});
const IndicatorParams = z.object({ code: PROJECT, indicator: INDICATOR });
const ValuesQuery = z.object({ period: PERIOD.optional() });

const LEVELS: Record<string, string> = { objective: 'Objective', outcome: 'Outcome', output: 'Output' };
const AGGREGATIONS: Record<string, string> = {
  sum: 'sum of periods (non-cumulative)', latest: 'latest value (non-summing)', max: 'maximum', average: 'average of periods',
};
const FREQUENCIES: Record<string, string> = { month: 'monthly', quarter: 'quarterly', half: 'half-yearly', year: 'yearly' };

const noProject = (code: string) => new RbmError('not_found', `There is no project ${code}, or you may not see it.`);

/**
 * Staff who may read the project; anyone else internal gets the same 404 as for an unknown project
 * (whether a project exists is not told to those who may not read it). Donors are refused. The rule
 * is app/web-views.ts's, the same as the API's.
 */
const requireReader = (p: Principal, code: string): void => requireProjectReader(p, code);

/** An unknown project says the same as a project the user may not read. */
async function orNoProject<T>(code: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isRbmError(e) && e.code === 'not_found' && e.details?.missing === 'project') throw noProject(code);
    throw e;
  }
}

const indicatorUrl = (project: string, indicator: string) => `/projects/${encodeURIComponent(project)}/indicators/${encodeURIComponent(indicator)}`;
const percent = (n: number | null) => (n === null ? '—' : `${formatNumber(n)}%`);
const raw = (n: number | null) => (n === null ? '' : String(n));

function indicatorRow(projectCode: string, line: IndicatorLine) {
  const { indicator: i, progress: p } = line;
  return {
    code: i.code, title: i.title, type: i.type, unit: i.unit, url: indicatorUrl(projectCode, i.code), common: i.commonIndicatorCode,
    period: line.period,
    actual: formatFigure(p?.periodActual, i.type), target: formatFigure(p?.periodTarget, i.type), percent: percent(p?.percentOfPeriodTarget ?? null),
    cumulative: formatFigure(p?.cumulativeActual, i.type), lop: formatFigure(p?.lifeOfProjectTarget, i.type), percentLife: percent(p?.percentOfLifeTarget ?? null),
    status: p?.status ?? 'no_data',
    raw: {
      actual: raw(p?.periodActual ?? null), target: raw(p?.periodTarget ?? null), percent: raw(p?.percentOfPeriodTarget ?? null),
      cumulative: raw(p?.cumulativeActual ?? null), lop: raw(p?.lifeOfProjectTarget ?? null), percentLife: raw(p?.percentOfLifeTarget ?? null),
    },
  };
}

function indicatorPageData(v: IndicatorValuesView, allPeriods: string[], canCorrect: boolean) {
  const i = v.indicator;
  return {
    canCorrect,
    correctUrl: `${indicatorUrl(v.project.code, i.code)}/correct`,
    hasParts: i.type === 'percentage' || i.type === 'ratio',
    project: v.project,
    projectUrl: `/projects/${encodeURIComponent(v.project.code)}`,
    url: indicatorUrl(v.project.code, i.code),
    indicator: {
      ...i,
      levelLabel: v.result ? LEVELS[v.result.level] ?? v.result.level : null,
      baselineShown: formatFigure(i.baseline, i.type),
      aggregation: AGGREGATIONS[i.timeAggregation] ?? i.timeAggregation,
      frequency: FREQUENCIES[i.reportingFrequency] ?? i.reportingFrequency,
      directionLabel: i.direction === 'increase' ? 'increase (higher is better)' : 'decrease (lower is better)',
      lop: formatFigure(i.targets['LOP'] ?? null, i.type),
      disaggregationList: i.disaggregations.map((d) => d.replace('_', ' ')),
    },
    result: v.result,
    asOf: v.asOf,
    period: v.period,
    periodOptions: allPeriods.map((p) => ({ id: p, selected: p === v.period })),
    progressPeriod: v.progressPeriod,
    progressLabel: v.progressPeriod ? periodLabel(v.progressPeriod) : null,
    progress: v.progress && {
      ...v.progress,
      actual: formatFigure(v.progress.periodActual, i.type), target: formatFigure(v.progress.periodTarget, i.type), percent: percent(v.progress.percentOfPeriodTarget),
      cumulative: formatFigure(v.progress.cumulativeActual, i.type), lop: formatFigure(v.progress.lifeOfProjectTarget, i.type), percentLife: percent(v.progress.percentOfLifeTarget),
    },
    periods: [...v.periods].reverse().map((p) => ({
      ...p, label: periodLabel(p.period), actualShown: formatFigure(p.actual, i.type), targetShown: formatFigure(p.target, i.type),
      percentShown: percent(p.percentOfTarget), cumulativeShown: formatFigure(p.cumulative, i.type),
    })),
    // Newest period first (what an officer checks after an import); cells keep their order within a period.
    cells: [...v.cells].sort((a, b) => comparePeriods(b.period, a.period)).map((c) => ({
      ...c, dims: DISAGGREGATION_DIMENSIONS.map((name) => ({ name, value: c.disaggregation[name] ?? '' })),
    })),
    revisions: v.revisions,
    superseded: v.superseded,
  };
}

export function registerProjectPages(app: FastifyInstance, ctx: Ctx, layout: (req: FastifyRequest, reply: FastifyReply, title: string) => LayoutData): void {
  app.get('/projects/:code', async (req, reply) => {
    const p = requirePrincipal(req);
    const { code } = ProjectParams.parse(req.params);
    requireReader(p, code);
    const o = await orNoProject(code, () => projectOverview(ctx(), code));
    const results = o.results.map((r) => ({ ...r, levelLabel: LEVELS[r.level] ?? r.level, indicators: r.indicators.map((l) => indicatorRow(o.project.code, l)) }));
    const quarterLabel = o.quarter ? periodLabel(o.quarter) : null;
    return reply.type('text/html; charset=utf-8').send(renderPage('project', layout(req, reply, o.project.code), {
      project: o.project, donorNames: o.donorNames, budget: o.project.budget === null ? null : formatNumber(o.project.budget),
      quarter: o.quarter, quarterLabel, asOf: o.asOf, results,
      indicatorCount: results.reduce((n, r) => n + r.indicators.length, 0),
    }));
  });

  // One value corrected by hand: a new revision through the same checks as an import, with its reason.
  app.post('/projects/:code/indicators/:indicator/correct', async (req, reply) => {
    const p = requirePrincipal(req);
    const { code, indicator } = IndicatorParams.parse(req.params);
    requireReader(p, code);
    authorize(p, 'enter_data', code);
    const parsed = CorrectionForm.safeParse(req.body ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new RbmError('invalid_input', `field "${issue.path.join('.')}": ${issue.message}`, { field: String(issue.path[0]), in: 'body' });
    }
    const f = parsed.data;
    const disaggregation = Object.fromEntries(DISAGGREGATION_DIMENSIONS.map((d) => [d, f[d] ?? '']));
    const { report, reopened } = await orNoProject(code, () => correctValueAs(ctx(), p, {
      projectCode: code, indicatorCode: indicator, period: f.period, disaggregation, value: f.value, numerator: f.numerator, denominator: f.denominator,
      comment: f.comment, evidenceUrl: f.evidence_url,
    }));
    const cell = `${f.period} ${cellLabel(disaggregation)}`;
    const reopenedText = reopened.length ? ` The approved report${reopened.length === 1 ? '' : 's'} of this period (${reopened.join(', ')}) reopened as a new version, revised after approval.` : '';
    req.session.flash = report.accepted
      ? { kind: 'ok', text: `Stored: ${cell} is now ${f.value}; the value it replaces stays below as an earlier revision.${reopenedText}` }
      : report.unchanged
        ? { kind: 'ok', text: `Nothing changed: ${cell} already holds that value and comment.` }
        : { kind: 'error', text: `Not stored: ${[...new Set(report.errors.map((e) => (e.column ? `${e.column}: ${e.message}` : e.message)))].join('; ')}` };
    return reply.redirect(`${indicatorUrl(code, indicator)}?period=${encodeURIComponent(f.period)}`, 303);
  });

  // The results matrix as the logframe workbook `rbm logframe export` writes: change it, upload it on /data.
  app.get('/projects/:code/logframe.xlsx', async (req, reply) => {
    const p = requirePrincipal(req);
    const { code } = ProjectParams.parse(req.params);
    requireReader(p, code);
    const { workbook } = await orNoProject(code, () => buildLogframeExport(ctx(), code));
    return reply
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="${code.replace(/[^A-Za-z0-9.-]+/g, '-')}_logframe.xlsx"`)
      .send(workbook);
  });

  app.get('/projects/:code/indicators/:indicator', async (req, reply) => {
    const p = requirePrincipal(req);
    const { code, indicator } = IndicatorParams.parse(req.params);
    requireReader(p, code);
    const query = ValuesQuery.safeParse(req.query ?? {});
    if (!query.success) throw new RbmError('invalid_input', `field "period": ${query.error.issues[0]!.message}`, { field: 'period', in: 'query' });
    const view = await orNoProject(code, () => indicatorValues(ctx(), { projectCode: code, indicatorCode: indicator, period: query.data.period }));
    // The period filter offers the periods that have values (from the unfiltered history).
    const all = query.data.period ? await indicatorValues(ctx(), { projectCode: code, indicatorCode: indicator }) : view;
    const periods = [...new Set(all.cells.map((c) => c.period))].reverse();
    return reply.type('text/html; charset=utf-8').send(renderPage('project-indicator', layout(req, reply, `${view.project.code} ${view.indicator.code}`), indicatorPageData(view, periods, can(p, 'enter_data', code))));
  });

  const routes = [
    {
      method: 'GET' as const, url: '/api/v1/projects/:code/indicators/:indicator/values',
      summary: "An indicator's definition, its progress per period and every revision of its values (current and superseded) per period and disaggregation, with who entered each, when, its source or import file",
      access: 'staff who may read the project (another project answers 404)', params: IndicatorParams, query: ValuesQuery,
      handler: async ({ principal, params, query }: { principal: Principal; params: z.infer<typeof IndicatorParams>; query: z.infer<typeof ValuesQuery> }) => {
        requireReader(principal, params.code);
        return orNoProject(params.code, () => indicatorValues(ctx(), { projectCode: params.code, indicatorCode: params.indicator, period: query.period }));
      },
    },
  ];
  for (const r of routes) mountRoute(app, r);

  documentRoutes(app, routes.map((r) => ({ ...r, tag: 'projects' })));
}
