/**
 * Pages of a PDF as pixels, for specs and benchmarks that check how a report looks: poppler's
 * `pdftoppm` renders the pages to PPM (binary P6: a text header, then RGB bytes), read here without
 * any image library. Not used by the application.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Raster {
  width: number;
  height: number;
  /** RGB, 3 bytes a pixel, rows top to bottom. */
  data: Uint8Array;
}

/** Parses a binary PPM (P6, maxval 255). */
export function parsePpm(bytes: Uint8Array): Raster {
  const fields: string[] = [];
  let i = 0;
  while (fields.length < 4) {
    while (i < bytes.length && /\s/.test(String.fromCharCode(bytes[i]!))) i++;
    if (bytes[i] === 0x23) {
      while (i < bytes.length && bytes[i] !== 0x0a) i++; // a comment
      continue;
    }
    let token = '';
    while (i < bytes.length && !/\s/.test(String.fromCharCode(bytes[i]!))) token += String.fromCharCode(bytes[i++]!);
    fields.push(token);
  }
  const [magic, w, h, max] = fields;
  if (magic !== 'P6' || max !== '255') throw new Error(`not a binary 8-bit PPM (${magic}, maxval ${max})`);
  const width = Number(w);
  const height = Number(h);
  const data = bytes.subarray(i + 1, i + 1 + width * height * 3);
  if (data.length !== width * height * 3) throw new Error('truncated PPM');
  return { width, height, data };
}

/** Renders pages of a PDF (1-based, inclusive; all by default) with pdftoppm at `dpi`. */
export function pdfPages(pdf: Uint8Array, opts: { dpi?: number; first?: number; last?: number } = {}): Raster[] {
  const dir = mkdtempSync(join(tmpdir(), 'rbm-ppm-'));
  try {
    writeFileSync(join(dir, 'doc.pdf'), pdf);
    const range = [...(opts.first ? ['-f', String(opts.first)] : []), ...(opts.last ? ['-l', String(opts.last)] : [])];
    execFileSync('pdftoppm', ['-r', String(opts.dpi ?? 60), ...range, join(dir, 'doc.pdf'), join(dir, 'page')]);
    return readdirSync(dir)
      .filter((f) => f.endsWith('.ppm'))
      .sort()
      .map((f) => parsePpm(readFileSync(join(dir, f))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The colour at (x, y) as "#RRGGBB". */
export function pixel(r: Raster, x: number, y: number): string {
  const o = (Math.round(y) * r.width + Math.round(x)) * 3;
  return `#${[r.data[o]!, r.data[o + 1]!, r.data[o + 2]!].map((c) => c.toString(16).padStart(2, '0').toUpperCase()).join('')}`;
}

/** Largest per-channel difference between two "#RRGGBB" colours. */
export function colorDistance(a: string, b: string): number {
  const ch = (c: string, k: number) => parseInt(c.slice(1 + 2 * k, 3 + 2 * k), 16);
  return Math.max(...[0, 1, 2].map((k) => Math.abs(ch(a, k) - ch(b, k))));
}

/**
 * The share of pixels (0–1) of two same-sized rasters that differ by more than `tolerance` on some
 * channel (anti-aliasing of the same shapes differs by less), over the whole page or a box in pixels.
 */
export function differingShare(a: Raster, b: Raster, tolerance = 48, box?: { x: number; y: number; w: number; h: number }): number {
  if (a.width !== b.width || a.height !== b.height) return 1;
  const { x = 0, y = 0, w = a.width, h = a.height } = box ?? {};
  let differing = 0;
  for (let row = y; row < y + h; row++) {
    for (let col = x; col < x + w; col++) {
      const o = (row * a.width + col) * 3;
      if (Math.abs(a.data[o]! - b.data[o]!) > tolerance || Math.abs(a.data[o + 1]! - b.data[o + 1]!) > tolerance || Math.abs(a.data[o + 2]! - b.data[o + 2]!) > tolerance) differing++;
    }
  }
  return differing / Math.max(1, w * h);
}

/** The share of pixels in a box (in pixels) that are not near-white: 0 for a blank region. */
export function inkShare(r: Raster, box: { x: number; y: number; w: number; h: number }): number {
  let ink = 0;
  for (let row = box.y; row < box.y + box.h; row++) {
    for (let col = box.x; col < box.x + box.w; col++) {
      const o = (row * r.width + col) * 3;
      if (Math.min(r.data[o]!, r.data[o + 1]!, r.data[o + 2]!) < 235) ink++;
    }
  }
  return ink / Math.max(1, box.w * box.h);
}
