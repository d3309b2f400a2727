import { describe, expect, it } from 'vitest';
import { buildCatalogue, findProject } from './catalogue.js';

const project = (code: string, altCode: string | null) => ({ code, altCode, startDate: '2022-01-01', endDate: '2025-12-31' });

describe('the projects of the import catalogue', () => {
  it("finds a project by its code in any case and by its other code, but an other code never takes another project's code", () => {
    // As an older database could hold it: the first project's other code is the second one's code (in another case).
    for (const projects of [[project('LY10P0563', 'ly10p0570'), project('LY10P0570', 'PO.0999')], [project('LY10P0570', 'PO.0999'), project('LY10P0563', 'LY10P0570')]]) {
      const c = buildCatalogue(projects, []);
      expect(findProject(c, 'LY10P0570')?.code).toBe('LY10P0570');
      expect(findProject(c, 'ly10p0570')?.code).toBe('LY10P0570');
      expect(findProject(c, 'po.0999')?.code).toBe('LY10P0570');
      expect(findProject(c, 'LY10P0563')?.code).toBe('LY10P0563');
      expect(findProject(c, 'NOPE')).toBeUndefined();
    }
  });
});
