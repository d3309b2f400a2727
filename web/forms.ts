/** Parsing a posted form: a missing or bad field is a 400 that names it. */
import { z } from 'zod';
import { RbmError } from '../domain/errors.js';

export function parseForm<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const r = schema.safeParse(body ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.join('.') || '(form)';
  throw new RbmError('invalid_input', `field "${field}": ${issue.message}`, { field, in: 'body' });
}
