import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildZip, countInflatedBytes, hiddenPartZip, zipBomb, type FixtureEntry } from './zip-fixtures.js';
import { checkDeclaredSizes, findEndOfCentralDirectory, inspectWorkbookZip, parseCentralDirectory, XLSX_LIMITS } from './zip-inspect.js';
import { readCheckedZip } from './zip-read.js';

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
    const checked = await inspectWorkbookZip('ok.xlsx', write('ok.xlsx', workbook(Buffer.from('<sheet/>'))));
    expect(checked.map((e) => [e.name, e.uncompressedSize])).toEqual([['xl/workbook.xml', 11], ['xl/worksheets/sheet1.xml', 8]]);
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

describe('local headers against the central directory (issue 14, item 5)', () => {
  const parts = (sheet: Partial<FixtureEntry> = {}): FixtureEntry[] => [
    { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
    { name: 'xl/workbook.xml', data: Buffer.from('<workbook/>') },
    { name: 'xl/worksheets/sheet1.xml', data: Buffer.from('<sheet/>'.repeat(50)), ...sheet },
  ];
  const refusal = (name: string, zip: Buffer) => inspectWorkbookZip(name, write(name, zip));

  it('refuses a part the central directory does not list, naming file and part, without inflating it', async () => {
    const zip = await hiddenPartZip(50); // 50 MB of zeros deflated to ~50 kB, listed nowhere
    expect(zip.length).toBeLessThan(100 * 1024);
    const inflated = countInflatedBytes();
    try {
      await expect(refusal('hidden.xlsx', zip)).rejects.toThrow(
        'hidden.xlsx: is not a well-formed workbook: it holds a part its central directory does not list (xl/worksheets/sheet1.xml)',
      );
    } finally {
      inflated.restore();
    }
    expect(inflated.bytes()).toBeLessThan(64 * 1024);
  });
  it('refuses sizes that differ between a local header and the directory', async () => {
    await expect(refusal('sizes.xlsx', buildZip(parts({ localSizes: { compressed: 5, uncompressed: 400 } })))).rejects.toThrow(
      /sizes\.xlsx: is not a well-formed workbook: the sizes of the part xl\/worksheets\/sheet1\.xml differ between its local header and its central directory/,
    );
  });
  it('accepts sizes in a data descriptor that agree, refuses one that hides other sizes', async () => {
    await expect(refusal('dd.xlsx', buildZip(parts({ dataDescriptor: true })))).resolves.toHaveLength(3);
    await expect(refusal('dd-lie.xlsx', buildZip(parts({ dataDescriptor: true, localSizes: { compressed: 5, uncompressed: 50 * 1024 ** 2 } })))).rejects.toThrow(
      /the sizes \(in its data descriptor\) of the part xl\/worksheets\/sheet1\.xml differ/,
    );
  });
  it('refuses overlapping parts and bytes the directory does not account for', async () => {
    const zip = buildZip(parts());
    const eocd = findEndOfCentralDirectory(zip);
    if (typeof eocd === 'string') throw new Error(eocd);
    const entries = parseCentralDirectory(zip.subarray(eocd.offset, eocd.offset + eocd.size), eocd.count) as Array<{ localHeaderOffset: number }>;
    // The third directory record points at the second part's header: two names, one set of bytes.
    const overlapping = Buffer.from(zip);
    const third = eocd.offset + 2 * 46 + '[Content_Types].xml'.length + 'xl/workbook.xml'.length;
    overlapping.writeUInt32LE(entries[1]!.localHeaderOffset, third + 42);
    await expect(refusal('overlap.xlsx', overlapping)).rejects.toThrow(/overlap\.xlsx: is not a well-formed workbook: its parts xl\/workbook\.xml and xl\/worksheets\/sheet1\.xml overlap/);
    const gap = buildZip([{ name: 'x', data: Buffer.from('junk'), listed: false }, ...parts()]);
    await expect(refusal('gap.xlsx', gap)).rejects.toThrow(/gap\.xlsx: .*does not list \(x\)/);
  });
  it('refuses more parts than the cap, and a total that expands too many times', async () => {
    await expect(inspectWorkbookZip('many.xlsx', write('many.xlsx', buildZip(parts())), { ...XLSX_LIMITS, maxEntries: 2 })).rejects.toThrow(/has 3 parts, more than a workbook has \(2\)/);
    const entry = { name: 'xl/worksheets/sheet1.xml', method: 8, localHeaderOffset: 0 };
    const many = Array.from({ length: 300 }, (_, i) => ({ ...entry, name: `xl/worksheets/sheet${i}.xml`, compressedSize: 1000, uncompressedSize: 900_000 }));
    expect(checkDeclaredSizes(many, XLSX_LIMITS)).toMatch(/looks like a zip bomb: its parts would expand 900 times/);
  });
});

describe('readCheckedZip: only the checked parts, capped while inflating', () => {
  const drain = async (stream: NodeJS.ReadableStream) => {
    let bytes = 0;
    for await (const chunk of stream) bytes += (chunk as Buffer).length;
    return bytes;
  };

  it('passes the checked parts on as a well-formed zip, stored', async () => {
    const file = write('pass.xlsx', workbook(Buffer.from('<sheet/>'.repeat(1000))));
    const read = readCheckedZip(file, await inspectWorkbookZip('pass.xlsx', file));
    const copy = write('copy.xlsx', Buffer.concat(await read.stream.toArray()));
    expect(read.problem()).toBeUndefined();
    expect((await inspectWorkbookZip('copy.xlsx', copy)).map((e) => [e.name, e.method, e.uncompressedSize])).toEqual([
      ['xl/workbook.xml', 0, 11], ['xl/worksheets/sheet1.xml', 0, 8000],
    ]);
  });
  it('stops inflating at the declared size when the part expands beyond it', async () => {
    const file = write('grows.xlsx', workbook(Buffer.alloc(512 * 1024, 'a')));
    const checked = await inspectWorkbookZip('grows.xlsx', file);
    // As if the file had been swapped after the check: the sheet declares 1000 bytes.
    const read = readCheckedZip(file, checked.map((e) => (e.name === 'xl/worksheets/sheet1.xml' ? { ...e, uncompressedSize: 1000 } : e)));
    const bytes = await drain(read.stream);
    expect(read.problem()).toBe('looks like a zip bomb: xl/worksheets/sheet1.xml expands beyond the size it declares (1000 bytes)');
    expect(read.inflatedBytes()).toBe(11 + 1000);
    expect(bytes).toBeLessThan(2000);
  });
});
