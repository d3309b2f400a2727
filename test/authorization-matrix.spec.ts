/**
 * The authorization matrix, generated from the routes the server registers: every method and URL
 * fastify registers (an onRoute hook on the instance web/server.ts creates) is a row; every role is a
 * column: an administrator, an M&E officer of one project, a manager of that project, two donors
 * funding it under different agreements, a viewer and an anonymous client. Each route has an entry
 * in EXPECTED below (allowed, forbidden or not-found per role, and the request to make); a route the
 * server registers without an entry fails the spec, so a new route cannot go unchecked.
 *
 * Data (a database of its own): project LY10P0563 (manager pm.health; donors EU and DONOR-A), with
 * - 2023-Q1 iom-donor-report completed: EU's agreement covers it with the Excel, DONOR-A's without;
 * - 2023-Q1 eu-results-report completed: only EU has an agreement for this template;
 * - 2023-Q2 iom-donor-report awaiting approval (a draft);
 * and LY10P0570's 2023-Q1 cycle, which the officer and the manager of LY10P0563 do not see.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AppContext } from '../app/context.js';
import type { Pool } from '../db/pool.js';
import { ownDatabase } from './support/own-database.js';
import { addAgreementRow, addUser, seedCycle, type SeededCycle } from './support/report-fixtures.js';
import { startTestSystem, type TestSystem } from './support/test-system.js';
import { Agent, serveWeb } from './support/web-agent.js';

// Every route fastify registers, from the instance's onRoute hook (added as the instance is created).
const registered = vi.hoisted(() => [] as Array<{ method: string; url: string }>);
vi.mock('fastify', async (importOriginal) => {
  const actual = await importOriginal<typeof import('fastify')>();
  const real = actual.default as unknown as (...a: unknown[]) => FastifyInstance;
  const observed = (...args: unknown[]) => {
    const app = real(...args);
    app.addHook('onRoute', (r) => {
      for (const method of [r.method].flat()) registered.push({ method: String(method), url: r.url ?? r.path });
    });
    return app;
  };
  return { ...actual, default: observed, fastify: observed };
});

const PROJECT = 'LY10P0563';
const OTHER = 'LY10P0570';

const ROLES = ['admin', 'officer', 'manager', 'donorEU', 'donorA', 'viewer', 'anonymous'] as const;
type Role = (typeof ROLES)[number];
const USER: Record<Role, string | null> = {
  admin: 'admin', officer: 'me.health', manager: 'pm.health', donorEU: 'donor.eu', donorA: 'donor.a', viewer: 'viewer', anonymous: null,
};

type Outcome = 'allowed' | 'forbidden' | 'not-found' | 'sign-in';
const STATUS_OF: Record<Exclude<Outcome, 'allowed' | 'sign-in'>, number> = { forbidden: 403, 'not-found': 404 };

interface Data {
  done: SeededCycle; // LY10P0563 2023-Q1 iom-donor-report, completed
  euOnly: SeededCycle; // LY10P0563 2023-Q1 eu-results-report, completed
  open: SeededCycle; // LY10P0563 2023-Q2 iom-donor-report, awaiting approval
  other: SeededCycle; // LY10P0570 2023-Q1 iom-donor-report, completed
  indicator: string;
  common: string;
}

interface Probe {
  /** What the probe shows, for the failure message. */
  name: string;
  request: (d: Data) => { path: string; method?: 'GET' | 'POST' | 'OPTIONS'; body?: Record<string, unknown>; form?: boolean };
  /** The status of an allowed call (a state-changing call is made so that it is refused after the check: 400, 404, 409). */
  ok: number;
  who: Record<Role, Outcome>;
  /** Sign in afresh for this probe (it ends the session). */
  fresh?: boolean;
}

const STAFF: Role[] = ['admin', 'officer', 'manager', 'viewer'];
const DONORS: Role[] = ['donorEU', 'donorA'];
/** `allowed` roles may; other signed-in roles get `denied` (forbidden unless said); anonymous signs in. */
function only(allowed: Role[], denied: Partial<Record<Role, Outcome>> = {}): Record<Role, Outcome> {
  return Object.fromEntries(ROLES.map((r) => [r, r === 'anonymous' ? 'sign-in' : allowed.includes(r) ? 'allowed' : (denied[r] ?? 'forbidden')])) as Record<Role, Outcome>;
}
const everyone = (anonymous: Outcome = 'allowed') => ({ ...only(ROLES.filter((r) => r !== 'anonymous')), anonymous });
const signedIn = () => only(ROLES.filter((r) => r !== 'anonymous'));
const notFoundFor = (roles: Role[]) => Object.fromEntries(roles.map((r) => [r, 'not-found' as const]));

const cycleUrl = (c: SeededCycle) => c.id.replace(/^report-cycle/, '');

/** One entry per registered route ("METHOD url"): the probes made against it and who may. */
const EXPECTED: Record<string, Probe[]> = {
  // --- public -----------------------------------------------------------------------------------
  'GET /healthz': [{ name: 'health', request: () => ({ path: '/healthz' }), ok: 200, who: everyone() }],
  // Readiness for load balancers and operators: which service is down, nothing else (web/health-routes.ts).
  'GET /readyz': [{ name: 'readiness', request: () => ({ path: '/readyz' }), ok: 200, who: everyone() }],
  'GET /login': [{ name: 'log-in form', request: () => ({ path: '/login' }), ok: 200, who: everyone() }],
  'POST /login': [{ name: 'a wrong password', request: () => ({ path: '/login', method: 'POST', form: true, body: { username: 'nobody', password: 'not-the-password' } }), ok: 401, who: everyone() }],
  'GET /static/app.css': [{ name: 'style sheet', request: () => ({ path: '/static/app.css' }), ok: 200, who: everyone() }],
  'GET /openapi.json': [{ name: 'API document', request: () => ({ path: '/openapi.json' }), ok: 200, who: everyone() }],
  'GET /': [{ name: 'home redirects', request: () => ({ path: '/' }), ok: 302, who: everyone('sign-in') }],
  'POST /logout': [{ name: 'sign out', request: () => ({ path: '/logout', method: 'POST', form: true, body: {} }), ok: 302, who: everyone(), fresh: true }],

  // --- the account ------------------------------------------------------------------------------
  'GET /account': [{ name: 'account redirects', request: () => ({ path: '/account' }), ok: 302, who: everyone() }],
  'GET /account/tokens': [{ name: 'tokens page', request: () => ({ path: '/account/tokens' }), ok: 200, who: signedIn() }],
  'POST /account/tokens': [{ name: 'no token name', request: () => ({ path: '/account/tokens', method: 'POST', form: true, body: { name: '' } }), ok: 400, who: signedIn() }],
  'POST /account/tokens/:id/revoke': [{ name: 'unknown token', request: () => ({ path: '/account/tokens/00000000-0000-4000-8000-000000000000/revoke', method: 'POST', form: true, body: {} }), ok: 404, who: signedIn() }],
  'POST /account/password': [{ name: 'short new password', request: () => ({ path: '/account/password', method: 'POST', form: true, body: { current: 'x', password: 'short', confirm: 'short' } }), ok: 400, who: signedIn() }],
  'GET /api/v1/me': [{ name: 'me', request: () => ({ path: '/api/v1/me' }), ok: 200, who: signedIn() }],
  'POST /api/v1/tokens': [{ name: 'no token name', request: () => ({ path: '/api/v1/tokens', method: 'POST', body: {} }), ok: 400, who: signedIn() }],

  // --- administrators ---------------------------------------------------------------------------
  'GET /admin/users': [{ name: 'users', request: () => ({ path: '/admin/users' }), ok: 200, who: only(['admin']) }],
  'POST /admin/users/:id/password': [{ name: 'unknown user', request: () => ({ path: '/admin/users/no-such-user/password', method: 'POST', form: true, body: { password: 'a-long-enough-password', confirm: 'a-long-enough-password' } }), ok: 404, who: only(['admin']) }],
  'POST /admin/users/:id/tokens/revoke': [{ name: 'unknown user', request: () => ({ path: '/admin/users/no-such-user/tokens/revoke', method: 'POST', form: true, body: {} }), ok: 404, who: only(['admin']) }],
  'GET /admin/templates': [{ name: 'templates', request: () => ({ path: '/admin/templates' }), ok: 200, who: only(['admin']) }],
  'GET /admin/agreements': [{ name: 'agreements page', request: () => ({ path: '/admin/agreements' }), ok: 200, who: only(['admin']) }],
  'POST /admin/agreements': [{ name: 'invalid agreement', request: () => ({ path: '/admin/agreements', method: 'POST', form: true, body: { donor: 'EU', project: PROJECT, template: 'iom-donor-report', frequency: 'quarterly', dueDays: '0', leadDays: '0' } }), ok: 400, who: only(['admin']) }],
  'GET /admin/schedules': [{ name: 'schedules page', request: () => ({ path: '/admin/schedules' }), ok: 200, who: only(['admin']) }],
  'POST /admin/schedules/pause': [{ name: 'unknown schedule', request: () => ({ path: '/admin/schedules/pause', method: 'POST', form: true, body: { id: 'agreement/NO-DONOR/NO-PROJECT/none' } }), ok: 404, who: only(['admin']) }],
  'POST /admin/schedules/resume': [{ name: 'unknown schedule', request: () => ({ path: '/admin/schedules/resume', method: 'POST', form: true, body: { id: 'agreement/NO-DONOR/NO-PROJECT/none' } }), ok: 404, who: only(['admin']) }],

  // --- the Temporal codec endpoint (administrators; machines answer 401 to anonymous) -------------
  ...Object.fromEntries(['/codec', '/codec/:namespace'].flatMap((prefix) => ['encode', 'decode'].flatMap((op) => {
    const path = `${prefix.replace(':namespace', 'default')}/${op}`;
    return [
      [`POST ${prefix}/${op}`, [{ name: `codec ${op}`, request: () => ({ path, method: 'POST' as const, body: { payloads: [] } }), ok: 200, who: { ...only(['admin']), anonymous: 'sign-in' as const } }]],
      [`OPTIONS ${prefix}/${op}`, [{ name: 'CORS preflight', request: () => ({ path, method: 'OPTIONS' as const }), ok: 204, who: everyone() }]],
    ];
  }))),

  // --- staff: projects, cycles, frameworks, library -----------------------------------------------
  'GET /api/v1/projects': [{ name: 'projects', request: () => ({ path: '/api/v1/projects' }), ok: 200, who: only(STAFF) }],
  'GET /api/v1/projects/:code': [
    { name: 'own project', request: () => ({ path: `/api/v1/projects/${PROJECT}` }), ok: 200, who: only(STAFF) },
    { name: "another project (not disclosed)", request: () => ({ path: `/api/v1/projects/${OTHER}` }), ok: 200, who: only(['admin', 'viewer'], notFoundFor(['officer', 'manager'])) },
  ],
  'GET /api/v1/projects/:code/indicators': [{ name: 'indicators', request: () => ({ path: `/api/v1/projects/${PROJECT}/indicators` }), ok: 200, who: only(STAFF) }],
  'GET /api/v1/projects/:code/indicators/:indicator/values': [{ name: 'values', request: (d) => ({ path: `/api/v1/projects/${PROJECT}/indicators/${d.indicator}/values` }), ok: 200, who: only(STAFF) }],
  'GET /api/v1/frameworks': [{ name: 'frameworks', request: () => ({ path: '/api/v1/frameworks' }), ok: 200, who: only(STAFF) }],
  'GET /api/v1/common-indicators': [{ name: 'library', request: () => ({ path: '/api/v1/common-indicators' }), ok: 200, who: only(STAFF) }],
  'GET /api/v1/common-indicators/:code': [{ name: 'library entry', request: (d) => ({ path: `/api/v1/common-indicators/${d.common}` }), ok: 200, who: only(STAFF) }],
  'GET /api/v1/cycles': [{ name: 'cycles', request: () => ({ path: '/api/v1/cycles' }), ok: 200, who: only(STAFF) }],
  'GET /api/v1/inbox': [{ name: 'inbox', request: () => ({ path: '/api/v1/inbox' }), ok: 200, who: only(['manager']) }],
  'POST /api/v1/cycles': [{ name: 'start (a period before the project: 400)', request: () => ({ path: '/api/v1/cycles', method: 'POST', body: { project: PROJECT, period: '2019-Q1' } }), ok: 400, who: only(['admin', 'officer']) }],
  'GET /api/v1/cycles/:project/:period/:template': [
    { name: 'a cycle of the project', request: (d) => ({ path: `/api/v1/cycles${cycleUrl(d.open)}` }), ok: 200, who: only(STAFF, notFoundFor(DONORS)) },
    // Issue 14 item 8: another project's cycle answers as a missing one.
    { name: "another project's cycle", request: (d) => ({ path: `/api/v1/cycles${cycleUrl(d.other)}` }), ok: 200, who: only(['admin', 'viewer'], notFoundFor(['officer', 'manager', ...DONORS])) },
    { name: 'a missing cycle', request: () => ({ path: `/api/v1/cycles/${PROJECT}/2019-Q1/iom-donor-report` }), ok: 404, who: only(STAFF, notFoundFor(DONORS)) },
  ],
  'GET /api/v1/cycles/:project/:period/:template/history': [
    { name: 'history', request: (d) => ({ path: `/api/v1/cycles${cycleUrl(d.done)}/history` }), ok: 200, who: only(STAFF, notFoundFor(DONORS)) },
    { name: "another project's history", request: (d) => ({ path: `/api/v1/cycles${cycleUrl(d.other)}/history` }), ok: 200, who: only(['admin', 'viewer'], notFoundFor(['officer', 'manager', ...DONORS])) },
  ],
  'POST /api/v1/cycles/:project/:period/:template/decide': [
    { name: 'decide (no such version: 409)', request: (d) => ({ path: `/api/v1/cycles${cycleUrl(d.open)}/decide`, method: 'POST', body: { decision: 'approve', version: 99 } }), ok: 409, who: only(['manager'], notFoundFor(DONORS)) },
    { name: "decide on another project's cycle", request: (d) => ({ path: `/api/v1/cycles${cycleUrl(d.other)}/decide`, method: 'POST', body: { decision: 'approve', version: 99 } }), ok: 409, who: only([], notFoundFor(['officer', 'manager', ...DONORS])) },
  ],
  'POST /api/v1/cycles/:project/:period/:template/resubmit': [{ name: 'resubmit (not returned: 409)', request: (d) => ({ path: `/api/v1/cycles${cycleUrl(d.open)}/resubmit`, method: 'POST', body: {} }), ok: 409, who: only(['officer'], notFoundFor(DONORS)) }],
  'POST /api/v1/cycles/:project/:period/:template/cancel': [{ name: 'cancel (completed: 409)', request: (d) => ({ path: `/api/v1/cycles${cycleUrl(d.done)}/cancel`, method: 'POST', body: { reason: 'matrix' } }), ok: 409, who: only(['admin', 'officer'], notFoundFor(DONORS)) }],

  // --- reports and files: staff of the project; donors what their agreements cover -------------------
  'GET /api/v1/reports': [{ name: 'reports', request: () => ({ path: '/api/v1/reports' }), ok: 200, who: signedIn() }],
  'GET /reports': [{ name: 'reports page', request: () => ({ path: '/reports' }), ok: 200, who: signedIn() }],
  ...Object.fromEntries(['/api/v1/files/:id', '/files/:id'].map((route) => {
    const at = (id: string) => route.replace(':id', id);
    return [`GET ${route}`, [
      { name: 'a draft', request: (d: Data) => ({ path: at(d.open.pdf('draft')) }), ok: 200, who: only(STAFF, notFoundFor(DONORS)) },
      { name: 'final PDF (both agreements)', request: (d: Data) => ({ path: at(d.done.pdf('final')) }), ok: 200, who: only([...STAFF, ...DONORS]) },
      { name: 'final Excel (only EU asks for it)', request: (d: Data) => ({ path: at(d.done.xlsx('final')) }), ok: 200, who: only([...STAFF, 'donorEU'], notFoundFor(['donorA'])) },
      { name: 'eu-results-report PDF (only EU has the template)', request: (d: Data) => ({ path: at(d.euOnly.pdf('final')) }), ok: 200, who: only([...STAFF, 'donorEU'], notFoundFor(['donorA'])) },
      { name: "another project's final", request: (d: Data) => ({ path: at(d.other.pdf('final')) }), ok: 200, who: only(['admin', 'viewer', 'donorEU'], notFoundFor(['officer', 'manager', 'donorA'])) },
    ] satisfies Probe[]];
  })),

  // --- pages for staff ----------------------------------------------------------------------------
  'GET /inbox': [{ name: 'inbox', request: () => ({ path: '/inbox' }), ok: 200, who: only(['manager']) }],
  'GET /portfolio': [{ name: 'portfolio', request: () => ({ path: '/portfolio' }), ok: 200, who: only(STAFF) }],
  'POST /portfolio/cycles': [{ name: 'start (a period before the project: 400)', request: () => ({ path: '/portfolio/cycles', method: 'POST', form: true, body: { project: PROJECT, period: '2019-Q1' } }), ok: 400, who: only(['admin', 'officer']) }],
  'GET /frameworks': [{ name: 'frameworks', request: () => ({ path: '/frameworks' }), ok: 200, who: only(STAFF) }],
  'GET /library': [{ name: 'library', request: () => ({ path: '/library' }), ok: 200, who: only(STAFF) }],
  'GET /library/:code': [{ name: 'library entry', request: (d) => ({ path: `/library/${d.common}` }), ok: 200, who: only(STAFF) }],
  'GET /projects/:code': [
    { name: 'project page', request: () => ({ path: `/projects/${PROJECT}` }), ok: 200, who: only(STAFF) },
    { name: "another project's page", request: () => ({ path: `/projects/${OTHER}` }), ok: 200, who: only(['admin', 'viewer'], notFoundFor(['officer', 'manager'])) },
  ],
  'GET /projects/:code/indicators/:indicator': [{ name: 'indicator page', request: (d) => ({ path: `/projects/${PROJECT}/indicators/${d.indicator}` }), ok: 200, who: only(STAFF) }],
  'POST /projects/:code/indicators/:indicator/correct': [{ name: 'correction without a value (400)', request: (d) => ({ path: `/projects/${PROJECT}/indicators/${d.indicator}/correct`, method: 'POST', form: true, body: { period: '2023-Q1', comment: 'x' } }), ok: 400, who: only(['admin', 'officer']) }],
  'GET /projects/:code/logframe.xlsx': [{ name: 'logframe workbook', request: () => ({ path: `/projects/${PROJECT}/logframe.xlsx` }), ok: 200, who: only(STAFF) }],
  'GET /cycles/:project/:period/:template': [
    { name: 'cycle page', request: (d) => ({ path: `/cycles${cycleUrl(d.open)}` }), ok: 200, who: only(STAFF, notFoundFor(DONORS)) },
    { name: "another project's cycle page", request: (d) => ({ path: `/cycles${cycleUrl(d.other)}` }), ok: 200, who: only(['admin', 'viewer'], notFoundFor(['officer', 'manager', ...DONORS])) },
  ],
  'POST /cycles/:project/:period/:template/decide': [
    { name: 'decide (409)', request: (d) => ({ path: `/cycles${cycleUrl(d.open)}/decide`, method: 'POST', form: true, body: { decision: 'approve', version: '99' } }), ok: 409, who: only(['manager'], notFoundFor(DONORS)) },
    { name: "decide on another project's cycle", request: (d) => ({ path: `/cycles${cycleUrl(d.other)}/decide`, method: 'POST', form: true, body: { decision: 'approve', version: '99' } }), ok: 409, who: only([], notFoundFor(['officer', 'manager', ...DONORS])) },
  ],
  'POST /cycles/:project/:period/:template/resubmit': [{ name: 'resubmit (409)', request: (d) => ({ path: `/cycles${cycleUrl(d.open)}/resubmit`, method: 'POST', form: true, body: {} }), ok: 409, who: only(['officer'], notFoundFor(DONORS)) }],
  'POST /cycles/:project/:period/:template/cancel': [{ name: 'cancel (409)', request: (d) => ({ path: `/cycles${cycleUrl(d.done)}/cancel`, method: 'POST', form: true, body: { reason: 'matrix' } }), ok: 409, who: only(['admin', 'officer'], notFoundFor(DONORS)) }],

  // --- the data desk (M&E officers and administrators, scoped to their projects: test/data-scope.spec.ts) ---
  'GET /data': [{ name: 'data desk', request: () => ({ path: '/data' }), ok: 200, who: only(['admin', 'officer']) }],
  'POST /data/upload': [{ name: 'not a multipart upload', request: () => ({ path: '/data/upload', method: 'POST', form: true, body: {} }), ok: 406, who: only(['admin', 'officer']) }],
  'POST /data/logframe': [{ name: 'not a multipart upload', request: () => ({ path: '/data/logframe', method: 'POST', form: true, body: {} }), ok: 406, who: only(['admin', 'officer']) }],
  'POST /data/quarantine/:id/resubmit': [{ name: 'unknown entry', request: () => ({ path: '/data/quarantine/999999999/resubmit', method: 'POST', form: true, body: { column: 'value', value: '1' } }), ok: 404, who: only(['admin', 'officer']) }],
  'GET /deliveries': [{ name: 'deliveries page', request: () => ({ path: '/deliveries' }), ok: 200, who: only(['admin', 'officer']) }],
  'GET /api/v1/quarantine': [{ name: 'quarantine', request: () => ({ path: '/api/v1/quarantine' }), ok: 200, who: only(['admin', 'officer']) }],
  'POST /api/v1/imports': [{ name: 'no file', request: () => ({ path: '/api/v1/imports', method: 'POST', body: {} }), ok: 400, who: only(['admin', 'officer']) }],
  'GET /api/v1/deliveries': [{ name: 'deliveries', request: () => ({ path: '/api/v1/deliveries' }), ok: 200, who: only(['admin', 'officer']) }],
  'GET /api/v1/agreements': [{ name: 'agreements', request: () => ({ path: '/api/v1/agreements' }), ok: 200, who: only(['admin', 'officer']) }],
  'GET /api/v1/schedules': [{ name: 'schedules', request: () => ({ path: '/api/v1/schedules' }), ok: 200, who: only(['admin', 'officer']) }],
};

let sys: TestSystem;
let pool: Pool;
let http: FastifyInstance;
let data: Data;
const agents = new Map<Role, Agent>();

beforeAll(async () => {
  ({ pool } = await ownDatabase('rbm_authz_matrix_spec'));
  sys = await startTestSystem('authz-matrix');
  const ctx: AppContext = { ...sys.ctx, pool };
  await addUser(pool, 'me.health', [{ role: 'me_officer', projectCode: PROJECT }]);
  await addAgreementRow(pool, { donorCode: 'EU', projectCode: PROJECT, templateId: 'eu-results-report', sendExcel: true });
  data = {
    done: await seedCycle(pool, { project: PROJECT, period: '2023-Q1', template: 'iom-donor-report', state: 'completed' }),
    euOnly: await seedCycle(pool, { project: PROJECT, period: '2023-Q1', template: 'eu-results-report', state: 'completed' }),
    open: await seedCycle(pool, { project: PROJECT, period: '2023-Q2', template: 'iom-donor-report', state: 'awaiting_approval' }),
    other: await seedCycle(pool, { project: OTHER, period: '2023-Q1', template: 'iom-donor-report', state: 'completed' }),
    indicator: (await pool.query(`SELECT i.code FROM indicators i JOIN projects p ON p.id = i.project_id WHERE p.code = $1 ORDER BY i.ordinal LIMIT 1`, [PROJECT])).rows[0].code,
    common: (await pool.query(`SELECT code FROM common_indicators ORDER BY code LIMIT 1`)).rows[0].code,
  };
  http = await serveWeb(ctx);
  for (const role of ROLES) agents.set(role, await Agent.signedIn(USER[role]));
  // The anonymous client holds a CSRF token of its own session (from the log-in form), so that what
  // refuses it is the sign-in check, not the CSRF check.
  agents.get('anonymous')!.csrf = await agents.get('anonymous')!.formToken('/login');
});
afterAll(async () => {
  await http?.close();
  await sys?.stop();
  await pool?.end();
});

async function freshAgent(role: Role): Promise<Agent> {
  const a = await Agent.signedIn(USER[role]);
  if (!a.csrf) a.csrf = await a.formToken('/login');
  return a;
}

const routeKey = (r: { method: string; url: string }) => `${r.method} ${r.url}`;

/** The routes the server registered, without the HEAD twin fastify adds to each GET. */
function registeredRoutes(): string[] {
  const keys = new Set(registered.map(routeKey));
  return [...keys].filter((k) => !(k.startsWith('HEAD ') && keys.has(`GET ${k.slice(5)}`))).sort();
}

describe('the authorization matrix, generated from the registered routes', () => {
  it('has an entry for every route the server registers (a new route needs one), and no entry for a route that is gone', () => {
    const routes = registeredRoutes();
    expect(routes.length).toBeGreaterThan(50);
    expect(routes.filter((r) => !(r in EXPECTED)), 'routes without an entry in EXPECTED').toEqual([]);
    expect(Object.keys(EXPECTED).filter((k) => !routes.includes(k)), 'entries of routes the server does not register').toEqual([]);
  });

  it('answers each role on each route as EXPECTED says', async () => {
    const failures: string[] = [];
    for (const key of registeredRoutes()) {
      for (const probe of EXPECTED[key] ?? []) {
        const got: Record<string, number> = {};
        const want: Record<string, number> = {};
        for (const role of ROLES) {
          const r = probe.request(data);
          const agent = probe.fresh ? await freshAgent(role) : agents.get(role)!;
          const method = r.method ?? 'GET';
          const res = method === 'POST'
            ? (r.form ? await agent.postForm(r.path, Object.fromEntries(Object.entries(r.body ?? {}).map(([k, v]) => [k, String(v)]))) : await agent.post(r.path, r.body ?? {}))
            : await agent.fetch(r.path, { method, headers: method === 'OPTIONS' ? { 'x-csrf-token': agent.csrf } : {} });
          await res.arrayBuffer();
          got[role] = res.status;
          const outcome = probe.who[role];
          const machine = r.path.startsWith('/api/') || r.path.startsWith('/codec/');
          want[role] = outcome === 'allowed' ? probe.ok : outcome === 'sign-in' ? (machine ? 401 : 302) : STATUS_OF[outcome];
        }
        if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`${key} — ${probe.name}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
