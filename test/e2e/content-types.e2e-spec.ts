import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { GroupsService } from '#src/accounts/groups.service.js';
import type { ContentTypeDefinition } from '#src/content-types/content-type-definition.js';
import { CONTENT_TYPE_JSON_SCHEMA } from '#src/content-types/content-type-json-schema.js';
import type { ContentTypeRecord } from '#src/content-types/content-types.service.js';
import { CONTENT_CHANNEL } from '#src/publishing/content-changes.js';
import { bearer, createUser, signIn, TEST_PASSWORD } from '#test/helpers/auth.js';
import { applyContentTypes, loadExampleSchema } from '#test/helpers/content.js';
import { expectProblem, sendJson } from '#test/helpers/problem.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';
import { waitFor } from '#test/helpers/wait-for.js';

const faq: ContentTypeDefinition = {
  key: 'faq',
  label: 'FAQ entry',
  kind: 'snippet',
  titleField: 'question',
  fields: [
    { key: 'question', type: 'text', required: true, maxLength: 200 },
    { key: 'answer', type: 'rich_text' },
  ],
};

describe('the content types management API', () => {
  let app: TestApp;
  let db: DataSource;
  let asAdmin: Record<string, string>;
  let adminToken: string;
  let asManager: Record<string, string>;
  let asEditor: Record<string, string>;

  beforeAll(async () => {
    app = await startTestApp();
    db = app.finch.app.get(DataSource);
    const admin = await createUser(app, { isSuperuser: true });
    adminToken = (await signIn(app, admin.email, TEST_PASSWORD)).accessToken;
    asAdmin = bearer(adminToken);

    const groups = app.finch.app.get(GroupsService);
    const group = await groups.create(
      { name: 'Modellers', permissions: ['manage_content_types'] },
      { actorId: null },
    );
    const manager = await createUser(app);
    await db.query('INSERT INTO user_groups (user_id, group_id) VALUES ($1, $2)', [
      manager.id,
      group.id,
    ]);
    asManager = bearer((await signIn(app, manager.email, TEST_PASSWORD)).accessToken);
    const editor = await createUser(app);
    asEditor = bearer((await signIn(app, editor.email, TEST_PASSWORD)).accessToken);
  });
  afterAll(async () => {
    await app?.close();
  });

  const url = (path = '') => `${app.baseUrl}/api/admin/content-types${path}`;
  const send = (
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string> = asAdmin,
  ) => sendJson(url(path), body, { method, headers });
  const storedKeys = async () =>
    (await db.query<Array<{ key: string }>>('SELECT key FROM content_types ORDER BY key')).map(
      (row) => row.key,
    );
  const auditOf = async (key: string) =>
    (
      await db.query<Array<{ action: string }>>(
        `SELECT action FROM audit_log WHERE object_type = 'content_type' AND data->>'key' = $1 ORDER BY id`,
        [key],
      )
    ).map((row) => row.action);

  it('applies the example site in one request, types naming each other included', async () => {
    const records = await applyContentTypes(app, adminToken, await loadExampleSchema());
    expect(records.map((record) => record.key).sort()).toEqual([
      'author',
      'blog_index',
      'blog_post',
      'category',
      'home',
    ]);
    const again = await applyContentTypes(app, adminToken, await loadExampleSchema());
    expect(again.every((record) => record.version === 1)).toBe(true);

    const list = await fetch(url('?kind=snippet'), { headers: asAdmin });
    expect(list.status).toBe(200);
    expect(await list.json()).toMatchObject({
      items: [{ key: 'author' }, { key: 'category' }],
      meta: { total_count: 2 },
    });
  });

  it('creates, shows, updates and deletes a type, with versions, ETags and audit entries', async () => {
    const created = await send('POST', '', faq);
    expect(created.status).toBe(201);
    const record = (await created.json()) as ContentTypeRecord;
    expect(record).toMatchObject({ key: 'faq', kind: 'snippet', label: 'FAQ entry', version: 1 });
    expect(record.definition).toEqual(faq);

    const shown = await fetch(url('/faq'), { headers: asAdmin });
    expect(shown.headers.get('etag')).toBe('"1"');
    expect(await shown.json()).toMatchObject({ key: 'faq', version: 1 });

    const changed = { ...faq, label: 'Question' };
    const updated = await send('PUT', '/faq?expectedVersion=1', changed);
    expect(updated.status).toBe(200);
    expect(await updated.json()).toMatchObject({ label: 'Question', version: 2 });

    const same = await send('PUT', '/faq', changed);
    expect(await same.json()).toMatchObject({ version: 2 });

    const viaIfMatch = await send(
      'PUT',
      '/faq',
      { ...changed, label: 'Q&A' },
      {
        ...asAdmin,
        'if-match': '"2"',
      },
    );
    expect(await viaIfMatch.json()).toMatchObject({ label: 'Q&A', version: 3 });

    const deleted = await fetch(url('/faq'), { method: 'DELETE', headers: asAdmin });
    expect(deleted.status).toBe(204);
    await expectProblem(await fetch(url('/faq'), { headers: asAdmin }), 404);
    expect(await auditOf('faq')).toEqual([
      'content_types.created',
      'content_types.changed',
      'content_types.changed',
      'content_types.deleted',
    ]);
  });

  it('refuses a change made against an old version with 409, storing nothing', async () => {
    await send('POST', '', { ...faq, key: 'faq_conflict' });
    await send('PUT', '/faq_conflict', { ...faq, key: 'faq_conflict', label: 'First' });
    const stale = await send('PUT', '/faq_conflict?expectedVersion=1', {
      ...faq,
      key: 'faq_conflict',
      label: 'Second',
    });
    await expectProblem(stale, 409);
    const staleIfMatch = await send(
      'PUT',
      '/faq_conflict',
      { ...faq, key: 'faq_conflict', label: 'Third' },
      { ...asAdmin, 'if-match': '"1"' },
    );
    await expectProblem(staleIfMatch, 409);
    const current = (await (
      await fetch(url('/faq_conflict'), { headers: asAdmin })
    ).json()) as ContentTypeRecord;
    expect(current).toMatchObject({ label: 'First', version: 2 });
  });

  it('refuses a second type with the same key (409) and a changed key or kind (400)', async () => {
    await send('POST', '', { ...faq, key: 'faq_dupe' });
    await expectProblem(await send('POST', '', { ...faq, key: 'faq_dupe' }), 409);
    const renamed = await expectProblem(
      await send('PUT', '/faq_dupe', { ...faq, key: 'faq_other' }),
      400,
    );
    expect(renamed.errors).toContainEqual(expect.objectContaining({ path: 'key' }));
    const rekinded = await expectProblem(
      await send('PUT', '/faq_dupe', {
        ...faq,
        key: 'faq_dupe',
        kind: 'page',
        titleField: undefined,
      }),
      400,
    );
    expect(rekinded.errors).toContainEqual(expect.objectContaining({ path: 'kind' }));
  });

  describe('bad definitions: 400 naming the path, nothing stored', () => {
    const refuses = async (definition: unknown, path: string, message?: RegExp) => {
      const before = await storedKeys();
      const problem = await expectProblem(await send('POST', '', definition), 400);
      expect(problem.errors).toContainEqual(
        expect.objectContaining({
          path,
          ...(message ? { message: expect.stringMatching(message) } : {}),
        }),
      );
      expect(await storedKeys()).toEqual(before);
      return problem;
    };

    it('wrong types of values', async () => {
      await refuses({ ...faq, key: 'bad1', label: 42 }, 'label', /string/);
      await refuses({ ...faq, key: 'bad2', fields: 'none' }, 'fields', /array/);
      await refuses({ ...faq, key: 'Bad Key' }, 'key', /lower case/);
      await refuses({ ...faq, key: 'bad3', kind: 'widget' }, 'kind', /page/);
    });

    it('an unknown field type deep in a stream, named by block keys', async () => {
      await refuses(
        {
          key: 'bad_stream',
          label: 'Bad',
          kind: 'page',
          fields: [
            { key: 'title_extra', type: 'text' },
            {
              key: 'body',
              type: 'stream',
              blocks: [
                { key: 'heading', type: 'text' },
                {
                  key: 'quote',
                  type: 'struct',
                  fields: [{ key: 'text', type: 'colour' }],
                },
              ],
            },
          ],
        },
        'fields[1].blocks.quote.fields[0].type',
        /unknown field type "colour"/,
      );
    });

    it('duplicate keys, duplicate choices, bad references and unknown properties', async () => {
      await refuses(
        {
          ...faq,
          key: 'bad_dupe',
          fields: [faq.fields[0], { key: 'question', type: 'long_text' }],
        },
        'fields[1].key',
        /also the key/,
      );
      await refuses(
        {
          ...faq,
          key: 'bad_choice',
          fields: [
            ...faq.fields,
            { key: 'colour', type: 'choice', choices: [{ value: 'red' }, { value: 'red' }] },
          ],
        },
        'fields[2].choices[1].value',
      );
      await refuses({ ...faq, key: 'bad_title', titleField: 'nope' }, 'titleField');
      await refuses(
        {
          ...faq,
          key: 'bad_link',
          fields: [...faq.fields, { key: 'who', type: 'snippet_link', snippetType: 'home' }],
        },
        'fields[2].snippetType',
        /page type/,
      );
      await refuses({ ...faq, key: 'bad_prop', colour: 'red' }, 'colour', /not a known property/);
      await refuses(
        { ...faq, key: 'bad_field_prop', fields: [{ ...faq.fields[0], colour: 'red' }] },
        'fields[0].colour',
      );
    });

    it('hostile regular expressions and inverted ranges', async () => {
      await refuses(
        { ...faq, key: 'bad_regex', fields: [{ key: 'code', type: 'text', pattern: '(a+)+$' }] },
        'fields[0].pattern',
        /repeat/,
      );
      await refuses(
        { ...faq, key: 'bad_regex2', fields: [{ key: 'code', type: 'text', pattern: '([a-z' }] },
        'fields[0].pattern',
        /regular expression/,
      );
      await refuses(
        { ...faq, key: 'bad_range', fields: [{ key: 'n', type: 'number', min: 5, max: 1 }] },
        'fields[0].min',
      );
    });

    it('blocks nested deeper than the limit', async () => {
      let block: Record<string, unknown> = { key: 'leaf', type: 'text' };
      for (let level = 0; level < 12; level++) {
        block = { key: `level${level}`, type: 'list', item: block };
      }
      const problem = await refuses(
        {
          ...faq,
          key: 'bad_deep',
          titleField: undefined,
          fields: [{ key: 'body', type: 'stream', blocks: [block] }],
        },
        expect.stringMatching(/^fields\[0\]\.blocks\.level11(\.item)+$/) as unknown as string,
        /nest deeper/,
      );
      expect(problem.errors).toHaveLength(1);
    });

    it('a definition larger than allowed', async () => {
      const choices = Array.from({ length: 500 }, (_, index) => ({
        value: `${index}`.padEnd(100, 'v'),
        label: 'l'.repeat(150),
      }));
      const fields = [1, 2, 3].map((index) => ({
        key: `choice_${index}`,
        type: 'choice',
        choices,
      }));
      await refuses({ ...faq, key: 'bad_big', fields: [...faq.fields, ...fields] }, '', /bytes/);
    });

    it('a body over the request size limit (413)', async () => {
      const response = await send('POST', '', { ...faq, description: 'x'.repeat(2_000_000) });
      await expectProblem(response, 413);
    });

    it('malformed JSON and a body that is not an object', async () => {
      await expectProblem(await send('POST', '', '{"key": '), 400);
      await refuses([faq], '');
    });
  });

  it('refuses to delete a type that pages use or that other types name (409)', async () => {
    await expectProblem(await fetch(url('/author'), { method: 'DELETE', headers: asAdmin }), 409);
    await send('POST', '', { ...faq, key: 'faq_used' });
    await db.query(
      `INSERT INTO snippets (content_type_key, title, content) VALUES ('faq_used', 'Why?', '{}')`,
    );
    const problem = await expectProblem(
      await fetch(url('/faq_used'), { method: 'DELETE', headers: asAdmin }),
      409,
    );
    expect(problem.detail).toMatch(/1 snippet/);
    expect(await storedKeys()).toContain('faq_used');
  });

  it('refuses to delete a page type while a page of it exists (409)', async () => {
    await send('POST', '', { key: 'landing', label: 'Landing', kind: 'page', fields: [] });
    const page = await sendJson(
      `${app.baseUrl}/api/admin/pages`,
      { type: 'landing', title: 'Welcome' },
      { headers: asAdmin },
    );
    expect(page.status).toBe(201);
    const problem = await expectProblem(
      await fetch(url('/landing'), { method: 'DELETE', headers: asAdmin }),
      409,
    );
    expect(problem.detail).toMatch(/1 page of type "landing"/);
    expect(await storedKeys()).toContain('landing');
  });

  it('applies a schema file all or nothing, naming the bad type by its index', async () => {
    const before = await storedKeys();
    const problem = await expectProblem(
      await send('POST', '/apply', {
        contentTypes: [
          { ...faq, key: 'batch_ok' },
          { ...faq, key: 'batch_bad', fields: [{ key: 'x', type: 'colour' }] },
        ],
      }),
      400,
    );
    expect(problem.errors).toContainEqual({
      path: 'contentTypes[1].fields[0].type',
      message: expect.stringMatching(/unknown field type "colour"/),
    });
    await expectProblem(await send('POST', '/apply', { contentTypes: {}, extra: 1 }), 400);
    expect(await storedKeys()).toEqual(before);
  });

  describe('who may do what', () => {
    it('a user granted manage_content_types may create, change and delete types', async () => {
      const created = await send('POST', '', { ...faq, key: 'faq_manager' }, asManager);
      expect(created.status).toBe(201);
      const updated = await send(
        'PUT',
        '/faq_manager',
        { ...faq, key: 'faq_manager', label: 'M' },
        asManager,
      );
      expect(updated.status).toBe(200);
      const deleted = await fetch(url('/faq_manager'), { method: 'DELETE', headers: asManager });
      expect(deleted.status).toBe(204);
    });

    it('a user without it may read definitions but not change them (403)', async () => {
      expect((await fetch(url(), { headers: asEditor })).status).toBe(200);
      expect((await fetch(url('/blog_post'), { headers: asEditor })).status).toBe(200);
      await expectProblem(await send('POST', '', { ...faq, key: 'faq_editor' }, asEditor), 403);
      await expectProblem(await send('PUT', '/author', faq, asEditor), 403);
      await expectProblem(
        await fetch(url('/author'), { method: 'DELETE', headers: asEditor }),
        403,
      );
      await expectProblem(await send('POST', '/apply', { contentTypes: [] }, asEditor), 403);
      expect(await storedKeys()).not.toContain('faq_editor');
    });

    it('anonymous callers get 401 everywhere', async () => {
      await expectProblem(await fetch(url()), 401);
      await expectProblem(await fetch(url('/author')), 401);
      await expectProblem(await sendJson(url(), faq), 401);
      await expectProblem(await fetch(url('/author'), { method: 'DELETE' }), 401);
    });
  });

  it('reloads its registry when another process reports a content type change', async () => {
    if (!app.config.databaseUrl) return; // one embedded process: nobody else can change types
    await send('POST', '', { ...faq, key: 'faq_elsewhere' });
    // What another server would do: change the row and NOTIFY in one transaction.
    await db.transaction(async (manager) => {
      const changed = { ...faq, key: 'faq_elsewhere', label: 'Changed elsewhere' };
      await manager.query(
        `UPDATE content_types SET definition = $1, label = $2, version = version + 1 WHERE key = 'faq_elsewhere'`,
        [JSON.stringify(changed), changed.label],
      );
      await manager.query('SELECT pg_notify($1, $2)', [
        CONTENT_CHANNEL,
        JSON.stringify({ objectType: 'content_type', objectId: 'x', action: 'changed' }),
      ]);
    });
    await waitFor('the registry to reload', async () => {
      const response = await fetch(url('/faq_elsewhere'), { headers: asAdmin });
      return ((await response.json()) as ContentTypeRecord).label === 'Changed elsewhere';
    });
  });

  it('serves the JSON Schema of definitions publicly', async () => {
    const response = await fetch(`${app.baseUrl}/api/schemas/content-type.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/schema\+json/);
    expect(await response.json()).toEqual(CONTENT_TYPE_JSON_SCHEMA);
  });
});
