/** Indicator values as sorted text lines, to compare two sets of values in specs with a readable diff. */
import type { IndicatorValue } from '../../domain/results-framework.js';

/** One line per value that carries something (a number or a text): indicator, period, cell, numbers. */
export function valueLines(values: IndicatorValue[]): string[] {
  return values
    .filter((v) => v.value !== null || v.text)
    .map((v) => {
      const cell = Object.entries(v.disaggregation)
        .filter(([, c]) => c)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([d, c]) => `${d}=${c}`)
        .join(',');
      const parts = v.value === null ? `text=${v.text}` : `${v.value} (${v.numerator ?? '-'}/${v.denominator ?? '-'})`;
      return `${v.indicatorCode} ${v.period} [${cell}] ${parts}`;
    })
    .sort();
}
