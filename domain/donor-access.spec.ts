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
    const donor = { donorCodes: ['DONOR-A'], fundedProjects: ['P1'] };
    const agreements = [a('iom-donor-report', false), a('eu-results-report', true, 'EU')];
    expect(donorMayReceive(donor, agreements, file('iom-donor-report', 'pdf'))).toBe(true);
    expect(donorMayReceive(donor, agreements, file('eu-results-report', 'pdf'))).toBe(false);
    expect(donorMayReceive({ ...donor, fundedProjects: [] }, agreements, file('iom-donor-report', 'pdf'))).toBe(false);
  });
});
