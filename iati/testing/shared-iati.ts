/**
 * The official IATI material in ../shared/iati (schema, codelists, rulesets, real files), found from
 * the repository root, and the schema check with xmllint (package libxml2-utils).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED_IATI = path.join(path.resolve(REPO_ROOT, '..', 'shared'), 'iati');
export const IATI_SCHEMA = path.join(SHARED_IATI, 'iati-activities-schema.xsd');
export const CODELISTS_DIR = path.join(SHARED_IATI, 'codelists');
export const REAL_FILES_DIR = path.join(SHARED_IATI, 'real');

export interface XmllintOutcome {
  ok: boolean;
  output: string; // what xmllint printed (it reports on stderr), e.g. "FILE validates"
}

/** `xmllint --noout --schema iati-activities-schema.xsd FILE`. */
export function validateWithXmllint(file: string): XmllintOutcome {
  const run = spawnSync('xmllint', ['--noout', '--schema', IATI_SCHEMA, file], { encoding: 'utf8' });
  if (run.error) throw new Error(`xmllint could not run (${run.error.message}); install libxml2-utils`);
  return { ok: run.status === 0, output: `${run.stdout}${run.stderr}`.trim() };
}
