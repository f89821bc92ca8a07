import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource, type EntityManager } from 'typeorm';
import { ReferenceIndexService } from '#src/references/reference-index.service.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';

const statements = (queries: string[]) =>
  queries
    .map((query) => query.trim().split(/\s+/)[0].toUpperCase())
    .filter((verb) => ['SELECT', 'INSERT', 'DELETE', 'UPDATE', 'WITH'].includes(verb));

describe('ReferenceIndexService', () => {
  let app: TestApp;
  let dataSource: DataSource;
  let references: ReferenceIndexService;
  let pathCounter = 0;

  const createPage = async (title: string, live: boolean) => {
    pathCounter += 1;
    const path = pathCounter.toString(36).padStart(4, '0');
    const [row] = await dataSource.query<Array<{ id: string }>>(
      `INSERT INTO pages (content_type_key, title, live, path, depth, slug, url_path)
       VALUES ('blog_post', $1, $2, $3, 1, $3, $4) RETURNING id`,
      [title, live, path, `/${path}/`],
    );
    return row.id;
  };
  const createSnippet = async (title: string, live: boolean) => {
    const [row] = await dataSource.query<Array<{ id: string }>>(
      `INSERT INTO snippets (content_type_key, title, live) VALUES ('author', $1, $2) RETURNING id`,
      [title, live],
    );
    return row.id;
  };
  /** Runs `work` in a transaction of its own, recording every statement it sends. */
  const countQueries = async <T>(work: (manager: EntityManager) => Promise<T>) => {
    const runner = dataSource.createQueryRunner();
    const queries: string[] = [];
    const send = runner.query.bind(runner);
    runner.query = ((query: string, ...rest: unknown[]) => {
      queries.push(query);
      return (send as (...args: unknown[]) => Promise<unknown>)(query, ...rest);
    }) as typeof runner.query;
    try {
      await runner.startTransaction();
      const result = await work(runner.manager);
      await runner.commitTransaction();
      return { result, queries };
    } catch (error) {
      await runner.rollbackTransaction();
      throw error;
    } finally {
      await runner.release();
    }
  };
  const rowsFrom = (sourceId: string) =>
    dataSource.query<Array<{ target_id: string; field_path: string; live: boolean }>>(
      `SELECT target_id, field_path, live FROM content_references WHERE source_id = $1
        ORDER BY live, field_path`,
      [sourceId],
    );

  beforeAll(async () => {
    app = await startTestApp();
    dataSource = app.finch.app.get(DataSource);
    references = app.finch.app.get(ReferenceIndexService);
  });
  afterAll(async () => {
    await app?.close();
  });

  describe('replace', () => {
    it('writes a set of 200 references with one DELETE and one INSERT', async () => {
      const page = await createPage('Many links', true);
      const refs = Array.from({ length: 200 }, (_, index) => ({
        targetType: 'image' as const,
        targetId: randomUUID(),
        fieldPath: `body[${index}].value`,
      }));
      const { queries } = await countQueries((manager) =>
        references.replace(manager, { type: 'page', id: page }, true, refs),
      );
      expect(statements(queries)).toEqual(['DELETE', 'INSERT']);
      expect(await rowsFrom(page)).toHaveLength(200);
    });

    it('replaces only the version it is given: the draft set leaves the live set alone', async () => {
      const page = await createPage('Two versions', true);
      const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
      await dataSource.transaction(async (manager) => {
        await references.replace(manager, { type: 'page', id: page }, true, [
          { targetType: 'snippet', targetId: a, fieldPath: 'author' },
        ]);
        await references.replace(manager, { type: 'page', id: page }, false, [
          { targetType: 'snippet', targetId: a, fieldPath: 'author' },
          { targetType: 'page', targetId: b, fieldPath: 'related' },
        ]);
      });
      await dataSource.transaction((manager) =>
        references.replace(manager, { type: 'page', id: page }, false, [
          { targetType: 'image', targetId: c, fieldPath: 'hero' },
        ]),
      );
      expect(await rowsFrom(page)).toEqual([
        { target_id: c, field_path: 'hero', live: false },
        { target_id: a, field_path: 'author', live: true },
      ]);
    });

    it('stores duplicates once, skips ids that are not uuids, and clears with an empty set', async () => {
      const page = await createPage('Duplicates', false);
      const target = randomUUID();
      const { queries } = await countQueries((manager) =>
        references.replace(manager, { type: 'page', id: page }, false, [
          { targetType: 'snippet', targetId: target, fieldPath: 'categories[0]' },
          { targetType: 'snippet', targetId: target.toUpperCase(), fieldPath: 'categories[0]' },
          { targetType: 'snippet', targetId: "x'; DROP TABLE pages; --", fieldPath: 'x' },
        ]),
      );
      expect(statements(queries)).toEqual(['DELETE', 'INSERT']);
      expect(await rowsFrom(page)).toEqual([
        { target_id: target, field_path: 'categories[0]', live: false },
      ]);
      const cleared = await countQueries((manager) =>
        references.replace(manager, { type: 'page', id: page }, false, []),
      );
      expect(statements(cleared.queries)).toEqual(['DELETE']);
      expect(await rowsFrom(page)).toEqual([]);
    });

    it('replaces the sets of many sources with one DELETE and one INSERT', async () => {
      const pages = [await createPage('Batch one', true), await createPage('Batch two', true)];
      const [old, a, b] = [randomUUID(), randomUUID(), randomUUID()];
      await dataSource.transaction((manager) =>
        references.replace(manager, { type: 'page', id: pages[0] }, true, [
          { targetType: 'snippet', targetId: old, fieldPath: 'author' },
        ]),
      );
      const { queries } = await countQueries((manager) =>
        references.replaceMany(manager, 'page', true, [
          { id: pages[0], refs: [{ targetType: 'snippet', targetId: a, fieldPath: 'writer' }] },
          {
            id: pages[1],
            refs: [
              { targetType: 'snippet', targetId: a, fieldPath: 'writer' },
              { targetType: 'image', targetId: b, fieldPath: 'hero' },
            ],
          },
        ]),
      );
      expect(statements(queries)).toEqual(['DELETE', 'INSERT']);
      expect(await rowsFrom(pages[0])).toEqual([
        { target_id: a, field_path: 'writer', live: true },
      ]);
      expect(await rowsFrom(pages[1])).toHaveLength(2);
    });

    it('writes nothing when the transaction rolls back', async () => {
      const page = await createPage('Rolled back', false);
      await expect(
        dataSource.transaction(async (manager) => {
          await references.replace(manager, { type: 'page', id: page }, false, [
            { targetType: 'page', targetId: randomUUID(), fieldPath: 'related' },
          ]);
          throw new Error('the save failed');
        }),
      ).rejects.toThrow('the save failed');
      expect(await rowsFrom(page)).toEqual([]);
    });
  });

  describe('usage, liveReferencesTo and removeSource', () => {
    let author: string;
    let category: string;
    let livePost: string;
    let draftPost: string;
    let unpublishedPost: string;
    let liveSnippet: string;

    beforeAll(async () => {
      author = await createSnippet('Ada', true);
      category = randomUUID();
      livePost = await createPage('B live post', true);
      draftPost = await createPage('A draft post', false);
      unpublishedPost = await createPage('C unpublished', false);
      liveSnippet = await createSnippet('D menu', true);
      await dataSource.transaction(async (manager) => {
        const byAuthor = (fieldPath: string) => ({
          targetType: 'snippet' as const,
          targetId: author,
          fieldPath,
        });
        // Live and draft both hold `author`: one usage, live. The draft adds a quote.
        await references.replace(manager, { type: 'page', id: livePost }, true, [
          byAuthor('author'),
          { targetType: 'snippet', targetId: category, fieldPath: 'categories[0]' },
        ]);
        await references.replace(manager, { type: 'page', id: livePost }, false, [
          byAuthor('author'),
          byAuthor('body[1].value.attribution'),
        ]);
        await references.replace(manager, { type: 'page', id: draftPost }, false, [
          byAuthor('author'),
        ]);
        // A live reference of a page that is no longer live does not guard a delete.
        await references.replace(manager, { type: 'page', id: unpublishedPost }, true, [
          byAuthor('author'),
        ]);
        await references.replace(manager, { type: 'snippet', id: liveSnippet }, true, [
          { targetType: 'snippet', targetId: category, fieldPath: 'items[0].category' },
        ]);
      });
    });

    it('lists where an object is used with the source title and content type, one query', async () => {
      const { result, queries } = await countQueries((manager) =>
        references.usage({ type: 'snippet', id: author }, { limit: 10, offset: 0 }, manager),
      );
      expect(statements(queries)).toHaveLength(1);
      expect(result).toEqual({
        total_count: 4,
        items: [
          {
            source: {
              type: 'page',
              id: draftPost,
              title: 'A draft post',
              contentType: 'blog_post',
            },
            fieldPath: 'author',
            live: false,
          },
          {
            source: { type: 'page', id: livePost, title: 'B live post', contentType: 'blog_post' },
            fieldPath: 'author',
            live: true,
          },
          {
            source: { type: 'page', id: livePost, title: 'B live post', contentType: 'blog_post' },
            fieldPath: 'body[1].value.attribution',
            live: false,
          },
          {
            source: {
              type: 'page',
              id: unpublishedPost,
              title: 'C unpublished',
              contentType: 'blog_post',
            },
            fieldPath: 'author',
            live: true,
          },
        ],
      });
    });

    it('pages the usage list and keeps the total past the end', async () => {
      const second = await references.usage(
        { type: 'snippet', id: author },
        { limit: 2, offset: 1 },
      );
      expect(second.total_count).toBe(4);
      expect(second.items.map((item) => item.fieldPath)).toEqual([
        'author',
        'body[1].value.attribution',
      ]);
      expect(
        await references.usage({ type: 'snippet', id: author }, { limit: 2, offset: 50 }),
      ).toEqual({ total_count: 4, items: [] });
      expect(
        await references.usage({ type: 'image', id: 'not-a-uuid' }, { limit: 2, offset: 0 }),
      ).toEqual({ total_count: 0, items: [] });
    });

    it('answers for many targets at once with one query, live sources only', async () => {
      const targets = [
        { type: 'snippet' as const, id: author },
        { type: 'snippet' as const, id: category },
        ...Array.from({ length: 100 }, () => ({ type: 'page' as const, id: randomUUID() })),
      ];
      const { result, queries } = await countQueries((manager) =>
        references.liveReferencesTo(targets, manager),
      );
      expect(statements(queries)).toHaveLength(1);
      expect(
        result.map((usage) => [usage.target.id, usage.source.id, usage.fieldPath, usage.live]),
      ).toEqual(
        [
          [author, livePost, 'author', true],
          [category, livePost, 'categories[0]', true],
          [category, liveSnippet, 'items[0].category', true],
        ].sort((a, b) => (a[0] as string).localeCompare(b[0] as string)),
      );
      expect(result.find((usage) => usage.source.id === liveSnippet)?.source).toEqual({
        type: 'snippet',
        id: liveSnippet,
        title: 'D menu',
        contentType: 'author',
      });
      expect(await references.liveReferencesTo([])).toEqual([]);
    });

    it('forgets every reference of a removed source, live and draft', async () => {
      await dataSource.transaction((manager) =>
        references.removeSource(manager, { type: 'page', id: livePost }),
      );
      expect(await rowsFrom(livePost)).toEqual([]);
      const usage = await references.usage(
        { type: 'snippet', id: author },
        { limit: 10, offset: 0 },
      );
      expect(usage.items.map((item) => item.source.id)).toEqual([draftPost, unpublishedPost]);
      expect(
        (await references.liveReferencesTo([{ type: 'snippet', id: category }])).map(
          (item) => item.source.id,
        ),
      ).toEqual([liveSnippet]);
    });
  });
});
