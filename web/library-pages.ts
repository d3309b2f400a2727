/**
 * What projects roll up to, on the web: the frameworks page /frameworks (UNSDCF, IOM pillars, SDG, GCM
 * as trees with the contributing projects), and the library of common indicators: the page /library (every entry, with how many project
 * indicators and projects link to it), /library/:code (one entry and its linked project indicators),
 * and the same as JSON under /api/v1/common-indicators (zod-validated, in /openapi.json). For staff;
 * linked project indicators are shown only for the projects the user may read.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Principal } from '../app/auth.js';
import { commonIndicatorFor, commonIndicatorsFor } from '../app/common-indicators.js';
import type { AppContext } from '../app/context.js';
import { frameworksFor, type FrameworkTreeNode } from '../app/admin-views.js';
import { COMMON_CODE_PATTERN } from '../domain/common-indicators.js';
import { RbmError } from '../domain/errors.js';
import { FRAMEWORK_KINDS, type FrameworkKind } from '../domain/results-framework.js';
import { documentRoutes, mountRoute } from './api.js';
import { renderPage, type LayoutData } from './render.js';
import { requirePrincipal } from './server.js';

type Ctx = () => AppContext;

const CodeParams = z.object({ code: z.string().regex(COMMON_CODE_PATTERN, 'a common indicator code such as CI-PROT-01').describe('common indicator code, e.g. CI-PROT-01') });

const FRAMEWORK_LABELS: Record<FrameworkKind, string> = { unsdcf: 'UNSDCF', iom_pillar: 'IOM pillars', sdg: 'SDG targets', gcm: 'Global Compact for Migration' };
const FrameworkQuery = z.object({ framework: z.enum(FRAMEWORK_KINDS).default('unsdcf') });

export function registerLibraryPages(app: FastifyInstance, ctx: Ctx, layout: (req: FastifyRequest, reply: FastifyReply, title: string) => LayoutData): void {
  app.get('/frameworks', async (req, reply) => {
    const p = requirePrincipal(req);
    const query = FrameworkQuery.safeParse(req.query ?? {});
    if (!query.success) throw new RbmError('invalid_input', `field "framework": one of ${FRAMEWORK_KINDS.join(', ')}`, { field: 'framework', in: 'query' });
    const { framework } = query.data;
    const frameworks = FRAMEWORK_KINDS.map((id) => ({ id, label: FRAMEWORK_LABELS[id], selected: id === framework }));
    type Node = FrameworkTreeNode;
    const readable = (n: Node): Node & { levelLabel: string } => ({ ...n, levelLabel: n.level.replace(/_/g, ' '), children: n.children.map(readable) });
    const roots = (await frameworksFor(ctx(), p, framework)).map(readable);
    return reply.type('text/html; charset=utf-8').send(renderPage('frameworks', layout(req, reply, `Frameworks: ${FRAMEWORK_LABELS[framework]}`), { frameworks, roots }));
  });

  app.get('/library', async (req, reply) => {
    const entries = await commonIndicatorsFor(ctx(), requirePrincipal(req));
    return reply.type('text/html; charset=utf-8').send(renderPage('library', layout(req, reply, 'Common indicators'), { entries }));
  });
  app.get('/library/:code', async (req, reply) => {
    const p = requirePrincipal(req);
    const { code } = CodeParams.parse(req.params);
    const { indicators, hidden, results, ...entry } = await commonIndicatorFor(ctx(), p, code);
    const periods = [...results.periods].reverse().map((r) => ({ ...r, isPercentage: entry.type === 'percentage' || entry.type === 'ratio' }));
    return reply.type('text/html; charset=utf-8').send(renderPage('library-entry', layout(req, reply, entry.code), { entry, indicators, hidden, results: { ...results, periods } }));
  });

  const routes = [
    {
      method: 'GET' as const, url: '/api/v1/common-indicators', summary: 'The library of common indicators, with how many project indicators and projects link to each, among the projects the user may read', access: 'staff',
      handler: async ({ principal }: { principal: Principal }) => commonIndicatorsFor(ctx(), principal),
    },
    {
      method: 'GET' as const, url: '/api/v1/common-indicators/:code', summary: 'A common indicator with the project indicators linked to it and its results of the last four quarters reported, over the projects the user may read', access: 'staff', params: CodeParams,
      handler: async ({ principal, params }: { principal: Principal; params: z.infer<typeof CodeParams> }) => commonIndicatorFor(ctx(), principal, params.code),
    },
  ];
  for (const r of routes) mountRoute(app, r);

  documentRoutes(app, routes.map((r) => ({ ...r, tag: 'projects' })));
}
