/**
 * The JSON API's data and admin endpoints: quarantine, imports (multipart upload), deliveries,
 * agreements, schedules and frameworks. Same pattern as web/api.ts: every route declares its zod
 * schemas once; they validate the request (a 400 names the field) and are merged into /openapi.json.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { frameworksFor, schedulesFor } from '../app/admin-views.js';
import { agreementsFor, deliveriesFor } from '../app/agreements.js';
import { type Principal } from '../app/auth.js';
import type { AppContext } from '../app/context.js';
import { requireDataDesk } from '../app/data-scope.js';
import { importFileAs, quarantineFor } from '../app/imports.js';
import { RbmError } from '../domain/errors.js';
import { FRAMEWORK_KINDS } from '../domain/results-framework.js';
import { documentRoutes, mountRoute, PROJECT } from './api.js';

type Ctx = () => AppContext;
type Obj = z.ZodObject<z.ZodRawShape>;

interface RouteDef {
  method: 'GET' | 'POST';
  url: string;
  summary: string;
  tag: string;
  access: string;
  query?: Obj;
  /** A multipart upload instead of a JSON body: the file field's name. */
  upload?: string;
  status?: number;
  handler: (a: { principal: Principal; query: any; req: FastifyRequest; reply: FastifyReply }) => Promise<unknown>;
}

const QuarantineQuery = z.object({
  project: PROJECT.optional().describe('only rows of this project'),
  batch: z.coerce.number().int().positive().optional().describe('only rows of this import batch'),
  limit: z.coerce.number().int().min(1).max(5000).default(500).describe('at most this many rows (default 500)'),
});
const DeliveriesQuery = z.object({
  cycle: z.string().regex(/^report-cycle\/[^/]+\/[^/]+\/[^/]+$/, 'a cycle id: report-cycle/<project>/<period>/<template>').optional(),
  state: z.enum(['pending', 'sending', 'sent', 'failed', 'unconfirmed']).optional(),
});
const AgreementsQuery = z.object({ project: PROJECT.optional() });
const SchedulesQuery = z.object({ kind: z.enum(['agreement', 'digest', 'source']).optional() });
const FrameworksQuery = z.object({ framework: z.enum(FRAMEWORK_KINDS).optional().describe('one framework: unsdcf, iom_pillar, sdg or gcm') });

const MAX_UPLOAD_BYTES = 200 * 1024 * 1024;


export function registerAdminApi(app: FastifyInstance, ctx: Ctx): void {
  const routes: RouteDef[] = [];
  const route = (r: RouteDef) => routes.push(r);

  route({
    method: 'GET', url: '/api/v1/quarantine', tag: 'data', summary: 'Rejected import rows waiting in the quarantine, with their reasons', access: 'admin, M&E officer (rows of the projects they may read)', query: QuarantineQuery,
    handler: async ({ principal, query }) => quarantineFor(ctx(), principal, { batchId: query.batch, project: query.project, limit: query.limit }),
  });
  route({
    method: 'POST', url: '/api/v1/imports', tag: 'data', summary: 'Import a data file (CSV, XLSX or JSON in the long format); rejected rows go to the quarantine. 400 when the file is refused as a whole',
    access: 'admin, M&E officer', upload: 'file',
    handler: async ({ principal, req, reply }) => {
      requireDataDesk(principal); // before the upload is read (importFileAs checks it again, with the user's projects)
      if (!req.isMultipart()) throw new RbmError('invalid_input', 'body field "file": upload the file as multipart/form-data', { field: 'file', in: 'body' });
      const upload = await req.file({ limits: { fileSize: MAX_UPLOAD_BYTES, files: 1 } });
      if (!upload || upload.fieldname !== 'file') throw new RbmError('invalid_input', 'body field "file": choose a file to upload', { field: 'file', in: 'body' });
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rbm-api-upload-'));
      try {
        const file = path.join(dir, path.basename(upload.filename || 'upload.csv'));
        await fs.writeFile(file, await upload.toBuffer());
        const r = await importFileAs(ctx(), principal, { path: file });
        const answer = { batchId: r.batchId, file: r.file, accepted: r.accepted, rejected: r.rejected, unchanged: r.unchanged, errors: r.errors, warnings: r.warnings, refused: r.refused };
        if (r.refused) reply.code(400);
        return answer;
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    },
  });
  route({
    method: 'GET', url: '/api/v1/deliveries', tag: 'data', summary: 'Deliveries of final reports (outbox and e-mail) with their state', access: 'admin, M&E officer', query: DeliveriesQuery,
    handler: async ({ principal, query }) => deliveriesFor(ctx(), principal, { cycleId: query.cycle, state: query.state }),
  });
  route({
    method: 'GET', url: '/api/v1/agreements', tag: 'admin', summary: 'Donor agreements: who receives which report, how often, when it is due', access: 'admin, M&E officer', query: AgreementsQuery,
    handler: async ({ principal, query }) => agreementsFor(ctx(), principal, { projectCode: query.project }),
  });
  route({
    method: 'GET', url: '/api/v1/schedules', tag: 'admin', summary: 'Temporal Schedules of agreements (agreement/*) and data sources (source/*): next run, paused state', access: 'admin, M&E officer', query: SchedulesQuery,
    handler: async ({ principal, query }) => schedulesFor(ctx(), principal, { kind: query.kind }),
  });
  route({
    method: 'GET', url: '/api/v1/frameworks', tag: 'projects', summary: 'The frameworks projects contribute to (UNSDCF, IOM pillars, SDG, GCM) as trees, with the contributing projects', access: 'staff', query: FrameworksQuery,
    handler: async ({ principal, query }) => frameworksFor(ctx(), principal, query.framework),
  });

  for (const r of routes) mountRoute(app, r);

  documentRoutes(app, routes);
}
