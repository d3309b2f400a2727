/**
 * Text files arrive as UTF-8 (with or without the BOM Excel writes for "CSV UTF-8"), but also as the
 * Windows code page of the machine that saved them: Windows-1252 in Europe, Windows-1256 in Libya. A
 * byte outside UTF-8 cannot tell those apart, and guessing wrong silently corrupts Arabic names, so
 * a non-UTF-8 file is refused with a message that shows the offending line and what the byte would
 * be in Windows-1252; `--encoding windows-1252` (or windows-1256) converts it when the user says so.
 */
import { refuse } from './issues.js';

export const TEXT_ENCODINGS = ['utf-8', 'windows-1252', 'windows-1256', 'iso-8859-1'] as const;
export type TextEncoding = (typeof TEXT_ENCODINGS)[number];

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/** Refuses encodings that are recognisable from the first bytes and that we do not read. */
export function checkLeadingBytes(file: string, head: Uint8Array): void {
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    throw refuse(file, 'is UTF-16 text (Excel "Unicode Text"); save it as "CSV UTF-8 (comma delimited)" and import again');
  }
}

/**
 * Decodes a byte stream into text, dropping a UTF-8 BOM. For UTF-8 it refuses the file at the first
 * byte that is not UTF-8, naming its line.
 */
export async function* decodeText(file: string, chunks: AsyncIterable<Uint8Array>, encoding: TextEncoding = 'utf-8'): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding, { fatal: encoding === 'utf-8', ignoreBOM: false });
  let line = 1;
  let first = true;
  for await (const chunk of chunks) {
    if (first) {
      checkLeadingBytes(file, chunk);
      first = false;
    }
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      throw notUtf8(file, chunk, line);
    }
    if (text.indexOf('\u0000') !== -1) {
      throw refuse(file, `is not a text file: line ${line + countNewlines(text.slice(0, text.indexOf('\u0000')))} has a NUL byte (binary data, or UTF-16 without a byte order mark)`);
    }
    line += countNewlines(text);
    if (text) yield text;
  }
  let rest: string;
  try {
    rest = decoder.decode();
  } catch {
    throw refuse(file, 'ends in the middle of a UTF-8 character: the file is cut short or not UTF-8');
  }
  if (rest) yield rest;
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function notUtf8(file: string, chunk: Uint8Array, lineAtChunkStart: number) {
  const at = firstInvalidUtf8(chunk);
  const bytes = at >= 0 ? chunk.subarray(at, at + 1) : chunk.subarray(0, 0);
  let line = lineAtChunkStart;
  for (let i = 0; i < Math.max(0, at); i++) if (chunk[i] === 0x0a) line++;
  const hex = bytes.length ? `0x${bytes[0]!.toString(16).toUpperCase().padStart(2, '0')}` : 'a byte';
  const as1252 = bytes.length ? new TextDecoder('windows-1252').decode(bytes) : '';
  return refuse(
    file,
    `is not UTF-8: line ${line} has ${hex}${as1252 ? ` ("${as1252}" in Windows-1252)` : ''}. Save it as "CSV UTF-8" in Excel, ` +
      'or import it with --encoding windows-1252 (Western European) or --encoding windows-1256 (Arabic) if that is what it is',
    line,
  );
}

/** Index of the first byte that does not start or continue a valid UTF-8 sequence (-1: none). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0) return i;
    for (let k = 1; k < length; k++) {
      if (i + k >= bytes.length) return -1; // cut by the chunk boundary, not invalid here
      if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    }
    i += length;
  }
  return -1;
}

export const hasUtf8Bom = (head: Uint8Array): boolean => UTF8_BOM.every((b, i) => head[i] === b);
