import { describe, expect, it } from 'vitest';
import { dacSectorOf, splitHundred } from './sectors.js';

describe('sectors', () => {
  it('maps the IOM Libya programmatic areas to OECD DAC purpose codes', () => {
    const areas: Record<string, string | undefined> = {
      'Migration Policy Activities': '15190',
      'Mental Health and Psychosocial Support (MHPSS)': '12340',
      'Water, Sanitation and Hygiene (WASH)': '14030',
      'Migration Health': '12220',
      'Voluntary Humanitarian Return (VHR)': '15190',
      'Displacement Tracking Matrix (DTM)': '72050',
      'Labour mobility': '15190',
      'Border management': '15190',
      'Community policing': '15210',
      'Community stabilization': '15220',
      'Search and rescue': '72010',
      'Direct assistance': '72010',
      'Protection': '72010',
      'Migrant Resource and Response Mechanism (MRRM)': '15190',
      'Financial reporting': undefined,
    };
    for (const [area, code] of Object.entries(areas)) expect([area, dacSectorOf(area)]).toEqual([area, code]);
  });

  it('splits 100% into shares of two decimals that add up exactly', () => {
    expect(splitHundred(1)).toEqual(['100']);
    expect(splitHundred(3)).toEqual(['33.34', '33.33', '33.33']);
    expect(splitHundred(7).reduce((a, s) => a + Math.round(Number(s) * 100), 0)).toBe(10000);
    expect(splitHundred(0)).toEqual([]);
  });
});
