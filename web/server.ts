/** The HTTP server. For now it answers GET /healthz once the system is ready; pages and the API join later. */
import Fastify, { type FastifyInstance } from 'fastify';

export async function startHttpServer(opts: { port: number; host?: string; isReady: () => boolean }): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  app.get('/healthz', async (_req, reply) => {
    if (!opts.isReady()) return reply.code(503).send({ status: 'starting' });
    return { status: 'ok' };
  });
  await app.listen({ port: opts.port, host: opts.host ?? '127.0.0.1' });
  return app;
}
