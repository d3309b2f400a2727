/** Server-rendered pages: Handlebars views in web/views, HTML-escaped by default ({{x}}), one layout. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { STATUS_LABEL } from '../domain/progress.js';

const VIEWS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'views');
export const STATIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'static');

const hbs = Handlebars.create();
const STATE_LABELS: Record<string, string> = {
  gathering: 'Gathering data', rendering: 'Rendering', awaiting_approval: 'Awaiting approval', returned: 'Returned',
  finalizing: 'Finalizing', delivering: 'Delivering', completed: 'Completed', cancelled: 'Cancelled',
  // progress against targets (domain/progress.ts)
  ...STATUS_LABEL,
};
hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
hbs.registerHelper('stateLabel', (s: string) => STATE_LABELS[s] ?? s);
hbs.registerHelper('date', (iso: unknown) => (typeof iso === 'string' && iso ? iso.slice(0, 10) : '—'));
hbs.registerHelper('datetime', (iso: unknown) => (typeof iso === 'string' && iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '—'));
hbs.registerHelper('kb', (n: number) => `${Math.max(1, Math.round(n / 1024))} KB`);
hbs.registerHelper('join', (a: unknown, sep: unknown) => (Array.isArray(a) ? a.join(typeof sep === 'string' ? sep : ', ') : ''));
hbs.registerHelper('cycleUrl', (id: string) => `/cycles/${id.split('/').slice(1).map(encodeURIComponent).join('/')}`);
hbs.registerHelper('json', (v: unknown) => JSON.stringify(v));
hbs.registerHelper('projectUrl', (code: unknown) => `/projects/${encodeURIComponent(String(code ?? ''))}`);
hbs.registerHelper('indicatorUrl', (project: unknown, indicator: unknown) => `/projects/${encodeURIComponent(String(project ?? ''))}/indicators/${encodeURIComponent(String(indicator ?? ''))}`);
hbs.registerHelper('upper', (s: unknown) => String(s ?? '').toUpperCase());

const compiled = new Map<string, Handlebars.TemplateDelegate>();
function view(name: string): Handlebars.TemplateDelegate {
  let t = compiled.get(name);
  if (!t || process.env.RBM_WEB_RELOAD) {
    t = hbs.compile(fs.readFileSync(path.join(VIEWS_DIR, `${name}.hbs`), 'utf8'), { strict: false });
    compiled.set(name, t);
  }
  return t;
}
for (const f of fs.readdirSync(path.join(VIEWS_DIR, 'partials')).filter((n) => n.endsWith('.hbs'))) {
  hbs.registerPartial(path.basename(f, '.hbs'), fs.readFileSync(path.join(VIEWS_DIR, 'partials', f), 'utf8'));
}

export interface NavItem { href: string; label: string; active?: boolean }
export interface LayoutData {
  title: string;
  user?: { id: string; name: string; roleLabel: string } | null;
  nav?: NavItem[];
  csrfToken?: string;
  flash?: { kind: 'ok' | 'error'; text: string } | null;
}

export function renderPage(name: string, layout: LayoutData, data: Record<string, unknown>): string {
  const body = view(name)({ ...data, csrfToken: layout.csrfToken, user: layout.user });
  return view('layout')({ ...layout, body: new hbs.SafeString(body) });
}
