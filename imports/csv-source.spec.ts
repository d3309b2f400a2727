import { describe, expect, it } from 'vitest';
import { csvSourceRows } from './csv-source.js';
import { COL } from './format.js';

async function* chunks(text: string) {
  yield text;
}
async function rows(text: string, delimiter?: string) {
  const out = [];
  for await (const batch of csvSourceRows('data.csv', chunks(text), delimiter)) out.push(...batch);
  return out;
}

describe('csvSourceRows', () => {
  it('numbers rows as the user sees them (header = row 1; blank lines count, and are skipped)', async () => {
    const r = await rows('project_code,indicator_code,period,value\nLY10P0542,OC1.a,2025-Q3,1\n\nLY10P0542,OC1.a,2025-Q4,2\n');
    expect(r.map((x) => [x.row, x.cells[COL.period]])).toEqual([[2, '2025-Q3'], [4, '2025-Q4']]);
  });
  it('says when the columns are separated by semicolons or tabs', async () => {
    await expect(rows('project_code;indicator_code;period;value\nLY10P0542;OC1.a;2025-Q3;1\n')).rejects.toThrow(
      /row 1: the columns are separated by semicolons, not commas: .* --delimiter ';'/,
    );
    await expect(rows('project_code\tindicator_code\tperiod\tvalue\n')).rejects.toThrow(/separated by tabs/);
  });
  it('reads semicolons when told to', async () => {
    expect((await rows('project_code;indicator_code;period;value\nLY10P0542;OC1.a;2025-Q3;1\n', ';'))[0]!.cells[COL.value]).toBe('1');
  });
  it('refuses an empty file and a header without rows', async () => {
    await expect(rows('')).rejects.toThrow(/is empty/);
    await expect(rows('\n\n')).rejects.toThrow(/is empty/);
    await expect(rows('project_code,indicator_code,period,value\n')).rejects.toThrow(/row 1: has a header but no data rows/);
  });
  it('streams: rows come out while the file is still being read, one chunk at a time', async () => {
    let produced = 0;
    async function* endless() {
      yield 'project_code,indicator_code,period,value\n';
      for (;;) {
        produced++;
        yield 'LY10P0542,OC1.a,2025-Q3,1\n'.repeat(2000);
      }
    }
    let seen = 0;
    for await (const batch of csvSourceRows('big.csv', endless())) {
      seen += batch.length;
      if (seen >= 10_000) break;
    }
    expect(seen).toBe(10_000);
    expect(produced).toBe(5); // no read-ahead: memory holds a chunk, whatever the size of the file
  });
  it('refuses a file whose quote never closes, naming the row', async () => {
    await expect(rows('project_code,indicator_code,period,value\nLY10P0542,"OC1.a,2025-Q3,1\n')).rejects.toThrow(/row 2: a quote/);
  });
});
