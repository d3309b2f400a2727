/**
 * The M&E officer's data desk: upload a data file and see its rows accepted and rejected, then fix
 * and resubmit rejected rows from the quarantine; upload a logframe workbook to define or change a
 * project (checked whole first; all or nothing); and the deliveries to donors.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Principal } from '../app/auth.js';
import type { AppContext } from '../app/context.js';
import { deliveriesFor } from '../app/agreements.js';
import { requireDataDesk } from '../app/data-scope.js';
import { importBatchesFor, importFileAs, quarantineFor, resubmitQuarantinedAs, type ImportReport } from '../app/imports.js';
import { importLogframeAs, type LogframeImportReport } from '../app/logframe.js';
import { RbmError } from '../domain/errors.js';
import { renderPage, type LayoutData } from './render.js';
import { requirePrincipal } from './server.js';

const MAX_UPLOAD_BYTES = 200 * 1024 * 1024;

/** The signed-in user, refused before an upload is read when the data desk is not theirs (the use cases check again). */
function requireDataOfficer(req: FastifyRequest): Principal {
  const p = requirePrincipal(req);
  requireDataDesk(p);
  return p;
}

export async function registerDataPages(
  app: FastifyInstance,
  ctx: () => AppContext,
  layout: (req: FastifyRequest, reply: FastifyReply, title: string) => LayoutData,
): Promise<void> {
  await app.register(multipart, { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1 } });
  const page = async (req: FastifyRequest, reply: FastifyReply, report: ImportReport | null, logframe: LogframeImportReport | null = null) => {
    const p = requirePrincipal(req);
    const [batches, quarantine] = await Promise.all([importBatchesFor(ctx(), p, 20), quarantineFor(ctx(), p, { limit: 200 })]);
    const entries = quarantine.map((q) => ({ ...q, summary: ['project_code', 'indicator_code', 'period', 'value', 'sex', 'location'].map((c) => q.cells[c]).filter(Boolean).join(' · ') }));
    return reply.type('text/html; charset=utf-8').send(renderPage('data', layout(req, reply, 'Data'), { report, logframe, batches, quarantine: entries }));
  };

  /** The uploaded file in a folder of its own for the duration of `use`, under its own (base) name. */
  const withUpload = async <T>(req: FastifyRequest, fallbackName: string, use: (file: string, name: string) => Promise<T>): Promise<T> => {
    const upload = await req.file();
    if (!upload) throw new RbmError('invalid_input', 'choose a file to upload', { field: 'file', in: 'body' });
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rbm-upload-'));
    const name = path.basename(upload.filename || fallbackName);
    const file = path.join(dir, name);
    try {
      await fs.writeFile(file, await upload.toBuffer());
      return await use(file, name);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  };

  app.get('/data', async (req, reply) => {
    requirePrincipal(req);
    return page(req, reply, null);
  });

  // The CSRF token comes in the query string: a multipart body is read only inside the handler.
  app.post('/data/upload', async (req, reply) => {
    const p = requireDataOfficer(req);
    const report = await withUpload(req, 'upload.csv', (file) => importFileAs(ctx(), p, { path: file }));
    return page(req, reply, report);
  });

  // A logframe workbook: checked whole first, then stored (all or nothing) if the officer may define
  // the project it names (app/logframe.ts decides); `?check=1` stops after the check.
  app.post('/data/logframe', async (req, reply) => {
    const p = requireDataOfficer(req);
    const { check } = z.object({ check: z.enum(['1']).optional() }).parse(req.query);
    const report = await withUpload(req, 'logframe.xlsx', (file, name) => importLogframeAs(ctx(), p, { path: file, file: name, dryRun: Boolean(check) }));
    return page(req, reply, null, report);
  });

  app.post('/data/quarantine/:id/resubmit', async (req, reply) => {
    const p = requireDataOfficer(req);
    const { id } = z.object({ id: z.coerce.number().int().positive() }).parse(req.params);
    const body = z.object({ column: z.string().min(1, 'choose the column to correct'), value: z.string() }).safeParse(req.body ?? {});
    if (!body.success) throw new RbmError('invalid_input', `field "${body.error.issues[0]!.path.join('.')}": ${body.error.issues[0]!.message}`);
    const report = await resubmitQuarantinedAs(ctx(), p, { ids: [id], set: { [body.data.column]: body.data.value } });
    return page(req, reply, report);
  });

  app.get('/deliveries', async (req, reply) => {
    const deliveries = (await deliveriesFor(ctx(), requirePrincipal(req), {})).reverse();
    return reply.type('text/html; charset=utf-8').send(renderPage('deliveries', layout(req, reply, 'Deliveries'), { deliveries }));
  });
}
