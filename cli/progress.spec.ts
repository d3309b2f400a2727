import { describe, expect, it } from 'vitest';
import { formatImportProgress, importProgress, progressLine, withStatus } from './progress.js';

function fakeStream(isTTY: boolean) {
  const written: string[] = [];
  return { isTTY, written, write: (t: string) => written.push(t) };
}

describe('the import progress line', () => {
  it('says rows read, the rate and rows rejected so far', () => {
    expect(formatImportProgress('data.csv', { stage: 'reading', rowsRead: 523_000, rejected: 1_204 }, 15_000)).toBe('data.csv: 523,000 rows read, 34,867 rows/s, 1,204 rejected so far (15 s)');
    expect(formatImportProgress('a.csv', { stage: 'reading', rowsRead: 0, rejected: 0 }, 0)).toBe('a.csv: 0 rows read, 0 rows/s, 0 rejected so far (0 s)');
    expect(formatImportProgress('data.csv', { stage: 'checking', rowsRead: 1_000_000, rejected: 12 }, 28_400, 4_100))
      .toBe('data.csv: 1,000,000 rows read in 28 s, 12 rejected so far; checking across rows and storing (4 s)');
  });

  it('rbm import: the reading line, then the checking line at once, cleared before the summary; nothing in JSON mode or through a pipe', () => {
    let now = 0;
    const tty = fakeStream(true);
    const p = importProgress(tty, { enabled: true, file: 'big.csv', now: () => now });
    now = 1_000;
    p.onProgress({ stage: 'reading', rowsRead: 50_000, rejected: 3 });
    now = 1_050;
    p.onProgress({ stage: 'reading', rowsRead: 52_000, rejected: 3 }); // within 200 ms: skipped
    now = 2_000;
    p.onProgress({ stage: 'checking', rowsRead: 60_000, rejected: 4 });
    p.done();
    expect(tty.written).toEqual([
      '\rbig.csv: 50,000 rows read, 50,000 rows/s, 3 rejected so far (1 s)\x1b[K',
      '\rbig.csv: 60,000 rows read in 2 s, 4 rejected so far; checking across rows and storing (0 s)\x1b[K',
      '\r\x1b[K',
    ]);
    for (const [stream, enabled] of [[fakeStream(true), false], [fakeStream(false), true]] as const) {
      const q = importProgress(stream, { enabled, file: 'big.csv' });
      q.onProgress({ stage: 'reading', rowsRead: 1, rejected: 0 });
      q.onProgress({ stage: 'checking', rowsRead: 1, rejected: 0 });
      q.done();
      expect(stream.written).toEqual([]);
    }
  });

  it('rewrites one line on a terminal, at most every interval, and clears it at the end', () => {
    let now = 0;
    const tty = fakeStream(true);
    const line = progressLine(tty, { enabled: true, intervalMs: 200, now: () => now });
    line.update('1');
    now = 100;
    line.update('2'); // too soon: skipped
    now = 250;
    line.update('3');
    line.done();
    expect(tty.written).toEqual(['\r1\x1b[K', '\r3\x1b[K', '\r\x1b[K']);
    expect(tty.written.join('')).not.toContain('\n');
  });

  it('writes nothing when the output is not a terminal or the command prints JSON', () => {
    const pipe = fakeStream(false);
    const p = progressLine(pipe, { enabled: true });
    p.update('x');
    p.done();
    const tty = fakeStream(true);
    const json = progressLine(tty, { enabled: false });
    json.update('x');
    json.done();
    expect(pipe.written).toEqual([]);
    expect(tty.written).toEqual([]);
  });

  it('says what long work is doing on a terminal, then clears the line', async () => {
    const tty = fakeStream(true);
    expect(await withStatus(tty, 'Rendering iom-donor-report', async () => 42)).toBe(42);
    expect(tty.written).toEqual(['\rRendering iom-donor-report (0 s)\x1b[K', '\r\x1b[K']);
    const pipe = fakeStream(false);
    await withStatus(pipe, 'Rendering', async () => undefined);
    expect(pipe.written).toEqual([]);
  });
});
