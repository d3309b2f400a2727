import { describe, expect, it } from 'vitest';
import { decimalText, xmlSafe } from './xml-text.js';

describe('XML text', () => {
  it('writes numbers as plain decimals, never with an exponent', () => {
    expect(decimalText(36)).toBe('36');
    expect(decimalText(66.7)).toBe('66.7');
    expect(decimalText(-0)).toBe('0');
    expect(decimalText(1e-7)).toBe('0.0000001');
    expect(decimalText(2.5e21)).toBe('2500000000000000000000');
    expect(() => decimalText(Number.NaN)).toThrow(RangeError);
  });

  it('drops characters XML 1.0 cannot carry and keeps the rest', () => {
    expect(xmlSafe('a\u0001b\tc\nd é – 😀')).toBe('ab\tc\nd é – 😀');
  });
});
