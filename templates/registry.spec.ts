import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RbmError } from '../domain/errors.js';
import { demoReportModel } from '../test/fixtures/demo-reports.js';
import { narrativeData, NARRATIVE_HELPERS, renderPartial } from './narrative.js';
import { getTemplate, loadTemplates, TEMPLATES_DIR } from './registry.js';

function templateDir(manifests: Record<string, unknown>, partials: Record<string, Record<string, string>> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rbm-templates-'));
  for (const [id, manifest] of Object.entries(manifests)) {
    fs.mkdirSync(path.join(dir, id, 'partials'), { recursive: true });
    fs.writeFileSync(path.join(dir, id, 'manifest.json'), typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
    for (const [name, src] of Object.entries(partials[id] ?? {})) fs.writeFileSync(path.join(dir, id, 'partials', `${name}.hbs`), src);
  }
  return dir;
}
const valid = { id: 'ok', title: 'OK', audience: 'Donor', language: 'en', groupBy: 'unsdcf' };

function refusal(dir: string): RbmError {
  try {
    loadTemplates(dir);
  } catch (e) {
    expect(e).toBeInstanceOf(RbmError);
    return e as RbmError;
  }
  throw new Error('expected the manifest to be refused');
}

describe('template registry', () => {
  it('ships the four templates, each with id, title, audience and language', () => {
    const templates = loadTemplates();
    expect(templates.map((t) => t.id)).toEqual(['donor-summary', 'eu-results-report', 'iom-donor-report', 'mission-overview']);
    for (const t of templates) expect(t).toMatchObject({ title: expect.any(String), audience: expect.any(String), language: 'en' });
    expect(getTemplate('mission-overview').scope).toBe('mission');
    expect(getTemplate('donor-summary').maxPages).toBe(1);
    expect(getTemplate('iom-donor-report').approvalChain.map((s) => s.role)).toEqual(['project_manager', 'approver']);
    expect(getTemplate('iom-donor-report').partials['summary']).toContain('{{period.label}}');
  });

  it('refuses a bad manifest, naming the file and the field', () => {
    const cases: Array<[unknown, string]> = [
      [{ ...valid, groupBy: 'donor' }, 'groupBy'],
      [{ ...valid, sections: [{ kind: 'results', show: { levels: ['impact'] } }] }, 'sections.0.show.levels.0'],
      [{ ...valid, sections: [{ kind: 'chart' }] }, 'sections.0.kind'],
      [{ ...valid, columns: ['baseline', 'colour'] }, 'columns.1'],
      [{ ...valid, periods: { show: 'last' } }, 'periods.count'],
      [{ ...valid, disaggregations: ['religion'] }, 'disaggregations.0'],
      [{ ...valid, colour: 'blue' }, '(root)'],
      [{ ...valid, sections: [{ kind: 'summary', partial: 'missing' }] }, 'sections.0.partial'],
      [{ ...valid, sections: [{ kind: 'rollup', by: 'unsdcf' }] }, 'sections.0.kind'],
      [{ ...valid, approvalChain: [] }, 'approvalChain'],
    ];
    for (const [manifest, field] of cases) {
      const dir = templateDir({ ok: manifest });
      const e = refusal(dir);
      expect(e.message).toContain(path.join(dir, 'ok', 'manifest.json'));
      expect(e.message, JSON.stringify(manifest)).toContain(`field "${field}"`);
    }
    expect(refusal(templateDir({ ok: '{ not json' })).message).toMatch(/not valid JSON/);
    expect(refusal(templateDir({ other: valid })).message).toContain('field "id" must be the folder name "other"');
  });

  it('keeps the approvalChain and restartFrom defaults', () => {
    const [t] = loadTemplates(templateDir({ ok: valid }));
    expect(t!.approvalChain).toEqual([{ name: 'Project manager', role: 'project_manager' }]);
    expect(t!.restartFrom).toBe('first_step');
    expect(t!.sections.map((s) => s.kind)).toEqual(['cover', 'summary', 'results', 'approvals']);
  });

  it('reads the shipped manifests from the templates folder', () => {
    expect(fs.existsSync(path.join(TEMPLATES_DIR, 'eu-results-report', 'manifest.json'))).toBe(true);
  });
});

describe('narrative partials', () => {
  const template = { id: 't', partials: {
    p: 'Reported {{number summary.indicatorCount}} · {{percent 87.5}} · {{percent 1 4}} · {{date period.start}} · {{status "at_risk"}} · {{number 0.755 "percentage"}}\n{{narrative.summary}}',
    evil: '{{lookup this "constructor"}}',
  } };

  it('formats numbers, percentages, dates and status with the helpers', () => {
    const data = narrativeData(demoReportModel('LY10P0542', 'iom-donor-report'));
    const out = renderPartial(template, 'p', { ...data, narrative: { summary: 'ok' } });
    expect(out).toBe('Reported 10 · 87.5% · 25% · 1 July 2025 · At risk · 0.8%\nok');
    expect(Object.keys(NARRATIVE_HELPERS).sort()).toEqual(['date', 'number', 'percent', 'status']);
  });

  it('prints M&E narrative as typed: no escaping (pdfmake is not HTML) and never compiled as a template', () => {
    const data = narrativeData(demoReportModel('LY10P0542', 'iom-donor-report'));
    const text = 'Trained 36 officials & <b>more</b> {{project.code}} {{#each x}}{{/each}} {{> p}}';
    expect(renderPartial(template, 'p', { ...data, narrative: { summary: text } }).split('\n')[1]).toBe(text);
  });

  it('gives a partial plain JSON only', () => {
    const data = narrativeData(demoReportModel('LY10P0542', 'iom-donor-report'));
    expect(JSON.parse(JSON.stringify(data))).toEqual(data);
    expect(renderPartial(template, 'evil', data)).toBe('');
  });

  it('fills the shipped summary partials', () => {
    const model = demoReportModel('LY10P0542', 'iom-donor-report', '2025-Q3', { narrative: { summary: 'Written by M&E.' } });
    const summary = model.layout.sections.find((s) => s.kind === 'summary');
    expect(summary && 'text' in summary ? summary.text : null).toMatch(/^In Q3 2025 \(1 Jul – 30 Sep 2025\), the project reported on \d+ of \d+ indicators: .*\n\nWritten by M&E\.$/s);
  });
});
