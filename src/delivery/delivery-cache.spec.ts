import { describe, expect, it } from '@jest/globals';
import { DeliveryCache, cacheKeyOf, etagOf, matchesEtag } from '#src/delivery/delivery-cache.js';

const entry = (body: string) => ({ status: 200, body, etag: etagOf(body) });

describe('DeliveryCache', () => {
  it('forgets the least recently used entries beyond its byte budget', () => {
    const cache = new DeliveryCache(3000);
    cache.set('a', entry('x'.repeat(300)), cache.generation);
    cache.set('b', entry('x'.repeat(300)), cache.generation);
    expect(cache.get('a')).toBeDefined();
    cache.set('c', entry('x'.repeat(300)), cache.generation);
    cache.set('d', entry('x'.repeat(300)), cache.generation);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.size.bytes).toBeLessThanOrEqual(3000);
  });

  it('does not store a response computed before the cache was emptied', () => {
    const cache = new DeliveryCache(1_000_000);
    const generation = cache.generation;
    cache.clear();
    cache.set('a', entry('stale'), generation);
    expect(cache.get('a')).toBeUndefined();
  });

  it('stores nothing when its size is 0', () => {
    const cache = new DeliveryCache(0);
    cache.set('a', entry('x'), cache.generation);
    expect(cache.enabled).toBe(false);
    expect(cache.get('a')).toBeUndefined();
  });
});

describe('cacheKeyOf', () => {
  it('is the same whatever the order of the query parameters and the trailing slash', () => {
    expect(cacheKeyOf('s', '/api/v2/pages?type=x&limit=2')).toBe(
      cacheKeyOf('s', '/api/v2/pages/?limit=2&type=x'),
    );
    expect(cacheKeyOf('s', '/api/v2/pages')).not.toBe(cacheKeyOf('t', '/api/v2/pages'));
  });

  it('keeps apart requests that differ, whether their query has one parameter or several', () => {
    const keys = [
      '/api/v2/pages',
      '/api/v2/pages?type=x',
      '/api/v2/pages?type=y',
      '/api/v2/pages?type=x&limit=2',
      '/api/v2/pages?type=x%26limit%3D2',
      '/api/v2/pages/find?html_path=/a/',
      '/api/v2/pages/find?html_path=/b/',
    ].map((url) => cacheKeyOf('s', url));
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('ETags', () => {
  it('differ when the body differs and match If-None-Match lists, weak or strong', () => {
    const etag = etagOf('a');
    expect(etagOf('b')).not.toBe(etag);
    expect(matchesEtag(`"other", W/${etag}`, etag)).toBe(true);
    expect(matchesEtag('*', etag)).toBe(true);
    expect(matchesEtag('"other"', etag)).toBe(false);
    expect(matchesEtag(undefined, etag)).toBe(false);
  });
});
