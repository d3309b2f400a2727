/**
 * Data for the authorization specs, written straight to a spec's own database: users with roles (and
 * their demo-style password), report cycles with their draft and final files (small fake bytes: what
 * is checked is who may have them, not what they hold), agreements.
 */
import { setPassword } from '../../app/auth.js';
import { upsertAgreement } from '../../db/agreements-repository.js';
import { saveArtifact } from '../../db/cycles-repository.js';
import type { Pool } from '../../db/pool.js';
import { reportCycleId, type ArtifactRef, type CycleState } from '../../domain/report-cycle.js';

type Grant = { role: 'admin' | 'me_officer' | 'project_manager' | 'approver' | 'donor_contact' | 'viewer'; projectCode?: string; donorCode?: string };

/** A user with the given grants and the password `<id>-demo-pass` (what Agent.login uses). */
export async function addUser(pool: Pool, id: string, grants: Grant[]): Promise<void> {
  await pool.query(`INSERT INTO users (id, name, email) VALUES ($1, $1, $2) ON CONFLICT (id) DO NOTHING`, [id, `${id}@example.org`]);
  for (const g of grants) {
    await pool.query(
      `INSERT INTO user_roles (user_id, role, project_code, donor_code) VALUES ($1,$2,$3,$4) ON CONFLICT DO NOTHING`,
      [id, g.role, g.projectCode ?? null, g.donorCode ?? null],
    );
  }
  await setPassword({ pool }, id, `${id}-demo-pass`);
}

export interface SeededCycle {
  id: string;
  draft: ArtifactRef[];
  final: ArtifactRef[];
  pdf: (stage: 'draft' | 'final') => string;
  xlsx: (stage: 'draft' | 'final') => string;
}

/** A cycle row at version 1 in `state`, with its draft files, and its final files when completed. */
export async function seedCycle(pool: Pool, c: { project: string; period: string; template: string; state: CycleState }): Promise<SeededCycle> {
  const id = reportCycleId(c.project, c.period, c.template);
  await pool.query(
    `INSERT INTO report_cycles (id, project_code, period, template_id, state, current_version, started_by) VALUES ($1,$2,$3,$4,$5,1,'spec')
     ON CONFLICT (id) DO UPDATE SET state = excluded.state, current_version = 1`,
    [id, c.project, c.period, c.template, c.state],
  );
  const files = async (stage: 'draft' | 'final') => Promise.all((['pdf', 'xlsx'] as const).map((format) =>
    saveArtifact(pool, { cycleId: id, version: 1, stage, format, filename: `${c.project}_${c.period}_${c.template}_${stage}.${format}`, content: Buffer.from(`${id} ${stage} ${format}`) })));
  const draft = await files('draft');
  const final = c.state === 'completed' ? await files('final') : [];
  const pick = (list: ArtifactRef[], format: string) => list.find((a) => a.format === format)?.id ?? '00000000-0000-4000-8000-000000000000';
  return {
    id, draft, final,
    pdf: (stage) => pick(stage === 'draft' ? draft : final, 'pdf'),
    xlsx: (stage) => pick(stage === 'draft' ? draft : final, 'xlsx'),
  };
}

/** An agreement (no Temporal Schedule: the specs that use this do not sync them). */
export const addAgreementRow = (pool: Pool, a: { donorCode: string; projectCode: string; templateId: string; sendExcel: boolean }) =>
  upsertAgreement(pool, { ...a, frequency: 'quarterly', dueDays: 30, leadDays: 15 });
