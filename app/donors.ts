/** Donor use cases: list donors, add or change one, the projects it funds, its contacts. */
import { z } from 'zod';
import { RbmError } from '../domain/errors.js';
import { inTransaction } from '../db/pool.js';
import { addDonorContact, addProjectDonor, listDonors } from '../db/donors-repository.js';
import { listProjects, upsertDonors } from '../db/portfolio-repository.js';
import type { AppContext } from './context.js';

type DbContext = Pick<AppContext, 'pool'>;

export const donorsList = (ctx: DbContext) => listDonors(ctx.pool);

const DonorInput = z.object({
  code: z.string().regex(/^[A-Z0-9-]{2,30}$/, 'upper-case letters, digits and dashes, e.g. EU or DONOR-A'),
  name: z.string().trim().min(1, 'a name'),
  contactEmail: z.email('an e-mail address').optional(),
});

export async function saveDonor(ctx: DbContext, input: z.input<typeof DonorInput>): Promise<void> {
  const parsed = DonorInput.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new RbmError('invalid_input', `donor ${issue.path.join('.')}: ${issue.message}`);
  }
  await upsertDonors(ctx.pool, [parsed.data]);
}

export async function fundProject(ctx: DbContext, donorCode: string, projectCode: string): Promise<void> {
  const known = (await listDonors(ctx.pool)).some((d) => d.code === donorCode);
  if (!known) throw new RbmError('not_found', `no donor ${donorCode} (see \`rbm donors list\`)`);
  if (!(await listProjects(ctx.pool)).some((p) => p.code === projectCode)) throw new RbmError('not_found', `no project with code ${projectCode} (see \`rbm projects list\`)`);
  await addProjectDonor(ctx.pool, donorCode, projectCode);
}

export async function addContact(ctx: DbContext, donorCode: string, user: { id: string; name: string; email: string }): Promise<void> {
  if (!(await listDonors(ctx.pool)).some((d) => d.code === donorCode)) throw new RbmError('not_found', `no donor ${donorCode} (see \`rbm donors list\`)`);
  if (!z.email().safeParse(user.email).success) throw new RbmError('invalid_input', `contact e-mail "${user.email}" is not an e-mail address`);
  await inTransaction(ctx.pool, (tx) => addDonorContact(tx, donorCode, user));
}
