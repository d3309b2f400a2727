/**
 * Builds small zip files in memory for tests: workbooks that are not what they claim, zip bombs, and
 * sizes that lie, and archives whose local headers and central directory disagree. Not used by the
 * import itself.
 */
import { createRequire } from 'node:module';
import zlib from 'node:zlib';

/** Data already deflated (e.g. megabytes of zeros, made without holding them in memory). */
export interface Deflated {
  deflated: Buffer;
  size: number;
  crc: number;
}

export interface FixtureEntry {
  name: string;
  data: Buffer | Deflated;
  /** Override the uncompressed size written in the headers (to make it lie). */
  declaredSize?: number;
  store?: boolean;
  /** false: the part has a local header and data but the central directory does not list it. */
  listed?: boolean;
  /** Sizes and CRC left out of the local header (flag bit 3) and written in a data descriptor after the data. */
  dataDescriptor?: boolean;
  /** Override the sizes written in the local header only (the central directory keeps the true ones). */
  localSizes?: { compressed: number; uncompressed: number };
}

const isDeflated = (d: Buffer | Deflated): d is Deflated => !Buffer.isBuffer(d);

export function buildZip(entries: FixtureEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  let listed = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const pre = isDeflated(e.data) ? e.data : undefined;
    const raw = pre ? undefined : (e.data as Buffer);
    const store = !pre && e.store;
    const body = pre ? pre.deflated : store ? raw! : zlib.deflateRawSync(raw!, { level: 9 });
    const crc = pre ? pre.crc : zlib.crc32(raw!);
    const size = e.declaredSize ?? (pre ? pre.size : raw!.length);
    const method = store ? 0 : 8;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(e.dataDescriptor ? 0x08 : 0, 6);
    local.writeUInt16LE(method, 8);
    if (!e.dataDescriptor) {
      local.writeUInt32LE(crc, 14);
      local.writeUInt32LE(e.localSizes?.compressed ?? body.length, 18);
      local.writeUInt32LE(e.localSizes?.uncompressed ?? size, 22);
    }
    local.writeUInt16LE(name.length, 26);
    const descriptor = Buffer.alloc(e.dataDescriptor ? 16 : 0);
    if (e.dataDescriptor) {
      descriptor.writeUInt32LE(0x08074b50, 0);
      descriptor.writeUInt32LE(crc, 4);
      descriptor.writeUInt32LE(e.localSizes?.compressed ?? body.length, 8);
      descriptor.writeUInt32LE(e.localSizes?.uncompressed ?? size, 12);
    }
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(e.dataDescriptor ? 0x08 : 0, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body, descriptor);
    if (e.listed !== false) {
      centrals.push(central, name);
      listed++;
    }
    offset += local.length + name.length + body.length + descriptor.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(listed, 8);
  end.writeUInt16LE(listed, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

/** `megabytes` of zeros, deflated a megabyte at a time (the zeros are never held in memory at once). */
export async function deflatedZeros(megabytes: number): Promise<Deflated> {
  const mbOfZeros = Buffer.alloc(1024 * 1024);
  const deflate = zlib.createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (c: Buffer) => out.push(c));
  const done = new Promise<void>((resolve, reject) => {
    deflate.on('end', resolve);
    deflate.on('error', reject);
  });
  let crc = 0;
  for (let i = 0; i < megabytes; i++) {
    crc = zlib.crc32(mbOfZeros, crc);
    if (!deflate.write(mbOfZeros)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await done;
  return { deflated: Buffer.concat(out), size: megabytes * 1024 * 1024, crc };
}

/** A zip whose one part, named like a worksheet, inflates from a few hundred kB to `megabytes` of zeros. */
export const zipBomb = (megabytes: number): Buffer =>
  buildZip([
    { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
    { name: 'xl/workbook.xml', data: Buffer.from('<workbook/>') },
    { name: 'xl/worksheets/sheet1.xml', data: Buffer.alloc(megabytes * 1024 * 1024) },
  ]);

/**
 * A workbook whose central directory lists only small parts, while a worksheet of `megabytes` of zeros
 * sits among the local headers unlisted: a reader that walks local headers (a streaming unzip) reads
 * it, a guard that reads only the directory never sees it.
 */
export async function hiddenPartZip(megabytes: number): Promise<Buffer> {
  return buildZip([
    { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
    { name: 'xl/workbook.xml', data: Buffer.from('<workbook/>') },
    { name: 'xl/worksheets/sheet1.xml', data: await deflatedZeros(megabytes), listed: false },
  ]);
}

/**
 * Counts every byte that any raw inflater of the process puts out (ours and the streaming unzip's
 * inside exceljs) until `restore()`: how much of an archive was actually decompressed.
 */
export function countInflatedBytes(): { bytes: () => number; restore: () => void } {
  const zlibModule = createRequire(import.meta.url)('node:zlib') as typeof zlib;
  const original = Object.getOwnPropertyDescriptor(zlibModule, 'createInflateRaw')!;
  const create = zlibModule.createInflateRaw;
  let total = 0;
  Object.defineProperty(zlibModule, 'createInflateRaw', {
    ...original,
    value: (options?: zlib.ZlibOptions) => {
      const inflater = create.call(zlibModule, options);
      inflater.on('data', (chunk: Buffer) => {
        total += chunk.length;
      });
      return inflater;
    },
  });
  return { bytes: () => total, restore: () => Object.defineProperty(zlibModule, 'createInflateRaw', original) };
}
