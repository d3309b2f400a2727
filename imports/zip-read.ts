/**
 * Reads only what inspectWorkbookZip checked, and no more of it than it declares. A streaming XLSX
 * reader (exceljs uses a streaming unzip that walks local headers, not the central directory) is given
 * this stream instead of the file: the checked parts, in file order, each inflated here and passed on
 * stored (uncompressed) with the size its directory declares, then a central directory for them. The
 * inflater stops at the declared size: more is a zip bomb, fewer or a wrong checksum is damage. After
 * a problem nothing more is read; the entry under way is completed with spaces so the reader ends
 * cleanly, and `problem()` says what went wrong (the caller refuses the file with it).
 */
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { inflatedChunks, type CheckedEntry } from './zip-inspect.js';

export interface CheckedZipStream {
  stream: Readable;
  /** What went wrong while reading, for the refusal (undefined while all is well). */
  problem(): string | undefined;
  /** Bytes inflated so far (all parts). */
  inflatedBytes(): number;
}

const PADDING = Buffer.alloc(64 * 1024, 0x20);

export function readCheckedZip(filePath: string, entries: CheckedEntry[]): CheckedZipStream {
  let problem: string | undefined;
  let inflated = 0;
  async function* bytes(): AsyncGenerator<Buffer> {
    const central: Buffer[] = [];
    let offset = 0;
    for (const e of entries) {
      const name = Buffer.from(e.name, 'utf8');
      const header = localHeader(e, name);
      yield header;
      let sent = 0;
      let crc = 0;
      try {
        for await (const chunk of inflatedChunks(filePath, e)) {
          const room = e.uncompressedSize - sent;
          const piece = chunk.length > room ? chunk.subarray(0, room) : chunk;
          inflated += piece.length;
          if (piece.length) {
            crc = zlib.crc32(piece, crc);
            sent += piece.length;
            yield piece;
          }
          if (chunk.length > room) {
            problem = `looks like a zip bomb: ${e.name} expands beyond the size it declares (${e.uncompressedSize} bytes)`;
            break;
          }
        }
      } catch {
        problem ??= `is damaged: ${e.name} cannot be decompressed`;
      }
      if (!problem && sent < e.uncompressedSize) problem = `is damaged: ${e.name} holds ${sent} bytes where it declares ${e.uncompressedSize}`;
      if (!problem && crc !== e.crc) problem = `is damaged: the checksum of ${e.name} is wrong`;
      for (; sent < e.uncompressedSize; sent += PADDING.length) yield PADDING.subarray(0, Math.min(PADDING.length, e.uncompressedSize - sent));
      central.push(centralHeader(e, name, offset));
      offset += header.length + e.uncompressedSize;
      if (problem) break;
    }
    const dir = Buffer.concat(central);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(central.length, 8);
    end.writeUInt16LE(central.length, 10);
    end.writeUInt32LE(dir.length, 12);
    end.writeUInt32LE(offset, 16);
    yield dir;
    yield end;
  }
  return { stream: Readable.from(bytes(), { objectMode: false }), problem: () => problem, inflatedBytes: () => inflated };
}

/** A local header for the entry stored uncompressed, sizes known (no data descriptor). */
function localHeader(e: CheckedEntry, name: Buffer): Buffer {
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(20, 4);
  h.writeUInt16LE(0x800, 6); // names in UTF-8
  h.writeUInt16LE(0, 8);
  h.writeUInt32LE(e.crc, 14);
  h.writeUInt32LE(e.uncompressedSize, 18);
  h.writeUInt32LE(e.uncompressedSize, 22);
  h.writeUInt16LE(name.length, 26);
  return Buffer.concat([h, name]);
}

function centralHeader(e: CheckedEntry, name: Buffer, offset: number): Buffer {
  const c = Buffer.alloc(46);
  c.writeUInt32LE(0x02014b50, 0);
  c.writeUInt16LE(20, 4);
  c.writeUInt16LE(20, 6);
  c.writeUInt16LE(0x800, 8);
  c.writeUInt16LE(0, 10);
  c.writeUInt32LE(e.crc, 16);
  c.writeUInt32LE(e.uncompressedSize, 20);
  c.writeUInt32LE(e.uncompressedSize, 24);
  c.writeUInt16LE(name.length, 28);
  c.writeUInt32LE(offset, 42);
  return Buffer.concat([c, name]);
}
