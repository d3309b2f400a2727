/**
 * Guards an XLSX before any XML is read: it must be a zip holding xl/workbook.xml, and it must not
 * be a zip bomb. The central directory's declared sizes are checked first (count, total and compression
 * ratio); then the local file headers are walked from the first byte, as a streaming unzip reads them,
 * and must agree with the directory: every part listed, at the offset it says, with the same name,
 * method and sizes (a data descriptor's too), one after the other with nothing between or overlapping.
 * Then every entry is inflated once with its output counted and thrown away, because declared sizes
 * are written by whoever made the file and can lie. Memory stays flat; time is that of inflating.
 * What passed is returned: readers read only those parts (zip-read.ts), capped at their declared sizes.
 */
import fs from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { Readable, pipeline } from 'node:stream';
import zlib from 'node:zlib';
import { refuse } from './issues.js';

export interface ZipEntry {
  name: string;
  method: number; // 0 stored, 8 deflate
  /** General purpose flags: bit 0 encrypted, bit 3 sizes in a data descriptor after the data. */
  flags?: number;
  crc?: number;
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
const DESCRIPTOR_SIGNATURE = 0x08074b50;

/** An entry whose local header agrees with the directory: its data starts at `dataOffset`. */
export interface CheckedEntry extends Required<ZipEntry> {
  dataOffset: number;
}

export interface EndOfCentralDirectory {
  count: number;
  size: number;
  offset: number;
  /** Where the record starts in the bytes searched. */
  at: number;
}

/** The end-of-central-directory record, searched backwards in the last bytes of the file (pure). */
export function findEndOfCentralDirectory(tail: Buffer): EndOfCentralDirectory | 'not_zip' | 'zip64' {
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) !== EOCD_SIGNATURE) continue;
    const eocd = { count: tail.readUInt16LE(i + 10), size: tail.readUInt32LE(i + 12), offset: tail.readUInt32LE(i + 16), at: i };
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
      flags: dir.readUInt16LE(p + 8),
      crc: dir.readUInt32LE(p + 16),
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
  let compressed = 0;
  for (const e of entries) {
    total += e.uncompressedSize;
    compressed += e.compressedSize;
    if (e.uncompressedSize > limits.ratioFloorBytes && e.uncompressedSize > limits.maxRatio * Math.max(1, e.compressedSize)) {
      return `looks like a zip bomb: ${e.name} would expand ${Math.round(e.uncompressedSize / Math.max(1, e.compressedSize))} times (to ${mb(e.uncompressedSize)})`;
    }
  }
  if (total > limits.maxTotalBytes) return `would expand to ${mb(total)}, more than the ${mb(limits.maxTotalBytes)} allowed for a workbook`;
  if (total > limits.ratioFloorBytes && total > limits.maxRatio * Math.max(1, compressed)) {
    return `looks like a zip bomb: its parts would expand ${Math.round(total / Math.max(1, compressed))} times (to ${mb(total)})`;
  }
  const names = new Set<string>();
  for (const e of entries) {
    if (names.has(e.name)) return `is not a well-formed workbook: it holds the part ${e.name} twice`;
    names.add(e.name);
  }
  return undefined;
}

const mb = (bytes: number) => `${Math.round(bytes / 1024 ** 2)} MB`;

/**
 * Refuses the file unless it is a zip workbook within the limits, its local headers agreeing with its
 * central directory, measured by actually inflating it. Returns the parts that passed, in file order.
 */
export async function inspectWorkbookZip(file: string, filePath: string, limits: ZipLimits = XLSX_LIMITS): Promise<CheckedEntry[]> {
  const handle = await fs.open(filePath, 'r');
  try {
    const { size } = await handle.stat();
    const directory = await readEntries(handle, size);
    if (directory === 'not_zip') throw refuse(file, 'is not an Excel workbook (.xlsx): it is not a zip file, or it is damaged');
    if (directory === 'zip64') throw refuse(file, `is too large: a workbook of more than 4 GB is not imported (the limit is ${mb(limits.maxTotalBytes)} uncompressed)`);
    const { entries } = directory;
    if (!entries.some((e) => e.name === 'xl/workbook.xml')) throw refuse(file, 'is a zip file but not an Excel workbook (it has no xl/workbook.xml)');
    const declared = checkDeclaredSizes(entries, limits);
    if (declared) throw refuse(file, declared);
    const checked = await checkLocalHeaders(handle, size, entries, directory.offset);
    if (typeof checked === 'string') throw refuse(file, checked);
    let budget = limits.maxTotalBytes;
    for (const e of checked) {
      const actual = await inflatedSize(filePath, e, Math.min(budget, e.uncompressedSize));
      if (actual === 'over') throw refuse(file, `looks like a zip bomb: ${e.name} expands beyond the size it declares (${mb(e.uncompressedSize)})`);
      if (actual === 'bad') throw refuse(file, `is damaged: ${e.name} cannot be decompressed`);
      if (actual !== e.uncompressedSize) throw refuse(file, `is damaged: ${e.name} holds ${actual} bytes where it declares ${e.uncompressedSize}`);
      budget -= actual;
    }
    return checked;
  } finally {
    await handle.close();
  }
}

async function readEntries(handle: fs.FileHandle, size: number): Promise<{ entries: ZipEntry[]; offset: number } | 'not_zip' | 'zip64'> {
  const tailLength = Math.min(size, 65_557); // the record (22 bytes) plus the longest possible comment
  const tail = await readAt(handle, size - tailLength, tailLength);
  const eocd = findEndOfCentralDirectory(tail);
  if (typeof eocd === 'string') return eocd;
  // The directory must end where its end record starts: nothing hides between them.
  if (eocd.offset + eocd.size !== size - tailLength + eocd.at || eocd.size > 64 * 1024 ** 2) return 'not_zip';
  const entries = parseCentralDirectory(await readAt(handle, eocd.offset, eocd.size), eocd.count);
  return typeof entries === 'string' ? entries : { entries, offset: eocd.offset };
}

async function readAt(handle: fs.FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

const NOT_WELL_FORMED = 'is not a well-formed workbook';
const SAVE_AGAIN = 'open it in Excel and save it again';

/**
 * Walks the local headers from the first byte to the central directory, as a streaming unzip does,
 * and returns the entries with where their data starts, or what disagrees with the directory.
 */
async function checkLocalHeaders(handle: fs.FileHandle, size: number, entries: ZipEntry[], centralOffset: number): Promise<CheckedEntry[] | string> {
  const sorted = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  const checked: CheckedEntry[] = [];
  let position = 0;
  for (const e of sorted) {
    if (e.localHeaderOffset < position) return `${NOT_WELL_FORMED}: its parts ${checked.at(-1)?.name} and ${e.name} overlap (${SAVE_AGAIN})`;
    if (e.localHeaderOffset > position) return unlisted(handle, position);
    const header = await readAt(handle, position, 30);
    if (header.length < 30 || header.readUInt32LE(0) !== LOCAL_SIGNATURE) return `is damaged: the part ${e.name} is not where its central directory says`;
    const flags = header.readUInt16LE(6);
    const nameLength = header.readUInt16LE(26);
    const name = (await readAt(handle, position + 30, nameLength)).toString('utf8');
    const disagree = (what: string) => `${NOT_WELL_FORMED}: the ${what} of the part ${e.name} differ between its local header and its central directory (${SAVE_AGAIN})`;
    if (name !== e.name) return `${NOT_WELL_FORMED}: its central directory names ${e.name} where the file holds ${name} (${SAVE_AGAIN})`;
    if (flags & 0x01) return `is encrypted (${e.name}): save it without a password`;
    if (header.readUInt16LE(8) !== e.method) return disagree('compression methods');
    if (e.method !== 0 && e.method !== 8) return `is damaged: ${e.name} uses a compression method Excel does not write (${e.method})`;
    if (e.method === 0 && e.compressedSize !== e.uncompressedSize) return `is damaged: ${e.name} is stored uncompressed but declares two sizes`;
    const dataOffset = position + 30 + nameLength + header.readUInt16LE(28);
    const local = { crc: header.readUInt32LE(14), compressed: header.readUInt32LE(18), uncompressed: header.readUInt32LE(22) };
    let end = dataOffset + e.compressedSize;
    if (flags & 0x08) {
      // Sizes in a data descriptor after the data: the header's may be zero, the descriptor's must agree.
      if ((local.compressed || local.uncompressed) && (local.compressed !== e.compressedSize || local.uncompressed !== e.uncompressedSize)) return disagree('sizes');
      const d = await readAt(handle, end, 16);
      const o = d.length >= 16 && d.readUInt32LE(0) === DESCRIPTOR_SIGNATURE ? 4 : 0;
      if (d.length < o + 12 || d.readUInt32LE(o) !== e.crc || d.readUInt32LE(o + 4) !== e.compressedSize || d.readUInt32LE(o + 8) !== e.uncompressedSize) return disagree('sizes (in its data descriptor)');
      end += o + 12;
    } else if (local.compressed !== e.compressedSize || local.uncompressed !== e.uncompressedSize) return disagree('sizes');
    else if (local.crc !== e.crc) return disagree('checksums');
    if (end > centralOffset || end > size) return `is damaged: the part ${e.name} runs past the end of the parts`;
    checked.push({ name: e.name, method: e.method, flags: e.flags ?? 0, crc: e.crc ?? 0, compressedSize: e.compressedSize, uncompressedSize: e.uncompressedSize, localHeaderOffset: e.localHeaderOffset, dataOffset });
    position = end;
  }
  if (position !== centralOffset) return unlisted(handle, position);
  return checked;
}

/** What sits at `position` that the central directory does not account for. */
async function unlisted(handle: fs.FileHandle, position: number): Promise<string> {
  const header = await readAt(handle, position, 30);
  if (header.length === 30 && header.readUInt32LE(0) === LOCAL_SIGNATURE) {
    const name = (await readAt(handle, position + 30, Math.min(header.readUInt16LE(26), 255))).toString('utf8');
    return `${NOT_WELL_FORMED}: it holds a part its central directory does not list (${name}); it is not read (${SAVE_AGAIN})`;
  }
  return `${NOT_WELL_FORMED}: it holds bytes at offset ${position} that its central directory does not account for (${SAVE_AGAIN})`;
}

/** Bytes an entry inflates to, stopping at `limit` ('over'); 'bad' if it cannot be read or its checksum is wrong. */
async function inflatedSize(filePath: string, e: CheckedEntry, limit: number): Promise<number | 'over' | 'bad'> {
  let total = 0;
  let crc = 0;
  try {
    for await (const chunk of inflatedChunks(filePath, e)) {
      total += chunk.length;
      if (total > limit) return 'over';
      crc = zlib.crc32(chunk, crc);
    }
  } catch {
    return 'bad';
  }
  return crc === e.crc ? total : 'bad';
}

/** The inflated bytes of a checked entry, streamed from the file (a stored entry's bytes as they are). */
export function inflatedChunks(filePath: string, e: CheckedEntry): AsyncIterable<Buffer> {
  if (e.compressedSize === 0) return Readable.from([]);
  const input = createReadStream(filePath, { start: e.dataOffset, end: e.dataOffset + e.compressedSize - 1, highWaterMark: 64 * 1024 });
  if (e.method === 0) return input;
  const inflate = zlib.createInflateRaw();
  pipeline(input, inflate, () => undefined); // errors reach the reader through `inflate`
  return inflate;
}
