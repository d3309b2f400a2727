import { describe, expect, it } from 'vitest';
import { detectFormat } from './open-source.js';

const bytes = (s: string | number[]) => (typeof s === 'string' ? new TextEncoder().encode(s) : Uint8Array.from(s));

describe('detectFormat', () => {
  it('tells the format from the first bytes before the name', () => {
    expect(detectFormat('data.csv', bytes([0x50, 0x4b, 0x03, 0x04, 0]))).toBe('xlsx');
    expect(detectFormat('data.txt', bytes('\ufeff [{"a":1}]'))).toBe('json');
    expect(detectFormat('data.json', bytes('project_code'))).toBe('json');
    expect(detectFormat('data.csv', bytes('project_code,indicator_code'))).toBe('csv');
  });
  it('refuses old .xls, a CSV named .xlsx, and an empty file', () => {
    expect(() => detectFormat('old.xls', bytes([0xd0, 0xcf, 0x11, 0xe0]))).toThrow(/Excel 97-2003/);
    expect(() => detectFormat('data.xlsx', bytes('project_code,indicator_code'))).toThrow(/not an Excel workbook \(.xlsx\): it is not a zip file/);
    expect(() => detectFormat('data.csv', bytes(''))).toThrow(/is empty/);
  });
});
