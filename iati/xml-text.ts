/** Text and numbers as IATI wants them in XML attributes and narratives. */

/**
 * A number as plain decimal text: IATI's rules test `number(@value) = @value` (XPath 1.0), which
 * reads no exponent, so 1e-7 must be written 0.0000001.
 */
export function decimalText(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`not a finite number: ${n}`);
  if (Object.is(n, -0)) return '0';
  const plain = String(n);
  if (!/e/i.test(plain)) return plain;
  if (Math.abs(n) >= 1e21) return BigInt(Math.round(n)).toString();
  return n.toFixed(20).replace(/\.?0+$/, '');
}

/** Removes characters XML 1.0 cannot carry (control characters other than tab, newline, return). */
export function xmlSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '');
}
