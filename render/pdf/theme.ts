/** Look of the PDF: colours, named text styles and table layouts. */
import type { CustomTableLayout, StyleDictionary } from 'pdfmake/interfaces.js';

export const COLORS = {
  brand: '#0033A0', // IOM blue
  ink: '#1F2A33',
  muted: '#5F6B76',
  rule: '#C9D1D9',
  headerFill: '#E8EEF7',
  zebra: '#F7F9FB',
  figureFill: '#F0F4FA',
  warning: '#A15C00',
};

export const STYLES: StyleDictionary = {
  h1: { fontSize: 14, bold: true, color: COLORS.brand, margin: [0, 0, 0, 6] },
  h2: { fontSize: 10.5, bold: true, color: COLORS.ink, margin: [0, 10, 0, 4] },
  th: { fontSize: 7.5, bold: true, color: COLORS.ink },
  muted: { fontSize: 7, color: COLORS.muted },
  note: { fontSize: 6.5, color: COLORS.muted, italics: true, margin: [0, 3, 0, 0] },
  caption: { fontSize: 6.5, color: COLORS.muted, margin: [0, 0, 0, 2] },
  chartTitle: { fontSize: 8, color: COLORS.ink, margin: [0, 0, 0, 3] },
  warning: { fontSize: 6.5, color: COLORS.warning, margin: [0, 2, 0, 0] },
  label: { fontSize: 8.5, color: COLORS.muted },
  body: { fontSize: 9.5, lineHeight: 1.3 },
};

/**
 * Horizontal rules only; a tinted header row and optional zebra striping. `headingRows` rows above the
 * header (a table's own heading, repeated with it on every page) have neither rules nor fill.
 */
export function tableLayout({ zebra, header, headingRows = 0 }: { zebra: boolean; header: boolean; headingRows?: number }): CustomTableLayout {
  const h = headingRows;
  return {
    hLineWidth: (i, node) => (i < h ? 0 : i === h || i === node.table.body.length ? 0.8 : header && i === h + 1 ? 0.8 : 0.4),
    vLineWidth: () => 0,
    hLineColor: (i, node) => (i === h || i === node.table.body.length || (header && i === h + 1) ? COLORS.brand : COLORS.rule),
    fillColor: (row) => (row < h ? null : header && row === h ? COLORS.headerFill : zebra && (row - h) % 2 === 0 ? COLORS.zebra : null),
    paddingLeft: () => 4,
    paddingRight: () => 4,
    paddingTop: () => 3.5,
    paddingBottom: () => 3.5,
  };
}

/** One row of boxes: white vertical rules double as the gaps between them. */
export function boxesLayout(columns: number): CustomTableLayout {
  return {
    hLineWidth: () => 0,
    vLineWidth: (i) => (i === 0 || i === columns ? 0 : 6),
    vLineColor: () => 'white',
  };
}
