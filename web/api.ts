/**
 * The JSON API under /api/v1. Every route declares its zod schemas once: they validate the request
 * (a 400 names the field) and generate the OpenAPI document served at /openapi.json.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { createApiTokenAs, DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, type Principal } from '../app/auth.js';
import type { AppContext } from '../app/context.js';
import { cancelCycleAs, cycleHistoryFor, cycleStatusFor, decideAs, resubmitAs, startCycleAs } from '../app/cycles.js';
import { indicatorsList } from '../app/portfolio.js';
import { artifactFor, checkProjectFor, donorReports, inbox, portfolio, projectFor, projectsFor } from '../app/web-views.js';
import { RbmError } from '../domain/errors.js';
import { reportCycleId } from '../domain/report-cycle.js';
import { requirePrincipal } from './server.js';

type Ctx = () => AppContext;
type Obj = z.ZodObject<z.ZodRawShape>;

interface RouteDef<P extends Obj | undefined, Q extends Obj | undefined, B extends z.ZodType | undefined> {
  method: 'GET' | 'POST';
  url: string; // fastify style, e.g. /api/v1/projects/:code
  summary: string;
  tag: string;
  /** Who may call it, for the document (enforced in the handler). */
  access: string;
  params?: P;
  query?: Q;
  body?: B;
  /** Binary answers (files) instead of JSON. */
  produces?: string[];
  status?: number;
  handler: (a: {
    principal: Principal;
    params: P extends Obj ? z.infer<P> : undefined;
    query: Q extends Obj ? z.infer<Q> : undefined;
    body: B extends z.ZodType ? z.infer<B> : undefined;
    req: FastifyRequest;
    reply: FastifyReply;
  }) => Promise<unknown>;
}

const routes: Array<RouteDef<any, any, any>> = [];
function route<P extends Obj | undefined = undefined, Q extends Obj | undefined = undefined, B extends z.ZodType | undefined = undefined>(def: RouteDef<P, Q, B>) {
  routes.push(def);
}

/** Mounts one API route: signed-in principal, then path, query and body validated by its schemas. */
export function mountRoute(
  app: FastifyInstance,
  r: { method: 'GET' | 'POST'; url: string; params?: z.ZodType; query?: z.ZodType; body?: z.ZodType; status?: number; handler: (a: any) => Promise<unknown> },
): void {
  app.route({
    method: r.method,
    url: r.url,
    handler: async (req, reply) => {
      const principal = requirePrincipal(req);
      const params = validate(r.params, req.params, 'path');
      const query = validate(r.query, req.query, 'query');
      const body = validate(r.body, req.body, 'body');
      const result = await r.handler({ principal, params, query, body, req, reply });
      if (r.status) reply.code(r.status);
      return reply.send(result);
    },
  });
}

/** Validates one part of the request; the first problem becomes a 400 that names the field. */
export function validate(schema: z.ZodType | undefined, value: unknown, where: 'path' | 'query' | 'body'): any {
  if (!schema) return undefined;
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.map(String).join('.') || '(root)';
  throw new RbmError('invalid_input', `${where} field "${field}": ${issue.message}`, { field, in: where });
}

// --- schemas ----------------------------------------------------------------------------------

const PERIOD = z.string().regex(/^\d{4}(-(Q[1-4]|H[12]|0[1-9]|1[0-2]))?$/, 'a period: 2025-Q3, 2025-H1, 2025 or 2025-07').describe('reporting period, e.g. 2025-Q3');
export const PROJECT = z.string().regex(/^[A-Za-z0-9._-]{1,40}$/, 'a project code such as LY10P0542').describe('project code (Prima ID), e.g. LY10P0542');
const CycleParams = z.object({ project: PROJECT, period: PERIOD, template: z.string().regex(/^[a-z0-9-]+$/, 'a template id').describe('template id, e.g. iom-donor-report') });
const CODE_PARAMS = z.object({ code: PROJECT });
const CycleListQuery = z.object({
  state: z.enum(['gathering', 'rendering', 'awaiting_approval', 'returned', 'finalizing', 'delivering', 'completed', 'cancelled']).optional(),
  project: PROJECT.optional(),
});
const StartBody = z.object({
  project: PROJECT,
  period: PERIOD,
  template: z.string().regex(/^[a-z0-9-]+$/, 'a template id').optional(),
  dueDate: z.iso.date().optional().describe('ISO date; default 30 days after the period ends'),
}).strict();
const DecideBody = z.object({
  decision: z.enum(['approve', 'return']),
  comment: z.string().max(4000).optional().describe('required when returning: what to fix'),
  version: z.number().int().positive().optional().describe('the version decided on (default: the current one)'),
}).strict().refine((v) => v.decision !== 'return' || Boolean(v.comment?.trim()), { path: ['comment'], message: 'a return needs a comment that says what to fix' });
const ResubmitBody = z.object({ comment: z.string().max(4000).optional() }).strict();
const CancelBody = z.object({ reason: z.string().trim().min(1, 'say why the cycle is cancelled').max(4000) }).strict();
const TokenBody = z.object({ name: z.string().trim().min(1).max(100), expiresInDays: z.number().int().min(1).max(MAX_TOKEN_DAYS).default(DEFAULT_TOKEN_DAYS) }).strict();
const FileParams = z.object({ id: z.uuid() });

const cycleIdOf = (p: z.infer<typeof CycleParams>) => reportCycleId(p.project, p.period, p.template);

export function registerApi(app: FastifyInstance, ctx: Ctx): void {
  routes.length = 0;

  route({
    method: 'GET', url: '/api/v1/me', tag: 'account', summary: 'The signed-in user, roles, and (with a session) the CSRF token for state-changing calls', access: 'any signed-in user',
    handler: async ({ principal, reply }) => ({
      id: principal.userId, name: principal.name, email: principal.email, roles: principal.roles, donorProjects: principal.donorProjects,
      csrfToken: principal.via === 'session' ? reply.generateCsrf() : undefined,
    }),
  });
  route({
    method: 'POST', url: '/api/v1/tokens', tag: 'account', summary: 'Create an API token for yourself; the token is shown once. In a session only: a token may not create tokens (403)', access: 'any signed-in user, in a session', body: TokenBody, status: 201,
    handler: async ({ principal, body }) => {
      const { token, row } = await createApiTokenAs(ctx(), principal, body.name, body.expiresInDays);
      return { token, id: row.id, name: row.name, createdAt: row.createdAt, expiresAt: row.expiresAt };
    },
  });

  route({
    method: 'GET', url: '/api/v1/projects', tag: 'projects', summary: 'Projects the user may read', access: 'staff (admin, M&E officer, project manager, approver, viewer), scoped to their projects',
    handler: async ({ principal }) => projectsFor(ctx(), principal),
  });
  route({
    method: 'GET', url: '/api/v1/projects/:code', tag: 'projects', summary: 'A project with its results framework', access: 'staff of the project', params: CODE_PARAMS,
    handler: async ({ principal, params }) => projectFor(ctx(), principal, params.code),
  });
  route({
    method: 'GET', url: '/api/v1/projects/:code/indicators', tag: 'projects', summary: "A project's indicators with targets", access: 'staff of the project', params: CODE_PARAMS,
    handler: async ({ principal, params }) => {
      await checkProjectFor(ctx(), principal, params.code); // 404 for an unknown project, or one the user may not read
      return indicatorsList(ctx(), params.code);
    },
  });

  route({
    method: 'GET', url: '/api/v1/cycles', tag: 'cycles', summary: 'Report cycles of the projects the user may read, with due dates', access: 'staff, scoped to their projects', query: CycleListQuery,
    handler: async ({ principal, query }) => (await portfolio(ctx(), principal, { projectCode: query.project, state: query.state })).byState.flatMap((g) => g.cycles),
  });
  route({
    method: 'GET', url: '/api/v1/inbox', tag: 'cycles', summary: "Drafts awaiting the user's decision", access: 'project managers and approvers',
    handler: async ({ principal }) => inbox(ctx(), principal),
  });
  route({
    method: 'POST', url: '/api/v1/cycles', tag: 'cycles', summary: 'Start (or join) a report cycle', access: 'admin, M&E officer of the project', body: StartBody, status: 201,
    handler: async ({ principal, body }) => startCycleAs(ctx(), principal, { projectCode: body.project, period: body.period, templateId: body.template, dueDate: body.dueDate }),
  });
  route({
    method: 'GET', url: '/api/v1/cycles/:project/:period/:template', tag: 'cycles', summary: 'A cycle: state, versions, decisions, files', access: 'staff of the project', params: CycleParams,
    handler: async ({ principal, params }) => cycleStatusFor(ctx(), principal, cycleIdOf(params)),
  });
  route({
    method: 'GET', url: '/api/v1/cycles/:project/:period/:template/history', tag: 'cycles', summary: "A cycle's audit trail", access: 'staff of the project', params: CycleParams,
    handler: async ({ principal, params }) => cycleHistoryFor(ctx(), principal, cycleIdOf(params)),
  });
  route({
    method: 'POST', url: '/api/v1/cycles/:project/:period/:template/decide', tag: 'cycles', summary: 'Approve or return the current version (409 with the reason when the workflow refuses)',
    access: 'project manager or approver of the project who is an approver of the open step', params: CycleParams, body: DecideBody,
    handler: async ({ principal, params, body }) =>
      decideAs(ctx(), principal, cycleIdOf(params), { decision: body.decision, version: body.version, comment: body.comment?.trim() || undefined }),
  });
  route({
    method: 'POST', url: '/api/v1/cycles/:project/:period/:template/resubmit', tag: 'cycles', summary: 'Resubmit a returned cycle: data is gathered again into a new version',
    access: 'M&E officer of the project', params: CycleParams, body: ResubmitBody,
    handler: async ({ principal, params, body }) => resubmitAs(ctx(), principal, cycleIdOf(params), { comment: body.comment?.trim() || undefined }),
  });
  route({
    method: 'POST', url: '/api/v1/cycles/:project/:period/:template/cancel', tag: 'cycles', summary: 'Cancel an open cycle', access: 'M&E officer of the project', params: CycleParams, body: CancelBody,
    handler: async ({ principal, params, body }) => cancelCycleAs(ctx(), principal, cycleIdOf(params), { reason: body.reason }),
  });

  route({
    method: 'GET', url: '/api/v1/reports', tag: 'reports', summary: 'Approved final reports the user may download (a donor: those of the projects it funds)', access: 'any signed-in user',
    handler: async ({ principal }) => donorReports(ctx(), principal),
  });
  route({
    method: 'GET', url: '/api/v1/files/:id', tag: 'reports', summary: 'Download a report file (draft: staff of the project; final: also the donors of the project)',
    access: 'see summary; anything else is 404', params: FileParams, produces: ['application/pdf', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    handler: async ({ principal, params, reply }) => {
      const { info, content } = await artifactFor(ctx(), principal, params.id);
      reply.type(info.format === 'pdf' ? 'application/pdf' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('Content-Disposition', `attachment; filename="${info.filename.replace(/[^\w.-]/g, '_')}"`);
      return content;
    },
  });

  for (const r of routes) mountRoute(app, r);

  const doc = openApiDocument();
  app.get('/openapi.json', async () => doc);
}

/** A zod schema as JSON Schema for the OpenAPI document. */
export function jsonSchema(s: z.ZodType): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

/** OpenAPI 3.1, from the same zod schemas the routes validate with. */
export function openApiDocument(): Record<string, unknown> {
  const paths = openApiPaths(routes);
  const errorSchema = { type: 'object', required: ['error', 'message'], properties: { error: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' }, in: { type: 'string', enum: ['path', 'query', 'body'] } } };
  return {
    openapi: '3.1.0',
    info: { title: 'RBM Flow API', version: '1', description: 'Results-based monitoring and donor reporting. Authenticate with `Authorization: Bearer <token>` (create one at /account/tokens or POST /api/v1/tokens), or with the session cookie plus an `x-csrf-token` header on POST.' },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }, { session: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        session: { type: 'apiKey', in: 'cookie', name: 'rbm_session' },
      },
      schemas: { Error: errorSchema },
      responses: {
        Error: { description: 'error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
        InvalidInput: { description: 'a field is missing or invalid: `field` names it', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    },
  };
}

/** What the OpenAPI document says of a route (its schemas give the parameters and body). */
export interface DocumentedRoute {
  method: 'GET' | 'POST';
  url: string;
  summary: string;
  tag: string;
  access: string;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  produces?: string[];
  status?: number;
  /** A multipart upload: the name of its file field. */
  upload?: string;
}

/** The OpenAPI `paths` of routes, from the same zod schemas they validate with. */
export function openApiPaths(list: DocumentedRoute[]): Record<string, Record<string, unknown>> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of list) {
    const oaPath = r.url.replace(/:(\w+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, schema] of [['path', r.params], ['query', r.query]] as const) {
      if (!schema) continue;
      const js = jsonSchema(schema) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
      for (const [name, prop] of Object.entries(js.properties ?? {})) {
        parameters.push({ name, in: where, required: where === 'path' || (js.required ?? []).includes(name), schema: prop, description: prop.description });
      }
    }
    const requestBody = r.upload
      ? { required: true, content: { 'multipart/form-data': { schema: { type: 'object', required: [r.upload], properties: { [r.upload]: { type: 'string', format: 'binary', description: 'CSV, XLSX or JSON in the long format (imports/README.md)' } } } } } }
      : r.body ? { required: true, content: { 'application/json': { schema: jsonSchema(r.body) } } } : undefined;
    paths[oaPath] ??= {};
    paths[oaPath][r.method.toLowerCase()] = {
      summary: r.summary,
      description: `Access: ${r.access}.`,
      tags: [r.tag],
      parameters,
      ...(requestBody ? { requestBody } : {}),
      responses: {
        [String(r.status ?? 200)]: r.produces
          ? { description: 'the file', content: Object.fromEntries(r.produces.map((t) => [t, { schema: { type: 'string', format: 'binary' } }])) }
          : { description: 'OK', content: { 'application/json': {} } },
        400: { $ref: '#/components/responses/InvalidInput' },
        401: { $ref: '#/components/responses/Error' },
        403: { $ref: '#/components/responses/Error' },
        404: { $ref: '#/components/responses/Error' },
        ...(r.method === 'POST' ? { 409: { $ref: '#/components/responses/Error' } } : {}),
      },
    };
  }
  return paths;
}

/** Adds routes mounted outside this module (admin, library, project pages) to the /openapi.json it serves. */
export function documentRoutes(app: FastifyInstance, list: DocumentedRoute[]): void {
  const extra = openApiPaths(list);
  app.addHook('preSerialization', async (req, _reply, payload) => {
    if (req.url.split('?')[0] !== '/openapi.json' || !payload || typeof payload !== 'object') return payload;
    const doc = payload as { paths?: Record<string, Record<string, unknown>> };
    const paths: Record<string, Record<string, unknown>> = { ...doc.paths };
    for (const [p, ops] of Object.entries(extra)) paths[p] = { ...paths[p], ...ops };
    return { ...doc, paths };
  });
}
