import { describe, expect, it } from 'vitest';
import { composeDonorReportMail } from './notifications.js';

const base = { projectTitle: 'Migrant protection', projectCode: 'LY10P0551', period: '2025-Q1', recipientName: 'EU Delegation', links: ['http://rbm.example/donor/reports/7'] };

describe('the donor report e-mail', () => {
  it('a first delivery names the report and its version', () => {
    const mail = composeDonorReportMail({ ...base, version: 2, replacesVersion: null });
    expect(mail.subject).toBe('Migrant protection (LY10P0551): report for 2025-Q1');
    expect(mail.text).toContain('the approved report of "Migrant protection" (LY10P0551) for 2025-Q1, version 2.');
    expect(mail.text).not.toMatch(/revised|replaces/i);
  });

  it('a version that replaces one sent to the donor (confirmed or not) says "revised" in the subject and which version it replaces', () => {
    const mail = composeDonorReportMail({ ...base, version: 3, replacesVersion: 1 });
    expect(mail.subject).toBe('Migrant protection (LY10P0551): revised report for 2025-Q1 (version 3)');
    expect(mail.text).toContain('version 3, which replaces version 1 sent to you earlier');
    expect(mail.text).toContain('http://rbm.example/donor/reports/7');
  });
});
