/**
 * GET with a time limit, and what its answer means for a gather run: 2xx is read, 401/403 and other
 * 4xx fail at once (a retry cannot fix a refused token or a wrong URL; 408 and 429 excepted), 5xx and
 * timeouts are retried. Messages name the URL without its query (which may hold a filter or a key).
 */
import { SourceFailure } from './errors.js';

export interface GetOptions {
  headers?: Record<string, string>;
  timeoutMs: number;
  /** Says which credential to check when the source refuses it. */
  credential?: string;
  signal?: AbortSignal;
}

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
  try {
    const res = await fetch(url, { headers: { accept: 'application/json, application/xml;q=0.9, */*;q=0.5', ...o.headers }, signal, redirect: 'follow' });
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
    return await res.text();
  } catch (e) {
    if (e instanceof SourceFailure) throw e;
    if (timeout.aborted) throw SourceFailure.unavailable(`${where} did not answer within ${seconds} (timeoutSeconds)`);
    if (o.signal?.aborted) throw SourceFailure.unavailable(`the request to ${where} was cancelled`);
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw SourceFailure.unavailable(`${where} cannot be reached (${cause?.code ?? cause?.message ?? (e as Error).message})`);
  }
}

export async function httpGetJson(url: string, o: GetOptions): Promise<unknown> {
  const text = await httpGetText(url, o);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw SourceFailure.badAnswer(`${shownUrl(url)} did not answer with JSON (${(e as Error).message}; the answer begins "${text.slice(0, 40).replace(/\s+/g, ' ')}")`);
  }
}
