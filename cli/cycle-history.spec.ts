import { describe, expect, it } from 'vitest';
import { formatCycleHistory, wrapText } from './cycle-history.js';

const comment = Array.from({ length: 50 }, (_, i) => `word${i}`).join(' ') + ' — see the OC1.a disaggregation, Tripoli and Benghazi figures do not add up to the total reported.';

describe('rbm cycle history for people', () => {
  it('prints a 300-character return comment whole, wrapped, with who, what and which version', () => {
    expect(comment.length).toBeGreaterThan(300);
    const lines = formatCycleHistory([
      { at: '2025-10-02T09:00:00.000Z', actor: 'system', action: 'review_requested', version: 1, detail: { step: 'Project manager', approvers: ['pm.governance', 'pm.deputy'] } },
      { at: '2025-10-03T10:00:00.000Z', actor: 'pm.governance', action: 'returned', version: 1, detail: { step: 'Project manager', comment } },
      { at: '2025-10-04T08:00:00.000Z', actor: 'me.officer', action: 'resubmitted', version: null, detail: { comment: null } },
    ], 80);
    expect(lines.every((l) => l.length <= 80)).toBe(true);
    expect(lines.join('\n')).not.toContain('…');
    expect(lines).toContain('2025-10-03T10:00:00.000Z  returned  by pm.governance  (version 1)');
    expect(lines).toContain('    approvers: pm.governance, pm.deputy');
    const start = lines.findIndex((l) => l.startsWith('    comment: '));
    const block = lines.slice(start).filter((l) => /^ {4}( |comment: )/.test(l));
    expect(block.length).toBeGreaterThan(3);
    expect(block.map((l) => l.replace(/^ {4}(comment: )?\s*/, '')).join(' ')).toBe(comment);
    expect(lines[lines.length - 1]).toBe('2025-10-04T08:00:00.000Z  resubmitted  by me.officer'); // a null comment is not a line
  });

  it('keeps a word longer than the width whole and the comment\'s own line breaks', () => {
    const long = 'x'.repeat(120);
    expect(wrapText(`a ${long} b`, 40)).toEqual(['a', long, 'b']);
    expect(wrapText('first line\nsecond line', 80)).toEqual(['first line', 'second line']);
  });
});
