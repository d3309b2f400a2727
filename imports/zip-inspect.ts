/**
 * Guards an XLSX before any XML is read: it must be a zip holding xl/workbook.xml, and it must not
 * be a zip bomb. The central directory's declared sizes are checked first (total and compression
 * ratio); then every entry is inflated once with its output counted and thrown away, because declared
 * sizes are written by whoever made the file and can lie. Memory stays flat; time is that of inflating.
 */
import fs from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import zlib from 'node:zlib';
import { refuse } from './issues.js';

export interface ZipEntry {
  name: string;
  method: number; // 0 stored, 8 deflate
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

export interface ZipLimits {
  maxTotalBytes: number; // all entries, uncompressed
  maxRatio: number; // uncompressed / compressed, for entries above ratioFloorBytes
  ratioFloorBytes: number;
  maxEntries: number;
}
export const XLSX_LIMITS: ZipLimits = { maxTotalBytes: 1024 ** 3, maxRatio: 200, ratioFloorBytes: 1024 ** 2, maxEntries: 10_000 };

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;

export interface EndOfCentralDirectory {
  count: number;
  size: number;
  offset: number;
}

/** The end-of-central-directory record, searched backwards in the last bytes of the file (pure). */
export function findEndOfCentralDirectory(tail: Buffer): EndOfCentralDirectory | 'not_zip' | 'zip64' {
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) !== EOCD_SIGNATURE) continue;
    const eocd = { count: tail.readUInt16LE(i + 10), size: tail.readUInt32LE(i + 12), offset: tail.readUInt32LE(i + 16) };
    return eocd.count === 0xffff || eocd.size === 0xffffffff || eocd.offset === 0xffffffff ? 'zip64' : eocd;
  }
  return 'not_zip';
}

/** The entries of a central directory (pure). */
export function parseCentralDirectory(dir: Buffer, count: number): ZipEntry[] | 'not_zip' | 'zip64' {
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let k = 0; k < count; k++) {
    if (p + 46 > dir.length || dir.readUInt32LE(p) !== CENTRAL_SIGNATURE) return 'not_zip';
    const compressedSize = dir.readUInt32LE(p + 20);
    const uncompressedSize = dir.readUInt32LE(p + 24);
    const nameLength = dir.readUInt16LE(p + 28);
    const extraLength = dir.readUInt16LE(p + 30);
    const commentLength = dir.readUInt16LE(p + 32);
    const localHeaderOffset = dir.readUInt32LE(p + 42);
    if (compressedSize === 0xffffffff || uncompressedSize === 0xffffffff || localHeaderOffset === 0xffffffff) return 'zip64';
    entries.push({
      name: dir.toString('utf8', p + 46, p + 46 + nameLength),
      method: dir.readUInt16LE(p + 10),
      compressedSize,
      uncompressedSize,
      localHeaderOffset,
    });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** What is wrong with the declared sizes, or undefined. */
export function checkDeclaredSizes(entries: ZipEntry[], limits: ZipLimits): string | undefined {
  if (entries.length > limits.maxEntries) return `has ${entries.length} parts, more than a workbook has (${limits.maxEntries})`;
  let total = 0;
  for (const e of entries) {
    total += e.uncompressedSize;
    if (e.uncompressedSize > limits.ratioFloorBytes && e.uncompressedSize > limits.maxRatio * Math.max(1, e.compressedSize)) {
      return `looks like a zip bomb: ${e.name} would expand ${Math.round(e.uncompressedSize / Math.max(1, e.compressedSize))} times (to ${mb(e.uncompressedSize)})`;
    }
  }
  if (total > limits.maxTotalBytes) return `would expand to ${mb(total)}, more than the ${mb(limits.maxTotalBytes)} allowed for a workbook`;
  return undefined;
}

const mb = (bytes: number) => `${Math.round(bytes / 1024 ** 2)} MB`;

/** Refuses the file unless it is a zip workbook within the limits, measured by actually inflating it. */
export async function inspectWorkbookZip(file: string, filePath: string, limits: ZipLimits = XLSX_LIMITS): Promise<void> {
  const handle = await fs.open(filePath, 'r');
  try {
    const { size } = await handle.stat();
    const entries = await readEntries(handle, size);
    if (entries === 'not_zip') throw refuse(file, 'is not an Excel workbook (.xlsx): it is not a zip file, or it is damaged');
    if (entries === 'zip64') throw refuse(file, `is too large: a workbook of more than 4 GB is not imported (the limit is ${mb(limits.maxTotalBytes)} uncompressed)`);
    if (!entries.some((e) => e.name === 'xl/workbook.xml')) throw refuse(file, 'is a zip file but not an Excel workbook (it has no xl/workbook.xml)');
    const declared = checkDeclaredSizes(entries, limits);
    if (declared) throw refuse(file, declared);
    let budget = limits.maxTotalBytes;
    for (const e of entries) {
      const actual = await inflatedSize(handle, filePath, e, Math.min(budget, e.uncompressedSize));
      if (actual === 'over') throw refuse(file, `looks like a zip bomb: ${e.name} expands beyond the size it declares (${mb(e.uncompressedSize)})`);
      if (actual === 'bad') throw refuse(file, `is damaged: ${e.name} cannot be decompressed`);
      budget -= actual;
    }
  } finally {
    await handle.close();
  }
}

async function readEntries(handle: fs.FileHandle, size: number): Promise<ZipEntry[] | 'not_zip' | 'zip64'> {
  const tailLength = Math.min(size, 65_557); // the record (22 bytes) plus the longest possible comment
  const tail = Buffer.alloc(tailLength);
  await handle.read(tail, 0, tailLength, size - tailLength);
  const eocd = findEndOfCentralDirectory(tail);
  if (typeof eocd === 'string') return eocd;
  if (eocd.offset + eocd.size > size || eocd.size > 64 * 1024 ** 2) return 'not_zip';
  const dir = Buffer.alloc(eocd.size);
  await handle.read(dir, 0, eocd.size, eocd.offset);
  return parseCentralDirectory(dir, eocd.count);
}

/** Bytes an entry inflates to, stopping at `limit` ('over'); 'bad' if it cannot be read. */
async function inflatedSize(handle: fs.FileHandle, filePath: string, e: ZipEntry, limit: number): Promise<number | 'over' | 'bad'> {
  if (e.compressedSize === 0) return 0;
  const local = Buffer.alloc(30);
  await handle.read(local, 0, 30, e.localHeaderOffset);
  if (local.readUInt32LE(0) !== LOCAL_SIGNATURE) return 'bad';
  const start = e.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  if (e.method === 0) return e.compressedSize > limit ? 'over' : e.compressedSize;
  if (e.method !== 8) return 'bad';
  const input = createReadStream(filePath, { start, end: start + e.compressedSize - 1 });
  const inflate = zlib.createInflateRaw();
  let total = 0;
  return new Promise((resolve) => {
    const stop = (result: number | 'over' | 'bad') => {
      input.destroy();
      inflate.destroy();
      resolve(result);
    };
    inflate.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > limit) stop('over');
    });
    inflate.on('end', () => stop(total));
    inflate.on('error', () => stop('bad'));
    input.on('error', () => stop('bad'));
    input.pipe(inflate);
  });
}
