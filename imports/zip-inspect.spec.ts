import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildZip, zipBomb } from './zip-fixtures.js';
import { checkDeclaredSizes, findEndOfCentralDirectory, inspectWorkbookZip, parseCentralDirectory, XLSX_LIMITS } from './zip-inspect.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rbm-zip-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const write = (name: string, bytes: Buffer) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
};
const workbook = (sheet: Buffer, declaredSize?: number) =>
  buildZip([
    { name: 'xl/workbook.xml', data: Buffer.from('<workbook/>') },
    { name: 'xl/worksheets/sheet1.xml', data: sheet, declaredSize },
  ]);

describe('central directory', () => {
  it('lists the entries with their sizes', () => {
    const zip = workbook(Buffer.from('<sheet/>'.repeat(100)));
    const eocd = findEndOfCentralDirectory(zip);
    if (typeof eocd === 'string') throw new Error(eocd);
    const entries = parseCentralDirectory(zip.subarray(eocd.offset, eocd.offset + eocd.size), eocd.count);
    expect(entries).toMatchObject([
      { name: 'xl/workbook.xml', uncompressedSize: 11, method: 8 },
      { name: 'xl/worksheets/sheet1.xml', uncompressedSize: 800, method: 8 },
    ]);
  });
  it('says when bytes are not a zip', () => {
    expect(findEndOfCentralDirectory(Buffer.from('project_code,indicator_code\n'.repeat(5)))).toBe('not_zip');
  });
  it('flags ratios and totals beyond the limits', () => {
    const entry = { name: 'xl/worksheets/sheet1.xml', method: 8, localHeaderOffset: 0 };
    expect(checkDeclaredSizes([{ ...entry, compressedSize: 100_000, uncompressedSize: 200 * 1024 ** 2 }], XLSX_LIMITS)).toMatch(/zip bomb: .* would expand 2097 times/);
    expect(checkDeclaredSizes([{ ...entry, compressedSize: 10 * 1024 ** 2, uncompressedSize: 1100 * 1024 ** 2 }], XLSX_LIMITS)).toMatch(/would expand to 1100 MB, more than the 1024 MB/);
    expect(checkDeclaredSizes([{ ...entry, compressedSize: 100_000, uncompressedSize: 900_000 }], XLSX_LIMITS)).toBeUndefined();
  });
});

describe('inspectWorkbookZip', () => {
  it('lets a small workbook through', async () => {
    await expect(inspectWorkbookZip('ok.xlsx', write('ok.xlsx', workbook(Buffer.from('<sheet/>'))))).resolves.toBeUndefined();
  });
  it('refuses a zip bomb from its declared sizes, before inflating anything', async () => {
    await expect(inspectWorkbookZip('bomb.xlsx', write('bomb.xlsx', zipBomb(20)))).rejects.toThrow(/looks like a zip bomb: xl\/worksheets\/sheet1.xml would expand \d+ times/);
  });
  it('refuses an entry that inflates beyond the size it declares', async () => {
    const liar = workbook(Buffer.alloc(5 * 1024 * 1024, 'a'), 1000);
    await expect(inspectWorkbookZip('liar.xlsx', write('liar.xlsx', liar))).rejects.toThrow(/expands beyond the size it declares/);
  });
  it('refuses a zip that is not a workbook, and a file that is not a zip', async () => {
    await expect(inspectWorkbookZip('a.xlsx', write('a.xlsx', buildZip([{ name: 'readme.txt', data: Buffer.from('hi') }])))).rejects.toThrow(/zip file but not an Excel workbook/);
    await expect(inspectWorkbookZip('b.xlsx', write('b.xlsx', Buffer.from('just text')))).rejects.toThrow(/not a zip file/);
  });
});
