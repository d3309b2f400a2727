/** The server-rendered pages: inbox, portfolio, cycle, donor reports, admin (log-in and the account: web/auth-routes.ts). */
import { parseForm as form } from './forms.js';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { authorize, hasRole, isAdmin, isDonor, isInternal, type Principal } from '../app/auth.js';
import type { AppContext } from '../app/context.js';
import { cancelCycleAs, decideAs, resubmitAs, startCycleAs } from '../app/cycles.js';
import { usersFor } from '../app/admin-views.js';
import { LATEST_STATES, PORTFOLIO_FLAGS, PORTFOLIO_SORTS, portfolioPage, STALE_SOURCE_DAYS, type PortfolioPageView } from '../app/admin-views.js';
import { artifactFor, cycleView, donorReports, inbox } from '../app/web-views.js';
import { RbmError } from '../domain/errors.js';
import { CYCLE_STATES, isOpen, reportCycleId } from '../domain/report-cycle.js';
import { DEFAULT_TEMPLATE_ID, loadTemplates } from '../templates/registry.js';
import { renderPage, STATIC_DIR, type LayoutData, type NavItem } from './render.js';
import { forbidden, requirePrincipal } from './server.js';

type Ctx = () => AppContext;

const ROLE_LABELS: Record<string, string> = {
  admin: 'Administrator', me_officer: 'M&E officer', project_manager: 'Project manager', approver: 'Chief of Mission / approver',
  donor_contact: 'Donor', viewer: 'Viewer',
};

function navFor(p: Principal, current: string): NavItem[] {
  const items: NavItem[] = [];
  if (hasRole(p, 'project_manager', 'approver')) items.push({ href: '/inbox', label: 'Approval inbox' });
  if (isInternal(p)) items.push({ href: '/portfolio', label: 'Portfolio' }, { href: '/frameworks', label: 'Frameworks' }, { href: '/library', label: 'Common indicators' });
  if (hasRole(p, 'admin', 'me_officer')) items.push({ href: '/data', label: 'Data' }, { href: '/deliveries', label: 'Deliveries' });
  items.push({ href: '/reports', label: isDonor(p) && !isInternal(p) ? 'Our reports' : 'Final reports' });
  if (isAdmin(p)) {
    items.push({ href: '/admin/users', label: 'Users' }, { href: '/admin/agreements', label: 'Agreements' }, { href: '/admin/schedules', label: 'Schedules' }, { href: '/admin/templates', label: 'Templates' });
  }
  items.push({ href: '/account', label: 'Account' });
  // A project's pages are reached from the portfolio (its list of projects).
  return items.map((i) => ({ ...i, active: current.startsWith(i.href) || (i.href === '/portfolio' && current.startsWith('/projects/')) }));
}

export function layout(req: FastifyRequest, reply: FastifyReply, title: string): LayoutData {
  const p = req.principal;
  const flash = req.session?.flash ?? null;
  if (flash) req.session.flash = undefined;
  return {
    title,
    user: p ? { id: p.userId, name: p.name, roleLabel: [...new Set(p.roles.map((r) => ROLE_LABELS[r.role] ?? r.role))].join(', ') } : null,
    nav: p ? navFor(p, req.url) : [],
    csrfToken: req.session ? reply.generateCsrf() : undefined,
    flash,
  };
}

function html(reply: FastifyReply, body: string) {
  return reply.type('text/html; charset=utf-8').send(body);
}

function flash(req: FastifyRequest, kind: 'ok' | 'error', text: string) {
  req.session.flash = { kind, text };
}

export function renderError(req: FastifyRequest, reply: FastifyReply, status: number, message: string): string {
  const titles: Record<number, string> = { 400: 'Check the form', 403: 'Not allowed', 404: 'Not found', 409: 'Refused', 429: 'Too many attempts', 503: 'Starting' };
  let data: LayoutData;
  try {
    data = layout(req, reply, titles[status] ?? 'Error');
  } catch {
    data = { title: titles[status] ?? 'Error' };
  }
  return renderPage('error', data, { status, heading: titles[status] ?? 'Something went wrong', message });
}

const cycleIdOf = (params: unknown) => {
  const p = z.object({ project: z.string().min(1), period: z.string().min(1), template: z.string().min(1) }).parse(params);
  return reportCycleId(p.project, p.period, p.template);
};
const cycleUrl = (id: string) => `/cycles/${id.split('/').slice(1).map(encodeURIComponent).join('/')}`;


// --- the portfolio's filters and pages ---------------------------------------------------------

/** GET /portfolio's query: an unknown or malformed value is ignored (the page shows everything), never an error. */
const portfolioQuery = z.object({
  page: z.coerce.number().int().min(1).optional().catch(undefined),
  q: z.string().max(200).optional().catch(undefined),
  state: z.enum(LATEST_STATES).optional().catch(undefined),
  donor: z.string().max(100).optional().catch(undefined),
  flag: z.enum(PORTFOLIO_FLAGS).optional().catch(undefined),
  sort: z.enum(PORTFOLIO_SORTS).optional().catch(undefined),
  // The state whose list of cycles is paged, and its page.
  cycles: z.enum(CYCLE_STATES).optional().catch(undefined),
  cyclesPage: z.coerce.number().int().min(1).optional().catch(undefined),
});
const FLAG_LABELS: Record<(typeof PORTFOLIO_FLAGS)[number], string> = {
  any: 'Any data-quality issue', quarantine: 'Rejected rows in quarantine', missing: 'Missing data', stale: 'Stale sources',
};
const SORT_LABELS: Record<(typeof PORTFOLIO_SORTS)[number], string> = {
  code: 'Project code', title: 'Title', issues: 'Most data-quality issues', latest: 'Latest cycle period',
};

/**
 * The portfolio's URL with the current filters and the given changes (a filter change goes back to page 1);
 * `cycles` and `cyclesPage` page one state's list of cycles, with `#cycles-STATE` to land on it.
 */
function portfolioHref(q: PortfolioPageView['query'], changes: Partial<Record<'page' | 'state' | 'flag' | 'cycles' | 'cyclesPage', string | number | null>>): string {
  const params = new URLSearchParams();
  if (q.search) params.set('q', q.search);
  const state = 'state' in changes ? changes.state : q.state;
  if (state) params.set('state', String(state));
  if (q.donor) params.set('donor', q.donor);
  const flag = 'flag' in changes ? changes.flag : q.flag;
  if (flag) params.set('flag', String(flag));
  if (q.sort !== 'code') params.set('sort', q.sort);
  if (changes.page && changes.page !== 1) params.set('page', String(changes.page));
  if (changes.cycles && changes.cyclesPage && changes.cyclesPage !== 1) {
    params.set('cycles', String(changes.cycles));
    params.set('cyclesPage', String(changes.cyclesPage));
  }
  const s = params.toString();
  const anchor = changes.cycles ? `#cycles-${changes.cycles}` : '';
  return `${s ? `/portfolio?${s}` : '/portfolio'}${anchor}`;
}

/** Previous, first, a few around the current, last, next; "…" where pages are left out. */
function pagerLinks(page: number, pageCount: number, href: (n: number) => string) {
  const numbers = [...new Set([1, page - 2, page - 1, page, page + 1, page + 2, pageCount])].filter((n) => n >= 1 && n <= pageCount).sort((a, b) => a - b);
  const items: Array<{ label: string; href: string | null; current: boolean; gap: boolean }> = [];
  numbers.forEach((n, i) => {
    if (i > 0 && n - numbers[i - 1]! > 1) items.push({ label: '…', href: null, current: false, gap: true });
    items.push({ label: String(n), href: n === page ? null : href(n), current: n === page, gap: false });
  });
  return {
    page, pageCount,
    prev: page > 1 ? href(page - 1) : null,
    next: page < pageCount ? href(page + 1) : null,
    items,
  };
}

export function registerPages(app: FastifyInstance, ctx: Ctx, o: { loginRateLimit: { max: number; windowMs: number } }): void {
  const css = fs.readFileSync(path.join(STATIC_DIR, 'app.css'));
  app.get('/static/app.css', async (_req, reply) => reply.type('text/css; charset=utf-8').header('Cache-Control', 'public, max-age=300').send(css));

  app.get('/', async (req, reply) => {
    const p = requirePrincipal(req);
    if (hasRole(p, 'project_manager', 'approver')) return reply.redirect('/inbox');
    if (isInternal(p)) return reply.redirect('/portfolio');
    return reply.redirect('/reports');
  });

  // --- project manager: the inbox -------------------------------------------------------------
  app.get('/inbox', async (req, reply) => {
    const items = await inbox(ctx(), requirePrincipal(req));
    return html(reply, renderPage('inbox', layout(req, reply, 'Approval inbox'), { items }));
  });

  // --- M&E officer: the portfolio -------------------------------------------------------------
  app.get('/portfolio', async (req, reply) => {
    const p = requirePrincipal(req);
    const query = portfolioQuery.parse(req.query ?? {});
    const view = await portfolioPage(ctx(), p, {
      page: query.page, search: query.q, state: query.state, donor: query.donor || undefined, flag: query.flag, sort: query.sort,
      cyclesState: query.cycles, cyclesPage: query.cyclesPage,
    });
    const templates = loadTemplates().map((t) => ({ id: t.id, title: t.title, selected: t.id === DEFAULT_TEMPLATE_ID }));
    const filtered = Boolean(view.query.search || view.query.state || view.query.donor || view.query.flag);
    const href = (changes: Parameters<typeof portfolioHref>[1]) => portfolioHref(view.query, changes);
    return html(reply, renderPage('portfolio', layout(req, reply, 'Portfolio'), {
      ...view, staleDays: STALE_SOURCE_DAYS, mayFixData: hasRole(p, 'admin', 'me_officer'), templates,
      mayStartAny: view.projects.some((pr) => pr.mayStart), filtered,
      pager: view.pageCount > 1 ? pagerLinks(view.page, view.pageCount, (n) => href({ page: n })) : null,
      options: {
        states: LATEST_STATES.map((st) => ({ value: st, label: st === 'none' ? 'No cycle yet' : st, selected: st === view.query.state })),
        donors: view.donors.map((d) => ({ value: d, selected: d === view.query.donor })),
        flags: PORTFOLIO_FLAGS.map((f) => ({ value: f, label: FLAG_LABELS[f], selected: f === view.query.flag })),
        sorts: PORTFOLIO_SORTS.map((o) => ({ value: o, label: SORT_LABELS[o], selected: o === view.query.sort })),
      },
      matchingText: view.matching.toLocaleString('en'),
      totalsText: { projects: view.totals.projects.toLocaleString('en'), indicators: view.totals.indicators.toLocaleString('en') },
      latestByState: view.totals.latestByState.map((g) => ({
        ...g, text: g.projects.toLocaleString('en'), href: portfolioHref({ search: '', state: null, donor: null, flag: null, sort: 'code' }, { state: g.state }),
      })),
      flagHref: Object.fromEntries(PORTFOLIO_FLAGS.map((f) => [f, portfolioHref({ search: '', state: null, donor: null, flag: null, sort: 'issues' }, { flag: f })])),
      byState: view.byState.map((g) => ({
        ...g, open: isOpen(g.state) || g.page > 1, paged: g.pageCount > 1,
        // The project list stays on its page while a state's cycles turn theirs.
        pager: g.pageCount > 1 ? pagerLinks(g.page, g.pageCount, (n) => href({ page: view.page, cycles: g.state, cyclesPage: n })) : null,
      })),
    }));
  });
  app.post('/portfolio/cycles', async (req, reply) => {
    const p = requirePrincipal(req);
    const f = form(z.object({ project: z.string().min(1, 'choose a project'), period: z.string().regex(/^\d{4}(-(Q[1-4]|H[12]|0[1-9]|1[0-2]))?$/, 'a period: 2025-Q3, 2025-H1, 2025 or 2025-07'), template: z.string().optional() }), req.body);
    const started = await startCycleAs(ctx(), p, { projectCode: f.project, period: f.period, templateId: f.template || undefined });
    flash(req, 'ok', started.started ? `Started the ${f.period} report cycle of ${f.project}.` : `The ${f.period} cycle of ${f.project} already exists (${started.state.replace('_', ' ')}).`);
    return reply.redirect(cycleUrl(started.cycleId));
  });

  // --- a cycle: draft, decisions, history -----------------------------------------------------
  app.get('/cycles/:project/:period/:template', async (req, reply) => {
    const p = requirePrincipal(req);
    const view = await cycleView(ctx(), p, cycleIdOf(req.params));
    const pdf = view.draft.find((a) => a.format === 'pdf');
    const decisions = [...view.status.decisions].reverse();
    const lastReturn = decisions.find((d) => d.decision === 'return');
    return html(reply, renderPage('cycle', layout(req, reply, `${view.row.projectCode} ${view.row.period}`), {
      ...view, pdf, decisions, lastReturn, url: cycleUrl(view.row.id), history: [...view.history].reverse(),
      finalPdf: view.final.find((a) => a.format === 'pdf'),
      overdueOpen: Boolean(view.status.overdue) && isOpen(view.status.state),
      templateTitle: loadTemplates().find((t) => t.id === view.row.templateId)?.title ?? view.row.templateId,
    }));
  });
  app.post('/cycles/:project/:period/:template/decide', async (req, reply) => {
    const p = requirePrincipal(req);
    const cycleId = cycleIdOf(req.params);
    const f = form(z.object({
      decision: z.enum(['approve', 'return']),
      comment: z.string().max(4000).optional(),
      version: z.coerce.number().int().positive(),
    }).refine((v) => v.decision !== 'return' || Boolean(v.comment?.trim()), { path: ['comment'], message: 'say what to fix when you return a draft' }), req.body);
    await decideAs(ctx(), p, cycleId, { decision: f.decision, version: f.version, comment: f.comment?.trim() || undefined });
    flash(req, 'ok', f.decision === 'approve' ? `You approved version ${f.version}.` : `You returned version ${f.version} to the M&E officer.`);
    return reply.redirect(cycleUrl(cycleId));
  });
  app.post('/cycles/:project/:period/:template/resubmit', async (req, reply) => {
    const p = requirePrincipal(req);
    const cycleId = cycleIdOf(req.params);
    const f = form(z.object({ comment: z.string().max(4000).optional() }), req.body);
    await resubmitAs(ctx(), p, cycleId, { comment: f.comment?.trim() || undefined });
    flash(req, 'ok', 'Resubmitted: the data is gathered again into a new version.');
    return reply.redirect(cycleUrl(cycleId));
  });
  app.post('/cycles/:project/:period/:template/cancel', async (req, reply) => {
    const p = requirePrincipal(req);
    const cycleId = cycleIdOf(req.params);
    const f = form(z.object({ reason: z.string().trim().min(1, 'say why the cycle is cancelled') }), req.body);
    await cancelCycleAs(ctx(), p, cycleId, { reason: f.reason });
    flash(req, 'ok', 'The cycle is cancelled.');
    return reply.redirect(cycleUrl(cycleId));
  });

  // --- files: drafts for staff of the project, finals also for its donors ---------------------
  app.get('/files/:id', async (req, reply) => {
    const p = requirePrincipal(req);
    const { id } = z.object({ id: z.string() }).parse(req.params);
    const inline = (req.query as Record<string, unknown>).inline === '1';
    const { info, content } = await artifactFor(ctx(), p, id);
    const type = info.format === 'pdf' ? 'application/pdf' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    return reply
      .type(type)
      .header('Content-Disposition', `${inline && info.format === 'pdf' ? 'inline' : 'attachment'}; filename="${info.filename.replace(/[^\w.-]/g, '_')}"`)
      .header('Cache-Control', 'private, no-store')
      .send(content);
  });

  // --- donor portal ---------------------------------------------------------------------------
  app.get('/reports', async (req, reply) => {
    const p = requirePrincipal(req);
    const reports = await donorReports(ctx(), p);
    return html(reply, renderPage('reports', layout(req, reply, 'Reports'), { reports, donorView: isDonor(p) && !isInternal(p) }));
  });

  // --- admin ----------------------------------------------------------------------------------
  app.get('/admin/users', async (req, reply) => {
    const users = (await usersFor(ctx(), requirePrincipal(req))).map((u) => ({
      ...u,
      grants: u.roles.map((r) => `${ROLE_LABELS[r.role] ?? r.role}${r.projectCode ? ` · ${r.projectCode}` : ''}${r.donorCode ? ` · ${r.donorCode}` : ''}`),
    }));
    return html(reply, renderPage('admin-users', layout(req, reply, 'Users and roles'), { users }));
  });
  app.get('/admin/templates', async (req, reply) => {
    const p = requirePrincipal(req);
    if (!isAdmin(p)) throw forbidden('templates are for administrators');
    const templates = loadTemplates().map((t) => ({ ...t, chain: t.approvalChain.map((s) => `${s.name} (${ROLE_LABELS[s.role] ?? s.role})`) }));
    return html(reply, renderPage('admin-templates', layout(req, reply, 'Report templates'), { templates }));
  });
}
