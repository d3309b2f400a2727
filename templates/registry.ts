/**
 * Donor report templates: a folder each under templates/, with a manifest.json validated at load
 * (a bad manifest is refused with its file and field named).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { RbmError } from '../domain/errors.js';

export const TemplateManifestSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and dashes'),
  title: z.string().min(1),
  audience: z.string().min(1),
  language: z.string().min(2),
  groupBy: z.enum(['unsdcf', 'iom_pillar', 'outcome']),
  description: z.string().default(''),
  /** Who signs off, in order. Roles are resolved to the project's users when a cycle starts. */
  approvalChain: z
    .array(
      z.object({
        name: z.string().min(1),
        role: z.enum(['project_manager', 'approver', 'me_officer', 'admin']),
        escalateToRole: z.enum(['project_manager', 'approver', 'me_officer', 'admin']).optional(),
      }),
    )
    .min(1)
    .default([{ name: 'Project manager', role: 'project_manager' }]),
  /** After a return: start the chain again, or resume at the step that returned it. */
  restartFrom: z.enum(['first_step', 'returning_step']).default('first_step'),
});
export type TemplateManifest = z.infer<typeof TemplateManifestSchema>;

export const TEMPLATES_DIR = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_TEMPLATE_ID = 'iom-donor-report';

export function loadTemplates(dir = TEMPLATES_DIR): TemplateManifest[] {
  const out: TemplateManifest[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name, 'manifest.json');
    if (!entry.isDirectory() || !fs.existsSync(file)) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      throw new RbmError('invalid_input', `${file}: not valid JSON (${(e as Error).message})`);
    }
    const parsed = TemplateManifestSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new RbmError('invalid_input', `${file}: field "${issue.path.join('.') || '(root)'}": ${issue.message}`);
    }
    if (parsed.data.id !== entry.name) throw new RbmError('invalid_input', `${file}: field "id" must be the folder name "${entry.name}"`);
    out.push(parsed.data);
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

export function getTemplate(id: string, dir = TEMPLATES_DIR): TemplateManifest {
  const t = loadTemplates(dir).find((m) => m.id === id);
  if (!t) throw new RbmError('not_found', `no template "${id}" (see \`rbm templates list\`)`);
  return t;
}
