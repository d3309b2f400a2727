/**
 * Donor report templates: a folder each under templates/, with a manifest.json validated at load
 * (a bad manifest is refused with its file and field named) and optional Handlebars partials for the
 * narrative in `partials/*.hbs` (staff-authored, trusted; see templates/narrative.ts).
 *
 * The manifest says who the report is for, its language, its sections in order, which results and
 * indicators each section shows, how results are grouped, which columns and periods the tables show
 * and which disaggregations are charted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { RbmError } from '../domain/errors.js';
import { DISAGGREGATION_DIMENSIONS, INDICATOR_TYPES } from '../domain/results-framework.js';
import { REPORT_COLUMNS } from '../domain/report-model.js';

/** Which indicators a section (or the whole template) shows; every field narrows, none means all. */
export const IndicatorFilterSchema = z
  .object({
    /** Result levels whose indicators are shown. */
    levels: z.array(z.enum(['objective', 'outcome', 'output'])).min(1).optional(),
    types: z.array(z.enum(INDICATOR_TYPES)).min(1).optional(),
    /** Result codes; a trailing "*" matches a prefix ("OP1.*"). */
    results: z.array(z.string().min(1)).min(1).optional(),
    /** Indicator codes; a trailing "*" matches a prefix. */
    indicators: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict();
export type IndicatorFilter = z.infer<typeof IndicatorFilterSchema>;

const title = z.string().min(1);
const partial = z.string().regex(/^[a-z0-9-]+$/, 'a partial name: lowercase letters, digits and dashes (partials/<name>.hbs)');

export const TemplateSectionSchema = z.discriminatedUnion('kind', [
  /** Full cover page (IOM style). */
  z.object({ kind: z.literal('cover') }).strict(),
  /** A compact title block (one-page summary, no cover page). */
  z.object({ kind: z.literal('masthead') }).strict(),
  /** Key figures, indicators by status, objective and an optional narrative partial. */
  z.object({ kind: z.literal('summary'), title: title.default('Summary'), partial: partial.optional(), newPage: z.boolean().default(true) }).strict(),
  /** One block per group (UNSDCF output, IOM pillar or outcome): results, indicator table, charts. */
  z.object({ kind: z.literal('results'), title: title.optional(), show: IndicatorFilterSchema.default({}), charts: z.boolean().default(true), newPage: z.boolean().default(true) }).strict(),
  /** A logframe table: indicator, baseline, target, current value, source of verification, comments. */
  z.object({ kind: z.literal('logframe'), title: title.default('Logframe'), show: IndicatorFilterSchema.default({}), newPage: z.boolean().default(true) }).strict(),
  /** Narrative: the M&E officer's text for `key` (data, printed as is), or a partial that frames it. */
  z.object({ kind: z.literal('narrative'), key: z.string().regex(/^[a-z0-9_]+$/, 'lowercase letters, digits and underscores'), title, partial: partial.optional() }).strict(),
  /** Mission overview: every project rolled up by UNSDCF output or by IOM pillar. */
  z.object({ kind: z.literal('rollup'), by: z.enum(['unsdcf', 'iom_pillar']), title: title.optional(), newPage: z.boolean().default(true) }).strict(),
  /** Mission overview: one row per project. */
  z.object({ kind: z.literal('projects'), title: title.default('Projects'), newPage: z.boolean().default(true) }).strict(),
  /** The approvals block; printed on the final only. */
  z.object({ kind: z.literal('approvals') }).strict(),
]);
export type TemplateSection = z.infer<typeof TemplateSectionSchema>;

export const TemplateManifestSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and dashes'),
    title: z.string().min(1),
    audience: z.string().min(1),
    language: z.string().min(2),
    /** A project report (one project, one period) or the mission overview (every project). */
    scope: z.enum(['project', 'mission']).default('project'),
    groupBy: z.enum(['unsdcf', 'iom_pillar', 'outcome']),
    description: z.string().default(''),
    sections: z.array(TemplateSectionSchema).min(1).default([{ kind: 'cover' }, { kind: 'summary', title: 'Summary', newPage: true }, { kind: 'results', show: {}, charts: true, newPage: true }, { kind: 'approvals' }]),
    /** Indicators the whole report shows (also the Excel ITT); sections may narrow further. */
    show: IndicatorFilterSchema.default({}),
    /** Columns of the PDF results tables, in order. */
    columns: z.array(z.enum(REPORT_COLUMNS)).min(1).default(['baseline', 'period_target', 'period_actual', 'cumulative', 'lop_target', 'percent_period', 'status']),
    /** Periods shown per indicator: every quarter to date, the report period alone, or the last N quarters. */
    periods: z
      .object({ show: z.enum(['to_date', 'report_period', 'last']), count: z.number().int().min(1).max(40).optional() })
      .strict()
      .refine((p) => p.show !== 'last' || p.count !== undefined, { message: '"last" needs a count', path: ['count'] })
      .default({ show: 'to_date' }),
    /** Disaggregations charted and listed, in order. */
    disaggregations: z.array(z.enum(DISAGGREGATION_DIMENSIONS)).default([...DISAGGREGATION_DIMENSIONS]),
    /** A page budget the renderer is held to (the one-page summary); checked by its spec. */
    maxPages: z.number().int().min(1).optional(),
    /** Who signs off, in order. Roles are resolved to the project's users when a cycle starts. */
    approvalChain: z
      .array(
        z.object({
          name: z.string().min(1),
          role: z.enum(['project_manager', 'approver', 'me_officer', 'admin']),
          escalateToRole: z.enum(['project_manager', 'approver', 'me_officer', 'admin']).optional(),
        }),
      )
      .min(1)
      .default([{ name: 'Project manager', role: 'project_manager' }]),
    /** After a return: start the chain again, or resume at the step that returned it. */
    restartFrom: z.enum(['first_step', 'returning_step']).default('first_step'),
  })
  .strict();
export type TemplateManifest = z.infer<typeof TemplateManifestSchema> & {
  /** Partials found in the folder: name -> source. Not part of the JSON. */
  partials: Record<string, string>;
};

export const TEMPLATES_DIR = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_TEMPLATE_ID = 'iom-donor-report';
export const MISSION_OVERVIEW_ID = 'mission-overview';

const cache = new Map<string, { key: string; templates: TemplateManifest[] }>();

/** One template folder; throws an `invalid_input` RbmError naming the file and the field. */
export function loadTemplate(folder: string): TemplateManifest {
  const file = path.join(folder, 'manifest.json');
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new RbmError('invalid_input', `${file}: not valid JSON (${(e as Error).message})`);
  }
  const parsed = TemplateManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new RbmError('invalid_input', `${file}: field "${issue.path.join('.') || '(root)'}": ${issue.message}`, { file, field: issue.path.join('.') });
  }
  const name = path.basename(folder);
  if (parsed.data.id !== name) throw new RbmError('invalid_input', `${file}: field "id" must be the folder name "${name}"`, { file, field: 'id' });

  const partials: Record<string, string> = {};
  const partialDir = path.join(folder, 'partials');
  if (fs.existsSync(partialDir)) {
    for (const f of fs.readdirSync(partialDir)) if (f.endsWith('.hbs')) partials[f.slice(0, -4)] = fs.readFileSync(path.join(partialDir, f), 'utf8');
  }
  parsed.data.sections.forEach((s, i) => {
    if ('partial' in s && s.partial && !(s.partial in partials)) {
      throw new RbmError('invalid_input', `${file}: field "sections.${i}.partial": no partials/${s.partial}.hbs in ${folder}`, { file, field: `sections.${i}.partial` });
    }
    if (parsed.data.scope === 'project' && (s.kind === 'rollup' || s.kind === 'projects')) {
      throw new RbmError('invalid_input', `${file}: field "sections.${i}.kind": "${s.kind}" is for a mission-scope template`, { file, field: `sections.${i}.kind` });
    }
  });
  return { ...parsed.data, partials };
}

export function loadTemplates(dir = TEMPLATES_DIR): TemplateManifest[] {
  const folders = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(dir, e.name, 'manifest.json')))
    .map((e) => path.join(dir, e.name));
  // Cheap cache keyed by the manifests' and partials' modification times: edits are picked up.
  const key = folders
    .map((f) => {
      const pd = path.join(f, 'partials');
      const partialTimes = fs.existsSync(pd) ? fs.readdirSync(pd).map((p) => `${p}@${fs.statSync(path.join(pd, p)).mtimeMs}`).join(',') : '';
      return `${f}@${fs.statSync(path.join(f, 'manifest.json')).mtimeMs}[${partialTimes}]`;
    })
    .join('|');
  const hit = cache.get(dir);
  if (hit && hit.key === key) return hit.templates;
  const templates = folders.map(loadTemplate).sort((a, b) => a.id.localeCompare(b.id));
  cache.set(dir, { key, templates });
  return templates;
}

export function getTemplate(id: string, dir = TEMPLATES_DIR): TemplateManifest {
  const t = loadTemplates(dir).find((m) => m.id === id);
  if (!t) throw new RbmError('not_found', `no template "${id}" (see \`rbm templates list\`)`);
  return t;
}
