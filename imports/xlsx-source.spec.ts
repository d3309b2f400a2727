import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import { COL } from './format.js';
import { columnLetter, xlsxSourceRows } from './xlsx-source.js';
import { countInflatedBytes, hiddenPartZip } from './zip-fixtures.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rbm-xlsx-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function workbook(name: string, fill: (ws: ExcelJS.Worksheet) => void): Promise<string> {
  const wb = new ExcelJS.Workbook();
  fill(wb.addWorksheet('data'));
  wb.addWorksheet('notes').addRow(['ignored']);
  const file = path.join(dir, name);
  await wb.xlsx.writeFile(file);
  return file;
}
async function rows(file: string) {
  const out = [];
  for await (const batch of xlsxSourceRows(path.basename(file), file)) out.push(...batch);
  return out;
}

describe('xlsxSourceRows', () => {
  it('reads the first worksheet with Excel’s row numbers, cells as the user sees them', async () => {
    const file = await workbook('ok.xlsx', (ws) => {
      ws.addRow([]);
      ws.addRow(['project_code', 'indicator_code', 'period', 'value', 'comment']);
      ws.addRow(['LY10P0542', 'OC1.a', '2025-Q3', 2, { richText: [{ text: 'rich ' }, { text: 'text' }] }]);
      const pct = ws.addRow(['LY10P0542', 'OC1.b', '2025-Q3', 0.455]);
      pct.getCell(4).numFmt = '0.0%';
      ws.addRow(['LY10P0542', 'OC1.a', new Date(Date.UTC(2025, 6, 1)), 1]);
    });
    const r = await rows(file);
    expect(r.map((x) => x.row)).toEqual([3, 4, 5]);
    expect(r[0]!.cells[COL.comment]).toBe('rich text');
    expect(r[1]!.cells[COL.value]).toBe('45.5');
    expect(r[2]!.cells[COL.period]).toBe('2025-07-01');
  });
  it('refuses formula cells and Excel errors on their row and column', async () => {
    const file = await workbook('formula.xlsx', (ws) => {
      ws.addRow(['project_code', 'indicator_code', 'period', 'value']);
      ws.addRow(['LY10P0542', 'OC1.a', '2025-Q3', { formula: '1+1', result: 2 }]);
      ws.addRow(['LY10P0542', 'OC1.a', '2025-Q4', { error: '#N/A' }]);
    });
    const r = await rows(file);
    expect(r[0]!.issues).toEqual([{ column: 'value', message: 'holds a formula (=1+1): paste the values only' }]);
    expect(r[1]!.issues).toEqual([{ column: 'value', message: 'holds the Excel error #N/A' }]);
  });
  it('refuses a wrong header and an empty sheet', async () => {
    await expect(rows(await workbook('header.xlsx', (ws) => ws.addRow(['project', 'value'])))).rejects.toThrow(/required columns missing/);
    await expect(rows(await workbook('empty.xlsx', () => undefined))).rejects.toThrow(/is empty/);
  });
});

describe('a zip bomb past the guard (issue 14, item 5)', () => {
  it('refuses a worksheet hidden from the central directory, naming the file, without inflating it', async () => {
    // 50 MB of zeros deflated to ~50 kB, in the local headers only: a streaming unzip would read it.
    const file = path.join(dir, 'hidden.xlsx');
    fs.writeFileSync(file, await hiddenPartZip(50));
    const inflated = countInflatedBytes();
    try {
      await expect(rows(file)).rejects.toThrow(
        'hidden.xlsx: is not a well-formed workbook: it holds a part its central directory does not list (xl/worksheets/sheet1.xml)',
      );
    } finally {
      inflated.restore();
    }
    expect(inflated.bytes()).toBeLessThan(64 * 1024); // memory stays flat: nothing of the 50 MB came out
  });
});

it('names columns as Excel does', () => {
  expect([1, 26, 27, 52, 703].map(columnLetter)).toEqual(['A', 'Z', 'AA', 'AZ', 'AAA']);
});
