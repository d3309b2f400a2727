/**
 * The native tools of the embedded setup — the Temporal CLI (its dev server) and Mailpit — built or
 * reused on demand, so that `npm run demo`, `npm start` and `npm test` need no separate install step.
 * scripts/install-tools.sh does the work (PATH, tools/bin, the per-version cache in
 * ~/.cache/rbm-flow/tools, else `go install`); this module asks it what it would do, says so in one
 * line, and runs it.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RbmError } from '../domain/errors.js';
import type { Logger } from './logger.js';

export type ToolName = 'temporal' | 'mailpit';

/** What scripts/install-tools.sh --plan says of one tool. */
export interface ToolPlan {
  name: ToolName;
  status: 'present' | 'cached' | 'build' | 'no-go';
  /** present/cached: the binary; build/no-go: module@version. */
  target: string;
  /** build: the cache folder it will be built into. */
  cacheDir?: string;
}

export const INSTALL_TOOLS_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'scripts', 'install-tools.sh');

const TITLES: Record<ToolName, string> = { temporal: 'the Temporal CLI', mailpit: 'Mailpit' };
const WHY: Record<ToolName, string> = { temporal: 'the local Temporal dev server', mailpit: 'the local mail server' };

/** A tool's executable in toolsDir, else on PATH (as runtime/temporal-dev-server.ts and runtime/mailpit.ts look for it). */
export function findTool(toolsDir: string, name: ToolName, envPath = process.env.PATH ?? ''): string | undefined {
  return [toolsDir, ...envPath.split(path.delimiter).filter(Boolean)].map((d) => path.join(d, name)).find((c) => {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      return fs.statSync(c).isFile();
    } catch {
      return false;
    }
  });
}

/** The tools of `want` that are neither in toolsDir nor on PATH. */
export function missingTools(toolsDir: string, want: readonly ToolName[], envPath = process.env.PATH ?? ''): ToolName[] {
  return want.filter((t) => !findTool(toolsDir, t, envPath));
}

export function parseToolPlan(output: string): ToolPlan[] {
  return output.split('\n').map((l) => l.trim()).filter(Boolean).map((line) => {
    const [name, status, target, cacheDir] = line.split(' ');
    return { name: name as ToolName, status: status as ToolPlan['status'], target: target ?? '', ...(cacheDir ? { cacheDir } : {}) };
  });
}

/** Asks the install script what it would do for each tool (fast: it installs nothing). */
export function planTools(toolsDir: string, want: readonly ToolName[], env: NodeJS.ProcessEnv = process.env): ToolPlan[] {
  const out = execFileSync('bash', [INSTALL_TOOLS_SCRIPT, '--plan', ...want], { env: { ...env, RBM_TOOLS_DIR: toolsDir }, encoding: 'utf8' });
  return parseToolPlan(out);
}

const joinNames = (names: string[]) => (names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names[0] ?? '');
const home = (p: string) => (p.startsWith(os.homedir() + path.sep) ? `~${p.slice(os.homedir().length)}` : p);

/**
 * The one line said before installing: what, why, roughly how long, where it is cached; or, when Go
 * is missing, what to install. Undefined when there is nothing to do.
 */
export function describeToolWork(plan: readonly ToolPlan[], toolsDir: string): string | undefined {
  const build = plan.filter((p) => p.status === 'build');
  const cached = plan.filter((p) => p.status === 'cached');
  const noGo = plan.filter((p) => p.status === 'no-go');
  const parts: string[] = [];
  if (build.length) {
    const cache = home(path.dirname(build[0]!.cacheDir ?? ''));
    parts.push(
      `Building ${joinNames(build.map((p) => `${TITLES[p.name]} (${p.target})`))} with Go into ${home(toolsDir)}, ` +
      `needed for ${joinNames(build.map((p) => WHY[p.name]))}: about 5 minutes, once; cached in ${cache} for other clones.`,
    );
  }
  if (cached.length) parts.push(`Copying ${joinNames(cached.map((p) => TITLES[p.name]))} from ${home(path.dirname(path.dirname(cached[0]!.target)))} into ${home(toolsDir)}.`);
  if (noGo.length) {
    parts.push(
      `${joinNames(noGo.map((p) => TITLES[p.name]))} ${noGo.length > 1 ? 'are' : 'is'} missing and Go >= 1.22 is not installed to build ${noGo.length > 1 ? 'them' : 'it'}: ` +
      `install Go (https://go.dev/dl/) or put ${joinNames(noGo.map((p) => `\`${p.name}\``))} on PATH.`,
    );
  }
  return parts.length ? parts.join(' ') : undefined;
}

/**
 * Makes sure the tools of `want` are in toolsDir or on PATH, building or copying them when missing.
 * `required`: a tool that cannot be had is an error (the tests); otherwise it is said and the caller
 * does without (the demo: the SDK downloads a dev server, notifications are recorded but not sent).
 */
export async function ensureTools(opts: {
  toolsDir: string;
  want: readonly ToolName[];
  log: Logger;
  required?: boolean;
  /** Where the one line goes; default stderr (stdout stays for what commands print). */
  note?: (line: string) => void;
}): Promise<ToolName[]> {
  const note = opts.note ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const missing = missingTools(opts.toolsDir, opts.want);
  if (!missing.length) return [];
  const plan = planTools(opts.toolsDir, missing);
  const line = describeToolWork(plan, opts.toolsDir);
  const unbuildable = plan.filter((p) => p.status === 'no-go').map((p) => p.name);
  if (unbuildable.length && opts.required) throw new RbmError('services_unavailable', line ?? 'tools missing');
  if (line) note(line);
  const installable = plan.filter((p) => p.status === 'build' || p.status === 'cached').map((p) => p.name);
  if (installable.length) {
    const started = Date.now();
    opts.log.debug({ tools: installable }, 'installing tools');
    const output = await new Promise<string>((resolve, reject) => {
      execFile('bash', [INSTALL_TOOLS_SCRIPT, ...installable], { env: { ...process.env, RBM_TOOLS_DIR: opts.toolsDir }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
        if (err) reject(new RbmError('services_unavailable', `scripts/install-tools.sh ${installable.join(' ')} failed (${err.message.split('\n')[0]}):\n${`${stdout}${stderr}`.trim().split('\n').slice(-15).join('\n')}`));
        else resolve(stdout);
      });
    });
    opts.log.debug({ output }, 'tools installed');
    if (plan.some((p) => p.status === 'build')) note(`Built ${joinNames(installable.map((t) => TITLES[t]))} in ${Math.round((Date.now() - started) / 1000)} s.`);
  }
  return unbuildable;
}
