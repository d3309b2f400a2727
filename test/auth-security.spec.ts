/**
 * Issue #14, the attacks on log-in, sessions, passwords and redirects, replayed over real HTTP (and
 * `rbm` as a process) against the real PostgreSQL of the global setup:
 * - 4: the log-in limit keys on the name as the look-up compares it ("admin " is "admin"), a limit per
 *   address stops guessing across names, and behind a proxy only the configured hops are trusted;
 * - 6: a password change or an administrator's reset ends the user's other sessions and API tokens;
 *   tokens expire, show when they were last used, and an administrator revokes any user's tokens;
 * - 7: `rbm start` on a configured database never gives a demo user the published demo password;
 * - 8: `next` after log-in is a path of this site or '/'; the log-in form's CSRF check holds whatever
 *   the spelling of its path.
 *
 * Data: a database of its own with the demo portfolio's users (demo passwords set as on the embedded
 * setup), served by web servers the spec starts with the limits each case needs.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { demoPassword, hashPassword, setDemoPasswords } from '../app/auth.js';
import type { AppContext } from '../app/context.js';
import { loadConfig, PROJECT_ROOT } from '../config/config.js';
import { setPasswordHash } from '../db/auth-repository.js';
import type { Pool } from '../db/pool.js';
import { upsertUsers } from '../db/users-repository.js';
import { demoUsers } from '../demo/portfolio.js';
import { startHttpServer, type HttpServerOptions } from '../web/server.js';
import { freePort } from './support/global-setup.js';
import { ownDatabase } from './support/own-database.js';
import { runRbm } from './support/rbm-process.js';
import { Agent, databaseOnlyContext, useWebServer } from './support/web-agent.js';

let pool: Pool;
let databaseUrl: string;
let ctx: AppContext;
const servers: FastifyInstance[] = [];
let base = '';

beforeAll(async () => {
  ({ pool, databaseUrl } = await ownDatabase('auth_security', { demoThrough: '2025-Q1' }));
  ctx = databaseOnlyContext(pool, 'auth-security');
  await setDemoPasswords(ctx);
});
afterAll(async () => {
  for (const s of servers) await s.close();
  await pool?.end();
});

/** A web server over the spec's database; agents talk to the last one started. */
async function serve(opts: Partial<HttpServerOptions> = {}): Promise<void> {
  const port = await freePort();
  servers.push(await startHttpServer({ port, isReady: () => true, context: () => ctx, loginRateLimit: { max: 1000, windowMs: 60_000, maxPerAddress: 1000 }, ...opts }));
  base = `http://127.0.0.1:${port}`;
  useWebServer(base);
}

/** One log-in attempt as a browser makes it (the form first, for its CSRF token), with extra headers. */
async function attempt(user: string, password: string, headers: Record<string, string> = {}, next = '/'): Promise<Response> {
  const a = new Agent(user);
  const html = await (await a.fetch('/login', { headers })).text();
  const token = /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
  return a.fetch('/login', { method: 'POST', headers, form: { _csrf: token, username: user, password, next } });
}

/** An agent signed in with a given password, holding its CSRF token. */
async function signedInWith(user: string, password: string): Promise<Agent> {
  const a = new Agent(user);
  expect((await a.login(password)).status, `log-in of ${user}`).toBe(302);
  a.csrf = (await a.json('/api/v1/me')).csrfToken;
  return a;
}

const bearer = (token: string, url = '/api/v1/me') => fetch(base + url, { headers: { authorization: `Bearer ${token}` } });
async function newToken(a: Agent, form: Record<string, string> = {}): Promise<string> {
  const res = await a.postForm('/account/tokens', { name: 'script', ...form });
  expect(res.status).toBe(200);
  return /<code class="token">(rbm_[^<]+)<\/code>/.exec(await res.text())![1]!;
}
const goesToLogin = (res: Response) => res.status === 302 && /^\/login/.test(res.headers.get('location') ?? '');

describe('#14.4 log-in limits', () => {
  it('counts "admin", "admin ", " ADMIN"… as one name, the name the look-up uses', async () => {
    await serve({ loginRateLimit: { max: 3, windowMs: 60_000, maxPerAddress: 1000 } });
    const statuses: number[] = [];
    for (const name of ['admin', 'admin ', 'admin  ', ' ADMIN', 'Admin\t']) statuses.push((await attempt(name, 'wrong-password')).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    expect((await attempt('admin', demoPassword('admin'))).status).toBe(429); // the name is limited, right password or not
    // Another user from the same address is not locked out, and the look-up normalises as the limit does.
    expect((await attempt(' Viewer ', demoPassword('viewer'))).status).toBe(302);
  });

  it('limits the attempts of one address across names', async () => {
    await serve({ loginRateLimit: { max: 1000, windowMs: 60_000, maxPerAddress: 5 } });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await attempt(`nobody-${i}`, 'wrong-password')).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
  });

  it('behind a proxy trusts one hop by default: the client cannot pick its address in X-Forwarded-For', async () => {
    expect(loadConfig({ RBM_TRUST_PROXY: 'true' }).trustProxy).toBe(1);
    expect(loadConfig({ RBM_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({}).trustProxy).toBe(false);
    await serve({ trustProxy: true, loginRateLimit: { max: 1000, windowMs: 60_000, maxPerAddress: 3 } });
    // The proxy appends the address it saw (203.0.113.7); the left part is whatever the client sent.
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await attempt(`someone-${i}`, 'wrong-password', { 'x-forwarded-for': `198.51.100.${i}, 203.0.113.7` })).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    // Another client behind the same proxy is its own address.
    expect((await attempt('someone-else', 'wrong-password', { 'x-forwarded-for': '203.0.113.8' })).status).toBe(401);
  });
});

describe('#14.6 sessions and API tokens', () => {
  beforeAll(() => serve());

  it('a password change ends the other sessions and the API tokens; the session that changed it stays', async () => {
    const a = await Agent.signedIn('pm.wash');
    const b = await Agent.signedIn('pm.wash');
    const token = await newToken(b);
    expect((await bearer(token)).status).toBe(200);
    // A request of b in flight during the change may save its session again afterwards.
    const before = (await pool.query(`SELECT sid, user_id, data, expires_at FROM web_sessions WHERE user_id = 'pm.wash'`)).rows;
    expect(before).toHaveLength(2);

    const changed = await a.postForm('/account/password', { current: demoPassword('pm.wash'), password: 'a-new-long-password', confirm: 'a-new-long-password' });
    expect(changed.status).toBe(302);
    for (const r of before) {
      await pool.query('INSERT INTO web_sessions (sid, user_id, data, expires_at) VALUES ($1,$2,$3,$4) ON CONFLICT (sid) DO NOTHING', [r.sid, r.user_id, r.data, r.expires_at]);
    }
    expect((await a.fetch('/account/tokens')).status).toBe(200);
    expect(goesToLogin(await b.fetch('/account/tokens'))).toBe(true);
    expect((await bearer(token)).status).toBe(401);
    expect((await attempt('pm.wash', 'a-new-long-password')).status).toBe(302);
  });

  it('an administrator\u2019s reset (web or command line) ends all the user\u2019s sessions and tokens', async () => {
    const user = await Agent.signedIn('pm.health');
    const apiToken = (await (await user.post('/api/v1/tokens', { name: 'bi' })).json()).token as string;
    expect((await bearer(apiToken)).status).toBe(200);
    // Only an administrator may.
    expect((await user.postForm('/admin/users/pm.wash/password', { password: 'x-long-password', confirm: 'x-long-password' })).status).toBe(403);
    expect((await user.postForm('/admin/users/admin/tokens/revoke', {})).status).toBe(403);

    const admin = await Agent.signedIn('admin');
    expect((await admin.postForm('/admin/users/pm.health/password', { password: 'reset-by-admin-1', confirm: 'reset-by-admin-1' })).status).toBe(302);
    expect(goesToLogin(await user.fetch('/reports'))).toBe(true);
    expect((await bearer(apiToken)).status).toBe(401);
    expect((await attempt('pm.health', demoPassword('pm.health'))).status).toBe(401);

    const again = await signedInWith('pm.health', 'reset-by-admin-1');
    const cliEnv = { ...process.env, DATABASE_URL: databaseUrl, RBM_DATA_DIR: path.join(inject('scratchDir'), 'auth-security-data') };
    const reset = await runRbm(['users', 'set-password', 'pm.health'], cliEnv);
    expect(reset.code, reset.stderr).toBe(0);
    const printed = /shown once[^:]*: (\S+)/.exec(reset.stdout)![1]!;
    expect(goesToLogin(await again.fetch('/reports'))).toBe(true);
    expect((await attempt('pm.health', printed)).status).toBe(302);
    expect((await runRbm(['users', 'set-password', 'nobody-at-all'], cliEnv)).code).toBe(4);
  });

  it('an administrator revokes every token of a user (web or command line); the user stays signed in', async () => {
    const user = await Agent.signedIn('me.officer');
    const t1 = await newToken(user);
    const admin = await Agent.signedIn('admin');
    expect((await admin.postForm('/admin/users/me.officer/tokens/revoke', {})).status).toBe(302);
    expect((await bearer(t1)).status).toBe(401);
    expect((await user.fetch('/account/tokens')).status).toBe(200);

    const t2 = await newToken(user);
    expect((await bearer(t2)).status).toBe(200);
    const r = await runRbm(['users', 'revoke-tokens', 'me.officer'], { ...process.env, DATABASE_URL: databaseUrl, RBM_DATA_DIR: path.join(inject('scratchDir'), 'auth-security-data') });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Revoked 1 API token/);
    expect((await bearer(t2)).status).toBe(401);
  });

  it('API tokens expire (chosen at creation, 90 days by default) and show when they were last used', async () => {
    const a = await Agent.signedIn('viewer');
    const days = async (token: string) => {
      const { rows } = await pool.query(`SELECT id, extract(epoch FROM expires_at - created_at) / 86400 AS days FROM api_tokens WHERE user_id = 'viewer' ORDER BY created_at DESC LIMIT 1`);
      expect(rows).toHaveLength(1);
      return { id: rows[0].id as string, days: Math.round(Number(rows[0].days)), token };
    };
    const week = await days(await newToken(a, { expiresInDays: '7' }));
    expect(week.days).toBe(7);
    expect((await days(await newToken(a))).days).toBe(90);
    await a.post('/api/v1/tokens', { name: 'api' });
    expect((await days('')).days).toBe(90);
    const month = await a.post('/api/v1/tokens', { name: 'api', expiresInDays: 30 });
    expect(month.status).toBe(201);
    expect(Date.parse((await month.json()).expiresAt)).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect((await days('')).days).toBe(30);
    expect((await a.post('/api/v1/tokens', { name: 'api', expiresInDays: 366 })).status).toBe(400);
    expect((await a.postForm('/account/tokens', { name: 'x', expiresInDays: '400' })).status).toBe(400);
    expect((await a.postForm('/account/tokens', { name: 'x', expiresInDays: '0' })).status).toBe(400);

    expect((await bearer(week.token)).status).toBe(200);
    const row = (html: string) => new RegExp(`<tr data-token="${week.id}">(.*?)</tr>`, 's').exec(html)?.[1] ?? '';
    const page = row(await (await a.fetch('/account/tokens')).text());
    expect(page).toMatch(/<td class="last-used">\d{4}-\d\d-\d\d \d\d:\d\d UTC<\/td>/);
    expect(page).toMatch(/active/);

    await pool.query(`UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [week.id]);
    expect((await bearer(week.token)).status).toBe(401);
    expect(row(await (await a.fetch('/account/tokens')).text())).toMatch(/expired/);
  });
});

describe('#14.8 redirects and CSRF at log-in', () => {
  beforeAll(() => serve());

  it('sends the user after log-in only to a path of this site', async () => {
    const form = await (await new Agent(null).fetch('/login?next=%2F%09%2Fevil.example')).text();
    expect(form).toContain('name="next" value="/"');
    const bad = ['/\t/evil.example', '//evil.example', '/\\evil.example', '/\\/evil.example', 'https://evil.example/', 'javascript:alert(1)',
      '/\r\nSet-Cookie: x=y', '/a\nb', '/\u0000x', '/caf\u00e9', ' /reports'];
    for (const next of bad) {
      const res = await attempt('donor.eu', demoPassword('donor.eu'), {}, next);
      expect(res.status, JSON.stringify(next)).toBe(302);
      expect(res.headers.get('location'), JSON.stringify(next)).toBe('/');
    }
    const good = await attempt('donor.eu', demoPassword('donor.eu'), {}, '/reports?period=2025-Q1');
    expect(good.headers.get('location')).toBe('/reports?period=2025-Q1');
  });

  it('checks the log-in form\u2019s CSRF token whatever the spelling of its path', async () => {
    for (const spelling of ['/login', '/%6cogin', '/%6C%6F%67%69%6E', '/logi%6e']) {
      const a = new Agent('donor.eu');
      const token = await a.formToken('/login');
      const without = await a.fetch(spelling, { method: 'POST', form: { username: 'donor.eu', password: demoPassword('donor.eu'), next: '/' } });
      expect(without.status, spelling).toBe(403);
      const forged = await a.fetch(spelling, { method: 'POST', form: { _csrf: 'forged', username: 'donor.eu', password: demoPassword('donor.eu'), next: '/' } });
      expect(forged.status, spelling).toBe(403);
      expect((await a.fetch(spelling, { method: 'POST', form: { _csrf: token, username: 'donor.eu', password: demoPassword('donor.eu'), next: '/' } })).status, spelling).toBe(302);
    }
    // A signed-in session's forms too, whatever the spelling.
    const a = await Agent.signedIn('donor.eu');
    expect((await a.fetch('/%6cogout', { method: 'POST', form: {} })).status).toBe(403);
    expect((await a.fetch('/account/%74okens', { method: 'POST', form: { name: 'x' } })).status).toBe(403);
  });
});

describe('#14.7 demo passwords', () => {
  it('`rbm start` on a configured database gives no demo user a known password, and removes one left by an older version', async () => {
    const own = await ownDatabase('auth_demo_start', {}); // migrated, empty
    try {
      // An older version gave "admin" the published password in this database.
      await upsertUsers(own.pool, demoUsers().filter((u) => u.id === 'admin'));
      await setPasswordHash(own.pool, 'admin', await hashPassword(demoPassword('admin')), true);

      const port = await freePort();
      const child = spawn('node', ['bin/rbm.js', 'start'], {
        cwd: PROJECT_ROOT,
        env: {
          ...process.env, PORT: String(port), DATABASE_URL: own.databaseUrl, RBM_LOAD_DEMO: 'true',
          TEMPORAL_ADDRESS: inject('temporalAddress'), SMTP_URL: inject('smtpUrl'), RBM_TASK_QUEUE: 'test-auth-start', RBM_RENDER_TASK_QUEUE: 'test-auth-start-render',
          RBM_DATA_DIR: path.join(inject('scratchDir'), 'auth-start-data'), RBM_OUT_DIR: path.join(inject('scratchDir'), 'auth-start-out'),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      try {
        let healthy = 0;
        for (let i = 0; i < 600 && healthy !== 200; i++) {
          healthy = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status, () => 0);
          if (healthy !== 200) await new Promise((r) => setTimeout(r, 200));
        }
        expect(healthy, output).toBe(200);
        expect(output).toMatch(/loaded the demo portfolio/);
        expect(output).not.toMatch(/demo-pass/);
        expect((await own.pool.query('SELECT user_id FROM user_credentials')).rows).toEqual([]);
        base = `http://127.0.0.1:${port}`;
        useWebServer(base);
        for (const user of ['admin', 'pm.governance', 'me.officer']) expect((await attempt(user, demoPassword(user))).status, user).toBe(401);
      } finally {
        child.kill('SIGTERM');
        expect(await exited).toBe(0);
      }
    } finally {
      await own.pool.end();
    }
  }, 240_000);
});
