/**
 * The IATI export: project bundles with their values and approved reports -> one IATI 2.03
 * `iati-activities` document. Pure: the caller reads the database and writes the file.
 */
import { create } from 'xmlbuilder2';
import type { ActivityInput, ExportCounts, ExportOptions } from './activity-input.js';
import { emptyCounts } from './activity-input.js';
import { appendActivity } from './activity-xml.js';
import { IATI_VERSION, RBM_NAMESPACE, RBM_PREFIX } from './codes.js';

export interface IatiDocument {
  xml: string;
  counts: ExportCounts;
}

export function buildIatiActivities(activities: ActivityInput[], options: ExportOptions): IatiDocument {
  if (!activities.length) throw new RangeError('an IATI activities file needs at least one activity');
  const generatedAt = wholeSeconds(options.generatedAt);
  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  const root = doc.ele('iati-activities', { version: IATI_VERSION, 'generated-datetime': generatedAt, [`xmlns:${RBM_PREFIX}`]: RBM_NAMESPACE });
  const counts = emptyCounts();
  for (const activity of activities) appendActivity(root, activity, { ...options, generatedAt }, counts);
  return { xml: `${doc.end({ prettyPrint: true })}\n`, counts };
}

/** "2025-10-10T10:00:00.123Z" -> "2025-10-10T10:00:00Z" (xsd:dateTime either way; this reads better). */
const wholeSeconds = (iso: string): string => new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
