import type { IncomingMessage } from 'node:http';
import { buildDeliveryQuery, sourceOf } from '#src/delivery/delivery-sql.js';
import { ROW_COLUMNS } from '#src/graphql/content-source.js';
import { type DeliveryRow, named, single, siteRoot } from './raw-delivery-server.js';
import { type BaselineHandler, sendJson } from './scenario.js';

/*
 * The raw baseline of the GraphQL listing: `node:http` and a `pg.Pool` of Finch's size that
 * answers the benchmark's one query,
 *
 *   { blogPosts(limit: 20, childOf: "<id>") { items { id title url heroImage { id }
 *     author { name } categories { name } } } }
 *
 * (POSTed as JSON, or in the URL of a GET) with the statements Finch's GraphQL sends for it
 * — the listing of src/delivery/delivery-sql.ts, as src/graphql/content-source.ts builds it,
 * then one batch of the snippets the posts link to — prepared under Finch's names, and the
 * same JSON. No GraphQL parsing, validation or execution: it reads the blog's id out of the
 * query text and builds the answer from the rows. The harness checks the statements (text,
 * values, names) and the answer's shape against Finch's before every run.
 */

const LIMIT = 20;

/** The snippets loader's batch (content-source.ts, loadByKey), for published snippets. */
const SNIPPETS_SQL = `SELECT ${ROW_COLUMNS} FROM ${sourceOf('snippet', { kind: 'none' }, undefined)}
              WHERE p.id = ANY($1::uuid[]) AND p.live`;

interface Reference {
  id?: string;
}

interface PostRow {
  id: string;
  title: string;
  url_path: string;
  content: { hero_image?: Reference; author?: Reference; categories?: Reference[] };
}

interface SnippetRow {
  id: string;
  content: { name?: string };
}

const CHILD_OF = /childOf:\s*"([0-9a-f-]{36})"/;

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function queryOf(request: IncomingMessage): Promise<string> {
  if (request.method === 'POST') {
    const body = JSON.parse(await bodyOf(request)) as { query?: unknown };
    return typeof body.query === 'string' ? body.query : '';
  }
  return new URL(request.url ?? '/', 'http://baseline').searchParams.get('query') ?? '';
}

export const rawGraphqlHandler: BaselineHandler = async (request, response, pools) => {
  const blogId = CHILD_OF.exec(await queryOf(request))?.[1];
  if (!blogId) {
    sendJson(response, 400, { errors: [{ message: 'Not the benchmark query.' }] });
    return;
  }
  const { urlPath: rootUrlPath, pageId: siteRootPageId } = siteRoot();
  const listing: DeliveryRow = await single(
    pools.app,
    buildDeliveryQuery({
      kind: 'page',
      siteRootPageId,
      type: 'blog_post',
      childOf: blogId,
      filters: [],
      order: { kind: 'path' },
      limit: LIMIT,
      offset: 0,
      draft: { kind: 'none' },
      withContent: true,
      withLinkedContent: false,
      withLinks: false,
      // The query asks for no totalCount: GraphQL does not count (see content-schema.ts).
      withCount: false,
    }),
  );
  const posts = (listing.items ?? []) as PostRow[];
  // In the order the resolvers ask the loader for them, each id once (as DataLoader batches).
  const ids = [
    ...new Set(
      posts.flatMap((post) =>
        [post.content.author, ...(post.content.categories ?? [])]
          .map((reference) => reference?.id)
          .filter((id): id is string => id !== undefined),
      ),
    ),
  ];
  const { rows } =
    ids.length === 0
      ? { rows: [] }
      : await pools.app.query<SnippetRow>(named({ text: SNIPPETS_SQL, values: [ids] }));
  const names = new Map(rows.map((row) => [row.id, { name: row.content.name ?? null }]));
  const snippet = (reference: Reference | undefined) =>
    (reference?.id !== undefined && names.get(reference.id)) || null;
  sendJson(response, 200, {
    data: {
      blogPosts: {
        items: posts.map((post) => ({
          id: post.id,
          title: post.title,
          url: rootUrlPath ? `/${post.url_path.slice(rootUrlPath.length)}` : post.url_path,
          heroImage: post.content.hero_image?.id ? { id: post.content.hero_image.id } : null,
          author: snippet(post.content.author),
          categories: (post.content.categories ?? []).map(snippet).filter((row) => row !== null),
        })),
      },
    },
  });
};
