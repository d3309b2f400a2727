/**
 * The web portfolio page (GET /portfolio, as the M&E officer of every project) over a synthetic
 * portfolio: `npm run bench -- portfolio [--projects 1000]`. On an embedded PostgreSQL of its own
 * (fsync off) with the synthetic portfolio (demo/synth.ts) and a completed cycle per project (rows
 * only: closed cycles are read from the database, without Temporal). Goal: under 500 ms with 1,000
 * projects (the page shows PORTFOLIO_PAGE_SIZE projects at a time; the totals span all of them); the
 * last page, a data-quality filter and a search are timed beside it, and the API's JSON list of projects.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { PORTFOLIO_PAGE_SIZE } from '../app/admin-views.js';
import { createApiToken } from '../app/auth.js';
import type { AppContext } from '../app/context.js';
import { loadSynthPortfolio } from '../app/synth.js';
import { loadConfig } from '../config/config.js';
import { migrateDatabase } from '../db/migrate.js';
import { createPool } from '../db/pool.js';
import { SYNTH_LAST_QUARTER, SYNTH_ME_OFFICER, SYNTH_TEMPLATE } from '../demo/synth.js';
import { startEmbeddedPostgres } from '../runtime/embedded-postgres.js';
import { createLogger } from '../runtime/logger.js';
import { freePort } from '../runtime/ports.js';
import { startHttpServer } from '../web/server.js';
import { intOption } from './args.js';
import type { Benchmark, Figure } from './run.js';

const GOAL_MS = 500;

const bench: Benchmark = {
  title: 'The web portfolio page over a large synthetic portfolio',
  async run(options = {}) {
    const projects = intOption(options, 'projects', 1000);
    const runs = intOption(options, 'runs', 5);
    const log = createLogger('warn', 'bench-portfolio');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rbm-bench-portfolio-'));
    fs.chmodSync(dir, 0o755); // the embedded server may run as the `postgres` user
    const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort(), persistent: false, log });
    const pool = createPool(pg.url, 10);
    pool.on('error', () => undefined);
    try {
      await migrateDatabase(pg.url, log);
      const t0 = performance.now();
      await loadSynthPortfolio({ pool }, { projects });
      const loadSeconds = (performance.now() - t0) / 1000;
      await pool.query(
        `INSERT INTO report_cycles (id, project_code, period, template_id, state, current_version, started_by)
         SELECT 'report-cycle/' || code || '/' || $1 || '/' || $2, code, $1, $2, 'completed', 1, $3 FROM projects`,
        [SYNTH_LAST_QUARTER, SYNTH_TEMPLATE, SYNTH_ME_OFFICER],
      );
      await pool.query('ANALYZE');
      // Pages and the API need no Temporal client for closed cycles.
      const ctx = { config: loadConfig({}), log, pool } as unknown as AppContext;
      const { token } = await createApiToken(ctx, SYNTH_ME_OFFICER, 'bench-portfolio', 1);
      const port = await freePort();
      const http = await startHttpServer({ port, isReady: () => true, context: () => ctx });
      try {
        const get = async (url: string) => {
          const t = performance.now();
          const res = await fetch(`http://127.0.0.1:${port}${url}`, { headers: { authorization: `Bearer ${token}` } });
          const body = await res.text();
          if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${body.slice(0, 300)}`);
          return { ms: performance.now() - t, bytes: body.length, body };
        };
        const page = await get('/portfolio'); // warm-up (templates compiled, plans cached)
        const shown = new Set([...page.body.matchAll(/data-project-row="(SYN\d{4})"/g)].map((m) => m[1])).size;
        const lastPage = Math.max(1, Math.ceil(projects / PORTFOLIO_PAGE_SIZE));
        const others = [`/portfolio?page=${lastPage}`, '/portfolio?flag=any&sort=issues', '/portfolio?q=SYN09'];
        for (const url of others) await get(url); // warm-up
        const pageMs: number[] = [];
        const otherMs: number[] = [];
        const apiMs: number[] = [];
        for (let i = 0; i < runs; i++) {
          pageMs.push((await get('/portfolio')).ms);
          for (const url of others) otherMs.push((await get(url)).ms);
          apiMs.push((await get('/api/v1/projects')).ms);
        }
        const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
        const met = median(pageMs) < GOAL_MS;
        process.stdout.write(
          `  goal: GET /portfolio under ${GOAL_MS} ms with 1,000 projects; here ${projects} projects, median ${Math.round(median(pageMs))} ms, best ${Math.round(Math.min(...pageMs))} ms: ${met ? 'met' : 'NOT met'}\n`,
        );
        const figures: Figure[] = [
          { name: 'portfolio: synthetic projects (10 indicators, 12 quarters)', value: projects, unit: 'projects' },
          { name: 'portfolio: loading them (not timed below)', value: loadSeconds, unit: 's' },
          { name: `portfolio: GET /portfolio, median of ${runs} (goal < ${GOAL_MS} at 1,000)`, value: median(pageMs), unit: 'ms' },
          { name: 'portfolio: GET /portfolio, best', value: Math.min(...pageMs), unit: 'ms' },
          { name: `portfolio: goal < ${GOAL_MS} ms met (1 yes, 0 no)`, value: met ? 1 : 0, unit: '' },
          { name: 'portfolio: page size', value: page.bytes / 1024, unit: 'KB' },
          { name: 'portfolio: projects listed on the page', value: shown, unit: 'projects' },
          { name: `portfolio: last page, filtered, searched: median of ${otherMs.length}`, value: median(otherMs), unit: 'ms' },
          { name: 'portfolio: GET /api/v1/projects, median', value: median(apiMs), unit: 'ms' },
        ];
        return figures;
      } finally {
        await http.close();
      }
    } finally {
      await pool.end();
      await pg.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
export default bench;
