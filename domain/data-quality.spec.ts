import { describe, expect, it } from 'vitest';
import { checkValidationRules, expandLibraryRules, findOutlier, parseRuleExpression, type ValidationRule } from './data-quality.js';
import type { PeriodFigure } from './progress.js';

const fig = (period: string, actual: number | null, target: number | null = null): PeriodFigure => ({ period, actual, target });

describe('validation rules between indicators', () => {
  it('reads "a + b = c" and refuses text that is not a comparison of indicator codes', () => {
    expect(parseRuleExpression('OP1.w + OP1.m = OP1.t')).toEqual({ ok: true, left: ['OP1.w', 'OP1.m'], operator: '=', right: ['OP1.t'] });
    expect(parseRuleExpression('OP1.a ≤ OP1.b')).toMatchObject({ ok: true, operator: '<=' });
    expect(parseRuleExpression('OP1.a OP1.b')).toMatchObject({ ok: false, message: expect.stringContaining('no comparison') });
    expect(parseRuleExpression('OP1.a <= ')).toMatchObject({ ok: false, message: expect.stringContaining('empty side') });
    expect(parseRuleExpression('OP1 a <= b')).toMatchObject({ ok: false, message: expect.stringContaining('"OP1 a" is not an indicator code') });
  });

  const trained: ValidationRule = { code: 'R1', left: ['OP1.a'], operator: '<=', right: ['OP1.b'], description: 'trained ≤ enrolled' };
  const split: ValidationRule = { code: 'R2', left: ['OP1.w', 'OP1.m'], operator: '=', right: ['OP1.t'], description: '' };
  it('warns when a rule does not hold, naming the rule and the figures', () => {
    const warnings = checkValidationRules([trained, split], new Map([['OP1.a', 30], ['OP1.b', 25], ['OP1.w', 10], ['OP1.m', 12], ['OP1.t', 22]]), '2025-Q3');
    expect(warnings).toEqual([{ kind: 'rule', indicatorCode: 'OP1.a', period: '2025-Q3', ruleCode: 'R1', message: 'rule R1 (trained ≤ enrolled) does not hold: OP1.a <= OP1.b is 30 <= 25' }]);
    expect(checkValidationRules([split], new Map([['OP1.w', 10], ['OP1.m', 11], ['OP1.t', 22]]), 'P')[0]!.message).toContain('OP1.w + OP1.m = OP1.t is 21 = 22');
  });
  it('does not check a rule while one of its indicators has no value', () => {
    expect(checkValidationRules([trained], new Map([['OP1.a', 30], ['OP1.b', null]]), 'P')).toEqual([]);
    expect(checkValidationRules([trained], new Map([['OP1.a', 30]]), 'P')).toEqual([]);
  });
});

describe('outliers', () => {
  const count = (targets: Record<string, number> = {}) => ({ code: 'I', type: 'count' as const, targets });
  it('flags one period over twice the life-of-project target (777 against 4)', () => {
    expect(findOutlier(count({ LOP: 4 }), [fig('2025-Q1', 1), fig('2025-Q2', 777)], '2025-Q2')?.message).toContain('777 in 2025-Q2 is over 2 × the life-of-project target of 4');
    expect(findOutlier(count({ LOP: 4 }), [fig('2025-Q1', 1), fig('2025-Q2', 3)], '2025-Q2')).toBeNull();
  });
  it('flags a value over five times its period target', () => {
    expect(findOutlier(count(), [fig('2025-Q2', 51, 10)], '2025-Q2')?.message).toContain('over 5 × its target of 10');
    expect(findOutlier(count(), [fig('2025-Q2', 50, 10)], '2025-Q2')).toBeNull();
  });
  it('flags a value far from its own history, and not a normal one', () => {
    const history = [fig('Q1', 100), fig('Q2', 110), fig('Q3', 95), fig('Q4', 105)];
    expect(findOutlier(count(), [...history, fig('Q5', 1000)], 'Q5')?.message).toContain('far from this indicator');
    expect(findOutlier(count(), [...history, fig('Q5', 120)], 'Q5')).toBeNull();
    expect(findOutlier(count(), [fig('Q1', 100), fig('Q2', 1000)], 'Q2')).toBeNull(); // too little history to judge
  });
  it('never flags yes/no or qualitative indicators', () => {
    expect(findOutlier({ code: 'Y', type: 'yes_no', targets: { LOP: 0 } }, [fig('Q1', 1)], 'Q1')).toBeNull();
  });
});

describe('rules of the library', () => {
  const indicators = [
    { code: 'OP1.a', commonIndicatorCode: 'CI-TRAINED' }, { code: 'OP2.a', commonIndicatorCode: 'CI-TRAINED' },
    { code: 'OP1.b', commonIndicatorCode: 'CI-ENROLLED' }, { code: 'OP1.c', commonIndicatorCode: null },
  ];
  it('become project rules over the linked indicators (summed), only where every code is linked', () => {
    expect(expandLibraryRules([
      { code: 'CI-TRAINED', validationRule: 'CI-TRAINED <= CI-ENROLLED' },
      { code: 'CI-HIRED', validationRule: 'CI-HIRED <= CI-TRAINED' },
    ], indicators)).toEqual([
      { code: 'library:CI-TRAINED', left: ['OP1.a', 'OP2.a'], operator: '<=', right: ['OP1.b'], description: 'library rule CI-TRAINED <= CI-ENROLLED' },
    ]);
  });
});
