import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, csvRecords, guessDelimiter, parseComplete } from './csv-records.js';

async function all(text: string, chunkSize: number, delimiter = ','): Promise<string[][]> {
  async function* chunks() {
    for (let i = 0; i < text.length; i += chunkSize) yield text.slice(i, i + chunkSize);
  }
  const out: string[][] = [];
  for await (const batch of csvRecords(chunks(), delimiter)) out.push(...batch);
  return out;
}

const SAMPLE = 'a,b,c\r\n1,"two, with comma",3\n"say ""hi""",,\n"multi\nline",x,y\nlast,row,no-newline';
const EXPECTED = [
  ['a', 'b', 'c'],
  ['1', 'two, with comma', '3'],
  ['say "hi"', '', ''],
  ['multi\nline', 'x', 'y'],
  ['last', 'row', 'no-newline'],
];

describe('csvRecords', () => {
  it('reads quotes, doubled quotes, newlines in quotes, CRLF and a last line without newline', async () => {
    expect(await all(SAMPLE, 1 << 20)).toEqual(EXPECTED);
  });
  it('gives the same records whatever the chunk boundaries', async () => {
    for (const size of [1, 2, 3, 5, 7, 13]) expect(await all(SAMPLE, size)).toEqual(EXPECTED);
  });
  it('keeps an empty line as a record of one empty field (row numbers stay as the user sees them)', async () => {
    expect(await all('a,b\n\n1,2\n', 4)).toEqual([['a', 'b'], [''], ['1', '2']]);
  });
  it('keeps a quote inside an unquoted field as it is', async () => {
    expect(await all('12" screen,x\n', 100)).toEqual([['12" screen', 'x']]);
  });
  it('reads another delimiter when asked', async () => {
    expect(await all('a;b\n"1;2";3\n', 3, ';')).toEqual([['a', 'b'], ['1;2', '3']]);
  });
  it('names the record whose quote is never closed', async () => {
    await expect(all('a,b\n1,2\n3,"open\n4,5\n', 4)).rejects.toThrow(CsvSyntaxError);
    await expect(all('a,b\n1,2\n3,"open\n4,5\n', 4)).rejects.toMatchObject({ record: 3 });
  });
});

describe('parseComplete', () => {
  it('stops before an incomplete record unless told the text is final', () => {
    expect(parseComplete('a,b\nc,', ',', false)).toEqual({ records: [['a', 'b']], consumed: 4 });
    expect(parseComplete('a,b\nc,', ',', true).records).toEqual([['a', 'b'], ['c', '']]);
  });
});

describe('guessDelimiter', () => {
  it('counts candidates outside quotes', () => {
    expect(guessDelimiter('project_code;indicator_code;period;value')).toBe(';');
    expect(guessDelimiter('project_code\tindicator_code\tperiod')).toBe('\t');
    expect(guessDelimiter('"a;b;c",d,e')).toBe(',');
  });
});
