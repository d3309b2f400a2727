import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileNameComponent, pathInside } from './file-names.js';

describe('fileNameComponent (issue 14, item 8b)', () => {
  it('keeps safe names as they are', () => {
    expect(['LY10P0542', '2025-Q3', 'iom-standard', 'EU_ECHO', 'a.b-c_d'].map(fileNameComponent)).toEqual(['LY10P0542', '2025-Q3', 'iom-standard', 'EU_ECHO', 'a.b-c_d']);
  });
  it('never yields "." or "..", a hidden name, a separator or an empty name', () => {
    expect(fileNameComponent('..')).toBe('__');
    expect(fileNameComponent('.')).toBe('_');
    expect(fileNameComponent('.env')).toBe('_env');
    expect(fileNameComponent('')).toBe('_');
    expect(fileNameComponent('../../etc/passwd')).toBe('__-..-etc-passwd');
    expect(fileNameComponent('a\\..\\b')).toBe('a-..-b');
    expect(fileNameComponent('Ünïcode code / 2025')).toBe('-n-code-code-2025');
    expect(fileNameComponent('x'.repeat(500))).toHaveLength(120);
    for (const s of ['..', '.', '...', '/..', '../', '%2e%2e', '\0..']) {
      const c = fileNameComponent(s);
      expect(c).toMatch(/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/);
      expect(path.resolve('/out', c).startsWith('/out/')).toBe(true);
    }
  });
});

describe('pathInside', () => {
  it('joins a component inside its folder', () => {
    expect(pathInside('out', 'LY10P0542')).toBe(path.join('out', 'LY10P0542'));
    expect(pathInside('/srv/out', 'LY10P0542', 'r.pdf')).toBe('/srv/out/LY10P0542/r.pdf');
  });
  it('refuses a name that leaves the folder or is the folder itself', () => {
    expect(() => pathInside('/srv/out', '..')).toThrow('the file name ".." would be written outside /srv/out');
    expect(() => pathInside('/srv/out', '.')).toThrow(/outside/);
    expect(() => pathInside('/srv/out', '../out2/x')).toThrow(/outside/);
    expect(() => pathInside('/srv/out', '/etc/passwd')).toThrow(/outside/);
    expect(() => pathInside('/srv/out', 'a/../../b')).toThrow(/outside/);
  });
});
