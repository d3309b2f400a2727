/**
 * Display formatting for the PDF: numbers per indicator type, dates, status labels and colours.
 * Deterministic (fixed locale, UTC) so that the same model always prints the same text.
 */
import type { IndicatorType } from '../../domain/results-framework.js';
import { PROGRESS_STATUSES, STATUS_LABEL, type ProgressStatus } from '../../domain/progress.js';

export const DASH = '—';

const countFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const oneDecimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const upToOneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const ratioFmt = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** An indicator value (baseline, target, actual) as the donor reads it. */
export function formatValue(type: IndicatorType, value: number | null): string {
  if (value === null || !Number.isFinite(value)) return DASH;
  switch (type) {
    case 'count':
      return countFmt.format(value);
    case 'percentage':
      return `${oneDecimal.format(value)}%`;
    case 'ratio':
      return ratioFmt.format(value);
    case 'yes_no':
      return value >= 1 ? 'Yes' : 'No';
    case 'qualitative':
      return DASH; // its content is the narrative, printed elsewhere
  }
}

/** "% achieved": whole numbers stay whole (90%), otherwise one decimal (87.5%). */
export function formatPercentAchieved(value: number | null): string {
  return value === null || !Number.isFinite(value) ? DASH : `${upToOneDecimal.format(value)}%`;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** "10 October 2025" (UTC). */
export function formatDate(iso: string | null): string {
  if (!iso) return DASH;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/** "10 October 2025, 12:00 UTC" (UTC); the date alone when the time is midnight. */
export function formatDateTime(iso: string | null): string {
  if (!iso) return DASH;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const hh = String(d.getUTCHours()).padStart(2, '0');
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  return hh === '00' && mm === '00' ? formatDate(iso) : `${formatDate(iso)}, ${hh}:${mm} UTC`;
}

/** "2025-Q3" -> "Q3" (or "Q3 25" when the periods span several years). */
export function shortPeriod(period: string, withYear: boolean): string {
  const m = /^(\d{4})-(Q[1-4]|H[12])$/.exec(period);
  if (!m) return period;
  return withYear ? `${m[2]} ${m[1]!.slice(2)}` : m[2]!;
}

/** "2025-Q3" -> "Q3 2025"; other ids unchanged. */
export function periodName(period: string): string {
  const m = /^(\d{4})-(Q[1-4]|H[12])$/.exec(period);
  return m ? `${m[2]} ${m[1]}` : period;
}

export const TYPE_LABEL: Record<IndicatorType, string> = {
  count: 'Count',
  percentage: 'Percentage',
  ratio: 'Ratio',
  yes_no: 'Yes/No',
  qualitative: 'Qualitative',
};

export { STATUS_LABEL }; // one wording everywhere (domain/progress.ts)

/** Strong colour (text, bars) and light tint (cell background) per status. */
export const STATUS_COLOR: Record<ProgressStatus, { strong: string; tint: string }> = {
  on_track: { strong: '#1E7B34', tint: '#E3F2E6' },
  at_risk: { strong: '#A15C00', tint: '#FDF0D9' },
  off_track: { strong: '#B3261E', tint: '#FBE4E2' },
  no_target: { strong: '#6B4FA1', tint: '#EEE8F7' },
  no_data: { strong: '#5F6B76', tint: '#ECEFF1' },
  reported: { strong: '#1F5FA8', tint: '#E3EDF8' },
};

export const STATUS_ORDER: readonly ProgressStatus[] = PROGRESS_STATUSES;

export const LEVEL_LABEL = { objective: 'Objective', outcome: 'Outcome', output: 'Output' } as const;

/** "population_type" -> "Population type". */
export const humanize = (key: string): string => {
  const s = key.replace(/_/g, ' ').trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
};
