import { describe, expect, it } from 'vitest';
import { agreementCovers, donorMayReceive } from './donor-access.js';

const a = (templateId: string, sendExcel: boolean, donorCode = 'DONOR-A', projectCode = 'P1') => ({ donorCode, projectCode, templateId, sendExcel });
const file = (templateId: string, format: string, projectCode = 'P1') => ({ projectCode, templateId, format });

describe('what a donor may receive', () => {
  it('an agreement covers its project and template; the Excel only when it asks for it', () => {
    expect(agreementCovers(a('iom-donor-report', false), file('iom-donor-report', 'pdf'))).toBe(true);
    expect(agreementCovers(a('iom-donor-report', false), file('iom-donor-report', 'xlsx'))).toBe(false);
    expect(agreementCovers(a('iom-donor-report', true), file('iom-donor-report', 'xlsx'))).toBe(true);
    expect(agreementCovers(a('iom-donor-report', true), file('eu-results-report', 'pdf'))).toBe(false);
    expect(agreementCovers(a('iom-donor-report', true), file('iom-donor-report', 'pdf', 'P2'))).toBe(false);
  });

  it("only the donor's own agreements count, and only for projects it funds", () => {
    const funding = [{ donorCode: 'DONOR-A', projectCode: 'P1' }];
    const agreements = [a('iom-donor-report', false), a('eu-results-report', true, 'EU')];
    expect(donorMayReceive(funding, agreements, file('iom-donor-report', 'pdf'))).toBe(true);
    expect(donorMayReceive(funding, agreements, file('eu-results-report', 'pdf'))).toBe(false);
    expect(donorMayReceive([], agreements, file('iom-donor-report', 'pdf'))).toBe(false);
  });

  it('for a contact of two donors, each agreement counts only with its own donor funding the project', () => {
    // DONOR-A funds P1 (PDF of iom-donor-report); DONOR-X no longer does, its agreement (eu-results-report, with Excel) is left over.
    const funding = [{ donorCode: 'DONOR-A', projectCode: 'P1' }, { donorCode: 'DONOR-X', projectCode: 'P2' }];
    const agreements = [a('iom-donor-report', false), a('eu-results-report', true, 'DONOR-X'), a('iom-donor-report', true, 'DONOR-X')];
    expect(donorMayReceive(funding, agreements, file('iom-donor-report', 'pdf'))).toBe(true);
    expect(donorMayReceive(funding, agreements, file('iom-donor-report', 'xlsx'))).toBe(false);
    expect(donorMayReceive(funding, agreements, file('eu-results-report', 'pdf'))).toBe(false);
  });
});
