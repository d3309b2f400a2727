/**
 * Issue 14 item 3: a donor gets only what its agreements cover, in the portal, the API, the donor
 * e-mail and the monthly digest, by the one rule of domain/donor-access.ts.
 *
 * Project LY10P0563 is funded by EU and DONOR-A. EU's agreements: iom-donor-report and (added here)
 * eu-results-report, both with the Excel; DONOR-A's: iom-donor-report without the Excel. Completed
 * here: iom-donor-report 2023-Q1 and eu-results-report 2023-Q2 (the later one). On a database of its
 * own; no Temporal (the delivery activities are called as the worker calls them, with a mailer that
 * keeps what it is given).
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDonorDeliveryActivities } from '../activities/donor-delivery.js';
import type { Mailer } from '../activities/mailer.js';
import type { Pool } from '../db/pool.js';
import { ownDatabase } from './support/own-database.js';
import { addAgreementRow, addUser, seedCycle, type SeededCycle } from './support/report-fixtures.js';
import { Agent, databaseOnlyContext, serveWeb } from './support/web-agent.js';

const PROJECT = 'LY10P0563';
let pool: Pool;
let http: FastifyInstance;
let iom: SeededCycle;
let eu: SeededCycle;

beforeAll(async () => {
  ({ pool } = await ownDatabase('rbm_donor_agreement_spec'));
  await addAgreementRow(pool, { donorCode: 'EU', projectCode: PROJECT, templateId: 'eu-results-report', sendExcel: true });
  iom = await seedCycle(pool, { project: PROJECT, period: '2023-Q1', template: 'iom-donor-report', state: 'completed' });
  eu = await seedCycle(pool, { project: PROJECT, period: '2023-Q2', template: 'eu-results-report', state: 'completed' });
  http = await serveWeb(databaseOnlyContext(pool, 'donor-agreement'));
});
afterAll(async () => {
  await http?.close();
  await pool?.end();
});

type Report = { cycleId: string; files: Array<{ id: string; format: string }> };
const byCycle = (reports: Report[]) => Object.fromEntries(reports.filter((r) => r.cycleId.includes(PROJECT)).map((r) => [r.cycleId, r.files.map((f) => f.format).sort()]));

function keepingMailer(): Mailer & { sent: Array<Parameters<Mailer['send']>[0]> } {
  const sent: Array<Parameters<Mailer['send']>[0]> = [];
  return { sent, async send(m) { sent.push(m); }, close() {} };
}

describe('the donor portal and the API', () => {
  it("list for each donor only the templates and formats of its agreements", async () => {
    const a = await (await Agent.signedIn('donor.a')).json('/api/v1/reports');
    expect(byCycle(a)).toEqual({ [iom.id]: ['pdf'] });
    const e = await (await Agent.signedIn('donor.eu')).json('/api/v1/reports');
    expect(byCycle(e)).toEqual({ [iom.id]: ['pdf', 'xlsx'], [eu.id]: ['pdf', 'xlsx'] });
    // Staff see every final report of the projects they read.
    expect(byCycle(await (await Agent.signedIn('pm.health')).json('/api/v1/reports'))).toEqual({ [iom.id]: ['pdf', 'xlsx'], [eu.id]: ['pdf', 'xlsx'] });

    const page = await (await (await Agent.signedIn('donor.a')).fetch('/reports')).text();
    expect(page).toContain(`/files/${iom.pdf('final')}`);
    expect(page).not.toContain(iom.xlsx('final'));
    expect(page).not.toContain(eu.pdf('final'));
    expect(page).not.toContain('eu-results-report');
  });

  it('refuse (404) a file the agreement does not cover, by URL, on the page route and the API', async () => {
    const a = await Agent.signedIn('donor.a');
    const e = await Agent.signedIn('donor.eu');
    for (const base of ['/files/', '/api/v1/files/']) {
      expect((await a.fetch(base + iom.pdf('final'))).status, `${base} iom pdf`).toBe(200);
      expect((await a.fetch(base + iom.xlsx('final'))).status, `${base} iom xlsx (no Excel in DONOR-A's agreement)`).toBe(404);
      expect((await a.fetch(base + eu.pdf('final'))).status, `${base} eu-results pdf (no such agreement)`).toBe(404);
      expect((await a.fetch(base + eu.xlsx('final'))).status, `${base} eu-results xlsx`).toBe(404);
      for (const id of [iom.pdf('final'), iom.xlsx('final'), eu.pdf('final'), eu.xlsx('final')]) expect((await e.fetch(base + id)).status, `${base} EU ${id}`).toBe(200);
    }
  });
});

describe('a contact of two donors', () => {
  it("gets nothing from the leftover agreement of a donor that does not fund the project, while the other donor funds it", async () => {
    // DONOR-X funds no project; its agreement for LY10P0563 (eu-results-report and iom-donor-report, with the Excel) is left over.
    await pool.query(`INSERT INTO donors (code, name, contact_email) VALUES ('DONOR-X', 'Donor X', 'x@example.org') ON CONFLICT DO NOTHING`);
    await addAgreementRow(pool, { donorCode: 'DONOR-X', projectCode: PROJECT, templateId: 'eu-results-report', sendExcel: true });
    await addAgreementRow(pool, { donorCode: 'DONOR-X', projectCode: PROJECT, templateId: 'iom-donor-report', sendExcel: true });
    await addUser(pool, 'donor.ax', [{ role: 'donor_contact', donorCode: 'DONOR-A' }, { role: 'donor_contact', donorCode: 'DONOR-X' }]);
    try {
      const ax = await Agent.signedIn('donor.ax');
      // As DONOR-A alone: the iom-donor-report PDF.
      expect(byCycle(await ax.json('/api/v1/reports'))).toEqual({ [iom.id]: ['pdf'] });
      for (const base of ['/files/', '/api/v1/files/']) {
        expect((await ax.fetch(base + iom.pdf('final'))).status, `${base} iom pdf`).toBe(200);
        for (const id of [iom.xlsx('final'), eu.pdf('final'), eu.xlsx('final')]) expect((await ax.fetch(base + id)).status, `${base} ${id}`).toBe(404);
      }
    } finally {
      // DONOR-A's contacts stay as the e-mail specs below expect them.
      await pool.query(`DELETE FROM user_roles WHERE user_id = 'donor.ax' AND donor_code = 'DONOR-A'`);
    }
  });
});

describe('the e-mails', () => {
  it("the monthly digest carries the latest report of a template the donor's agreements cover", async () => {
    const mailer = keepingMailer();
    const activities = createDonorDeliveryActivities({ pool, mailer, publicUrl: 'http://rbm.test' });
    const outA = await activities.sendDonorDigest({ donorCode: 'DONOR-A', month: '2023-09' });
    expect(outA).toEqual([expect.objectContaining({ email: 'donor.a@example.org', state: 'sent', reports: 1 })]);
    expect(mailer.sent[0]!.attachments!.map((f) => f.filename)).toEqual([iom.final.find((f) => f.format === 'pdf')!.filename]);
    expect(mailer.sent[0]!.text).toContain(iom.pdf('final'));
    expect(mailer.sent[0]!.text).not.toContain(eu.pdf('final'));

    const outEu = await activities.sendDonorDigest({ donorCode: 'EU', month: '2023-09' });
    expect(outEu).toEqual([expect.objectContaining({ email: 'eu.donor@example.org', state: 'sent', reports: 1 })]);
    expect(mailer.sent[1]!.attachments!.map((f) => f.filename)).toEqual([eu.final.find((f) => f.format === 'pdf')!.filename]); // the later period
  });

  it('the report e-mail goes to the donors whose agreement names the template, with the Excel only if it asks', async () => {
    const mailer = keepingMailer();
    const activities = createDonorDeliveryActivities({ pool, mailer, publicUrl: 'http://rbm.test' });
    const deliver = (c: SeededCycle, period: string, templateId: string) =>
      activities.deliverToDonors({ cycleId: c.id, projectCode: PROJECT, period, templateId, version: 1, artifacts: c.final });
    const onEu = await deliver(eu, '2023-Q2', 'eu-results-report');
    expect(onEu.map((o) => o.donorCode)).toEqual(['EU']);
    expect(mailer.sent.map((m) => m.attachments!.map((f) => f.filename.split('.').at(-1)).sort())).toEqual([['pdf', 'xlsx']]);
    const onIom = await deliver(iom, '2023-Q1', 'iom-donor-report');
    expect(onIom.map((o) => o.donorCode).sort()).toEqual(['DONOR-A', 'EU']);
    const toA = mailer.sent.find((m) => m.to.address === 'donor.a@example.org')!;
    expect(toA.attachments!.map((f) => f.filename.split('.').at(-1))).toEqual(['pdf']);
  });
});
