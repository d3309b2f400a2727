/** Activities against the real PostgreSQL: idempotent under retries, history kept, audit append-only. */
import fs from 'node:fs';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createActivities, createRenderActivities } from '../activities/index.js';
import { loadDemoPortfolio } from '../app/portfolio.js';
import { appendCycleEvent, ensureCycle, listCycleEvents } from '../db/cycles-repository.js';
import { migrateDatabase } from '../db/migrate.js';
import { createPool, type Pool } from '../db/pool.js';
import type { GatheredData, RenderedReport } from '../domain/report-cycle.js';
import { databaseNow, readValuesAsOf, recordValues } from '../db/values-repository.js';
import { createLogger } from '../runtime/logger.js';

let pool: Pool;
const outDir = path.join(inject('scratchDir'), 'out', 'activities');
const CYCLE = 'report-cycle/LY10P0551/2024-Q4/iom-donor-report';

beforeAll(async () => {
  await migrateDatabase(inject('databaseUrl'), createLogger('warn'));
  pool = createPool(inject('databaseUrl'));
  await loadDemoPortfolio({ pool }, '2025-Q4');
  await ensureCycle(pool, { id: CYCLE, projectCode: 'LY10P0551', period: '2024-Q4', templateId: 'iom-donor-report', startedBy: 'me.officer' });
});
afterAll(async () => {
  await pool?.end();
});

describe('indicator values', () => {
  it('keeps every revision and reads the data as it stood at any time', async () => {
    const cell = { projectCode: 'LY10P0551', indicatorCode: (await firstCountIndicator('LY10P0551')), period: '2024-Q4', disaggregation: {} };
    const before = await databaseNow(pool);
    const original = (await readValuesAsOf(pool, 'LY10P0551', before)).find((v) => v.indicatorCode === cell.indicatorCode && v.period === '2024-Q4' && !Object.keys(v.disaggregation).length)!;
    expect(await recordValues(pool, [{ ...cell, value: original.value! + 5 }], 'me.officer')).toEqual({ inserted: 0, revised: 1, unchanged: 0 });
    expect(await recordValues(pool, [{ ...cell, value: original.value! + 5 }], 'me.officer')).toEqual({ inserted: 0, revised: 0, unchanged: 1 });
    const now = await databaseNow(pool);
    const at = async (asOf: string) => (await readValuesAsOf(pool, 'LY10P0551', asOf)).find((v) => v.indicatorCode === cell.indicatorCode && v.period === '2024-Q4' && !Object.keys(v.disaggregation).length)!.value;
    expect(await at(before)).toBe(original.value);
    expect(await at(now)).toBe(original.value! + 5);
    const { rows } = await pool.query(
      `SELECT count(*)::int AS n FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id JOIN projects p ON p.id = i.project_id
        WHERE p.code = 'LY10P0551' AND i.code = $1 AND v.period = '2024-Q4'
          AND v.sex = '' AND v.age_group = '' AND v.population_type = '' AND v.nationality = '' AND v.location = ''`,
      [cell.indicatorCode],
    );
    expect(rows[0].n).toBe(2);
  });
});

describe('activities under retry', () => {
  it('gathers a version once: a retry returns the first attempt’s data', async () => {
    const { gatherCycleData } = createActivities({ pool, outDir });
    const env = new MockActivityEnvironment();
    const first = (await env.run(gatherCycleData, { cycleId: CYCLE, projectCode: 'LY10P0551', version: 1 })) as GatheredData;
    const retry = (await env.run(gatherCycleData, { cycleId: CYCLE, projectCode: 'LY10P0551', version: 1 })) as GatheredData;
    expect(retry).toEqual(first);
    expect(first.valueCount).toBeGreaterThan(100);
    expect(first.dataSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('renders a version’s files once, and delivers them to the outbox once', async () => {
    const { renderReport } = createRenderActivities({ pool });
    const env = new MockActivityEnvironment();
    const input = { cycleId: CYCLE, projectCode: 'LY10P0551', period: '2024-Q4', templateId: 'iom-donor-report', version: 1, dataAsOf: await databaseNow(pool), stage: 'final' as const, decisions: [] };
    const first = (await env.run(renderReport, input)) as RenderedReport;
    const retry = (await env.run(renderReport, input)) as RenderedReport;
    expect(retry.files).toEqual(first.files);
    expect(first.headline.indicatorCount).toBe(9);

    const { deliverToOutbox } = createActivities({ pool, outDir });
    const paths = (await env.run(deliverToOutbox, { cycleId: CYCLE, projectCode: 'LY10P0551', version: 1, artifacts: first.files })) as string[];
    const pdf = paths.find((p) => p.endsWith('.pdf'))!;
    fs.writeFileSync(pdf, 'tampered by hand'); // a resend would overwrite this
    const again = await env.run(deliverToOutbox, { cycleId: CYCLE, projectCode: 'LY10P0551', version: 1, artifacts: first.files });
    expect(again).toEqual(paths);
    expect(fs.readFileSync(pdf, 'utf8')).toBe('tampered by hand');
  });

  it('delivers inside the outbox whatever the project code (issue 14, item 8b)', async () => {
    const { renderReport } = createRenderActivities({ pool });
    const env = new MockActivityEnvironment();
    const input = { cycleId: CYCLE, projectCode: 'LY10P0551', period: '2024-Q4', templateId: 'iom-donor-report', version: 1, dataAsOf: await databaseNow(pool), stage: 'final' as const, decisions: [] };
    const { files } = (await env.run(renderReport, input)) as RenderedReport;
    const { deliverToOutbox } = createActivities({ pool, outDir });
    for (const [i, projectCode] of ['..', '.', '../../escape'].entries()) {
      const paths = (await env.run(deliverToOutbox, { cycleId: CYCLE, projectCode, version: 90 + i, artifacts: files })) as string[];
      expect(paths).toHaveLength(2);
      for (const p of paths) {
        expect(path.resolve(p).startsWith(path.resolve(outDir) + path.sep)).toBe(true);
        expect(path.relative(outDir, p).split(path.sep)).toHaveLength(2); // <project folder>/<file>
        expect(fs.existsSync(p)).toBe(true);
      }
    }
  });

  it('records an audit event once per key, and the trail cannot be changed', async () => {
    const event = { eventKey: 'test-run:0', cycleId: CYCLE, state: 'gathering' as const, actor: 'me.officer', action: 'cycle_started', version: null, detail: {} };
    await appendCycleEvent(pool, event);
    await appendCycleEvent(pool, event);
    expect((await listCycleEvents(pool, CYCLE)).filter((e) => e.action === 'cycle_started')).toHaveLength(1);
    await expect(pool.query(`UPDATE audit_events SET actor = 'someone' WHERE cycle_id = $1`, [CYCLE])).rejects.toThrow(/append-only/);
    await expect(pool.query(`DELETE FROM audit_events WHERE cycle_id = $1`, [CYCLE])).rejects.toThrow(/append-only/);
  });
});

async function firstCountIndicator(projectCode: string): Promise<string> {
  const { rows } = await pool.query(
    `SELECT i.code FROM indicators i JOIN projects p ON p.id = i.project_id WHERE p.code = $1 AND i.type = 'count' AND i.time_aggregation = 'sum' ORDER BY i.ordinal LIMIT 1`,
    [projectCode],
  );
  return rows[0].code;
}
