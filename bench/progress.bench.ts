/** Progress computation over a large project: the pure domain code on its own. */
import { performance } from 'node:perf_hooks';
import { buildReportModel } from '../domain/report-model.js';
import { demoPortfolio } from '../demo/portfolio.js';
import { demoValues } from '../demo/values.js';
import type { Benchmark } from './run.js';

const bench: Benchmark = {
  title: 'Report model of the demo portfolio (domain only)',
  async run() {
    const portfolio = demoPortfolio();
    const inputs = portfolio.projects.map((p) => ({ p, values: demoValues(p, '2025-Q4') }));
    const once = () => {
      for (const { p, values } of inputs) {
        buildReportModel({
          project: p.project, donorNames: [], results: p.results, indicators: p.indicators, values,
          frameworkNodes: portfolio.frameworkNodes, period: '2025-Q3',
          template: { id: 'iom-donor-report', title: 'Interim donor report', language: 'en', groupBy: 'unsdcf' },
          cycle: { id: null, version: 0, status: 'preview', dataAsOf: null }, approvals: [], generatedAt: '2025-10-01T00:00:00Z',
        });
      }
    };
    once(); // warm up
    const runs = 20;
    const t0 = performance.now();
    for (let i = 0; i < runs; i++) once();
    const ms = (performance.now() - t0) / runs;
    return [
      { name: 'report models for 6 demo projects', value: ms, unit: 'ms' },
      { name: 'values read per run', value: inputs.reduce((n, i) => n + i.values.length, 0), unit: 'rows' },
    ];
  },
};
export default bench;
