/**
 * File names built from data (a project code, a period, a template id, a donor code) and the folders
 * they are written to. A component keeps only [A-Za-z0-9._-] (anything else becomes "-"), never is
 * "." or ".." nor starts with a dot (leading dots become "_"), and is at most 120 characters; the path
 * it makes is checked to stay inside its folder. Pure: no file is touched (node:path only; a relative folder resolves against the working directory).
 */
import path from 'node:path';
import { RbmError } from './errors.js';

const MAX_COMPONENT = 120;

/** One path component from data: safe characters only, never "." or "..", never hidden, never empty. */
export function fileNameComponent(text: string): string {
  const safe = text
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^\.+/, (dots) => '_'.repeat(dots.length))
    .slice(0, MAX_COMPONENT);
  return safe === '' ? '_' : safe;
}

/**
 * `dir` joined with `names` (each one component), refused unless the resolved path is strictly
 * inside `dir` (path.resolve, then a prefix check on dir + separator). Returns the joined path.
 */
export function pathInside(dir: string, ...names: string[]): string {
  const base = path.resolve(dir);
  const resolved = path.resolve(base, ...names);
  if (!resolved.startsWith(base + path.sep) || names.some((n) => n === '' || n.includes('/') || n.includes('\\'))) {
    throw new RbmError('invalid_input', `the file name ${JSON.stringify(names.join('/'))} would be written outside ${dir}`);
  }
  return path.join(dir, ...names);
}
