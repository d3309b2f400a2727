/**
 * Opens an import file as a stream of rows, whatever its format. The format is told by the first bytes
 * (a zip is a workbook, an OLE file is an old .xls, `[` or `{` is JSON) before the extension, so a
 * workbook renamed .csv is still read as a workbook, and a CSV renamed .xlsx is named for what it is.
 */
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { csvSourceRows } from './csv-source.js';
import { decodeText, hasUtf8Bom, type TextEncoding } from './encoding.js';
import type { SourceRow } from './format.js';
import { refuse } from './issues.js';
import { jsonSourceRows } from './json-source.js';
import { xlsxSourceRows } from './xlsx-source.js';

export type ImportFormat = 'csv' | 'xlsx' | 'json';

export interface OpenOptions {
  delimiter?: string;
  encoding?: TextEncoding;
}

const READ_CHUNK = 64 * 1024; // small batches die young: far less garbage collection than 1 MB ones

/** The format of a file from its first bytes and its name. */
export function detectFormat(file: string, head: Uint8Array): ImportFormat {
  const ext = path.extname(file).toLowerCase();
  if (head.length === 0) throw refuse(file, 'is empty');
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return 'xlsx';
  if (head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0) {
    throw refuse(file, 'is an Excel 97-2003 workbook (.xls): save it as .xlsx or as CSV UTF-8 and import that');
  }
  if (ext === '.xlsx' || ext === '.xlsm') throw refuse(file, 'is not an Excel workbook (.xlsx): it is not a zip file. If it is a CSV, name it .csv');
  const first = firstSignificantChar(head);
  if (ext === '.json' || first === '[' || first === '{') return 'json';
  return 'csv';
}

function firstSignificantChar(head: Uint8Array): string | undefined {
  let i = hasUtf8Bom(head) ? 3 : 0;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09)) i++;
  return i < head.length ? String.fromCharCode(head[i]!) : undefined;
}

/** The rows of a file, in batches; file-level problems are thrown as FileRefused while reading. */
export async function openRows(file: string, filePath: string, options: OpenOptions = {}): Promise<{ format: ImportFormat; rows: AsyncIterable<SourceRow[]> }> {
  const head = await readHead(filePath, 4096);
  const format = detectFormat(file, head);
  if (format === 'xlsx') return { format, rows: xlsxSourceRows(file, filePath) };
  if (head.length < 4096 && firstSignificantChar(head) === undefined) throw refuse(file, 'is empty');
  const text = decodeText(file, createReadStream(filePath, { highWaterMark: READ_CHUNK }), options.encoding);
  return { format, rows: format === 'json' ? jsonSourceRows(file, text) : csvSourceRows(file, text, options.delimiter) };
}

async function readHead(filePath: string, length: number): Promise<Uint8Array> {
  const handle = await fs.open(filePath, 'r').catch((e: NodeJS.ErrnoException) => {
    throw refuse(path.basename(filePath), e.code === 'ENOENT' ? 'does not exist' : e.code === 'EISDIR' ? 'is a folder, not a file' : `cannot be read (${e.code ?? e.message})`);
  });
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
