/**
 * `npm test` runs this first: in a second, it names what the machine lacks for the suite (Debian
 * packages the specs call, Go when the Temporal CLI or Mailpit must still be built) and the one
 * command that installs it, instead of a suite that fails late. Exit 0: all there; 1: something missing.
 * The Temporal CLI and Mailpit themselves are built (or copied from the cache) by the tests' global
 * setup when missing (runtime/tools.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/config.js';
import { missingTools, planTools, type ToolPlan } from '../runtime/tools.js';

export interface Prerequisite {
  /** A command looked up on PATH, or an absolute path (Chromium). */
  command: string;
  /** How the report names it. */
  label: string;
  debianPackage: string;
  why: string;
}

/** What the specs call; Chromium where test/support/browser.ts looks for it (RBM_CHROMIUM or /usr/bin/chromium). */
export function testPrerequisites(chromiumPath: string): Prerequisite[] {
  return [
    { command: 'pdftotext', label: 'pdftotext', debianPackage: 'poppler-utils', why: 'the report specs read the PDFs' },
    { command: 'pdftoppm', label: 'pdftoppm', debianPackage: 'poppler-utils', why: 'the report specs look at PDF pages' },
    { command: 'xmllint', label: 'xmllint', debianPackage: 'libxml2-utils', why: 'the IATI specs validate against the schema' },
    { command: chromiumPath, label: `Chromium at ${chromiumPath}`, debianPackage: 'chromium', why: 'the browser specs' },
  ];
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The prerequisites not found: an absolute command must exist, a bare one must be on envPath. */
export function missingPrerequisites(list: Prerequisite[], envPath: string): Prerequisite[] {
  const dirs = envPath.split(path.delimiter).filter(Boolean);
  return list.filter((p) => (path.isAbsolute(p.command) ? !isExecutable(p.command) : !dirs.some((d) => isExecutable(path.join(d, p.command)))));
}

/** One message naming what is missing and the command that installs it; undefined when nothing is. */
export function prerequisiteReport(missing: Prerequisite[], tools: ToolPlan[], asRoot: boolean): string | undefined {
  const noGo = tools.filter((t) => t.status === 'no-go');
  if (!missing.length && !noGo.length) return undefined;
  const lines = ['npm test cannot run on this machine yet; missing:'];
  for (const m of missing) lines.push(`  ${m.label} (${m.why}): Debian package ${m.debianPackage}`);
  if (noGo.length) {
    lines.push(`  Go >= 1.22, to build ${noGo.map((t) => (t.name === 'temporal' ? 'the Temporal CLI' : 'Mailpit')).join(' and ')} once (about 5 minutes; or put ${noGo.map((t) => `\`${t.name}\``).join(' and ')} on PATH)`);
  }
  const packages = [...new Set(missing.map((m) => m.debianPackage))];
  if (packages.length) lines.push(`Install ${packages.length > 1 ? 'them' : 'it'} with: ${asRoot ? '' : 'sudo '}apt-get install ${packages.join(' ')}`);
  if (noGo.length) lines.push('Install Go from https://go.dev/dl/ (Debian\'s golang-go is often older than 1.22).');
  return lines.join('\n');
}

function main(): void {
  const env = process.env;
  const config = loadConfig();
  const envPath = env.PATH ?? '';
  const missing = missingPrerequisites(testPrerequisites(env.RBM_CHROMIUM ?? '/usr/bin/chromium'), envPath);
  const absentTools = missingTools(config.toolsDir, ['temporal', 'mailpit'], envPath);
  const tools = absentTools.length ? planTools(config.toolsDir, absentTools) : [];
  const report = prerequisiteReport(missing, tools, process.getuid?.() === 0);
  if (report) {
    process.stderr.write(`${report}\n`);
    process.exit(1);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (e) {
    process.stderr.write(`npm test: cannot check the prerequisites: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
