import { hash } from 'node:crypto';

/** A response the delivery API can send again as it is. */
export interface CachedResponse {
  status: number;
  body: string;
  etag: string;
  /** For redirects (`find`). */
  location?: string;
  /** `Last-Modified` (feeds). */
  lastModified?: string;
  /** `Content-Type`, when not JSON (feeds). */
  contentType?: string;
}

/**
 * A strong ETag: a digest of what the response sends (the body, or the redirect's target),
 * computed once per response — cached responses keep theirs. SHA-1 in one call: stable
 * across restarts and processes, and cheaper than a hash object per response.
 */
export function etagOf(content: string): string {
  return `"${hash('sha1', content, 'base64url')}"`;
}

/** Whether an `If-None-Match` header names `etag` (weak comparison, as RFC 9110 asks for GET). */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const bare = etag.replace(/^W\//, '');
  return ifNoneMatch
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .includes(bare);
}

/**
 * Published delivery responses, least recently used first out, bounded by the bytes of
 * their bodies. Emptied on every committed content change (see DeliveryService): a change
 * to one page can show in many responses (listings, parents, linked titles, URLs after a
 * move), and changes are rare next to reads, so dropping everything is both correct and
 * cheap. The generation guards against a race: a response computed from data read before
 * a change must not be stored after the change emptied the cache.
 */
export class DeliveryCache {
  private readonly entries = new Map<string, CachedResponse>();
  private bytes = 0;
  private currentGeneration = 0;

  constructor(private readonly maxBytes: number) {}

  get enabled(): boolean {
    return this.maxBytes > 0;
  }

  get generation(): number {
    return this.currentGeneration;
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  get(key: string): CachedResponse | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    // Map keeps insertion order: re-inserting makes this the most recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  /** Stores `entry` unless the cache was emptied since `generation` was read. */
  set(key: string, entry: CachedResponse, generation: number): void {
    if (!this.enabled || generation !== this.currentGeneration) return;
    const cost = costOf(key, entry);
    // One huge response must not push out everything else.
    if (cost > this.maxBytes / 2) return;
    const previous = this.entries.get(key);
    if (previous) {
      this.entries.delete(key);
      this.bytes -= costOf(key, previous);
    }
    this.entries.set(key, entry);
    this.bytes += cost;
    for (const [oldestKey, oldest] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldestKey);
      this.bytes -= costOf(oldestKey, oldest);
    }
  }

  clear(): void {
    this.currentGeneration += 1;
    this.entries.clear();
    this.bytes = 0;
  }
}

/** Bodies are strings of mostly ASCII JSON; two bytes a character bounds what V8 holds. */
function costOf(key: string, entry: CachedResponse): number {
  return (key.length + entry.body.length + (entry.location?.length ?? 0)) * 2 + 200;
}

/**
 * The cache key of a request: the site and the path with its query parameters sorted, so
 * `?limit=2&type=x` and `?type=x&limit=2` share an entry. A query of one parameter (the
 * common case: `find?html_path=`) is kept as sent: nothing to sort, and a key that is not
 * normalized can only miss an entry, never name another request's (a normalized query of
 * several parameters has a `&`, a single one never does).
 */
export function cacheKeyOf(siteId: string, url: string): string {
  const mark = url.indexOf('?');
  const path = mark < 0 ? url : url.slice(0, mark);
  const query = mark < 0 ? '' : url.slice(mark + 1);
  const normalizedPath = path.endsWith('/') ? path : `${path}/`;
  if (!query.includes('&')) return `${siteId} ${normalizedPath}?${query}`;
  const params = new URLSearchParams(query);
  params.sort();
  return `${siteId} ${normalizedPath}?${params.toString()}`;
}
