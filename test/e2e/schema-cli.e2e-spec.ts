import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type {
  ContentTypeDefinition,
  SchemaFile,
  StreamField,
  StructBlock,
} from '#src/content-types/content-type-definition.js';
import { PROJECT_ROOT } from '#src/config/project-paths.js';
import { queryDatabase, runFinch } from '#test/helpers/finch-cli.js';
import { createTestDatabase, type TestDatabase } from '#test/helpers/test-app.js';

const EXAMPLE = path.join(PROJECT_ROOT, 'examples', 'blog.schema.json');
const example = (): SchemaFile => JSON.parse(readFileSync(EXAMPLE, 'utf8')) as SchemaFile;

interface TypeRow {
  key: string;
  version: number;
}

/** The example with blog_post changed by `change`. */
function withBlogPost(change: (post: ContentTypeDefinition) => void): SchemaFile {
  const file = example();
  change(file.contentTypes.find((type) => type.key === 'blog_post')!);
  return file;
}

function quoteBlock(post: ContentTypeDefinition): StructBlock {
  const body = post.fields.find((field) => field.key === 'body') as StreamField;
  return body.blocks.find((block) => block.key === 'quote') as StructBlock;
}

describe('npm run finch -- schema export|diff|apply', () => {
  let database: TestDatabase;
  let directory: string;
  const file = (name: string) => path.join(directory, name);
  const write = async (name: string, content: unknown) => {
    await writeFile(file(name), typeof content === 'string' ? content : JSON.stringify(content));
    return file(name);
  };
  const types = () =>
    queryDatabase<TypeRow>(database, 'SELECT key, version FROM content_types ORDER BY key');
  const finch = (...args: string[]) => runFinch(args, database);

  beforeAll(async () => {
    database = await createTestDatabase();
    directory = await mkdtemp(path.join(tmpdir(), 'finch-schema-'));
    // A first command migrates the database (an embedded one starts empty).
    expect((await finch('schema', 'export')).code).toBe(0);
  });
  afterAll(async () => {
    await database?.drop();
    await rm(directory, { recursive: true, force: true });
  });

  describe('refusing bad files before touching the database', () => {
    it('says where a file that is not JSON goes wrong, exit 1', async () => {
      const result = await finch(
        'schema',
        'apply',
        await write('broken.json', '{\n  "contentTypes": [,\n]}'),
        '--yes',
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /broken\.json is not a valid schema file \(1 problem\):\n {2}\(file\): not JSON at line 2, column 20/,
      );
      expect(result.stdout).toBe('');
    });

    it('names the path of each bad definition, exit 1, nothing created', async () => {
      const file = example();
      (file.contentTypes[1].fields[0] as unknown as { type: string }).type = 'colour';
      file.contentTypes[3].key = 'Not A Key';
      const result = await finch('schema', 'apply', await write('bad.json', file), '--yes');
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('contentTypes[1].fields[0].type');
      expect(result.stderr).toContain('contentTypes[3].key');
      expect(await types()).toEqual([]);
    });

    it('explains a missing file and a missing argument', async () => {
      const missing = await finch('schema', 'diff', file('nowhere.json'));
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('nowhere.json: there is no such file.');
      const usage = await finch('schema', 'apply');
      expect(usage.code).toBe(2);
      expect(usage.stderr).toMatch(/missing required argument 'file'/);
    });

    it('in a script, will not apply without --yes (exit 2), and changes nothing', async () => {
      const result = await finch('schema', 'apply', EXAMPLE);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('in a script pass --yes');
      expect(await types()).toEqual([]);
    });
  });

  describe('export → apply round trip', () => {
    it('exports an empty database as a schema file with the $schema URL, to standard output', async () => {
      const result = await finch('schema', 'export');
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({
        $schema: 'http://localhost:3000/api/schemas/content-type.json',
        contentTypes: [],
      });
    });

    it('diffs and applies the example: five new types, audited', async () => {
      const diff = await finch('schema', 'diff', EXAMPLE);
      expect(diff.code).toBe(0);
      expect(diff.stdout).toContain('+ blog_post: new page type');
      expect(diff.stdout).toContain('5 to create, 0 to change, 0 to remove, 0 unchanged.');
      expect(diff.stdout).toContain(`Apply with: npm run finch -- schema apply ${EXAMPLE}`);
      expect(await types()).toEqual([]);

      const applied = await finch('schema', 'apply', EXAMPLE, '--yes');
      expect(applied.code).toBe(0);
      expect(applied.stdout).toContain('5 created, 0 changed, 0 removed');
      expect((await types()).map((type) => type.key)).toEqual([
        'author',
        'blog_index',
        'blog_post',
        'category',
        'home',
      ]);
      const audited = await queryDatabase<{ count: number }>(
        database,
        `SELECT count(*)::int AS count FROM audit_log WHERE action = 'content_types.created'`,
      );
      expect(audited[0].count).toBe(5);
    });

    it('exports what it applied, in key order, and applying the export changes nothing', async () => {
      const target = file('exported.json');
      const exported = await finch('schema', 'export', target);
      expect(exported.code).toBe(0);
      expect(exported.stderr).toContain(`Wrote the content types to ${target}.`);
      const text = await readFile(target, 'utf8');
      const parsed = JSON.parse(text) as SchemaFile;
      expect(parsed.contentTypes.map((type) => type.key)).toEqual([
        'author',
        'blog_index',
        'blog_post',
        'category',
        'home',
      ]);
      const byKey = (file: SchemaFile) =>
        Object.fromEntries(file.contentTypes.map((type) => [type.key, type]));
      expect(byKey(parsed)).toEqual(byKey(example()));
      expect(Object.keys(parsed.contentTypes[0]).slice(0, 3)).toEqual([
        'key',
        'label',
        'description',
      ]);

      const before = await types();
      const again = await finch('schema', 'apply', target, '--yes');
      expect(again.code).toBe(0);
      expect(again.stdout).toContain('The database already matches the file: nothing to apply.');
      expect(await types()).toEqual(before);
      // Exports are stable: the same text twice.
      expect((await finch('schema', 'export')).stdout).toBe(text);
    });
  });

  describe('changes to types with stored content', () => {
    let counts: { pages: number; revisions: number; quotes: number };

    beforeAll(async () => {
      const seeded = await finch('seed', '--example');
      expect(seeded.code).toBe(0);
      const [row] = await queryDatabase<typeof counts>(
        database,
        `SELECT (SELECT count(*)::int FROM pages WHERE content_type_key = 'blog_post') AS pages,
                (SELECT count(*)::int FROM revisions WHERE content_type_key = 'blog_post') AS revisions,
                (SELECT count(*)::int FROM pages WHERE content_type_key = 'blog_post'
                   AND content->'body' @> '[{"type":"quote"}]') AS quotes`,
      );
      counts = row;
      expect(counts.pages).toBe(8);
      expect(counts.quotes).toBeGreaterThan(0);
    });

    const renamesAndLosses = () =>
      withBlogPost((post) => {
        const intro = post.fields.find((field) => field.key === 'intro')!;
        Object.assign(intro, { key: 'summary', renamedFrom: 'intro' });
        const attribution = quoteBlock(post).fields.find((field) => field.key === 'attribution')!;
        Object.assign(attribution, { key: 'source', renamedFrom: 'attribution' });
        post.fields = post.fields.filter((field) => field.key !== 'tags');
        const author = post.fields.find((field) => field.key === 'author')!;
        Object.assign(author, { key: 'writer', renamedFrom: 'author' });
        const date = post.fields.find((field) => field.key === 'date')!;
        date.type = 'number';
        if (post.searchFields) {
          post.searchFields = [
            { key: 'summary', weight: 'B' },
            { key: 'body', weight: 'C' },
          ];
        }
        post.feed = { enabled: true, summaryField: 'summary', imageField: 'hero_image' };
      });

    it('diff prints each change with the pages and revisions it touches', async () => {
      const diff = await finch('schema', 'diff', await write('renames.json', renamesAndLosses()));
      expect(diff.code).toBe(0);
      const { pages, revisions } = counts;
      expect(diff.stdout).toContain('~ blog_post: page type, version 1 → 2');
      expect(diff.stdout).toMatch(
        new RegExp(
          `intro: field "intro" is renamed to "summary".* — rewrites ${pages} pages and ${revisions} revisions`,
        ),
      );
      expect(diff.stdout).toMatch(
        /body\.quote\.attribution: field "attribution" is renamed to "source"/,
      );
      expect(diff.stdout).toMatch(
        new RegExp(
          `tags: .*removed.* — would DROP the values in ${pages} pages and ${revisions} revisions: needs --allow-data-loss blog_post\\.tags`,
        ),
      );
      expect(diff.stdout).toMatch(/needs --allow-data-loss blog_post\.date/);
      expect(diff.stdout).toContain('settings changed: feed, searchFields');
      expect(diff.stdout).toContain('0 to create, 1 to change, 0 to remove, 4 unchanged.');
      expect(diff.stdout).toContain('--allow-data-loss blog_post.date,blog_post.tags');
    });

    it('apply refuses to drop data nobody allowed: exit 1, the list with counts, nothing changed', async () => {
      const before = await types();
      const result = await finch('schema', 'apply', file('renames.json'), '--yes');
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('Nothing was changed. The file cannot be applied as it is:');
      expect(result.stderr).toContain(
        `blog_post.tags: tags: choice field removed: its stored values would be dropped — ${counts.pages} pages and ${counts.revisions} revisions`,
      );
      expect(result.stderr).toContain(
        'run apply again with --allow-data-loss blog_post.date,blog_post.tags',
      );
      expect(await types()).toEqual(before);
      const [kept] = await queryDatabase<{ count: number }>(
        database,
        `SELECT count(*)::int AS count FROM pages WHERE content ? 'intro' AND content ? 'tags'`,
      );
      expect(kept.count).toBe(counts.pages);
    });

    it('apply refuses when only some losses are allowed, and names a typo as a usage error', async () => {
      const partly = await finch(
        'schema',
        'apply',
        file('renames.json'),
        '--yes',
        '--allow-data-loss',
        'blog_post.tags',
      );
      expect(partly.code).toBe(1);
      expect(partly.stderr).toContain('--allow-data-loss blog_post.date');
      const typo = await finch(
        'schema',
        'apply',
        file('renames.json'),
        '--yes',
        '--allow-data-loss',
        'blog_post.tag',
      );
      expect(typo.code).toBe(2);
      expect(typo.stderr).toContain(
        '--allow-data-loss names blog_post.tag, which drops no stored data',
      );
      const hostile = await finch(
        'schema',
        'apply',
        file('renames.json'),
        '--yes',
        '--allow-data-loss',
        "x'; DROP TABLE pages; --",
      );
      expect(hostile.code).toBe(2);
      expect(hostile.stderr).toContain('is not one');
      expect((await types()).find((type) => type.key === 'blog_post')?.version).toBe(1);
    });

    it('with --allow-data-loss, renames move stored values in rows and revisions, losses are dropped, one new version', async () => {
      const result = await finch(
        'schema',
        'apply',
        file('renames.json'),
        '--yes',
        '--allow-data-loss',
        'blog_post.date,blog_post.tags',
      );
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('0 created, 1 changed, 0 removed');
      expect(result.stdout).toContain('Stored content rewritten for blog_post.summary');
      // Not a terminal: plain progress lines on standard error.
      expect(result.stderr).toContain(
        `Rewriting blog_post: pages: ${counts.pages}/${counts.pages} (100%)`,
      );
      expect(result.stderr).toContain(
        `Rewriting blog_post: revisions: ${counts.revisions}/${counts.revisions} (100%)`,
      );
      expect(result.stderr).not.toContain('\u001b[');

      expect((await types()).find((type) => type.key === 'blog_post')?.version).toBe(2);
      for (const table of ['pages', 'revisions']) {
        const [row] = await queryDatabase<Record<string, number>>(
          database,
          `SELECT count(*) FILTER (WHERE content ? 'summary')::int AS summary,
                  count(*) FILTER (WHERE content ? 'intro')::int AS intro,
                  count(*) FILTER (WHERE content ? 'tags' OR content ? 'date')::int AS dropped,
                  count(*) FILTER (WHERE jsonb_path_exists(content, '$.body[*] ? (@.type == "quote").value.attribution'))::int AS attribution,
                  count(*) FILTER (WHERE jsonb_path_exists(content, '$.body[*] ? (@.type == "quote").value.source'))::int AS source
             FROM ${table} WHERE content_type_key = 'blog_post'`,
        );
        expect({ table, ...row }).toEqual({
          table,
          summary: table === 'pages' ? counts.pages : counts.revisions,
          intro: 0,
          dropped: 0,
          attribution: 0,
          source: expect.any(Number),
        });
        expect(row.source).toBeGreaterThanOrEqual(counts.quotes);
      }
      // The reference index follows the rename: live and draft links name the new field.
      const links = await queryDatabase<{ field_path: string; live: boolean; count: number }>(
        database,
        `SELECT r.field_path, r.live, count(*)::int AS count FROM content_references r
           JOIN pages p ON p.id = r.source_id
          WHERE p.content_type_key = 'blog_post' AND r.target_type = 'snippet'
            AND r.field_path IN ('author', 'writer')
          GROUP BY 1, 2 ORDER BY 1, 2`,
      );
      expect(links).toEqual([
        { field_path: 'writer', live: false, count: counts.pages },
        { field_path: 'writer', live: true, count: 6 },
      ]);
      const [changed] = await queryDatabase<{ data: Record<string, unknown> }>(
        database,
        `SELECT data FROM audit_log WHERE action = 'content_types.changed'`,
      );
      expect(changed.data).toMatchObject({ key: 'blog_post', from: 1, version: 2 });
    });

    it('applying the same file again is a no-op (the renames are done)', async () => {
      const again = await finch('schema', 'diff', file('renames.json'));
      expect(again.stdout).toContain('The database already matches the file: nothing to apply.');
    });

    it('refuses to remove a type that still has content, whatever --allow-data-loss says', async () => {
      const withoutCategories = withBlogPost((post) => {
        Object.assign(
          post.fields.find((field) => field.key === 'intro')!,
          { key: 'summary' },
        );
        Object.assign(
          quoteBlock(post).fields.find((field) => field.key === 'attribution')!,
          {
            key: 'source',
          },
        );
        post.fields = post.fields.filter(
          (field) => !['tags', 'categories', 'date'].includes(field.key),
        );
        post.searchFields = [
          { key: 'summary', weight: 'B' },
          { key: 'body', weight: 'C' },
        ];
        post.feed = { enabled: true, summaryField: 'summary', imageField: 'hero_image' };
      });
      withoutCategories.contentTypes = withoutCategories.contentTypes.filter(
        (type) => type.key !== 'category',
      );
      const result = await finch(
        'schema',
        'apply',
        await write('no-categories.json', withoutCategories),
        '--yes',
        '--allow-data-loss',
        'blog_post.categories',
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        'category: the file leaves this type out, but 3 snippets and 3 revisions of it exist. Delete them first, or keep the type in the file.',
      );
      expect((await types()).map((type) => type.key)).toContain('category');
    });

    it('removes a type the file leaves out when nothing uses it', async () => {
      const current = JSON.parse((await finch('schema', 'export')).stdout) as SchemaFile;
      const withEvent: SchemaFile = {
        ...current,
        contentTypes: [
          ...current.contentTypes,
          {
            key: 'event',
            label: 'Event',
            kind: 'snippet',
            fields: [{ key: 'name', type: 'text' }],
          },
        ],
      };
      expect(
        (await finch('schema', 'apply', await write('event.json', withEvent), '--yes')).code,
      ).toBe(0);
      expect((await types()).map((type) => type.key)).toContain('event');
      const removed = await finch('schema', 'apply', await write('current.json', current), '--yes');
      expect(removed.stdout).toContain('- event: snippet type left out of the file, to be removed');
      expect(removed.stdout).toContain('0 created, 0 changed, 1 removed');
      expect((await types()).map((type) => type.key)).not.toContain('event');
    });
  });
});
