import { describe, expect, it } from 'vitest';
import { decisionRefusal, reportCycleId, type CycleStatus } from './report-cycle.js';

const waiting: CycleStatus = {
  cycleId: 'report-cycle/LY10P0542/2025-Q3/iom-donor-report', projectCode: 'LY10P0542', period: '2025-Q3', templateId: 'iom-donor-report',
  state: 'awaiting_approval', version: 2, approvers: ['pm.governance'], versions: [], decisions: [], final: [], finalHeadline: null, deliveredTo: [],
};

describe('report cycle rules', () => {
  it('derives the cycle id from its business key', () => {
    expect(reportCycleId('LY10P0542', '2025-Q3', 'iom-donor-report')).toBe('report-cycle/LY10P0542/2025-Q3/iom-donor-report');
  });
  it('accepts a decision by the approver on the current version', () => {
    expect(decisionRefusal(waiting, { decision: 'approve', by: 'pm.governance', version: 2 })).toBeUndefined();
    expect(decisionRefusal(waiting, { decision: 'return', by: 'pm.governance', version: 2, comment: 'Fix OP1.2.a' })).toBeUndefined();
  });
  it('refuses each broken rule with its reason', () => {
    expect(decisionRefusal(waiting, { decision: 'approve', by: 'someone.else', version: 2 })).toMatch(/someone.else is not an approver of this step \(approvers: pm.governance\)/);
    expect(decisionRefusal(waiting, { decision: 'approve', by: 'pm.governance', version: 1 })).toMatch(/version 1, but the current version is 2/);
    expect(decisionRefusal(waiting, { decision: 'return', by: 'pm.governance', version: 2, comment: '  ' })).toMatch(/needs a comment/);
    expect(decisionRefusal({ ...waiting, state: 'rendering' }, { decision: 'approve', by: 'pm.governance', version: 2 })).toMatch(/not awaiting a decision \(it is rendering\)/);
    expect(decisionRefusal(waiting, { decision: 'maybe' as 'approve', by: 'pm.governance', version: 2 })).toMatch(/unknown decision/);
  });
});
