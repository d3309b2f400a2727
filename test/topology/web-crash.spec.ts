/**
 * Issue 15 (e): a web process SIGKILLed during an upload on the data desk (POST /data/upload, with an
 * API token): killed while the file is still arriving, nothing is imported and no batch is recorded;
 * killed while the import runs, the file lands whole or not at all and no batch is left half-done.
 * The same upload to the other web process then lands whole.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../app/auth.js';
import { createPool, type Pool } from '../../db/pool.js';
import { startTopology, until, type Topology } from './topology.js';

const ROWS = 100_000;
let t: Topology;
let pool: Pool;
let csv: Buffer;
let token: string;
beforeAll(async () => {
  t = await startTopology('web-crash', { workers: 1, web: 2 });
  console.info(`topology up in ${t.startSeconds} s`);
  process.env.BENCH_IMPORT_ROWS = String(ROWS);
  const { writeRows } = await import('../../bench/import.bench.js');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rbm-topology-upload-'));
  expect(await writeRows(t.ctx.pool, path.join(dir, 'values.csv'), path.join(dir, 'values.copy'))).toBe(ROWS);
  csv = fs.readFileSync(path.join(dir, 'values.csv'));
  fs.rmSync(dir, { recursive: true, force: true });
  token = (await createApiToken(t.ctx, 'me.officer', 'topology upload')).token;
  pool = createPool(t.cluster.databaseUrl, 2);
});
afterAll(async () => {
  await pool?.end().catch(() => undefined);
  await t?.stop();
});

const BOUNDARY = 'rbm-topology-boundary';
const multipart = (name: string, content: Buffer) => ({
  head: Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: text/csv\r\n\r\n`),
  body: content,
  tail: Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
});

/** POST /data/upload; `pauseAfter` bytes of the file are sent, then the rest only when `resume` resolves. */
function upload(url: string, opts: { pauseAfter?: number; resume?: Promise<void> } = {}): Promise<{ status: number } | { error: string }> {
  const part = multipart('values.csv', csv);
  const length = part.head.length + part.body.length + part.tail.length;
  return new Promise((resolve) => {
    const req = http.request(`${url}/data/upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'content-length': length, accept: 'application/json' },
      timeout: 180_000,
    }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.on('error', (e) => resolve({ error: e.message }));
    req.write(part.head);
    const cut = opts.pauseAfter ?? part.body.length;
    req.write(part.body.subarray(0, cut));
    void (opts.resume ?? Promise.resolve()).then(() => {
      if (req.destroyed) return;
      req.write(part.body.subarray(cut));
      req.end(part.tail);
    });
  });
}

const counts = async () => {
  const values = Number((await pool.query(`SELECT count(*) AS n FROM indicator_values WHERE source = 'bench'`)).rows[0].n);
  const batches = (await pool.query(`SELECT status, accepted FROM import_batches WHERE file_name = 'values.csv' ORDER BY id`)).rows as Array<{ status: string; accepted: number }>;
  return { values, batches };
};

describe('a web process SIGKILLed during an upload (issue 15 e)', () => {
  it('leaves no partial batch, and the same upload to the other web process lands whole', async () => {
    const [web1, web2] = [t.cluster.webs[0]!, t.cluster.webs[1]!];
    // 1. Killed while the file is still arriving: half the file sent, then the process dies.
    let resume!: () => void;
    const arriving = upload(web1.url!, { pauseAfter: Math.floor(csv.length / 2), resume: new Promise<void>((r) => (resume = r)) });
    await new Promise((r) => setTimeout(r, 1500));
    await web1.kill();
    resume();
    const cutOff = await arriving;
    expect('error' in cutOff).toBe(true);
    expect(await counts()).toEqual({ values: 0, batches: [] });

    // 2. Killed while the import runs (its rows streaming into PostgreSQL).
    await web1.start();
    const importing = upload(web1.url!);
    await until('the upload importing (COPY)', async () => {
      const { rows } = await pool.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE state = 'active' AND query ILIKE 'COPY%'`);
      return Number(rows[0].n) > 0;
    }, 120_000, 50);
    await web1.kill();
    const killed = await importing;
    expect('error' in killed).toBe(true);
    // The killed connection's transaction is rolled back by PostgreSQL once it notices the socket closed.
    const afterKill = await until('the killed import rolled back', async () => {
      const c = await counts();
      const { rows } = await pool.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE query ILIKE 'COPY%' AND pid <> pg_backend_pid()`);
      return Number(rows[0].n) === 0 ? c : undefined;
    }, 60_000, 200);
    expect([0, ROWS]).toContain(afterKill.values);
    expect(afterKill.batches.filter((b) => b.status !== 'stored')).toEqual([]);
    expect(afterKill.batches.length).toBe(afterKill.values === ROWS ? 1 : 0);

    // 3. The same upload to the other web process lands whole.
    const ok = await upload(web2.url!);
    expect(ok).toEqual({ status: 200 });
    const final = await counts();
    expect(final.values).toBe(ROWS);
    expect(final.batches.filter((b) => b.status === 'stored' && b.accepted === ROWS)).toHaveLength(1);
    expect(final.batches.filter((b) => b.status !== 'stored')).toEqual([]);
    console.info(`web-1 killed mid-transfer (${'error' in cutOff ? cutOff.error : ''}) and mid-import (${afterKill.values} rows landed); upload to web-2: ${ROWS} rows in one stored batch`);
    await web1.start();
  });
});
