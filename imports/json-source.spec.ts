import { describe, expect, it } from 'vitest';
import { COL } from './format.js';
import { FileRefused } from './issues.js';
import { jsonArrayItems, jsonSourceRows } from './json-source.js';

async function* chunks(text: string, size: number) {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}
async function rows(text: string, size = 1 << 20) {
  const out = [];
  for await (const batch of jsonSourceRows('data.json', chunks(text, size))) out.push(...batch);
  return out;
}

const DATA = JSON.stringify([
  { project_code: 'LY10P0542', indicator_code: 'OC1.a', period: '2025-Q3', value: 2, comment: 'a "quoted" {brace} [bracket]' },
  { project_code: 'LY10P0542', indicator_code: 'OP1.1.a', period: '2025-Q3', value: true, sex: null },
], null, 2);

describe('jsonSourceRows', () => {
  it('streams an array of row objects, numbering them from 1, whatever the chunk boundaries', async () => {
    for (const size of [1, 3, 7, 1 << 20]) {
      const r = await rows(DATA, size);
      expect(r.map((x) => x.row)).toEqual([1, 2]);
      expect(r[0]!.cells[COL.value]).toBe('2');
      expect(r[0]!.cells[COL.comment]).toBe('a "quoted" {brace} [bracket]');
      expect(r[1]!.cells[COL.value]).toBe('true');
      expect(r[1]!.cells[COL.sex]).toBe('');
    }
  });
  it('refuses a file whose first object lacks required columns or has unknown ones', async () => {
    await expect(rows('[{"project_code": "X", "period": "2025-Q3"}]')).rejects.toThrow(/required columns missing/);
    await expect(rows('[{"project_code": "X", "indicator_code": "Y", "period": "2025-Q3", "value": 1, "uuid": "z"}]')).rejects.toThrow(/uuid: is not a column/);
  });
  it('rejects a later row with an unknown key or a nested value', async () => {
    const r = await rows('[{"project_code":"X","indicator_code":"Y","period":"2025-Q3","value":1},{"project_code":"X","indicator_code":"Y","period":"2025-Q3","value":{"a":1},"colour":"red"}]');
    expect(r[1]!.issues).toEqual([
      { column: 'value', message: 'must be text, a number or true/false' },
      { column: 'colour', message: 'is not a column of the format' },
    ]);
  });
  it('rejects text PostgreSQL cannot store', async () => {
    const r = await rows('[{"project_code":"X","indicator_code":"Y","period":"2025-Q3","value":1,"comment":"a\\u0000b"},{"project_code":"X","indicator_code":"Y","period":"2025-Q3","value":1,"comment":"\\ud800"}]');
    expect(r.map((x) => x.issues)).toEqual([
      [{ column: 'comment', message: 'contains a NUL character or broken Unicode' }],
      [{ column: 'comment', message: 'contains a NUL character or broken Unicode' }],
    ]);
  });
  it('refuses what is not an array of objects', async () => {
    await expect(rows('{"project_code": "X"}')).rejects.toThrow(/one JSON object: the format is an array/);
    await expect(rows('[1, 2]')).rejects.toThrow(/unexpected "1" between rows/);
    await expect(rows('[]')).rejects.toThrow(/empty array/);
    await expect(rows('   ')).rejects.toThrow(/is empty/);
    await expect(rows('[{"project_code":"X","indicator_code":"Y","period":"2025-Q3","value":1}')).rejects.toThrow(/ends before the closing \]/);
    await expect(rows('[{"project_code":"X","indicator_code":"Y","period":"2025-Q3","value":1}] x')).rejects.toThrow(/text after the closing/);
  });
  it('reports an object that is not valid JSON on its row', async () => {
    const items = [];
    for await (const batch of jsonArrayItems('data.json', chunks('[{"a": 1,}, {"b": 2}]', 4))) items.push(...batch);
    expect(items[0]!.error).toMatch(/is not valid JSON/);
    expect(items[1]!.value).toEqual({ b: 2 });
  });
  it('throws FileRefused for file problems', async () => {
    await expect(rows('nope')).rejects.toBeInstanceOf(FileRefused);
  });
});
