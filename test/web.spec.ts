/**
 * The web application over real HTTP: log-in and sessions, CSRF, the log-in rate limit, API tokens,
 * zod validation naming the field, /openapi.json, and a donor's view of the portal (the authorization
 * matrix, every role against every registered route, is test/authorization-matrix.spec.ts).
 *
 * Data: the demo portfolio; project LY10P0570 (VHR: manager pm.vhr, donors EU and DONOR-B) with a
 * completed cycle for 2023-Q1 and one awaiting the manager's approval for 2023-Q2.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPassword, setDemoPasswords } from '../app/auth.js';
import { decide, resubmit, startCycle, waitForCycleState, waitForStep } from '../app/cycles.js';
import { recordValues } from '../db/values-repository.js';
import { loadDemoPortfolio } from '../app/portfolio.js';
import type { CycleStatus } from '../domain/report-cycle.js';
import { startHttpServer } from '../web/server.js';
import { freePort } from './support/global-setup.js';
import { startTestSystem, type TestSystem } from './support/test-system.js';
import { Agent, useWebServer } from './support/web-agent.js';

const PROJECT = 'LY10P0570';
const TEMPLATE = 'iom-donor-report';
let sys: TestSystem;
let http: FastifyInstance;
let base: string;
let done: CycleStatus; // 2023-Q1, completed
let open: CycleStatus; // 2023-Q2, awaiting pm.vhr


beforeAll(async () => {
  sys = await startTestSystem('web');
  await loadDemoPortfolio(sys.ctx, '2025-Q4');
  await setDemoPasswords(sys.ctx);
  const port = await freePort();
  http = await startHttpServer({ port, isReady: () => true, context: () => sys.ctx, loginRateLimit: { max: 5, windowMs: 60_000 } });
  base = `http://127.0.0.1:${port}`;
  useWebServer(base);

  const q1 = await startCycle(sys.ctx, { projectCode: PROJECT, period: '2023-Q1', startedBy: 'me.officer' });
  const q2 = await startCycle(sys.ctx, { projectCode: PROJECT, period: '2023-Q2', startedBy: 'me.officer' });
  await waitForStep(sys.ctx, q1.cycleId, 1, 0);
  await decide(sys.ctx, q1.cycleId, { decision: 'approve', by: 'pm.vhr' });
  await waitForStep(sys.ctx, q1.cycleId, 1, 1);
  await decide(sys.ctx, q1.cycleId, { decision: 'approve', by: 'com.libya' });
  done = await waitForCycleState(sys.ctx, q1.cycleId, ['completed']);
  open = await waitForStep(sys.ctx, q2.cycleId, 1, 0);
});
afterAll(async () => {
  await http?.close();
  await sys?.stop();
});

const USERS = [null, 'admin', 'me.officer', 'pm.vhr', 'pm.governance', 'com.libya', 'donor.eu', 'donor.a', 'viewer'] as const;
type User = (typeof USERS)[number];

describe('log-in and sessions', () => {
  it('stores argon2id hashes, signs in with a fresh HttpOnly session cookie, refuses a wrong password, and signs out', async () => {
    const { rows } = await sys.ctx.pool.query(`SELECT password_hash FROM user_credentials WHERE user_id = 'pm.vhr'`);
    expect(rows[0].password_hash).toMatch(/^\$argon2id\$/);
    expect(await setDemoPasswords(sys.ctx)).toEqual([]); // set once: a later start prints nothing

    const a = new Agent('pm.vhr');
    const before = (await a.formToken('/login'), a.cookies.get('rbm_session'));
    const res = await a.login();
    expect(res.status).toBe(302);
    const setCookie = res.headers.getSetCookie().join('\n');
    expect(setCookie).toMatch(/rbm_session=.*HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(a.cookies.get('rbm_session')).not.toBe(before); // a new session id at log-in
    expect((await a.fetch('/inbox')).status).toBe(200);

    const wrong = await new Agent('pm.vhr').login('not-the-password');
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toMatch(/user name or the password is not right/);

    const token = await a.formToken('/inbox');
    expect((await a.fetch('/logout', { method: 'POST', form: { _csrf: token } })).status).toBe(302);
    const after = await a.fetch('/inbox');
    expect(after.status).toBe(302);
    expect(after.headers.get('location')).toMatch(/^\/login\?next=/);
  });

  it('lets a user change the password (the current one is asked for)', async () => {
    const a = await Agent.signedIn('pm.wash');
    const wrong = await a.postForm('/account/password', { current: 'nope', password: 'a-new-long-password', confirm: 'a-new-long-password' });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toMatch(/current password is not right/);
    const short = await a.postForm('/account/password', { current: demoPassword('pm.wash'), password: 'short', confirm: 'short' });
    expect(short.status).toBe(400);
    const ok = await a.postForm('/account/password', { current: demoPassword('pm.wash'), password: 'a-new-long-password', confirm: 'a-new-long-password' });
    expect(ok.status).toBe(302);
    expect((await new Agent('pm.wash').login()).status).toBe(401);
    expect((await new Agent('pm.wash').login('a-new-long-password')).status).toBe(302);
  });

  it('refuses a form or API call without the CSRF token', async () => {
    const a = await Agent.signedIn('pm.vhr');
    const form = await a.fetch(`/cycles/${PROJECT}/2023-Q2/${TEMPLATE}/decide`, { method: 'POST', form: { decision: 'approve', version: '1' } });
    expect(form.status).toBe(403);
    const api = await a.fetch(`/api/v1/cycles/${PROJECT}/2023-Q2/${TEMPLATE}/decide`, { method: 'POST', json: { decision: 'approve', version: 99 } });
    expect(api.status).toBe(403);
    expect((await api.json()).error).toBe('csrf');
    const bad = await a.fetch(`/api/v1/cycles/${PROJECT}/2023-Q2/${TEMPLATE}/decide`, { method: 'POST', json: { decision: 'approve', version: 99 }, headers: { 'x-csrf-token': 'forged' } });
    expect(bad.status).toBe(403);
    // Without a session there is nothing to forge: a log-in form posted without a token is refused too.
    const noToken = await new Agent('pm.vhr').fetch('/login', { method: 'POST', form: { username: 'pm.vhr', password: demoPassword('pm.vhr') } });
    expect(noToken.status).toBe(403);
  });

  it('rate-limits log-in attempts per address and user name', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await new Agent('donor.pooled').login('wrong-password')).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    // Another user from the same address is not locked out.
    expect((await new Agent('donor.b').login()).status).toBe(302);
  });
});

describe('server without an application context', () => {
  it('answers only /healthz, as `rbm start` did before the web application', async () => {
    const port = await freePort();
    const bare = await startHttpServer({ port, isReady: () => true });
    try {
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/login`)).status).toBe(404);
    } finally {
      await bare.close();
    }
  });

  it('answers 503 on pages and the API while `rbm start` is still booting, then serves them', async () => {
    const port = await freePort();
    let ready = false;
    let ctx: typeof sys.ctx | undefined;
    const booting = await startHttpServer({ port, isReady: () => ready, context: () => ctx });
    try {
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(503);
      expect((await fetch(`http://127.0.0.1:${port}/login`)).status).toBe(503);
      expect((await fetch(`http://127.0.0.1:${port}/api/v1/projects`, { headers: { authorization: 'Bearer rbm_x' } })).status).toBe(503);
      ctx = sys.ctx;
      ready = true;
      expect((await fetch(`http://127.0.0.1:${port}/login`)).status).toBe(200);
    } finally {
      await booting.close();
    }
  });
});

describe('HTTP API', () => {
  it('validates bodies and queries with zod: a 400 names the field', async () => {
    const me = await Agent.signedIn('me.officer');
    const r1 = await me.post('/api/v1/cycles', { project: PROJECT });
    expect(r1.status).toBe(400);
    expect(await r1.json()).toMatchObject({ error: 'invalid_input', field: 'period', in: 'body' });
    const r2 = await me.post('/api/v1/cycles', { project: PROJECT, period: '2023-Q9' });
    expect(await r2.json()).toMatchObject({ field: 'period', message: expect.stringMatching(/a period/) });
    const r3 = await me.fetch('/api/v1/cycles?state=done');
    expect(r3.status).toBe(400);
    expect(await r3.json()).toMatchObject({ field: 'state', in: 'query' });
    const pm = await Agent.signedIn('pm.vhr');
    const r4 = await pm.post(`/api/v1/cycles/${PROJECT}/2023-Q2/${TEMPLATE}/decide`, { decision: 'return' });
    expect(r4.status).toBe(400);
    expect(await r4.json()).toMatchObject({ field: 'comment' });
    const r5 = await pm.post(`/api/v1/cycles/${PROJECT}/2023-Q2/${TEMPLATE}/decide`, { decision: 'maybe' });
    expect(await r5.json()).toMatchObject({ field: 'decision' });
  });

  it('serves /openapi.json generated from the same schemas', async () => {
    const res = await fetch(`${base}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(doc.openapi).toMatch(/^3\.1/);
    const decideOp = doc.paths['/api/v1/cycles/{project}/{period}/{template}/decide'].post;
    expect(decideOp.requestBody.content['application/json'].schema.properties.decision.enum).toEqual(['approve', 'return']);
    expect(doc.paths['/api/v1/cycles'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['state', 'project']);
    expect(doc.paths['/api/v1/cycles'].post.requestBody.content['application/json'].schema.required).toEqual(['project', 'period']);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/projects', '/api/v1/projects/{code}/indicators', '/api/v1/files/{id}', '/api/v1/cycles/{project}/{period}/{template}/history']));
  });

  it('accepts API tokens (Bearer) for machines, without CSRF, until revoked', async () => {
    const me = await Agent.signedIn('me.officer');
    const created = await me.post('/api/v1/tokens', { name: 'nightly export' });
    expect(created.status).toBe(201);
    const { token, id } = await created.json();
    expect(token).toMatch(/^rbm_/);
    const auth = { authorization: `Bearer ${token}` };
    const projects = await fetch(`${base}/api/v1/projects`, { headers: auth });
    expect(projects.status).toBe(200);
    expect((await projects.json()).map((p: { code: string }) => p.code)).toContain(PROJECT);
    const history = await fetch(`${base}/api/v1/cycles/${PROJECT}/2023-Q1/${TEMPLATE}/history`, { headers: auth });
    expect((await history.json()).length).toBeGreaterThan(3);
    // A POST with a token needs no CSRF token (no cookie is involved): here the workflow refuses it.
    const resub = await fetch(`${base}/api/v1/cycles/${PROJECT}/2023-Q2/${TEMPLATE}/resubmit`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{}' });
    expect(resub.status).toBe(409);
    expect((await fetch(`${base}/api/v1/projects`, { headers: { authorization: 'Bearer rbm_nope' } })).status).toBe(401);
    const { rows } = await sys.ctx.pool.query('SELECT token_sha256 FROM api_tokens WHERE id = $1', [id]);
    expect(rows[0].token_sha256).not.toContain(token);
    await me.postForm(`/account/tokens/${id}/revoke`, {});
    expect((await fetch(`${base}/api/v1/projects`, { headers: auth })).status).toBe(401);
  });
});

const agents = new Map<User, Agent>(); // signed in once (the log-in limit counts every attempt)

// The authorization matrix (each role against each registered route) is generated in
// test/authorization-matrix.spec.ts; here the donor's view of this spec's cycles.
describe('the donor portal', () => {
  beforeAll(async () => {
    for (const u of USERS) agents.set(u, await Agent.signedIn(u));
  });

  it('a donor sees only the final reports of the projects it funds', async () => {
    const eu = await (await agents.get('donor.eu')!.fetch('/api/v1/reports')).json();
    expect(eu.map((r: { cycleId: string }) => r.cycleId)).toContain(done.cycleId);
    const a = await (await agents.get('donor.a')!.fetch('/api/v1/reports')).json();
    expect(a.map((r: { projectCode: string }) => r.projectCode)).not.toContain(PROJECT);
    const page = await (await agents.get('donor.eu')!.fetch('/reports')).text();
    expect(page).toContain(PROJECT);
    expect(page).not.toContain('/portfolio');
  });
});

describe('a decision through the API', () => {
  it('the manager approves with an API token; the Chief of Mission returns through the session API; the history records both', async () => {
    const pm = agents.get('pm.vhr')!;
    const { token } = await (await pm.post('/api/v1/tokens', { name: 'approvals script' })).json();
    const res = await fetch(`${base}/api/v1/cycles/${PROJECT}/2023-Q2/${TEMPLATE}/decide`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'approve', version: open.version, comment: 'fine' }),
    });
    expect(res.status).toBe(200);
    expect((await res.json()).decisions).toContainEqual(expect.objectContaining({ by: 'pm.vhr', decision: 'approve', version: 1 }));
    await waitForStep(sys.ctx, open.cycleId, 1, 1);

    const com = agents.get('com.libya')!;
    const inbox = await (await com.fetch('/api/v1/inbox')).json();
    expect(inbox.map((c: { id: string }) => c.id)).toContain(open.cycleId);
    const ret = await com.post(`/api/v1/cycles/${PROJECT}/2023-Q2/${TEMPLATE}/decide`, { decision: 'return', comment: 'Add the Q2 narrative.' });
    expect(ret.status).toBe(200);
    expect((await ret.json()).state).toBe('returned');
    // The audit trail is written by the workflow's activity, just after the Update returns.
    await expect.poll(async () => {
      const history = await (await com.fetch(`/api/v1/cycles/${PROJECT}/2023-Q2/${TEMPLATE}/history`)).json();
      return history.map((e: { actor: string; action: string }) => `${e.actor}:${e.action}`);
    }, { timeout: 20_000 }).toEqual(expect.arrayContaining(['pm.vhr:approved', 'com.libya:returned']));
  });
});

describe('the data desk', () => {
  it('uploads a file, shows accepted and rejected rows, and fixes a rejected row from the quarantine', async () => {
    const a = await Agent.signedIn('me.officer');
    const csv = ['project_code,indicator_code,period,value', 'LY10P0570,NOT-AN-INDICATOR,2023-Q4,5', `LY10P0570,${(await firstCount('LY10P0570'))},2023-Q4,not-a-number`].join('\n');
    const token = await a.formToken('/data');
    const body = new FormData();
    body.append('file', new Blob([csv], { type: 'text/csv' }), 'field-report.csv');
    const res = await a.fetch(`/data/upload?_csrf=${encodeURIComponent(token)}`, { method: 'POST', body });
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toMatch(/<strong>0<\/strong> accepted · <strong>2<\/strong> rejected/);
    expect(page).toMatch(/field-report\.csv<\/td><td>2<\/td><td>indicator_code<\/td>/);
    expect(page).toMatch(/field-report\.csv<\/td><td>3<\/td><td>value<\/td>/);

    // Fix the bad value of row 3 from the quarantine: it is checked again and stored.
    const entry = /<tr><td>(\d+)<\/td><td>field-report\.csv<\/td><td>3<\/td>/.exec(page)!;
    const fixed = await a.fetch(`/data/quarantine/${entry[1]}/resubmit`, { method: 'POST', form: { _csrf: await a.formToken('/data'), column: 'value', value: '17' } });
    const after = await fixed.text();
    expect(after, after.slice(after.indexOf('<main'), after.indexOf('<main') + 3000)).toMatch(/<strong>1<\/strong> accepted · <strong>0<\/strong> rejected/);
  });

  it('is for M&E officers only', async () => {
    for (const user of ['donor.b', 'pm.health']) { // users the matrix does not sign in (the log-in limit is per user)
      const a = await Agent.signedIn(user);
      expect((await a.fetch('/data')).status, user).toBe(403);
      expect((await a.fetch('/deliveries')).status, user).toBe(403);
    }
    // A donor's monthly digest belongs to no cycle: the list shows it as such.
    await sys.ctx.pool.query(
      `INSERT INTO deliveries (idempotency_key, cycle_id, version, channel, recipient, donor_code, state, sent_at)
       VALUES ('web-spec/digest/EU', NULL, 0, 'email', 'eu.donor@example.org', 'EU', 'sent', now()) ON CONFLICT (idempotency_key) DO NOTHING`,
    );
    const deliveries = await (await Agent.signedIn('me.officer')).fetch('/deliveries');
    expect(deliveries.status).toBe(200);
    expect(await deliveries.text()).toContain('monthly digest of EU');
  });
});

/** A count indicator without disaggregations: any corrected total is consistent. */
async function firstCount(projectCode: string): Promise<string> {
  const { rows } = await sys.ctx.pool.query(
    `SELECT i.code FROM indicators i JOIN projects p ON p.id = i.project_id
      WHERE p.code = $1 AND i.type = 'count' AND i.disaggregations = '{}' ORDER BY i.ordinal LIMIT 1`,
    [projectCode],
  );
  return rows[0].code;
}

describe('what changed since the last version', () => {
  it('shows the reviewer each data cell corrected between the returned version and the new one', async () => {
    const { cycleId } = await startCycle(sys.ctx, { projectCode: PROJECT, period: '2023-Q3', startedBy: 'me.officer' });
    await waitForStep(sys.ctx, cycleId, 1, 0);
    await decide(sys.ctx, cycleId, { decision: 'return', by: 'pm.vhr', version: 1, comment: 'Check the Q3 total.' });
    await waitForCycleState(sys.ctx, cycleId, ['returned']);
    const indicator = await firstCount(PROJECT);
    await recordValues(sys.ctx.pool, [{ projectCode: PROJECT, indicatorCode: indicator, period: '2023-Q3', disaggregation: {}, value: 4242 }], 'me.officer');
    await resubmit(sys.ctx, cycleId, { by: 'me.officer' });
    await waitForStep(sys.ctx, cycleId, 2, 0);

    const page = await (await (await Agent.signedIn('com.libya')).fetch(`/cycles/${PROJECT}/2023-Q3/${TEMPLATE}`)).text(); // (pm.vhr is at the log-in limit)
    expect(page).toMatch(/Since version 1/);
    expect(page).toMatch(/The data changed\./);
    expect(page).toMatch(new RegExp(`<td><code>${indicator.replace('.', '\\.')}</code></td><td>2023-Q3</td><td>total</td><td>[0-9.]+</td><td>4242</td>`));
  });
});
