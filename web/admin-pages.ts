/**
 * Admin pages: donors and agreements (add or change an agreement; its Temporal Schedule follows) and
 * the Temporal Schedules of agreements and sources (next run, paused state; pause and resume).
 */
import { parseForm } from './forms.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { donorsFor, schedulesFor, setSchedulePausedAs } from '../app/admin-views.js';
import { addAgreementAs, agreementsFor } from '../app/agreements.js';
import { type Principal } from '../app/auth.js';
import type { AppContext } from '../app/context.js';
import { requireAdmin as requireAdminRole } from '../app/data-scope.js';
import { projectsList } from '../app/portfolio.js';
import { scheduleCalendar } from '../domain/agreements.js';
import { RbmError } from '../domain/errors.js';
import { loadTemplates } from '../templates/registry.js';
import { renderPage, type LayoutData } from './render.js';
import { requirePrincipal } from './server.js';

type Layout = (req: FastifyRequest, reply: FastifyReply, title: string) => LayoutData;

function requireAdmin(req: FastifyRequest, what: string): Principal {
  const p = requirePrincipal(req);
  requireAdminRole(p, what);
  return p;
}

/** The project templates an agreement may name (a mission-scope template cannot start a project cycle). */
const projectTemplates = () => loadTemplates().filter((t) => t.scope === 'project');

/** The agreement form; a bad field is a 400 that names it. */
export const AgreementForm = z.object({
  donor: z.string().trim().min(1, 'choose a donor'),
  project: z.string().trim().min(1, 'choose a project'),
  template: z.string().trim().min(1, 'choose a template').refine((id) => projectTemplates().some((t) => t.id === id), 'not a project report template'),
  frequency: z.enum(['quarterly', 'semiannual', 'annual']),
  dueDays: z.coerce.number().int('whole days').min(1, 'at least 1 day').max(365, 'at most 365 days'),
  leadDays: z.coerce.number().int('whole days').min(0, 'at least 0 days').max(365, 'at most 365 days'),
  sendExcel: z.string().optional(),
}).refine((f) => f.leadDays < f.dueDays, { path: ['leadDays'], message: 'the cycle must start before it is due (lead days < due days)' });


export function registerAdminPages(app: FastifyInstance, ctx: () => AppContext, layout: Layout): void {
  const html = (reply: FastifyReply, body: string) => reply.type('text/html; charset=utf-8').send(body);

  app.get('/admin/agreements', async (req, reply) => {
    const p = requireAdmin(req, 'donors and agreements');
    const { edit } = z.object({ edit: z.coerce.number().int().positive().optional() }).parse(req.query ?? {});
    const [donors, agreements, projects] = await Promise.all([donorsFor(ctx(), p), agreementsFor(ctx(), p), projectsList(ctx())]);
    const editing = edit ? agreements.find((a) => a.id === edit) : undefined;
    if (edit && !editing) throw new RbmError('not_found', `no agreement ${edit}`);
    const form = editing ?? { donorCode: '', projectCode: '', templateId: 'iom-donor-report', frequency: 'quarterly', dueDays: 30, leadDays: 15, sendExcel: false };
    const sel = (a: string, b: string) => a === b;
    return html(reply, renderPage('admin-agreements', layout(req, reply, 'Donors and agreements'), {
      donors: donors.map((d) => ({ ...d, selected: sel(d.code, form.donorCode) })),
      projects: projects.map((p) => ({ code: p.code, title: p.title, donors: p.donors, selected: sel(p.code, form.projectCode) })),
      templates: projectTemplates().map((t) => ({ id: t.id, title: t.title, selected: sel(t.id, form.templateId) })),
      frequencies: ['quarterly', 'semiannual', 'annual'].map((f) => ({ value: f, selected: sel(f, form.frequency) })),
      agreements: agreements.map((a) => ({ ...a, startsOnDay: scheduleCalendar(a).dayOfMonth, scheduleId: `agreement/${a.donorCode}/${a.projectCode}/${a.templateId}` })),
      form, editing: Boolean(editing),
    }));
  });

  app.post('/admin/agreements', async (req, reply) => {
    const p = requireAdmin(req, 'donors and agreements');
    const f = parseForm(AgreementForm, req.body);
    const saved = await addAgreementAs(ctx(), p, {
      donorCode: f.donor, projectCode: f.project, templateId: f.template, frequency: f.frequency, dueDays: f.dueDays, leadDays: f.leadDays, sendExcel: Boolean(f.sendExcel),
    });
    req.session.flash = { kind: 'ok', text: `Saved the ${saved.frequency} agreement of ${saved.donorCode} for ${saved.projectCode} (${saved.templateId}); its schedule is in sync.` };
    return reply.redirect('/admin/agreements');
  });

  app.get('/admin/schedules', async (req, reply) => {
    const schedules = await schedulesFor(ctx(), requireAdmin(req, 'schedules'));
    return html(reply, renderPage('admin-schedules', layout(req, reply, 'Schedules'), {
      agreements: schedules.filter((s) => s.kind === 'agreement'), sources: schedules.filter((s) => s.kind === 'source'),
    }));
  });

  for (const action of ['pause', 'resume'] as const) {
    app.post(`/admin/schedules/${action}`, async (req, reply) => {
      const p = requireAdmin(req, 'schedules');
      const f = parseForm(z.object({ id: z.string().trim().min(1, 'which schedule') }), req.body);
      await setSchedulePausedAs(ctx(), p, f.id, action === 'pause');
      req.session.flash = { kind: 'ok', text: `${action === 'pause' ? 'Paused' : 'Resumed'} ${f.id}.` };
      return reply.redirect('/admin/schedules');
    });
  }
}
