/**
 * An IATI 2.03 activity file (a URL or a path): the project's activity is read with
 * iati/import-actuals.ts (result/indicator/period/actual, `dimension` as disaggregation) and its
 * actuals become long-format rows. What cannot be mapped is listed as skipped, with the reason.
 */
import fs from 'node:fs/promises';
import type { Indicator } from '../domain/results-framework.js';
import { isRbmError } from '../domain/errors.js';
import { importIatiActuals, type ImportSkip } from '../iati/import-actuals.js';
import type { IatiSourceDefinition } from './config.js';
import { describeRef, resolveSecret, type SecretEnv } from './credentials.js';
import { SourceFailure } from './errors.js';
import { httpGetText } from './http.js';
import { emptyRow, type StagedRow } from './staging.js';

export async function fetchIati(
  s: IatiSourceDefinition, indicators: Array<Pick<Indicator, 'code' | 'title' | 'type'>>, c: { env: SecretEnv; signal?: AbortSignal },
): Promise<{ rows: StagedRow[]; activityId: string; skipped: ImportSkip[] }> {
  let xml: string;
  if (s.file) {
    try {
      xml = await fs.readFile(s.file, 'utf8');
    } catch (e) {
      throw SourceFailure.configuration(`the IATI file ${s.file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  } else {
    const token = s.auth ? await resolveSecret(s.auth.token, c.env) : undefined;
    xml = await httpGetText(s.url!, {
      timeoutMs: s.timeoutSeconds * 1000, signal: c.signal, maxBytes: s.maxResponseMegabytes * 1024 ** 2, source: s.id,
      headers: token && s.auth ? { authorization: `${s.auth.scheme} ${token}`, accept: 'application/xml, text/xml' } : { accept: 'application/xml, text/xml' },
      credential: s.auth ? describeRef(s.auth.token) : undefined,
    });
  }
  let read;
  try {
    read = importIatiActuals(xml, { projectCode: s.project, indicators }, { activityId: s.activityId, indicatorMap: s.indicatorMap });
  } catch (e) {
    if (isRbmError(e)) throw SourceFailure.badAnswer(`${s.file ?? 'the IATI file'}: ${e.message}`);
    throw SourceFailure.badAnswer(`${s.file ?? 'the IATI file'} is not IATI activity XML (${(e as Error).message})`);
  }
  const byCode = new Map(indicators.map((i) => [i.code, i]));
  const rows = read.values.map((v) => {
    const row = emptyRow();
    row.project_code = s.project;
    row.indicator_code = v.indicatorCode;
    row.period = v.period;
    const qualitative = byCode.get(v.indicatorCode)?.type === 'qualitative';
    row.value = qualitative ? (v.text ?? '') : v.value === null ? '' : String(v.value);
    for (const [dim, category] of Object.entries(v.disaggregation)) if (category) row[dim as keyof StagedRow] = category;
    if (v.numerator !== null && v.numerator !== undefined) row.numerator = String(v.numerator);
    if (v.denominator !== null && v.denominator !== undefined) row.denominator = String(v.denominator);
    row.source = `IATI ${read.activityId}`;
    if (!qualitative && v.text) row.comment = v.text;
    return row;
  });
  return { rows, activityId: read.activityId, skipped: read.skipped };
}
