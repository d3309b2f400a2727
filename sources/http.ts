/**
 * GET with a time limit, and what its answer means for a gather run: 2xx is read, 401/403 and other
 * 4xx fail at once (a retry cannot fix a refused token or a wrong URL; 408 and 429 excepted), 5xx and
 * timeouts are retried. Messages name the URL without its query (which may hold a filter or a key).
 *
 * A request carrying a credential goes only to its origin (scheme, host and port): a redirect to
 * another origin is refused, not followed with or without the token. The answer is read as it
 * streams and abandoned once it passes `maxBytes` (default 20 MB), never buffered whole first.
 */
import { SourceFailure } from './errors.js';

export interface GetOptions {
  headers?: Record<string, string>;
  timeoutMs: number;
  /** Says which credential to check when the source refuses it. */
  credential?: string;
  signal?: AbortSignal;
  /** The origin the request (and its redirects) may go to; by default that of the URL when a credential is sent. */
  origin?: string;
  /** The largest answer read, in bytes (default DEFAULT_MAX_RESPONSE_BYTES). */
  maxBytes?: number;
  /** Names the source in messages ("source \"kobo\""). */
  source?: string;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 20 * 1024 ** 2;
const MAX_REDIRECTS = 5;

export const shownUrl = (url: string): string => {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
};

export async function httpGetText(url: string, o: GetOptions): Promise<string> {
  const where = shownUrl(url);
  const timeout = AbortSignal.timeout(o.timeoutMs);
  const signal = o.signal ? AbortSignal.any([timeout, o.signal]) : timeout;
  const seconds = `${Math.round(o.timeoutMs / 100) / 10} s`;
  const headers = { accept: 'application/json, application/xml;q=0.9, */*;q=0.5', ...o.headers };
  const credentialed = Object.keys(headers).some((h) => h.toLowerCase() === 'authorization');
  const origin = o.origin ?? (credentialed ? new URL(url).origin : undefined);
  const who = o.source ? `source "${o.source}": ` : '';
  try {
    let current = url;
    let res: Response;
    for (let hops = 0; ; hops++) {
      if (origin && new URL(current).origin !== origin) {
        throw SourceFailure.badAnswer(`${who}${shownUrl(current)} is not on ${origin}, the origin of the source: not requested (its token is sent only there)`);
      }
      res = await fetch(current, { headers, signal, redirect: 'manual' });
      const location = res.status >= 300 && res.status < 400 ? res.headers.get('location') : null;
      if (!location) break;
      await res.body?.cancel();
      if (hops >= MAX_REDIRECTS) throw SourceFailure.badAnswer(`${who}${where} redirects more than ${MAX_REDIRECTS} times`);
      const next = new URL(location, current);
      if (origin && next.origin !== origin) {
        throw SourceFailure.badAnswer(`${who}${where} redirects to ${next.origin}, another origin than ${origin}: not followed (the token of the source is sent only to ${origin})`);
      }
      current = next.toString();
    }
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw SourceFailure.rejected(`${where} refused the credentials (HTTP ${res.status} ${res.statusText || (res.status === 401 ? 'Unauthorized' : 'Forbidden')})${o.credential ? `: check the token in ${o.credential}` : ': the source needs a token (auth)'}`);
    }
    if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
      await res.body?.cancel();
      throw SourceFailure.rejected(`${where} answered HTTP ${res.status} ${res.statusText}: check the URL and the query of the source`.trimEnd());
    }
    if (res.status >= 400) {
      await res.body?.cancel();
      throw SourceFailure.unavailable(`${where} answered HTTP ${res.status} ${res.statusText}`.trimEnd());
    }
    return await readCapped(res, o.maxBytes ?? DEFAULT_MAX_RESPONSE_BYTES, `${who}${where}`);
  } catch (e) {
    if (e instanceof SourceFailure) throw e;
    if (timeout.aborted) throw SourceFailure.unavailable(`${where} did not answer within ${seconds} (timeoutSeconds)`);
    if (o.signal?.aborted) throw SourceFailure.unavailable(`the request to ${where} was cancelled`);
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw SourceFailure.unavailable(`${where} cannot be reached (${cause?.code ?? cause?.message ?? (e as Error).message})`);
  }
}

/** The body as UTF-8 text, read chunk by chunk and abandoned once it passes `maxBytes`. */
async function readCapped(res: Response, maxBytes: number, where: string): Promise<string> {
  const tooLarge = () => SourceFailure.badAnswer(`${where} answered more than ${megabytes(maxBytes)} (the limit of the source, maxResponseMegabytes): ask for smaller pages or raise the limit`);
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw tooLarge();
  }
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return new TextDecoder('utf-8').decode(Buffer.concat(chunks));
}

const megabytes = (bytes: number) => `${Math.round((bytes / 1024 ** 2) * 10) / 10} MB`;

export async function httpGetJson(url: string, o: GetOptions): Promise<unknown> {
  const text = await httpGetText(url, o);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw SourceFailure.badAnswer(`${shownUrl(url)} did not answer with JSON (${(e as Error).message}; the answer begins "${text.slice(0, 40).replace(/\s+/g, ' ')}")`);
  }
}
