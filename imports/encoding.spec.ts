import { describe, expect, it } from 'vitest';
import { decodeText, firstInvalidUtf8 } from './encoding.js';
import { FileRefused } from './issues.js';

async function decode(bytes: number[] | Buffer, chunkSize = 1 << 20, encoding?: 'windows-1252'): Promise<string> {
  const buffer = Buffer.from(bytes);
  async function* chunks() {
    for (let i = 0; i < buffer.length; i += chunkSize) yield buffer.subarray(i, i + chunkSize);
  }
  let text = '';
  for await (const t of decodeText('data.csv', chunks(), encoding)) text += t;
  return text;
}

describe('decodeText', () => {
  it('reads UTF-8 with or without the BOM', async () => {
    expect(await decode(Buffer.from('\ufeffa,b\nMisrata,مصراتة\n'))).toBe('a,b\nMisrata,مصراتة\n');
    expect(await decode(Buffer.from('a,b\nMisrata,مصراتة\n'))).toBe('a,b\nMisrata,مصراتة\n');
  });
  it('keeps a character split between two chunks', async () => {
    expect(await decode(Buffer.from('é€مصراتة'), 1)).toBe('é€مصراتة');
  });
  it('refuses Windows-1252 text, naming the line and the byte', async () => {
    const bytes = Buffer.concat([Buffer.from('a,b\nx,y\nBenghazi,caf'), Buffer.from([0xe9]), Buffer.from('\n')]);
    const e = await decode(bytes).catch((x) => x);
    expect(e).toBeInstanceOf(FileRefused);
    expect((e as FileRefused).issues[0]).toMatchObject({ row: 3, message: expect.stringMatching(/is not UTF-8: line 3 has 0xE9 \("é" in Windows-1252\).*--encoding windows-1252/) });
  });
  it('converts Windows-1252 when told so', async () => {
    expect(await decode([0x63, 0x61, 0x66, 0xe9], 1 << 20, 'windows-1252')).toBe('café');
  });
  it('refuses binary data and UTF-16 without a byte order mark', async () => {
    await expect(decode(Buffer.from('a,b\nx\u0000y\n'))).rejects.toThrow(/line 2 has a NUL byte/);
    await expect(decode(Buffer.from('project_code', 'utf16le'))).rejects.toThrow(/NUL byte/);
  });
  it('refuses UTF-16', async () => {
    await expect(decode([0xff, 0xfe, 0x61, 0x00])).rejects.toThrow(/UTF-16/);
  });
});

describe('firstInvalidUtf8', () => {
  it('finds the first byte that is not UTF-8', () => {
    expect(firstInvalidUtf8(Buffer.from('abc'))).toBe(-1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xe9, 0x62]))).toBe(1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xc3]))).toBe(-1); // cut by the chunk end, not invalid
  });
});
