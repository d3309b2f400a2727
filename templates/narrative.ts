/**
 * Narrative partials: Handlebars (4.7.10+) templates written by staff (trusted) in a template's
 * `partials/` folder, filled with plain JSON data of the report.
 *
 * - Compiled with `noEscape: true`: the output is plain text for pdfmake (not HTML), so escaping
 *   would print "&amp;" literally.
 * - The data is a JSON copy of the model (no prototypes, no functions), and Handlebars' prototype
 *   access stays at its safe default.
 * - Text written by M&E officers (narrative) is data: a value substituted into the output is never
 *   compiled, so "{{...}}" in it is printed as typed.
 * - `knownHelpersOnly`: a partial may use only the built-ins and the helpers below.
 */
import Handlebars from 'handlebars';
import type { ReportModel } from '../domain/report-model.js';
import type { ProgressStatus } from '../domain/progress.js';
import type { IndicatorType } from '../domain/results-framework.js';
import { formatDate, formatPercentAchieved, formatValue, STATUS_LABEL } from '../render/pdf/format.js';
import type { TemplateManifest } from './registry.js';

const INDICATOR_TYPES = new Set<IndicatorType>(['count', 'percentage', 'ratio', 'yes_no', 'qualitative']);

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Helpers for numbers, percentages, dates and status; every one returns plain text. */
export const NARRATIVE_HELPERS: Record<string, (...args: unknown[]) => string> = {
  /** {{number value}} or {{number value "percentage"}}: a value as the donor reads it. */
  number: (value, type) => formatValue(typeof type === 'string' && INDICATOR_TYPES.has(type as IndicatorType) ? (type as IndicatorType) : 'count', num(value)),
  /** {{percent value}}: a 0–100 figure, e.g. 87.5%. {{percent part whole}}: part as a share of whole. */
  percent: (a, b) => {
    const x = num(a);
    const whole = num(b);
    if (whole !== null) return x === null || whole === 0 ? formatPercentAchieved(null) : formatPercentAchieved(Math.round((x / whole) * 1000) / 10);
    return formatPercentAchieved(x);
  },
  /** {{date iso}}: "10 October 2025". */
  date: (iso) => formatDate(typeof iso === 'string' ? iso : null),
  /** {{status "on_track"}}: "On track". */
  status: (s) => (typeof s === 'string' && s in STATUS_LABEL ? STATUS_LABEL[s as ProgressStatus] : String(s ?? '')),
};

const COMPILE_OPTIONS = {
  noEscape: true,
  strict: false,
  knownHelpersOnly: true,
  knownHelpers: Object.fromEntries(Object.keys(NARRATIVE_HELPERS).map((k) => [k, true])),
} as const;

/** The data a partial sees: plain JSON only. */
export function narrativeData(model: ReportModel, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { meta, summary } = model;
  const data = {
    project: meta.project,
    donors: meta.donorNames,
    period: { id: meta.period, label: meta.periodLabel, start: meta.periodStart, end: meta.periodEnd },
    report: { title: meta.title, status: meta.status, version: meta.version, generatedAt: meta.generatedAt, dataAsOf: meta.dataAsOf, objective: meta.objective },
    summary: { ...summary, reported: summary.indicatorCount - summary.byStatus.no_data },
    sections: model.sections.map((s) => ({
      key: s.key, title: s.title,
      rows: s.rows.map((r) => ({
        code: r.indicatorCode, title: r.title, type: r.type, unit: r.unit, status: r.status, baseline: r.baseline,
        periodActual: r.periodActual, periodTarget: r.periodTarget, cumulativeActual: r.cumulativeActual,
        lifeOfProjectTarget: r.lifeOfProjectTarget, percentOfPeriodTarget: r.percentOfPeriodTarget, percentOfLifeTarget: r.percentOfLifeTarget,
      })),
    })),
    narrative: model.narrative,
    ...extra,
  };
  return JSON.parse(JSON.stringify(data)) as Record<string, unknown>;
}

type Compiled = (data: unknown) => string;
const compiledCache = new WeakMap<TemplateManifest['partials'], Map<string, Compiled>>();

function compiledPartial(template: Pick<TemplateManifest, 'id' | 'partials'>, name: string): Compiled {
  let byName = compiledCache.get(template.partials);
  if (!byName) {
    byName = new Map();
    compiledCache.set(template.partials, byName);
  }
  let fn = byName.get(name);
  if (!fn) {
    const source = template.partials[name];
    if (source === undefined) throw new Error(`template ${template.id}: no partial "${name}"`);
    const hb = Handlebars.create();
    for (const [helper, impl] of Object.entries(NARRATIVE_HELPERS)) hb.registerHelper(helper, (...args: unknown[]) => impl(...args.slice(0, -1)));
    for (const [other, src] of Object.entries(template.partials)) hb.registerPartial(other, hb.compile(src, COMPILE_OPTIONS));
    const compiled = hb.compile(source, COMPILE_OPTIONS);
    fn = (data) => compiled(data).replace(/\n{3,}/g, '\n\n').trim();
    byName.set(name, fn);
  }
  return fn;
}

export function renderPartial(template: Pick<TemplateManifest, 'id' | 'partials'>, name: string, data: Record<string, unknown>): string {
  return compiledPartial(template, name)(data);
}

/** Fills the text of the model's summary and narrative sections that name a partial. Returns the model. */
export function applyNarrativePartials(model: ReportModel, template: Pick<TemplateManifest, 'id' | 'partials'>): ReportModel {
  let data: Record<string, unknown> | null = null;
  for (const s of model.layout.sections) {
    if ((s.kind === 'summary' || s.kind === 'narrative') && s.partial) {
      data ??= narrativeData(model);
      const text = renderPartial(template, s.partial, { ...data, text: s.text ?? '' });
      s.text = text || null;
    }
  }
  return model;
}
