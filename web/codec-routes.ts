/**
 * Temporal's remote codec protocol, so that the Temporal CLI (`--codec-endpoint`) and UI can show the
 * payloads RBM Flow encrypts, to an administrator: POST /codec/decode and /codec/encode (also under
 * /codec/{namespace}/…, the CLI's templating), body {payloads: [{metadata: {key: base64}, data:
 * base64}]}, the namespace in X-Namespace. An admin's API token (Authorization: Bearer) is required;
 * browsers may call it from the configured Temporal UI origins (RBM_TEMPORAL_UI_ORIGINS).
 */
import type { Payload } from '@temporalio/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isAdmin } from '../app/auth.js';
import type { AppContext } from '../app/context.js';
import { RbmError } from '../domain/errors.js';
import { ENCRYPTED_ENCODING, PayloadEncryptionCodec } from '../runtime/payload-codec.js';
import { forbidden, requirePrincipal, statusOf } from './server.js';

const Base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'base64');
const Body = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), Base64).nullish(), data: Base64.nullish() })).max(10_000),
});
type JsonPayload = z.infer<typeof Body>['payloads'][number];

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
  data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')),
});
const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});
const isEncrypted = (p: Payload) => Buffer.from(p.metadata?.encoding ?? new Uint8Array()).toString('utf8') === ENCRYPTED_ENCODING;

export function registerCodecRoutes(app: FastifyInstance, ctx: () => AppContext): void {
  void app.register(async (scope) => {
    // CORS for the Temporal UI: on every answer of these routes, errors included.
    scope.addHook('onSend', async (req, reply, payload) => {
      const origin = req.headers.origin;
      if (origin && allowedOrigins(ctx).includes(origin)) {
        reply.header('Access-Control-Allow-Origin', origin);
        reply.header('Vary', 'Origin');
        reply.header('Access-Control-Allow-Methods', 'POST, OPTIONS');
        reply.header('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Namespace');
        reply.header('Access-Control-Max-Age', '600');
      }
      return payload;
    });
    // Machines' answers: JSON with a status, never the log-in page.
    scope.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
      const { status, code } = statusOf(err);
      if (status >= 500 && status !== 503) ctx().log.error({ err }, 'codec request failed');
      return reply.code(status).send({ error: code, message: status >= 500 && status !== 503 ? 'internal error' : err.message });
    });
    for (const prefix of ['/codec', '/codec/:namespace']) {
      scope.options(`${prefix}/encode`, preflight);
      scope.options(`${prefix}/decode`, preflight);
      scope.post(`${prefix}/decode`, { bodyLimit: 16 * 1024 * 1024 }, async (req) => {
        const codec = authorizedCodec(req, ctx);
        // Payloads stored before encryption (or not ours) are shown as they are; ours are decrypted.
        return { payloads: payloadsOf(req).map((p) => toJson(isEncrypted(p) ? codec.decrypt(p) : p)) };
      });
      scope.post(`${prefix}/encode`, { bodyLimit: 16 * 1024 * 1024 }, async (req) => {
        const codec = authorizedCodec(req, ctx);
        // What is encoded here the workflows accept as RBM Flow's own: said in the log, with who asked.
        ctx().log.warn({ user: req.principal?.userId, payloads: payloadsOf(req).length }, 'payloads encoded through the codec endpoint');
        return { payloads: payloadsOf(req).map((p) => toJson(codec.encrypt(p))) };
      });
    }
  });
}

async function preflight(_req: FastifyRequest, reply: FastifyReply) {
  return reply.code(204).send();
}

function allowedOrigins(ctx: () => AppContext): string[] {
  try {
    return ctx().config.temporalUiOrigins;
  } catch {
    return [];
  }
}

function payloadsOf(req: FastifyRequest): Payload[] {
  const parsed = Body.safeParse(req.body);
  if (!parsed.success) throw new RbmError('invalid_input', `body: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message} (want {"payloads": [{"metadata": {...}, "data": "base64"}]})`);
  return parsed.data.payloads.map(fromJson);
}

/** An administrator, on RBM Flow's namespace: the codec of its Temporal client. */
function authorizedCodec(req: FastifyRequest, ctx: () => AppContext): PayloadEncryptionCodec {
  const p = requirePrincipal(req);
  if (!isAdmin(p)) throw forbidden(`${p.userId} may not use the codec endpoint: administrators only`);
  const c = ctx();
  const header = req.headers['x-namespace'];
  const namespace = (req.params as { namespace?: string }).namespace ?? (typeof header === 'string' ? header : undefined);
  if (namespace && namespace !== c.config.temporalNamespace) throw forbidden(`namespace ${namespace} is not RBM Flow's (${c.config.temporalNamespace})`);
  const codec = c.temporal.options.loadedDataConverter.payloadCodecs.find((x): x is PayloadEncryptionCodec => x instanceof PayloadEncryptionCodec);
  if (!codec) throw new RbmError('internal', 'the Temporal client has no payload encryption codec');
  return codec;
}
