import { describe, expect, it } from '@jest/globals';
import {
  describe as describeState,
  type PublicationColumns,
  statusOf,
} from '#src/publishing/publication-state.js';

const base: PublicationColumns = {
  live: false,
  hasUnpublishedChanges: true,
  expired: false,
  locked: false,
  lockedById: null,
  lockedAt: null,
  latestRevisionId: '1',
  liveRevisionId: null,
  firstPublishedAt: null,
  lastPublishedAt: null,
  goLiveAt: null,
  expireAt: null,
};
const soon = new Date('2030-01-01T00:00:00Z');

describe('statusOf (Wagtail status_string)', () => {
  it.each<[string, Partial<PublicationColumns>]>([
    ['draft', {}],
    ['scheduled', { goLiveAt: soon }],
    ['expired', { expired: true }],
    // An expired object that was scheduled again is still shown as expired, as in Wagtail.
    ['expired', { expired: true, goLiveAt: soon }],
    ['live', { live: true, hasUnpublishedChanges: false, liveRevisionId: '1' }],
    ['live + draft', { live: true, hasUnpublishedChanges: true }],
    ['live + scheduled', { live: true, hasUnpublishedChanges: true, goLiveAt: soon }],
  ])('is %s for %j', (status, columns) => {
    expect(statusOf({ ...base, ...columns })).toBe(status);
  });
});

describe('describe', () => {
  it('shows dates as ISO strings, ids as strings and the lock only while locked', () => {
    expect(
      describeState({
        ...base,
        live: true,
        hasUnpublishedChanges: false,
        liveRevisionId: '7',
        latestRevisionId: '7',
        firstPublishedAt: '2026-01-01 10:00:00+00',
        lastPublishedAt: soon,
        expireAt: soon,
        locked: true,
        lockedById: 'u1',
        lockedAt: soon,
      }),
    ).toEqual({
      status: 'live',
      live: true,
      hasUnpublishedChanges: false,
      firstPublishedAt: '2026-01-01T10:00:00.000Z',
      lastPublishedAt: '2030-01-01T00:00:00.000Z',
      goLiveAt: null,
      expireAt: '2030-01-01T00:00:00.000Z',
      lock: { lockedBy: 'u1', lockedAt: '2030-01-01T00:00:00.000Z' },
      latestRevisionId: '7',
      liveRevisionId: '7',
    });
    expect(describeState(base).lock).toBeNull();
  });
});
