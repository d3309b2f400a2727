import { describe, expect, it } from 'vitest';
import { copyField, copyLine, copyNumber, copyText } from './copy-text.js';

describe('COPY text format', () => {
  it('escapes backslashes, tabs and line breaks, and writes NULL as \\N', () => {
    expect(copyText('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(copyText('plain')).toBe('plain');
    expect(copyText(null)).toBe('\\N');
    expect(copyNumber(null)).toBe('\\N');
    expect(copyNumber(12.5)).toBe('12.5');
    expect(copyField(undefined)).toBe('\\N');
    expect(copyLine([1, 'x', null])).toBe('1\tx\t\\N\n');
  });
});
