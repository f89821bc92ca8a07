import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import type { ContentTypeDefinition } from '#src/content-types/content-type-definition.js';
import { ContentTypesService } from '#src/content-types/content-types.service.js';
import { ContentChanges } from '#src/publishing/content-changes.js';
import { PublishingService } from '#src/publishing/publishing.service.js';
import { ObjectLockedError } from '#src/publishing/publishing.errors.js';
import { Snippet } from '#src/snippets/snippet.entity.js';
import { createUser } from '#test/helpers/auth.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';
import { waitFor } from '#test/helpers/wait-for.js';

const AUTHOR: ContentTypeDefinition = {
  key: 'pub_author',
  label: 'Author',
  kind: 'snippet',
  titleField: 'name',
  fields: [
    { key: 'name', type: 'text', required: true, maxLength: 100 },
    { key: 'email', type: 'email', unique: true },
    { key: 'bio', type: 'long_text' },
    { key: 'mentor', type: 'snippet_link', snippetType: 'pub_author' },
  ],
};

const CATEGORY: ContentTypeDefinition = {
  key: 'pub_category',
  label: 'Category',
  kind: 'snippet',
  titleField: 'name',
  fields: [{ key: 'name', type: 'text', required: true }],
};

describe('PublishingService (through the service, on the real database)', () => {
  let app: TestApp;
  let db: DataSource;
  let publishing: PublishingService;
  let actor: { actorId: string; ip: string };
  let other: { actorId: string; ip: string };

  const createSnippet = async (type = 'pub_author', title = 'New') => {
    const [row] = await db.query<Array<{ id: string }>>(
      `INSERT INTO snippets (content_type_key, title) VALUES ($1, $2) RETURNING id`,
      [type, title],
    );
    return { type: 'snippet' as const, id: row.id };
  };
  const loadRow = (id: string) => db.manager.findOneOrFail(Snippet, { where: { id } });
  const rowOf = async (id: string) =>
    (
      await db.query<Array<Record<string, unknown>>>(`SELECT * FROM snippets WHERE id = $1`, [id])
    )[0];
  const auditCount = async (action: string, objectId: string) =>
    Number(
      (
        await db.query<Array<{ n: string }>>(
          `SELECT count(*) AS n FROM audit_log WHERE action = $1 AND object_id = $2`,
          [action, objectId],
        )
      )[0].n,
    );
  const revisionCount = async (objectId: string) =>
    Number(
      (
        await db.query<Array<{ n: string }>>(
          `SELECT count(*) AS n FROM revisions WHERE object_id = $1`,
          [objectId],
        )
      )[0].n,
    );

  beforeAll(async () => {
    app = await startTestApp();
    db = app.finch.app.get(DataSource);
    publishing = app.finch.app.get(PublishingService);
    const contentTypes = app.finch.app.get(ContentTypesService);
    for (const definition of [AUTHOR, CATEGORY]) {
      await contentTypes.create(definition, { actorId: null });
    }
    actor = { actorId: (await createUser(app)).id, ip: '127.0.0.1' };
    other = { actorId: (await createUser(app)).id, ip: '127.0.0.1' };
  });

  afterAll(async () => {
    await app?.close();
  });

  it('saves a draft onto a never-published row, then publishes it live', async () => {
    const target = await createSnippet();
    const revision = await publishing.saveRevision(
      target,
      { title: 'Ada', content: { name: 'Ada' } },
      actor,
    );
    let row = await rowOf(target.id);
    expect(row).toMatchObject({ title: 'Ada', content: { name: 'Ada' }, live: false });
    expect(publishing.describe(await loadRow(target.id))).toMatchObject({
      status: 'draft',
      latestRevisionId: revision.id,
      liveRevisionId: null,
    });

    const outcome = await publishing.publish(target, {}, actor);
    expect(outcome.scheduled).toBe(false);
    expect(outcome.state).toMatchObject({
      status: 'live',
      live: true,
      liveRevisionId: revision.id,
    });

    await publishing.saveRevision(target, { title: 'Ada L.', content: { name: 'Ada L.' } }, actor);
    row = await rowOf(target.id);
    expect(row).toMatchObject({ title: 'Ada', content: { name: 'Ada' }, live: true });
    expect(publishing.describe(await loadRow(target.id)).status).toBe('live + draft');
    expect(await auditCount('snippets.published', target.id)).toBe(1);
    expect(await auditCount('snippets.edited', target.id)).toBe(1);
  });

  it('refuses edits and publishing by others while locked, and lets the holder go on', async () => {
    const target = await createSnippet();
    await publishing.saveRevision(target, { title: 'L', content: { name: 'L' } }, actor);
    await publishing.lock(target, actor);
    await expect(
      publishing.saveRevision(target, { title: 'X', content: { name: 'X' } }, other),
    ).rejects.toBeInstanceOf(ObjectLockedError);
    await expect(publishing.publish(target, {}, other)).rejects.toBeInstanceOf(ObjectLockedError);
    await expect(publishing.unlock(target, other)).rejects.toBeInstanceOf(ObjectLockedError);
    await publishing.saveRevision(target, { title: 'Y', content: { name: 'Y' } }, actor);
    const state = await publishing.unlock(target, other, { mayUnlockOthers: true });
    expect(state.lock).toBeNull();
  });

  it('publishes a scheduled revision once, however many jobs and sweeps run at the same time', async () => {
    const target = await createSnippet();
    const revision = await publishing.saveRevision(
      target,
      { title: 'Sched', content: { name: 'Sched' } },
      actor,
    );
    const goLiveAt = new Date(Date.now() + 60 * 60_000);
    const outcome = await publishing.publish(target, { goLiveAt }, actor);
    expect(outcome.scheduled).toBe(true);
    expect(outcome.state.status).toBe('scheduled');
    const later = new Date(goLiveAt.getTime() + 1000);
    const results = await Promise.all([
      publishing.publishScheduledRevision(target, revision.id, later),
      publishing.publishScheduledRevision(target, revision.id, later),
      publishing.sweepSchedules(later),
    ]);
    expect(
      results.filter((result) => result === true).length +
        (results[2] as { published: number }).published,
    ).toBe(1);
    expect(await auditCount('snippets.published', target.id)).toBe(1);
    expect(await revisionCount(target.id)).toBe(1);
    expect(publishing.describe(await loadRow(target.id)).status).toBe('live');
  });

  const referencesFrom = (id: string) =>
    db.query<Array<{ target_id: string; field_path: string; live: boolean }>>(
      `SELECT target_id, field_path, live FROM content_references WHERE source_id = $1 ORDER BY live`,
      [id],
    );
  const searchVectorOf = async (id: string) =>
    (
      await db.query<Array<{ v: string | null }>>(
        'SELECT search_vector::text AS v FROM snippets WHERE id = $1',
        [id],
      )
    )[0].v;

  it('records draft references on save, live ones on publish, and drops the live ones on unpublish', async () => {
    const mentor = await createSnippet();
    await publishing.saveRevision(mentor, { title: 'Mentor', content: { name: 'Mentor' } }, actor);
    const target = await createSnippet();
    await publishing.saveRevision(
      target,
      { title: 'Pupil', content: { name: 'Pupil', mentor: { id: mentor.id } } },
      actor,
    );
    expect(await referencesFrom(target.id)).toEqual([
      { target_id: mentor.id, field_path: 'mentor', live: false },
    ]);
    await publishing.publish(target, {}, actor);
    expect(await referencesFrom(target.id)).toEqual([
      { target_id: mentor.id, field_path: 'mentor', live: false },
      { target_id: mentor.id, field_path: 'mentor', live: true },
    ]);
    await publishing.unpublish(target, actor);
    expect(await referencesFrom(target.id)).toEqual([
      { target_id: mentor.id, field_path: 'mentor', live: false },
    ]);
  });

  it('indexes the live title for search on publish and takes it out on unpublish', async () => {
    const target = await createSnippet();
    await publishing.saveRevision(
      target,
      { title: 'Zebra crossing', content: { name: 'Zebra crossing' } },
      actor,
    );
    expect(await searchVectorOf(target.id)).toBeNull();
    await publishing.publish(target, {}, actor);
    expect(await searchVectorOf(target.id)).toContain('zebra');
    await publishing.unpublish(target, actor);
    expect(await searchVectorOf(target.id)).toBeNull();
  });

  it('tells ContentChanges listeners of each publish and unpublish once committed', async () => {
    const heard: Array<{ objectId: string; action: string }> = [];
    const stop = app.finch.app.get(ContentChanges).onChange((change) => heard.push(change));
    try {
      const target = await createSnippet();
      await publishing.saveRevision(target, { title: 'News', content: { name: 'News' } }, actor);
      await publishing.publish(target, {}, actor);
      await publishing.unpublish(target, actor);
      await waitFor(
        'both changes',
        () => heard.filter((change) => change.objectId === target.id).length >= 2,
      );
      expect([
        ...new Set(
          heard.filter((change) => change.objectId === target.id).map((change) => change.action),
        ),
      ]).toEqual(['published', 'unpublished']);
    } finally {
      stop();
    }
  });

  it("joins the caller's transaction: when it rolls back, no revision, state or audit entry remains", async () => {
    const target = await createSnippet();
    const before = await revisionCount(target.id);
    await expect(
      db.transaction(async (manager) => {
        await publishing.saveRevision(
          target,
          { title: 'Gone', content: { name: 'Gone' } },
          actor,
          manager,
        );
        await publishing.publish(target, {}, actor, manager);
        throw new Error('caller fails after publishing');
      }),
    ).rejects.toThrow('caller fails');
    expect(await revisionCount(target.id)).toBe(before);
    expect(await rowOf(target.id)).toMatchObject({ live: false, title: 'New' });
    expect(await auditCount('snippets.published', target.id)).toBe(0);
  });

  it('unpublishes many objects in one transaction, leaving those not live alone', async () => {
    const targets = [await createSnippet(), await createSnippet(), await createSnippet()];
    for (const [index, target] of targets.entries()) {
      await publishing.saveRevision(
        target,
        { title: `M${index}`, content: { name: `M${index}` } },
        actor,
      );
      if (index < 2) await publishing.publish(target, {}, actor);
    }
    const done = await db.transaction((manager) =>
      publishing.unpublishMany(
        'snippet',
        [...targets.map((target) => target.id), 'not-a-uuid'],
        actor,
        manager,
      ),
    );
    expect(done.sort()).toEqual([targets[0].id, targets[1].id].sort());
    for (const target of targets) expect((await rowOf(target.id)).live).toBe(false);
    expect(await auditCount('snippets.unpublished', targets[2].id)).toBe(0);
  });

  it('keeps every revision when REVISION_RETENTION_DAYS is 0 (the default)', async () => {
    const target = await createSnippet();
    await publishing.saveRevision(target, { title: 'A', content: { name: 'A' } }, actor);
    await publishing.saveRevision(target, { title: 'B', content: { name: 'B' } }, actor);
    await db.query(
      `UPDATE revisions SET created_at = now() - interval '10 years' WHERE object_id = $1`,
      [target.id],
    );
    expect(await publishing.pruneRevisions()).toBe(0);
    expect(await revisionCount(target.id)).toBe(2);
  });
});
