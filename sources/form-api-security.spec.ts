/**
 * Issue 14, item 8a: the form-API source sends its token only to the origin of its URL, and reads no
 * more than its maximum answer size. Two HTTP servers on 127.0.0.1 on two ports are two origins.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseSourcesConfig, type FormApiSourceDefinition } from './config.js';
import { fetchFormApi } from './form-api.js';

interface Seen {
  path: string;
  authorization: string | undefined;
}
type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

function server() {
  const seen: Seen[] = [];
  let handler: Handler = (_req, res) => res.end('{}');
  const srv = http.createServer((req, res) => {
    seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
    handler(req, res);
  });
  return {
    seen,
    handle: (h: Handler) => (handler = h),
    origin: () => `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
    start: () => new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve)),
    stop: () => new Promise<void>((resolve) => {
      srv.closeAllConnections();
      srv.close(() => resolve());
    }),
  };
}

const home = server();
const elsewhere = server();
beforeAll(async () => {
  await home.start();
  await elsewhere.start();
});
afterAll(async () => {
  await home.stop();
  await elsewhere.stop();
});
afterEach(() => {
  home.seen.length = 0;
  elsewhere.seen.length = 0;
});

const env = { KOBO_TOKEN: 'secret-token' };
function source(extra: object = {}): FormApiSourceDefinition {
  const s = parseSourcesConfig({
    sources: [{
      id: 'kobo', kind: 'form-api', project: 'LY10P0563', url: `${home.origin()}/api/v2/assets/a1/data/`, auth: { token: { env: 'KOBO_TOKEN' } }, retries: 1, timeoutSeconds: 10,
      mapping: { period: { field: 'p' }, values: [{ field: 'n', indicator: 'OP1.1.b' }] }, ...extra,
    }],
  }, '/x/sources.json').sources[0]!;
  if (s.kind !== 'form-api') throw new Error('not a form source');
  return s;
}
const json = (body: unknown): Handler => (_req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
};

describe('the token goes only to the origin of the source', () => {
  it('follows a next page on the same origin, with the token', async () => {
    home.handle((req, res) => json(req.url!.startsWith('/page2') ? { results: [{ _id: 2, p: '2025-Q3', n: 4 }], next: null } : { results: [{ _id: 1, p: '2025-Q3', n: 3 }], next: '/page2' })(req, res));
    const got = await fetchFormApi(source(), { watermark: null, env });
    expect(got.pages).toBe(2);
    expect(home.seen.map((s) => s.authorization)).toEqual(['Token secret-token', 'Token secret-token']);
  });

  it('refuses a next page on another origin, naming the source, and never requests it', async () => {
    home.handle(json({ results: [{ _id: 1, p: '2025-Q3', n: 3 }], next: `${elsewhere.origin()}/steal?page=2` }));
    await expect(fetchFormApi(source(), { watermark: null, env })).rejects.toThrow(
      `source "kobo": page 1 points its next page to ${elsewhere.origin()}, another origin than ${home.origin()} (that of the source's URL): not followed`,
    );
    expect(home.seen).toHaveLength(1);
    expect(elsewhere.seen).toEqual([]); // neither with the token nor without it
  });

  it('refuses a redirect to another origin, and never requests it', async () => {
    home.handle((_req, res) => {
      res.writeHead(302, { location: `${elsewhere.origin()}/steal` });
      res.end();
    });
    elsewhere.handle(json({ results: [], next: null }));
    await expect(fetchFormApi(source(), { watermark: null, env })).rejects.toThrow(
      `source "kobo": ${home.origin()}/api/v2/assets/a1/data/ redirects to ${elsewhere.origin()}, another origin than ${home.origin()}: not followed`,
    );
    expect(elsewhere.seen).toEqual([]);
  });
});

describe('the size of an answer', () => {
  it('is 20 MB at most unless configured', () => {
    expect(source().maxResponseMegabytes).toBe(20);
    expect(source({ maxResponseMegabytes: 1 }).maxResponseMegabytes).toBe(1);
  });

  it('is enforced while the answer streams, not after it is read whole', async () => {
    let written = 0;
    home.handle((_req, res) => {
      // 64 MB of one JSON string, streamed without a content-length, written as fast as it is read.
      res.setHeader('content-type', 'application/json');
      const chunk = Buffer.alloc(256 * 1024, 'a');
      res.write('{"results": [], "next": null, "padding": "');
      const more = () => {
        while (written < 64 * 1024 ** 2) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end('"}');
      };
      res.on('close', () => res.removeAllListeners('drain'));
      more();
    });
    await expect(fetchFormApi(source({ maxResponseMegabytes: 1 }), { watermark: null, env })).rejects.toThrow(
      `source "kobo": ${home.origin()}/api/v2/assets/a1/data/ answered more than 1 MB (the limit of the source, maxResponseMegabytes)`,
    );
    expect(written).toBeLessThan(16 * 1024 ** 2); // the client stopped reading long before the 64 MB
  });

  it('refuses an answer whose declared length is over the limit without reading it', async () => {
    home.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(3 * 1024 ** 2) });
      res.write('{"results": []');
    });
    await expect(fetchFormApi(source({ maxResponseMegabytes: 2 }), { watermark: null, env })).rejects.toThrow(/answered more than 2 MB/);
  });
});
