/** A user agent for the web specs: a cookie jar, signs in through the log-in form like a browser. */
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { demoPassword, setDemoPasswords } from '../../app/auth.js';
import type { AppContext } from '../../app/context.js';
import { loadConfig } from '../../config/config.js';
import type { Pool } from '../../db/pool.js';
import { createLogger } from '../../runtime/logger.js';
import { startHttpServer } from '../../web/server.js';
import { freePort } from './global-setup.js';

let webBase = '';
/** The base URL of the web server the spec started. */
export function useWebServer(base: string): void {
  webBase = base;
}

/** A context with only a database, for specs of pages that need no Temporal client. */
export const databaseOnlyContext = (pool: Pool, name: string): AppContext =>
  ({ config: loadConfig({}), log: createLogger('warn', name), pool }) as unknown as AppContext;

/** The web application over `ctx` on a free port, the demo users' passwords set; agents talk to it. Close it after. */
export async function serveWeb(ctx: AppContext): Promise<FastifyInstance> {
  await setDemoPasswords(ctx);
  const port = await freePort();
  const http = await startHttpServer({ port, isReady: () => true, context: () => ctx });
  useWebServer(`http://127.0.0.1:${port}`);
  return http;
}

export class Agent {
  cookies = new Map<string, string>();
  csrf = '';
  constructor(readonly user: string | null) {}

  async fetch(path: string, init: RequestInit & { form?: Record<string, string>; json?: unknown } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    let body = init.body;
    if (init.form) {
      headers.set('content-type', 'application/x-www-form-urlencoded');
      body = new URLSearchParams(init.form).toString();
    } else if (init.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(init.json);
    }
    const res = await fetch(webBase + path, { ...init, headers, body, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      const value = pair!.slice(i + 1);
      if (value === '' || /Expires=Thu, 01 Jan 1970/i.test(c)) this.cookies.delete(pair!.slice(0, i));
      else this.cookies.set(pair!.slice(0, i), value);
    }
    return res;
  }

  async formToken(path: string): Promise<string> {
    const html = await (await this.fetch(path)).text();
    const m = /name="_csrf" value="([^"]+)"/.exec(html);
    if (!m) throw new Error(`no CSRF token on ${path}`);
    return m[1]!;
  }

  async login(password = demoPassword(this.user!)): Promise<Response> {
    const token = await this.formToken('/login');
    return this.fetch('/login', { method: 'POST', form: { _csrf: token, username: this.user!, password, next: '/' } });
  }

  static async signedIn(user: string | null): Promise<Agent> {
    const a = new Agent(user);
    if (!user) return a;
    const res = await a.login();
    expect(res.status, `log-in of ${user}`).toBe(302);
    const me = await (await a.fetch('/api/v1/me')).json();
    a.csrf = me.csrfToken;
    return a;
  }

  post(path: string, json: unknown) {
    return this.fetch(path, { method: 'POST', json, headers: { 'x-csrf-token': this.csrf } });
  }
  postForm(path: string, form: Record<string, string>) {
    return this.fetch(path, { method: 'POST', form: { ...form, _csrf: this.csrf } });
  }
  async json(path: string): Promise<any> {
    const res = await this.fetch(path);
    expect(res.status, path).toBe(200);
    return res.json();
  }
}
