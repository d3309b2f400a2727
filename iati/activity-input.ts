/** What the IATI export of one project needs: its results framework, its values and its approved reports. */
import type { create } from 'xmlbuilder2';
import type { FrameworkNode, Indicator, IndicatorValue, Project, Result } from '../domain/results-framework.js';

/** One final file of a completed report cycle, linked from the activity as `document-link`. */
export interface ApprovedReport {
  artifactId: string;
  format: 'pdf' | 'xlsx';
  period: string; // e.g. 2025-Q3
  version: number;
  approvedOn: string; // ISO date
  language: string; // ISO 639-1, from the report template
}

/** A project bundle (db/portfolio-repository getProjectBundle) with its values and approved reports. */
export interface ActivityInput {
  project: Project;
  donorNames: string[]; // in the order of project.donors
  results: Result[];
  indicators: Indicator[];
  frameworkNodes: FrameworkNode[];
  values: IndicatorValue[];
  reports: ApprovedReport[];
}

export interface ExportOptions {
  generatedAt: string; // ISO timestamp
  /** Where RBM Flow's portal serves reports (`<baseUrl>/reports/<artifact id>`) and framework code lists. */
  baseUrl: string;
}

/** What one export contains, for the command's summary line. */
export interface ExportCounts {
  activities: number;
  results: number;
  indicators: number;
  periods: number;
  targets: number;
  actuals: number;
  documentLinks: number;
  /** Values not written: a period that is not one of ours, or a number missing on a quantitative row. */
  skippedValues: number;
}

export type XmlNode = ReturnType<typeof create>;

export const emptyCounts = (): ExportCounts => ({ activities: 0, results: 0, indicators: 0, periods: 0, targets: 0, actuals: 0, documentLinks: 0, skippedValues: 0 });
