/**
 * Secret references resolved at fetch time, in the worker: {"env": NAME} reads the worker's
 * environment, {"file": PATH} reads a secret file (Docker/Kubernetes secrets). The value is used and
 * dropped; messages name the reference, never the value, and `redact` removes a value from any text
 * that might reach a log or the gather log (an error message quoting a URL, a connection string).
 */
import fs from 'node:fs/promises';
import type { SecretRef } from './config.js';
import { SourceFailure } from './errors.js';

export type SecretEnv = Readonly<Record<string, string | undefined>>;

export const describeRef = (ref: SecretRef): string => ('env' in ref ? `environment variable ${ref.env}` : `secret file ${ref.file}`);

export async function resolveSecret(ref: SecretRef, env: SecretEnv): Promise<string> {
  if ('env' in ref) {
    const v = env[ref.env];
    if (v === undefined || v === '') throw SourceFailure.configuration(`the credential is missing: ${describeRef(ref)} is not set on the worker`);
    return v;
  }
  let text: string;
  try {
    text = await fs.readFile(ref.file, 'utf8');
  } catch (e) {
    throw SourceFailure.configuration(`the credential cannot be read: ${describeRef(ref)} (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  const v = text.trim();
  if (!v) throw SourceFailure.configuration(`the credential is empty: ${describeRef(ref)}`);
  return v;
}

/** Replaces every secret (and its URL-encoded form) in a text by ***. */
export function redact(text: string, secrets: Array<string | undefined>): string {
  let out = text;
  for (const s of secrets) {
    if (!s || s.length < 3) continue;
    for (const form of new Set([s, encodeURIComponent(s)])) out = out.split(form).join('***');
    // A connection string's password, if the string itself is quoted without it.
    const password = passwordOf(s);
    if (password && password.length >= 3) for (const form of new Set([password, encodeURIComponent(password)])) out = out.split(form).join('***');
  }
  return out;
}

function passwordOf(s: string): string | undefined {
  try {
    const u = new URL(s);
    return u.password ? decodeURIComponent(u.password) : undefined;
  } catch {
    return undefined;
  }
}
