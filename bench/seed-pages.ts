/**
 * Seeds the content benchmark's database: 100,000 published pages of the example blog
 * (`examples/blog.schema.json`) in a realistic tree — a home page, a few blog indexes, many
 * posts with stream bodies of a few KB — each with its revision, its search vector and its
 * references to author and category snippets, plus the default site. Each blog index owns a
 * feed of its 50 newest posts (the example schema's `blog_index.feed`, with `limit: 50`).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:seed [-- --pages 100000]
 *
 * It (re)creates its own database, `finch_bench_content`, on the DATABASE_URL server (the
 * database named in the URL is not touched), applies the migrations and the content types
 * through Finch itself, then writes the pages with set-based SQL in batches.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import cliProgress from 'cli-progress';
import pg from 'pg';
import type {
  ContentTypeDefinition,
  ContentValues,
  SchemaFile,
} from '#src/content-types/content-type-definition.js';
import { searchableText } from '#src/content-types/content-search-text.js';
import { ContentTypesService } from '#src/content-types/content-types.service.js';
import { validateContent } from '#src/content-types/content-validation.js';
import { createDatabase, databaseUrlFor, dropDatabase } from '#src/database/postgres-admin.js';
import { encodeStep, slugify } from '#src/pages/page-paths.js';
import { type SearchWeight, textsByWeight } from '#src/search/search-vector-sql.js';
import {
  between,
  pick,
  richTextDocument,
  seededRandom,
  sentences,
  someOf,
  streamBody,
  titleOf,
} from './blog-content.js';
import { startFinch } from './servers-under-test.js';

/** The database the content benchmark reads; never the one DATABASE_URL names. */
export const CONTENT_BENCH_DATABASE = 'finch_bench_content';
/**
 * Written as the database's comment when a seed completes; a run reuses a database only
 * when it carries this mark (so a half-finished or outdated seed is never measured).
 */
const SEED_MARK = 'finch-bench-content seed v3';
export const DEFAULT_PAGE_COUNT = 100_000;
/** Pages per INSERT: a few MB of JSON per statement. */
const BATCH_SIZE = 2_000;
/** Batches written at once, each on its own connection. */
const INSERT_CONNECTIONS = 2;
/** As SEARCH_LANGUAGE's default (src/search/). */
const SEARCH_LANGUAGE = 'english';
const SCHEMA_FILE = fileURLToPath(new URL('../../examples/blog.schema.json', import.meta.url));
const AUTHORS = 40;
/**
 * Hero images: ids of media items (the media library arrives with issue 9; until then an
 * image field holds an id that nothing resolves), shared by the posts, as a site's few
 * hundred photos are. Nine posts in ten have one.
 */
const HERO_IMAGES = 200;
const HERO_IMAGE_SHARE = 0.9;
const CATEGORIES = [
  'Engineering',
  'Design',
  'Product',
  'Culture',
  'Releases',
  'Travel',
  'Food',
  'Books',
  'Music',
  'Photography',
  'Community',
  'Guides',
];
/**
 * Items in each blog index's feed (`blog_index.feed.limit`): issue 8 measures a 50-item feed,
 * where the example schema lists 20. The seed's only change to the example types.
 */
export const FEED_ITEMS = 50;
/** Section → share of the posts. */
const BLOG_INDEXES: Array<{ slug: string; title: string; share: number }> = [
  { slug: 'blog', title: 'Blog', share: 0.4 },
  { slug: 'news', title: 'News', share: 0.2 },
  { slug: 'engineering', title: 'Engineering', share: 0.2 },
  { slug: 'culture', title: 'Culture', share: 0.1 },
  { slug: 'releases', title: 'Release notes', share: 0.06 },
  { slug: 'guides', title: 'Guides', share: 0.04 },
];
/** Posts are spread over these years, oldest first in each index. */
const FIRST_POST_AT = Date.parse('2019-01-01T08:00:00Z');
const LAST_POST_AT = Date.parse('2026-10-31T18:00:00Z');

export interface SeedProgress {
  /** A step without a count: "Applying content types". */
  step(label: string): void;
  /** The bulk insert begins: `total` pages. */
  start(total: number): void;
  advance(pages: number): void;
  stop(): void;
}

export interface SeedSummary {
  url: string;
  pages: number;
  seconds: number;
}

/** One row of `pages` with its only revision, ready to insert. */
interface PageRow {
  path: string;
  depth: number;
  slug: string;
  url_path: string;
  title: string;
  content_type_key: string;
  content_type_version: number;
  content: ContentValues;
  published_at: string;
  /** Search text by weight (A–D), as SearchIndexService builds the vector. */
  search: Record<SearchWeight, string>;
}

interface SnippetRow {
  title: string;
  content_type_key: string;
  content_type_version: number;
  content: ContentValues;
  published_at: string;
  search: Record<SearchWeight, string>;
}

interface AppliedType {
  definition: ContentTypeDefinition;
  version: number;
}

/** The texts of the search vector by weight, as publishing gives them to SearchIndexService. */
function searchByWeight(
  definition: ContentTypeDefinition,
  title: string,
  content: ContentValues,
): Record<SearchWeight, string> {
  const texts = new Map(
    textsByWeight([{ text: title, weight: 'A' }, ...searchableText(definition, content)]),
  );
  return {
    A: texts.get('A') ?? '',
    B: texts.get('B') ?? '',
    C: texts.get('C') ?? '',
    D: texts.get('D') ?? '',
  };
}

const SEARCH_VECTOR_SQL = (row: string) => `
  setweight(to_tsvector('${SEARCH_LANGUAGE}', ${row}.search->>'A'), 'A') ||
  setweight(to_tsvector('${SEARCH_LANGUAGE}', ${row}.search->>'B'), 'B') ||
  setweight(to_tsvector('${SEARCH_LANGUAGE}', ${row}.search->>'C'), 'C') ||
  setweight(to_tsvector('${SEARCH_LANGUAGE}', ${row}.search->>'D'), 'D')`;

/**
 * One statement per batch: each page and its revision (pages point at their revision, so
 * the revisions go first, in a data-modifying CTE), live and published, with the search
 * vector computed by PostgreSQL from the text by weight.
 */
const INSERT_PAGES = `
  WITH input AS MATERIALIZED (
    SELECT gen_random_uuid() AS id, row.*
    FROM jsonb_to_recordset($1::jsonb) AS row(
      path text, depth int, slug text, url_path text, title text, content_type_key text,
      content_type_version int, content jsonb, published_at timestamptz, search jsonb)
  ),
  revision AS (
    INSERT INTO revisions (object_type, object_id, content_type_key, content_type_version,
                           title, slug, content, created_at)
    SELECT 'page', id, content_type_key, content_type_version, title, slug, content, published_at
    FROM input
    RETURNING id, object_id
  )
  INSERT INTO pages (id, content_type_key, title, content, live, has_unpublished_changes,
                     first_published_at, last_published_at, live_revision_id, latest_revision_id,
                     search_vector, created_at, updated_at, path, depth, numchild, slug, url_path)
  SELECT input.id, input.content_type_key, input.title, input.content, true, false,
         input.published_at, input.published_at, revision.id, revision.id,
         ${SEARCH_VECTOR_SQL('input')},
         input.published_at, input.published_at, input.path, input.depth, 0, input.slug,
         input.url_path
  FROM input JOIN revision ON revision.object_id = input.id
  RETURNING id`;

const INSERT_SNIPPETS = `
  WITH input AS MATERIALIZED (
    SELECT gen_random_uuid() AS id, row.*
    FROM jsonb_to_recordset($1::jsonb) AS row(
      title text, content_type_key text, content_type_version int, content jsonb,
      published_at timestamptz, search jsonb)
  ),
  revision AS (
    INSERT INTO revisions (object_type, object_id, content_type_key, content_type_version,
                           title, content, created_at)
    SELECT 'snippet', id, content_type_key, content_type_version, title, content, published_at
    FROM input
    RETURNING id, object_id
  )
  INSERT INTO snippets (id, content_type_key, title, content, live, has_unpublished_changes,
                        first_published_at, last_published_at, live_revision_id,
                        latest_revision_id, search_vector, created_at, updated_at)
  SELECT input.id, input.content_type_key, input.title, input.content, true, false,
         input.published_at, input.published_at, revision.id, revision.id,
         ${SEARCH_VECTOR_SQL('input')}, input.published_at, input.published_at
  FROM input JOIN revision ON revision.object_id = input.id
  RETURNING id`;

/** Applies every content type of the example schema through Finch's own service. */
async function applyExampleContentTypes(url: string): Promise<Map<string, AppliedType>> {
  const schema = JSON.parse(await readFile(SCHEMA_FILE, 'utf8')) as SchemaFile;
  const blogIndex = schema.contentTypes.find((type) => type.key === 'blog_index');
  if (!blogIndex?.feed?.enabled) {
    throw new Error(`${SCHEMA_FILE}: blog_index no longer declares a feed ("feed.enabled").`);
  }
  blogIndex.feed = { ...blogIndex.feed, limit: FEED_ITEMS };
  // Failures here are thrown, not logged; what the log would show is the content type
  // registry reloading (on the change just made) while this short-lived server closes.
  const finch = await startFinch(url, 4, { LOG_LEVEL: 'fatal' });
  try {
    // As `finch schema apply` does: one transaction, types naming each other go in together.
    const result = await finch.app
      .get(ContentTypesService)
      .apply(schema.contentTypes, { actorId: null, ip: null });
    return new Map(
      [...result.created, ...result.updated, ...result.unchanged].map((record) => [
        record.key,
        { definition: record.definition, version: record.version },
      ]),
    );
  } finally {
    await finch.close();
  }
}

function typeOf(types: Map<string, AppliedType>, key: string): AppliedType {
  const type = types.get(key);
  if (!type) throw new Error(`${SCHEMA_FILE} has no content type "${key}".`);
  return type;
}

/** ISO time of post `index` of `count` in its index: evenly spread, a few hours' jitter. */
function publishedAt(index: number, count: number, random: () => number): string {
  const span = LAST_POST_AT - FIRST_POST_AT;
  const at = FIRST_POST_AT + (span * index) / Math.max(1, count) + random() * 6 * 3_600_000;
  return new Date(Math.min(at, LAST_POST_AT)).toISOString();
}

function authorRows(author: AppliedType): SnippetRow[] {
  return Array.from({ length: AUTHORS }, (_, index) => {
    const random = seededRandom(1_000_000 + index);
    const name = `${titleOf(random).split(' ').slice(0, 2).join(' ')} ${index + 1}`;
    const content = { name, bio: richTextDocument(random, 1) };
    return {
      title: name,
      content_type_key: author.definition.key,
      content_type_version: author.version,
      content,
      published_at: new Date(FIRST_POST_AT).toISOString(),
      search: searchByWeight(author.definition, name, content),
    };
  });
}

function categoryRows(category: AppliedType): SnippetRow[] {
  return CATEGORIES.map((name) => {
    const content = { name, slug: slugify(name) };
    return {
      title: name,
      content_type_key: category.definition.key,
      content_type_version: category.version,
      content,
      published_at: new Date(FIRST_POST_AT).toISOString(),
      search: searchByWeight(category.definition, name, content),
    };
  });
}

interface BlogPlan {
  index: PageRow;
  posts: number;
}

/** How many posts go under each blog index: the shares of BLOG_INDEXES, the rest last. */
function planIndexes(total: number, blogIndex: AppliedType, homePath: string): BlogPlan[] {
  const posts = total - 1 - BLOG_INDEXES.length;
  if (posts < BLOG_INDEXES.length) {
    throw new Error(`At least ${2 * BLOG_INDEXES.length + 1} pages are needed.`);
  }
  let assigned = 0;
  return BLOG_INDEXES.map((section, position) => {
    const count =
      position === BLOG_INDEXES.length - 1 ? posts - assigned : Math.round(posts * section.share);
    assigned += count;
    const random = seededRandom(2_000_000 + position);
    const content = { intro: sentences(random, 2), posts_per_page: 20 };
    return {
      posts: count,
      index: {
        path: homePath + encodeStep(position + 1),
        depth: 2,
        slug: section.slug,
        url_path: `/home/${section.slug}/`,
        title: section.title,
        content_type_key: blogIndex.definition.key,
        content_type_version: blogIndex.version,
        content,
        published_at: new Date(FIRST_POST_AT).toISOString(),
        search: searchByWeight(blogIndex.definition, section.title, content),
      },
    };
  });
}

function homeRow(home: AppliedType): PageRow {
  const random = seededRandom(3_000_000);
  const content = {
    intro: sentences(random, 2),
    body: streamBody(random, { heading: 'heading', paragraph: 'paragraph' }, () => null),
  };
  return {
    path: encodeStep(1),
    depth: 1,
    slug: 'home',
    url_path: '/home/',
    title: 'Finch bench blog',
    content_type_key: home.definition.key,
    content_type_version: home.version,
    content,
    published_at: new Date(FIRST_POST_AT).toISOString(),
    search: searchByWeight(home.definition, 'Finch bench blog', content),
  };
}

interface PostContext {
  post: AppliedType;
  tags: string[];
  authorIds: string[];
  categoryIds: string[];
  imageIds: string[];
}

/** Post `index` (0-based) of `count` under `parent`; `number` is unique over the whole seed. */
function postRow(
  context: PostContext,
  parent: PageRow,
  index: number,
  count: number,
  number: number,
): PageRow {
  const random = seededRandom(number);
  const title = titleOf(random);
  const slug = `${slugify(title)}-${number}`;
  const published = publishedAt(index, count, random);
  const content: ContentValues = {
    intro: sentences(random, between(random, 1, 2)).slice(0, 500),
    date: published.slice(0, 10),
    body: streamBody(
      random,
      { heading: 'heading', paragraph: 'paragraph', quote: 'quote' },
      (r) => ({
        text: sentences(r, 2),
        attribution: titleOf(r).split(' ').slice(0, 2).join(' '),
      }),
    ),
    author: { id: pick(random, context.authorIds) },
    categories: someOf(random, context.categoryIds, 2).map((id) => ({ id })),
    tags: someOf(random, context.tags, 2),
  };
  // Drawn last, so the rest of a post is what seed v1 generated.
  if (random() < HERO_IMAGE_SHARE) content.hero_image = { id: pick(random, context.imageIds) };
  return {
    path: parent.path + encodeStep(index + 1),
    depth: parent.depth + 1,
    slug,
    url_path: `${parent.url_path}${slug}/`,
    title,
    content_type_key: context.post.definition.key,
    content_type_version: context.post.version,
    content,
    published_at: published,
    search: searchByWeight(context.post.definition, title, content),
  };
}

/**
 * Generated content must be what an editor could publish: checked with Finch's own
 * validation (publish mode), for every page but the posts, and one post per batch.
 */
function assertPublishable(
  types: Map<string, AppliedType>,
  row: { title: string; content_type_key: string; content: ContentValues },
): void {
  const { errors } = validateContent(typeOf(types, row.content_type_key).definition, row.content, {
    mode: 'publish',
  });
  if (errors.length > 0) {
    throw new Error(
      `The seed generated content that Finch refuses (${row.content_type_key} "${row.title}"): ` +
        errors.map((error) => `${error.path}: ${error.message}`).join('; '),
    );
  }
}

async function insertRows(client: pg.Client, sql: string, rows: unknown[]): Promise<string[]> {
  const result = await client.query<{ id: string }>(sql, [JSON.stringify(rows)]);
  return result.rows.map((row) => row.id);
}

/** The database's comment says whether a complete seed of this version is there. */
export async function seededPageCount(serverUrl: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ comment: string | null }>(
      'SELECT shobj_description(oid, $2) AS comment FROM pg_database WHERE datname = $1',
      [CONTENT_BENCH_DATABASE, 'pg_database'],
    );
    const match = rows[0]?.comment?.match(/^(.*): (\d+) pages$/);
    return match && match[1] === SEED_MARK ? Number(match[2]) : undefined;
  } finally {
    await client.end();
  }
}

export function contentBenchDatabaseUrl(serverUrl: string): string {
  return databaseUrlFor(serverUrl, CONTENT_BENCH_DATABASE);
}

/**
 * (Re)creates `finch_bench_content` on the server of `serverUrl` and fills it with `total`
 * published pages. Takes a minute or two on two cores for 100,000.
 */
export async function seedPages(
  serverUrl: string,
  total: number,
  progress: SeedProgress,
): Promise<SeedSummary> {
  const started = performance.now();
  progress.step(`Recreating the database ${CONTENT_BENCH_DATABASE}`);
  await dropDatabase(serverUrl, CONTENT_BENCH_DATABASE);
  const url = await createDatabase(serverUrl, CONTENT_BENCH_DATABASE);

  progress.step('Applying the migrations and the example content types through Finch');
  const types = await applyExampleContentTypes(url);
  const [home, blogIndex, post, author, category] = [
    'home',
    'blog_index',
    'blog_post',
    'author',
    'category',
  ].map((key) => typeOf(types, key));
  const tagField = post.definition.fields.find((field) => field.key === 'tags');
  const tags = tagField?.type === 'choice' ? tagField.choices.map((choice) => choice.value) : [];

  // Two connections, so PostgreSQL can use both cores of a small machine while this
  // process builds the next batch.
  const clients = Array.from(
    { length: INSERT_CONNECTIONS },
    () => new pg.Client({ connectionString: url, application_name: 'finch-bench-seed' }),
  );
  await Promise.all(clients.map((client) => client.connect()));
  try {
    const [client] = clients;
    for (const each of clients) {
      // A lost seed is simply run again: no need to wait for each commit to reach the disk.
      await each.query("SET synchronous_commit = off; SET maintenance_work_mem = '256MB'");
    }

    progress.step(`Writing ${AUTHORS} authors and ${CATEGORIES.length} categories`);
    const snippets = { authors: authorRows(author), categories: categoryRows(category) };
    for (const row of [...snippets.authors, ...snippets.categories]) assertPublishable(types, row);
    const authorIds = await insertRows(client, INSERT_SNIPPETS, snippets.authors);
    const categoryIds = await insertRows(client, INSERT_SNIPPETS, snippets.categories);

    // Filling tables and then building their indexes is several times faster than updating
    // the indexes row by row (the GIN index of search vectors above all). They are built
    // again below from their own definitions, unique ones checking the paths as they go.
    const { rows: indexes } = await client.query<{ name: string; definition: string }>(`
      SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
      FROM pg_index i
      WHERE i.indrelid IN ('pages'::regclass, 'revisions'::regclass)
        AND NOT i.indisprimary
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`);
    for (const index of indexes) await client.query(`DROP INDEX ${index.name}`);

    const root = homeRow(home);
    const plans = planIndexes(total, blogIndex, root.path);
    for (const row of [root, ...plans.map((plan) => plan.index)]) assertPublishable(types, row);
    progress.start(total);
    const [homeId] = await insertRows(client, INSERT_PAGES, [root]);
    await insertRows(
      client,
      INSERT_PAGES,
      plans.map((plan) => plan.index),
    );
    progress.advance(1 + plans.length);
    await client.query(
      'INSERT INTO sites (hostname, name, root_page_id, is_default) VALUES ($1, $2, $3, true)',
      ['localhost', 'Finch bench blog', homeId],
    );

    const idle = [...clients];
    const inFlight = new Set<Promise<void>>();
    const submit = async (rows: PageRow[]) => {
      while (idle.length === 0) await Promise.race(inFlight);
      const connection = idle.pop() as pg.Client;
      const insert: Promise<void> = insertRows(connection, INSERT_PAGES, rows)
        .then(() => progress.advance(rows.length))
        .finally(() => {
          idle.push(connection);
          inFlight.delete(insert);
        });
      inFlight.add(insert);
    };
    const imageIds = Array.from({ length: HERO_IMAGES }, () => randomUUID());
    const context: PostContext = { post, tags, authorIds, categoryIds, imageIds };
    let number = 0;
    for (const plan of plans) {
      for (let first = 0; first < plan.posts; first += BATCH_SIZE) {
        const last = Math.min(plan.posts, first + BATCH_SIZE);
        const rows: PageRow[] = [];
        for (let index = first; index < last; index += 1) {
          number += 1;
          rows.push(postRow(context, plan.index, index, plan.posts, number));
        }
        assertPublishable(types, rows[0]);
        await submit(rows);
      }
    }
    await Promise.all(inFlight);
    progress.stop();

    progress.step(`Building ${indexes.length} indexes`);
    // One index per connection at a time: the GIN one takes longest.
    const queue = [...indexes];
    await Promise.all(
      clients.map(async (connection) => {
        for (let index = queue.shift(); index; index = queue.shift()) {
          await connection.query(index.definition);
        }
      }),
    );

    progress.step('Counting children, indexing references, analysing');
    await client.query(`
      UPDATE pages parent SET numchild = children.count
      FROM (SELECT left(path, -4) AS parent_path, count(*) AS count
            FROM pages WHERE depth > 1 GROUP BY 1) children
      WHERE parent.path = children.parent_path`);
    // The reference index as publishing writes it: the live version's and the draft's rows.
    await client.query(`
      INSERT INTO content_references (source_type, source_id, target_type, target_id, field_path, live)
      SELECT 'page', p.id, 'snippet', (p.content->'author'->>'id')::uuid, 'author', live.flag
      FROM pages p CROSS JOIN (VALUES (true), (false)) AS live(flag)
      WHERE p.content ? 'author'
      UNION ALL
      SELECT 'page', p.id, 'snippet', (category.value->>'id')::uuid,
             'categories[' || (category.ordinality - 1) || ']', live.flag
      FROM pages p CROSS JOIN LATERAL jsonb_array_elements(p.content->'categories')
             WITH ORDINALITY AS category(value, ordinality)
           CROSS JOIN (VALUES (true), (false)) AS live(flag)
      WHERE jsonb_typeof(p.content->'categories') = 'array'
      UNION ALL
      SELECT 'page', p.id, 'image', (p.content->'hero_image'->>'id')::uuid, 'hero_image', live.flag
      FROM pages p CROSS JOIN (VALUES (true), (false)) AS live(flag)
      WHERE p.content ? 'hero_image'`);
    await Promise.all([
      client.query('VACUUM (ANALYZE) pages'),
      clients[clients.length - 1].query(
        'VACUUM (ANALYZE) revisions, snippets, content_references, sites',
      ),
    ]);
    await client.query(
      `COMMENT ON DATABASE ${CONTENT_BENCH_DATABASE} IS '${SEED_MARK}: ${total} pages'`,
    );
  } finally {
    await Promise.all(clients.map((client) => client.end()));
  }
  return { url, pages: total, seconds: (performance.now() - started) / 1000 };
}

/** Steps on standard error, the page count as a cli-progress bar. */
export function terminalProgress(): SeedProgress {
  let bar: cliProgress.SingleBar | undefined;
  let stepStarted = performance.now();
  let label = '';
  const finishStep = () => {
    if (label) console.error(`  ${((performance.now() - stepStarted) / 1000).toFixed(1)} s`);
  };
  return {
    step(next) {
      finishStep();
      label = next;
      stepStarted = performance.now();
      console.error(`${next}…`);
    },
    start(total) {
      finishStep();
      label = 'Writing pages';
      stepStarted = performance.now();
      bar = new cliProgress.SingleBar(
        {
          format: 'Pages [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left',
          stream: process.stderr,
          hideCursor: true,
          etaBuffer: 20,
          // Not a terminal (CI, a log file): a line every five seconds instead.
          noTTYOutput: true,
          notTTYSchedule: 5_000,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0);
    },
    advance(pages) {
      bar?.increment(pages);
    },
    stop() {
      bar?.stop();
    },
  };
}

function pageCountFromArguments(): number {
  const position = process.argv.indexOf('--pages');
  if (position === -1) return DEFAULT_PAGE_COUNT;
  const value = Number(process.argv[position + 1]);
  if (!Number.isInteger(value) || value < 20 || value > 1_000_000) {
    console.error('--pages expects a whole number from 20 to 1000000.');
    process.exit(1);
  }
  return value;
}

async function main(): Promise<void> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    console.error(
      'The content benchmark needs a PostgreSQL server (never the embedded database): set DATABASE_URL, e.g.\n' +
        '  DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:seed\n' +
        `It creates its own database there, ${CONTENT_BENCH_DATABASE}; the one in the URL is not touched.`,
    );
    process.exit(1);
  }
  const total = pageCountFromArguments();
  console.error(
    `Seeding ${total.toLocaleString('en-US')} pages into ${CONTENT_BENCH_DATABASE} ` +
      `(${os.availableParallelism()} CPUs).`,
  );
  const summary = await seedPages(serverUrl, total, terminalProgress());
  console.error(
    `Seeded ${summary.pages.toLocaleString('en-US')} pages in ${summary.seconds.toFixed(1)} s: ${summary.url}`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : error);
      process.exit(1);
    },
  );
}
