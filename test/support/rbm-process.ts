/**
 * `rbm` as a user runs it: `node bin/rbm.js ARGS` in the project folder, as a separate process, with
 * the environment given; resolves with its exit code and output whatever the code (never throws on a
 * non-zero exit).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../config/config.js';

const run = promisify(execFile);

export interface RbmResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runRbm(args: string[], env: NodeJS.ProcessEnv, timeout = 120_000): Promise<RbmResult> {
  try {
    const { stdout, stderr } = await run('node', ['bin/rbm.js', ...args], { cwd: PROJECT_ROOT, env, timeout });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}
