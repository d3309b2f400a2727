/**
 * An e-mail goes to the one address it is for, whatever the name beside it. A user's or a donor
 * contact's name is written by people ("EU Delegation, Tripoli"; "Ops <duty>"): the activities passed
 * "Name <address>" as one string, which nodemailer parses as a list of addresses, so a comma or an
 * angle bracket in a name added recipients (found by an adversarial review; this spec fails on the old
 * code). Sent over real SMTP to Mailpit.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../activities/index.js';
import { createMailer, type Mailer } from '../activities/mailer.js';
import type { Pool } from '../db/pool.js';
import { mailsTo, waitForMail } from './support/mailbox.js';
import { ownDatabase } from './support/own-database.js';
import { seedCycle } from './support/report-fixtures.js';

let pool: Pool;
let mailer: Mailer;
const stamp = Date.now().toString(36);
const victim = `approver.${stamp}@example.org`;
const extra = `intruder.${stamp}@example.org`;

beforeAll(async () => {
  ({ pool } = await ownDatabase('rbm_mail_recipients_spec'));
  mailer = createMailer(inject('smtpUrl'), 'RBM Flow <rbm@test>');
  // A name as an administrator could type it, with a comma and an address of its own.
  await pool.query(`INSERT INTO users (id, name, email) VALUES ($1, $2, $3)`, [`approver.${stamp}`, `Approver <${extra}>, Ops`, victim]);
});
afterAll(async () => {
  mailer?.close();
  await pool?.end();
});

describe('a notification with a comma and an address in the recipient name', () => {
  it('reaches only the recipient, once', async () => {
    const cycle = await seedCycle(pool, { project: 'LY10P0542', period: '2024-Q4', template: 'iom-donor-report', state: 'awaiting_approval' });
    const activities = createActivities({ pool, outDir: '/tmp', mailer, publicUrl: 'http://rbm.test' });
    const r = await activities.notifyUsers({
      eventKey: `mail-recipients-${stamp}`, kind: 'review_requested', cycleId: cycle.id, projectCode: 'LY10P0542', period: '2024-Q4', version: 1,
      to: [`approver.${stamp}`], actor: null, comment: null, stepName: 'Project manager', dueDate: null,
    });
    expect(r.sent).toBe(1);
    const mail = await waitForMail(victim, () => true);
    expect(mail.to).toEqual([victim]);
    await new Promise((res) => setTimeout(res, 500));
    // (Mailpit's search also finds the address inside the quoted name: only a recipient address counts.)
    expect((await mailsTo(extra)).filter((m) => m.to.includes(extra))).toEqual([]);
  });
});
