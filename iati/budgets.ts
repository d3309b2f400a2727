/**
 * `budget`: IATI refuses a budget period longer than one year (rule 7.5.3), and we keep one total per
 * project. So the total is split by calendar year of the project, pro rata to its days, in cents, the
 * last year taking the rounding remainder so that the years add up to the total exactly. The split is
 * an estimate, which the export marks with BudgetStatus 1 (Indicative).
 */
import type { Project } from '../domain/results-framework.js';

export interface BudgetLine {
  start: string; // ISO date
  end: string;
  value: string; // decimal text, e.g. "75000" or "1234.56"
}

const DAY_MS = 86_400_000;
const daysBetween = (start: string, end: string) => Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / DAY_MS) + 1;

export function annualBudgets(project: Pick<Project, 'budget' | 'startDate' | 'endDate'>): BudgetLine[] {
  if (project.budget === null || !Number.isFinite(project.budget) || project.budget <= 0) return [];
  const start = project.startDate.slice(0, 10);
  const end = project.endDate.slice(0, 10);
  if (end < start) return [];
  const segments: Array<{ start: string; end: string }> = [];
  for (let year = Number(start.slice(0, 4)); year <= Number(end.slice(0, 4)); year++) {
    segments.push({ start: year === Number(start.slice(0, 4)) ? start : `${year}-01-01`, end: year === Number(end.slice(0, 4)) ? end : `${year}-12-31` });
  }
  const totalDays = daysBetween(start, end);
  const totalCents = Math.round(project.budget * 100);
  let allocated = 0;
  return segments.map((s, i) => {
    const cents = i === segments.length - 1 ? totalCents - allocated : Math.floor((totalCents * daysBetween(s.start, s.end)) / totalDays);
    allocated += cents;
    return { ...s, value: formatCents(cents) };
  });
}

const formatCents = (cents: number): string => (cents % 100 === 0 ? String(cents / 100) : (cents / 100).toFixed(2));
