import { describe, expect, it } from 'vitest';
import { groupBy } from './group-by.js';

describe('groupBy', () => {
  it('keeps the order of the items in each group and of the keys as they first appear', () => {
    const groups = groupBy([{ k: 2, v: 'a' }, { k: 1, v: 'b' }, { k: 2, v: 'c' }], (x) => x.k);
    expect([...groups.keys()]).toEqual([2, 1]);
    expect(groups.get(2)!.map((x) => x.v)).toEqual(['a', 'c']);
    expect(groups.get(1)!.map((x) => x.v)).toEqual(['b']);
    expect(groupBy([], (x: number) => x).size).toBe(0);
  });
});
