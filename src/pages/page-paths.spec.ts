import { describe, expect, it } from '@jest/globals';
import {
  decodeStep,
  encodeStep,
  isValidSlug,
  MAX_STEP,
  nextChildPath,
  pathsFromRoot,
  slugify,
} from '#src/pages/page-paths.js';

describe('page paths', () => {
  it('encodes steps as four base-36 characters, as treebeard does', () => {
    expect(encodeStep(1)).toBe('0001');
    expect(encodeStep(10)).toBe('000A');
    expect(encodeStep(36)).toBe('0010');
    expect(encodeStep(MAX_STEP)).toBe('ZZZZ');
    expect(decodeStep('0010')).toBe(36);
    expect(() => encodeStep(0)).toThrow(RangeError);
    expect(() => encodeStep(MAX_STEP + 1)).toThrow(RangeError);
  });

  it('sorts encoded steps in numeric order', () => {
    const steps = [1, 9, 10, 35, 36, 1295, 1296].map(encodeStep);
    expect([...steps].sort()).toEqual(steps);
  });

  it('gives the next child path after the last child', () => {
    expect(nextChildPath('0001', null)).toBe('00010001');
    expect(nextChildPath('0001', '00010009')).toBe('0001000A');
    expect(nextChildPath('', '0003')).toBe('0004');
  });

  it('lists the paths from the root down to the page', () => {
    expect(pathsFromRoot('000100020003')).toEqual(['0001', '00010002', '000100020003']);
  });

  it('accepts one URL segment of letters, digits, - and _ as a slug', () => {
    for (const good of ['blog', 'hello-world', 'über_2', 'статья'])
      expect(isValidSlug(good)).toBe(true);
    for (const bad of ['', '../', 'a/b', '.', 'a b', 'a?b', '%2e', 'x'.repeat(256)]) {
      expect(isValidSlug(bad)).toBe(false);
    }
  });

  it('makes a slug from a title', () => {
    expect(slugify('Hello, World!')).toBe('hello-world');
    expect(slugify('Crème brûlée')).toBe('creme-brulee');
    expect(slugify('../etc/passwd')).toBe('etc-passwd');
    expect(slugify('!!!')).toBe('page');
  });
});
