import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ClientError, GraphQLClient, type Variables } from 'graphql-request';
import pg from 'pg';
import { DeliveryService } from '#src/delivery/delivery.service.js';
import { bearer, createUser, signIn, TEST_PASSWORD } from '#test/helpers/auth.js';
import {
  type BlogSite,
  buildBlogSite,
  createPost,
  createSnippet,
} from '#test/helpers/delivery-site.js';
import { sendJson } from '#test/helpers/problem.js';
import { type CountedResponse, fetchCountingQueries } from '#test/helpers/query-count.js';
import { startTestApp, type TestApp } from '#test/helpers/test-app.js';

/** An error as it travels in a GraphQL response. */
interface ErrorJson {
  message: string;
  path?: Array<string | number>;
  extensions?: { code?: string; [key: string]: unknown };
}

/** One GraphQL response, with the SQL the server ran to produce it. */
interface Answer {
  status: number;
  headers: Headers;
  body: string;
  data: Record<string, unknown> | null | undefined;
  errors: ErrorJson[];
  queries: string[];
}

/** Neither SQL nor a stack frame may reach a caller, whatever went wrong. */
const LEAK = /SELECT|FROM pages|at .*\.[jt]s:\d+/;

/** What GraphQL answers with for a request it refuses: 4xx or the GraphQL-over-HTTP 200, never 5xx. */
function expectSafe(answer: { status: number; body: string }): void {
  expect(answer.status < 500 ? 'not a 5xx' : `${answer.status} ${answer.body}`).toBe('not a 5xx');
  expect(answer.body).not.toMatch(LEAK);
}

/**
 * Sends `query` through graphql-request (the client a frontend would use), counting the SQL
 * the server runs for it: the client's fetch is fetchCountingQueries. Every answer is
 * checked for leaks and 5xx.
 */
async function ask(
  app: TestApp,
  query: string,
  variables?: Variables,
  headers: Record<string, string> = {},
): Promise<Answer> {
  let counted: CountedResponse | undefined;
  const client = new GraphQLClient(`${app.baseUrl}/graphql`, {
    headers,
    errorPolicy: 'all',
    fetch: async (input: string | URL | Request, init?: RequestInit) => {
      counted = await fetchCountingQueries(
        input instanceof Request ? input.url : String(input),
        init,
      );
      return new Response(counted.body, { status: counted.status, headers: counted.headers });
    },
  });
  let data: Record<string, unknown> | null | undefined;
  let errors: ErrorJson[];
  try {
    const result = await client.rawRequest<Record<string, unknown>>(query, variables);
    data = result.data;
    errors = (result.errors ?? []) as unknown as ErrorJson[];
  } catch (error) {
    if (!(error instanceof ClientError)) throw error;
    data = error.response.data as Record<string, unknown> | null | undefined;
    errors = (error.response.errors ?? []) as unknown as ErrorJson[];
  }
  if (!counted) throw new Error('graphql-request sent nothing.');
  const answer = { ...counted, data, errors };
  expectSafe(answer);
  return answer;
}

/** A raw request to /graphql, for what graphql-request cannot send (bad bodies, methods). */
async function sendRaw(app: TestApp, init: RequestInit, search = ''): Promise<Answer> {
  const counted = await fetchCountingQueries(`${app.baseUrl}/graphql${search}`, init);
  expectSafe(counted);
  let parsed: { data?: Record<string, unknown> | null; errors?: ErrorJson[] } = {};
  try {
    parsed = JSON.parse(counted.body) as typeof parsed;
  } catch {
    // Not JSON: the assertions on the body say what it should have been.
  }
  return { ...counted, data: parsed.data, errors: parsed.errors ?? [] };
}

const postJson = (body: string): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body,
});

function errorWithCode(answer: Answer, code: string): ErrorJson {
  const found = answer.errors.find((error) => error.extensions?.code === code);
  expect({ code, errors: answer.errors }).toEqual({
    code,
    errors: expect.arrayContaining([
      expect.objectContaining({ extensions: expect.objectContaining({ code }) }),
    ]),
  });
  return found as ErrorJson;
}

/**
 * A query refused by a limit: nothing executed (no data, not one SQL statement), the error
 * carries the documented code, the limit and the figure, and its message says both.
 */
function expectRefusedByLimit(answer: Answer, code: string, limit: number, actual?: number) {
  expect(answer.queries).toEqual([]);
  expect(answer.data ?? null).toBeNull();
  expect([200, 400]).toContain(answer.status);
  const error = errorWithCode(answer, code);
  expect(error.extensions).toMatchObject({ code, limit });
  const figure = error.extensions?.actual as number;
  expect(figure).toBeGreaterThan(limit);
  if (actual !== undefined) expect(figure).toBe(actual);
  expect(error.message).toContain(String(figure));
  expect(error.message).toContain(String(limit));
  return error;
}

/** A GraphQL error raised by a resolver's argument check: INVALID_PARAMETER, naming it. */
function expectInvalidParameter(answer: Answer, parameter: string): ErrorJson {
  const error = errorWithCode(answer, 'INVALID_PARAMETER');
  expect(error.extensions).toMatchObject({
    status: 400,
    type: 'urn:finch:problem:invalid-parameter',
    errors: [{ path: parameter, message: expect.any(String) }],
  });
  expect(error.message.startsWith(`${parameter}: `)).toBe(true);
  return error;
}

/** `{ a { a { … } } }`-style nesting of `field`, `levels` deep, around `leaf`. */
const nested = (field: string, levels: number, leaf: string) =>
  `${`${field} { `.repeat(levels)}${leaf}${' }'.repeat(levels)}`;

/** 2,000 levels of `parent{` in 16,023 characters: within GRAPHQL_MAX_QUERY_LENGTH. */
const DEEP_2000 = `{page(urlPath:"/"){${'parent{'.repeat(2000)}id${'}'.repeat(2000)}}}`;

describe('GraphQL safety: limits, errors and published content only', () => {
  let app: TestApp;
  let asAdmin: Record<string, string>;
  let site: BlogSite;
  /** Ids of the published posts and of content that was never published. */
  const ids = {
    alpha: '',
    bravo: '',
    charlie: '',
    hiddenAuthor: '',
    hiddenCategory: '',
  };

  beforeAll(async () => {
    app = await startTestApp();
    const admin = await createUser(app, { isSuperuser: true });
    const { accessToken } = await signIn(app, admin.email, TEST_PASSWORD);
    asAdmin = bearer(accessToken);
    site = await buildBlogSite(app, asAdmin, accessToken);
    ids.hiddenAuthor = await createSnippet(app, asAdmin, 'author', { name: 'Hidden Hand' }, false);
    ids.hiddenCategory = await createSnippet(
      app,
      asAdmin,
      'category',
      { name: 'Secret category', slug: 'secret-category' },
      false,
    );
    ids.charlie = await createPost(app, asAdmin, site.blogId, {
      title: 'Charlie unpublished',
      slug: 'charlie',
      bodyText: 'A zeppelin over the harbour.',
      publish: false,
    });
    // A published post whose links point at things never published: a draft author, a
    // draft category beside a live one, and a rich text link to the draft page.
    ids.alpha = await createPost(app, asAdmin, site.blogId, {
      title: 'Alpha gardens',
      slug: 'alpha',
      author: ids.hiddenAuthor,
      categories: [site.categoryIds[0], ids.hiddenCategory],
      linkTo: ids.charlie,
    });
    ids.bravo = await createPost(app, asAdmin, site.blogId, {
      title: 'Bravo city',
      slug: 'bravo',
      author: site.authorId,
    });
    // A newer draft of a live page: the live version stays "Alpha gardens".
    const saved = await fetch(`${app.baseUrl}/api/admin/pages/${ids.alpha}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...asAdmin },
      body: JSON.stringify({ title: 'Alpha, unpublished edit' }),
    });
    expect(saved.status).toBe(200);
  }, 180_000);
  afterAll(async () => {
    await app?.close();
  });

  describe('limits refuse a query before anything executes', () => {
    it('refuses deep nesting through children and through parent with QUERY_TOO_DEEP', async () => {
      const children = await ask(app, `{ pages { items { ${nested('children', 12, 'id')} } } }`);
      expectRefusedByLimit(children, 'QUERY_TOO_DEEP', 10, 15);
      expect(children.errors[0].message).toBe(
        'Query depth 15 exceeds the maximum of 10: request fewer nested levels, or split the query.',
      );

      const parents = await ask(
        app,
        `{ blogPost(slug: "alpha") { ${nested('parent', 11, 'id')} } }`,
      );
      expectRefusedByLimit(parents, 'QUERY_TOO_DEEP', 10, 13);
      // Depth alone: the single validation error gets Mercurius' 400.
      expect(parents.errors).toHaveLength(1);
      expect(parents.status).toBe(400);

      // Fragments are expanded: the same depth hidden behind twelve fragments is refused.
      const fragments = Array.from(
        { length: 12 },
        (_, level) =>
          `fragment Level${level} on Page { ${level === 11 ? 'id' : `parent { ...Level${level + 1} }`} }`,
      );
      const viaFragments = await ask(
        app,
        `{ blogPost(slug: "alpha") { ...Level0 } } ${fragments.join(' ')}`,
      );
      expectRefusedByLimit(viaFragments, 'QUERY_TOO_DEEP', 10, 13);
    });

    it('refuses a costly query with QUERY_TOO_COSTLY, the list multipliers taken from limit literals', async () => {
      // 1 (blogPosts) + 100 × (1 items + 2 children + 100 × 1 id) = 10301.
      const answer = await ask(
        app,
        '{ blogPosts(limit: 100) { items { children(limit: 100) { id } } } }',
      );
      const error = expectRefusedByLimit(answer, 'QUERY_TOO_COSTLY', 5000, 10301);
      expect(error.message).toBe(
        'Query cost 10301 exceeds the maximum of 5000: ask for fewer items (a smaller limit) or fewer fields, or split the query.',
      );
      // Within the limits, the same shape runs.
      const small = await ask(
        app,
        '{ blogPosts(limit: 2) { items { children(limit: 2) { id } } } }',
      );
      expect(small.errors).toEqual([]);
      expect(small.data).toEqual({ blogPosts: { items: [{ children: [] }, { children: [] }] } });
    });

    it('counts limit: $n with the value sent, also once the query text is cached and compiled', async () => {
      const query =
        'query Posts($n: Int = 1) { blogPosts(limit: $n) { items { children(limit: $n) { id } } } }';
      // Run it cheaply three times: validated once, then cached, then compiled (GRAPHQL_JIT=1).
      for (let run = 0; run < 3; run++) {
        const cheap = await ask(app, query, { n: 2 });
        expect(cheap.errors).toEqual([]);
        expect(cheap.queries.length).toBeGreaterThan(0);
      }
      const costly = await ask(app, query, { n: 100 });
      expectRefusedByLimit(costly, 'QUERY_TOO_COSTLY', 5000, 10301);
      // The operation's default alone is counted when no value is sent.
      const defaulted = await ask(app, query);
      expect(defaulted.errors).toEqual([]);
    });

    it('refuses 1,000 aliases with TOO_MANY_ALIASES', async () => {
      const aliases = Array.from({ length: 1000 }, (_, n) => `a${n}: __typename`).join(' ');
      const answer = await ask(app, `{ ${aliases} }`);
      expectRefusedByLimit(answer, 'TOO_MANY_ALIASES', 30, 1000);
      expect(answer.errors[0].message).toBe(
        'Query uses 1000 aliases, more than the maximum of 30: ask for each field once, or split the query.',
      );
    });

    it('measures exponential fragment spreads without exponential time, and refuses them', async () => {
      // Each fragment spreads the one before twice: 2^41 - 1 aliases once expanded.
      const fragments = ['fragment F0 on Query { a: __typename }'];
      for (let k = 1; k <= 40; k++) {
        fragments.push(`fragment F${k} on Query { ...F${k - 1} b${k}: __typename ...F${k - 1} }`);
      }
      const started = Date.now();
      const aliases = await ask(app, `{ ...F40 } ${fragments.join(' ')}`);
      expect(Date.now() - started).toBeLessThan(5_000);
      expectRefusedByLimit(aliases, 'TOO_MANY_ALIASES', 30, 2 ** 41 - 1);

      const costly = ['fragment C0 on Page { id }'];
      for (let k = 1; k <= 30; k++) {
        costly.push(
          `fragment C${k} on Page { ...C${k - 1} c${k}: children(limit: 2) { ...C${k - 1} } }`,
        );
      }
      const cost = await ask(app, `{ pages { items { ...C30 } } } ${costly.join(' ')}`);
      expectRefusedByLimit(cost, 'QUERY_TOO_COSTLY', 5000);
    });

    it('refuses a query longer than GRAPHQL_MAX_QUERY_LENGTH with QUERY_TOO_LONG, before parsing it', async () => {
      const query = `{ __typename ${'#'.repeat(20_001)}\n}`;
      const answer = await ask(app, query);
      const error = expectRefusedByLimit(answer, 'QUERY_TOO_LONG', 20_000, query.length);
      expect(error.message).toBe(
        `The query is ${query.length} characters long; at most 20000 are accepted (GRAPHQL_MAX_QUERY_LENGTH). Send a shorter query.`,
      );
      // Not even a syntax error is reported: the text was never parsed.
      const broken = await ask(app, `{ ${'('.repeat(20_001)}`);
      expectRefusedByLimit(broken, 'QUERY_TOO_LONG', 20_000);
      expect(broken.errors).toHaveLength(1);
    });

    // Found before parsing: graphql's parser recurses once a level and could run out of
    // stack on such a query before its token limit stops it.
    it('refuses a 2,000-level query that fits in the length limit without SQL, a 5xx or a leak, and keeps serving', async () => {
      expect(DEEP_2000.length).toBeLessThan(20_000);
      const answer = await ask(app, DEEP_2000);
      expectRefusedByLimit(answer, 'QUERY_TOO_DEEP', 128, 2002);
      expect(answer.errors).toHaveLength(1);
      const after = await ask(app, '{ blogPost(slug: "alpha") { title } }');
      expect(after.data).toEqual({ blogPost: { title: 'Alpha gardens' } });
    });

    it('refuses fragment cycles at validation, without SQL', async () => {
      const answer = await ask(
        app,
        '{ pages { items { ...A } } } fragment A on Page { children { ...B } } fragment B on Page { parent { ...A } }',
      );
      expect(answer.queries).toEqual([]);
      expect(answer.data ?? null).toBeNull();
      expect(answer.errors.map((error) => error.message)).toContain(
        'Cannot spread fragment "A" within itself via "B".',
      );
      const self = await ask(app, '{ pages { items { ...A } } } fragment A on Page { ...A }');
      expect(self.queries).toEqual([]);
      expect(self.errors.map((error) => error.message)).toContain(
        'Cannot spread fragment "A" within itself.',
      );
    });

    it('refuses a limit too big for the cost before the resolver sees it', async () => {
      const answer = await ask(app, '{ blogPosts(limit: 100000) { items { id } } }');
      expectRefusedByLimit(answer, 'QUERY_TOO_COSTLY', 5000, 200_001);
    });

    it('answers the same refusal for a cached bad query without running SQL', async () => {
      const query = `{ pages { items { ${nested('children', 12, 'id')} } } }`;
      for (let run = 0; run < 2; run++) {
        expectRefusedByLimit(await ask(app, query), 'QUERY_TOO_DEEP', 10, 15);
      }
    });
  });

  describe('introspection and GraphiQL, by default (NODE_ENV=test)', () => {
    it('answers introspection', async () => {
      const answer = await ask(
        app,
        '{ __schema { queryType { name } } __type(name: "BlogPost") { name } }',
      );
      expect(answer.errors).toEqual([]);
      expect(answer.data).toEqual({
        __schema: { queryType: { name: 'Query' } },
        __type: { name: 'BlogPost' },
      });
    });

    it('serves GraphiQL at /graphiql with a CSP of its own, and keeps the strict one on the API', async () => {
      const page = await fetch(`${app.baseUrl}/graphiql`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await page.text()).toContain('<title>GraphiQL</title>');
      const pageCsp = page.headers.get('content-security-policy') ?? '';
      expect(pageCsp).toContain("frame-ancestors 'none'");
      expect(pageCsp).toContain("object-src 'none'");

      const api = await sendRaw(app, postJson('{"query":"{ __typename }"}'));
      const apiCsp = api.headers.get('content-security-policy') ?? '';
      expect(apiCsp).toContain("script-src 'self';");
      expect(apiCsp).not.toContain('unpkg');
    });
  });

  describe('malformed requests get a clear error, never a 5xx, SQL or a stack trace', () => {
    it('refuses unknown fields and unknown root queries at validation', async () => {
      const field = await ask(app, '{ blogPosts { items { nope } } }');
      expect(field.status).toBe(400);
      expect(field.queries).toEqual([]);
      expect(field.errors[0].message).toBe('Cannot query field "nope" on type "BlogPost".');
      const root = await ask(app, '{ drafts { id } }');
      expect(root.errors[0].message).toMatch(/^Cannot query field "drafts" on type "Query"\./);
      const filter = await ask(app, '{ blogPosts(filter: { nope: { eq: "x" } }) { totalCount } }');
      expect(filter.errors[0].message).toBe(
        'Field "nope" is not defined by type "BlogPostFilter".',
      );
    });

    it('refuses arguments of the wrong type, as literals and as variables', async () => {
      const cases: Array<[string, Variables | undefined, RegExp]> = [
        [
          '{ blogPosts(limit: "x") { totalCount } }',
          undefined,
          /^Int cannot represent non-integer value: "x"/,
        ],
        [
          '{ blogPosts(limit: 1.5) { totalCount } }',
          undefined,
          /^Int cannot represent non-integer value: 1\.5/,
        ],
        [
          '{ blogPosts(offset: true) { totalCount } }',
          undefined,
          /^Int cannot represent non-integer value: true/,
        ],
        [
          '{ blogPosts(order: "TITLE") { totalCount } }',
          undefined,
          /^Enum "BlogPostOrder" cannot represent non-enum value: "TITLE"/,
        ],
        [
          '{ blogPosts(order: NOPE) { totalCount } }',
          undefined,
          /^Value "NOPE" does not exist in "BlogPostOrder" enum/,
        ],
        [
          '{ blogPosts(filter: { date: { eq: 20260101 } }) { totalCount } }',
          undefined,
          /Date expects a string such as 2026-01-31/,
        ],
        [
          '{ blogPosts(filter: { date: { eq: "2026-1-1" } }) { totalCount } }',
          undefined,
          /Date expects a string such as 2026-01-31/,
        ],
        [
          '{ search(query: "a", types: 5) { totalCount } }',
          undefined,
          /^String cannot represent a non string value: 5/,
        ],
        [
          '{ author(id: ["a"]) { name } }',
          undefined,
          /^ID cannot represent a non-string and non-integer value/,
        ],
        [
          'query Q($n: Int) { blogPosts(limit: $n) { totalCount } }',
          { n: 'x' },
          /^Variable "\$n" got invalid value "x"; Int cannot represent non-integer value/,
        ],
        [
          'query Q($f: BlogPostFilter) { blogPosts(filter: $f) { totalCount } }',
          { f: { date: { eq: 5 } } },
          /^Variable "\$f" got invalid value 5 at "f\.date\.eq";.*Date expects a string/,
        ],
        [
          'query Q($n: Int!) { blogPosts(limit: $n) { totalCount } }',
          {},
          /^Variable "\$n" of required type "Int!" was not provided/,
        ],
      ];
      for (const [query, variables, message] of cases) {
        const answer = await ask(app, query, variables);
        expect({ query, queries: answer.queries, data: answer.data ?? null }).toEqual({
          query,
          queries: [],
          data: null,
        });
        expect({ query, message: answer.errors[0]?.message }).toEqual({
          query,
          message: expect.stringMatching(message),
        });
      }
    });

    it('refuses missing required arguments', async () => {
      const author = await ask(app, '{ author { name } }');
      expect(author.errors[0].message).toBe(
        'Field "author" argument "id" of type "ID!" is required, but it was not provided.',
      );
      const search = await ask(app, '{ search { totalCount } }');
      expect(search.errors[0].message).toBe(
        'Field "search" argument "query" of type "String!" is required, but it was not provided.',
      );
      const nullQuery = await ask(app, '{ search(query: null) { totalCount } }');
      expect(nullQuery.errors[0].message).toBe('Expected value of type "String!", found null.');
      for (const answer of [author, search, nullQuery]) expect(answer.queries).toEqual([]);
    });

    it('refuses syntax errors, mutations, subscriptions and ambiguous operations', async () => {
      const syntax = await ask(app, '{ blogPosts( ');
      expect(syntax.status).toBe(400);
      expect(syntax.errors[0].message).toBe('Syntax Error: Expected Name, found <EOF>.');
      const mutation = await ask(app, 'mutation { deletePage(id: "x") }');
      expect(mutation.errors[0].message).toBe(
        'Schema is not configured to execute mutation operation.',
      );
      const subscription = await ask(app, 'subscription { pages { totalCount } }');
      expect(subscription.errors[0].message).toBe(
        'Schema is not configured to execute subscription operation.',
      );
      const two = await ask(app, 'query A { __typename } query B { __typename }');
      expect(two.errors[0].message).toBe(
        'Must provide operation name if query contains multiple operations.',
      );
      for (const answer of [syntax, mutation, subscription, two]) {
        expect(answer.queries).toEqual([]);
        expect(answer.data ?? null).toBeNull();
      }
    });

    it('refuses bodies that are not one GraphQL request: bad JSON, empty, batched, no query', async () => {
      const cases: Array<[string, RequestInit, string, number]> = [
        [
          'malformed JSON',
          postJson('{"query": '),
          "Body is not valid JSON but content-type is set to 'application/json'",
          400,
        ],
        [
          'an empty body',
          postJson(''),
          "Body cannot be empty when content-type is set to 'application/json'",
          400,
        ],
        ['no query', postJson('{}'), 'Unknown query', 400],
        [
          'a batch (batching is off)',
          postJson('[{"query":"{ __typename }"},{"query":"{ __typename }"}]'),
          'body must be object',
          400,
        ],
        ['null', postJson('null'), 'body must be object', 400],
        [
          'variables that are not an object',
          postJson('{"query":"{ __typename }","variables":"x"}'),
          'body/variables must be object,null',
          400,
        ],
        [
          'a query that is not a string',
          postJson('{"query":{"kind":"Document"}}'),
          'body/query must be string',
          400,
        ],
        [
          'text/plain',
          { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{ __typename }' },
          'Unsupported Media Type',
          415,
        ],
        ['GET without a query', { method: 'GET' }, 'Unknown query', 400],
      ];
      for (const [what, init, message, status] of cases) {
        const answer = await sendRaw(app, init);
        expect({ what, status: answer.status, message: answer.errors[0]?.message }).toEqual({
          what,
          status,
          message,
        });
        expect(answer.queries).toEqual([]);
      }
    });

    it('answers GET queries, and refuses mutations sent by GET with 405', async () => {
      const get = await sendRaw(
        app,
        { method: 'GET' },
        `?query=${encodeURIComponent('{ __typename }')}`,
      );
      expect(get.data).toEqual({ __typename: 'Query' });
      const mutation = await sendRaw(
        app,
        { method: 'GET' },
        `?query=${encodeURIComponent('mutation { x }')}`,
      );
      expect(mutation.status).toBe(405);
      expect(mutation.errors[0].message).toBe('Operation cannot be performed via a GET request');
      const costly = await sendRaw(
        app,
        { method: 'GET' },
        `?query=${encodeURIComponent('{ blogPosts(limit: 100) { items { children(limit: 100) { id } } } }')}`,
      );
      expectRefusedByLimit(costly, 'QUERY_TOO_COSTLY', 5000, 10301);
    });

    // Mercurius parses a query that is not GraphQL as a JSON AST; `{"query": 5}` or a
    // malformed AST then throws inside graphql's validation, outside execution.
    it('answers a query that is a number or a malformed JSON AST without JavaScript internals', async () => {
      for (const query of [
        5,
        JSON.stringify({ kind: 'Document' }),
        JSON.stringify({
          kind: 'Document',
          definitions: [{ kind: 'OperationDefinition', operation: 'query' }],
        }),
      ]) {
        const answer = await sendRaw(app, postJson(JSON.stringify({ query })));
        expect(answer.queries).toEqual([]);
        expect(answer.errors[0].message).not.toMatch(
          /is not iterable|Cannot read properties|undefined|null \(reading/,
        );
      }
    });

    it('answers a query that is a number or a malformed JSON AST without SQL, a 5xx or a stack trace', async () => {
      for (const query of [5, JSON.stringify({ kind: 'Document' }), '[]']) {
        const answer = await sendRaw(app, postJson(JSON.stringify({ query })));
        expect(answer.queries).toEqual([]);
        expect(answer.data ?? null).toBeNull();
        expect(answer.errors).toHaveLength(1);
      }
    });

    it('refuses a NUL character, which PostgreSQL text cannot hold, before any SQL', async () => {
      const answer = await ask(
        app,
        'query Q($t: String) { pages(filter: { title: { eq: $t } }) { totalCount } }',
        { t: 'a\u0000b' },
      );
      expectInvalidParameter(answer, 'filter.title.eq');
      expect(answer.queries).toEqual([]);
      const search = await ask(app, 'query Q($q: String!) { search(query: $q) { totalCount } }', {
        q: 'a\u0000',
      });
      expectInvalidParameter(search, 'search');
    });

    it('turns a database error into "Internal error" with the request id, never the SQL', async () => {
      // A column the delivery SQL reads goes missing for a moment: every plan of it fails.
      const database = new pg.Client({
        connectionString: app.config.databaseUrl ?? app.finch.database.url,
      });
      await database.connect();
      await database.query('ALTER TABLE snippets RENAME COLUMN title TO title_gone');
      let answer: Answer;
      try {
        answer = await ask(app, '{ authors { totalCount items { title } } }');
      } finally {
        await database.query('ALTER TABLE snippets RENAME COLUMN title_gone TO title');
        await database.end();
      }
      const requestId = answer.headers.get('x-request-id');
      expect(requestId).toBeTruthy();
      expect(answer.queries.length).toBeGreaterThan(0);
      expect(answer.errors).toEqual([
        expect.objectContaining({
          message: `Internal error. The server log has the details under request id ${requestId}.`,
          path: ['authors'],
          extensions: { code: 'INTERNAL_SERVER_ERROR', requestId },
        }),
      ]);
      expect(answer.body).not.toMatch(/title_gone|does not exist|SELECT|pg\/lib|delivery/i);
    });
  });

  describe('bad values reaching resolvers: INVALID_PARAMETER naming the argument', () => {
    const postId = () => ids.alpha;
    const cases: Array<[string, () => string, string]> = [
      ['limit 0', () => '{ blogPosts(limit: 0) { totalCount } }', 'limit'],
      ['limit above DELIVERY_MAX_LIMIT', () => '{ blogPosts(limit: 101) { totalCount } }', 'limit'],
      ['a tree limit of 0', () => '{ pages { items { children(limit: 0) { id } } } }', 'limit'],
      ['offset -1', () => '{ blogPosts(offset: -1) { totalCount } }', 'offset'],
      [
        'childOf that is not a UUID',
        () => '{ blogPosts(childOf: "not-a-uuid") { totalCount } }',
        'childOf',
      ],
      [
        'descendantOf that is not a UUID',
        () => '{ pages(descendantOf: "x") { totalCount } }',
        'descendantOf',
      ],
      ['page(id: "x")', () => '{ page(id: "x") { id } }', 'id'],
      ['an ID given as a number (coerced to "5")', () => '{ blogPost(id: 5) { id } }', 'id'],
      ['author(id: "x")', () => '{ author(id: "x") { name } }', 'id'],
      [
        'page with id and urlPath',
        () => `{ page(id: "${postId()}", urlPath: "/blog/alpha/") { id } }`,
        'urlPath',
      ],
      ['page with none of id, urlPath, slug', () => '{ page { id } }', 'id'],
      [
        'parent without slug',
        () => `{ page(id: "${postId()}", parent: "${postId()}") { id } }`,
        'parent',
      ],
      ['a urlPath that is not a path', () => '{ page(urlPath: "blog") { id } }', 'urlPath'],
      [
        'a search of 300 characters',
        () => `{ blogPosts(search: "${'a'.repeat(300)}") { totalCount } }`,
        'search',
      ],
      [
        'a search() query of 300 characters',
        () => `{ search(query: "${'a'.repeat(300)}") { totalCount } }`,
        'search',
      ],
      ['an empty search', () => '{ search(query: "  ") { totalCount } }', 'search'],
      ['an unknown type', () => '{ pages(type: "nope") { totalCount } }', 'type'],
      [
        'a snippet type where a page type is expected',
        () => '{ pages(type: "author") { totalCount } }',
        'type',
      ],
      [
        'an unknown tree type',
        () => '{ pages { items { children(type: "nope") { id } } } }',
        'type',
      ],
      [
        'unknown search types',
        () => '{ search(query: "a", types: ["nope"]) { totalCount } }',
        'types',
      ],
      [
        'an impossible date',
        () => '{ blogPosts(filter: { date: { eq: "2026-13-45" } }) { totalCount } }',
        'filter.date.eq',
      ],
      [
        'a date that does not exist',
        () => '{ blogPosts(filter: { date: { eq: "2026-02-30" } }) { totalCount } }',
        'filter.date.eq',
      ],
      [
        'an unknown choice',
        () => '{ blogPosts(filter: { tags: { has: "nope" } }) { totalCount } }',
        'filter.tags.has',
      ],
      [
        'a snippet link filter that is not a UUID',
        () => '{ blogPosts(filter: { author: { eq: "x" } }) { totalCount } }',
        'filter.author.eq',
      ],
      [
        'SEARCH_SCORE without search',
        () => '{ blogPosts(order: SEARCH_SCORE) { totalCount } }',
        'order',
      ],
      [
        'RANDOM with an offset',
        () => '{ blogPosts(order: RANDOM, offset: 1) { totalCount } }',
        'order',
      ],
      [
        'a locale that is not a language tag',
        () => '{ pages(locale: "!!") { totalCount } }',
        'locale',
      ],
    ];
    for (const [what, query, parameter] of cases) {
      it(`${what} → ${parameter}`, async () => {
        const answer = await ask(app, query());
        expect(answer.status).toBe(200);
        expectInvalidParameter(answer, parameter);
      });
    }

    it('refuses a bad filter value sent as a variable the same way', async () => {
      const answer = await ask(
        app,
        'query Q($f: BlogPostFilter) { blogPosts(filter: $f) { totalCount } }',
        { f: { date: { eq: '2026-13-45' } } },
      );
      expectInvalidParameter(answer, 'filter.date.eq');
    });
  });

  describe('anonymous callers see published content only', () => {
    const anonymous = (query: string, variables?: Variables) => ask(app, query, variables);
    /** No answer to an anonymous caller may carry a word that only drafts hold. */
    const DRAFT_WORDS = /Charlie unpublished|zeppelin|Hidden Hand|Secret category|unpublished edit/;

    it('finds no unpublished page or snippet by id, path or slug', async () => {
      const answer = await anonymous(
        `query ($charlie: ID!, $author: ID!, $category: ID!) {
          byId: page(id: $charlie) { id }
          typed: blogPost(id: $charlie) { id }
          byPath: page(urlPath: "/blog/charlie/") { id }
          bySlug: blogPost(slug: "charlie") { id }
          author(id: $author) { name }
          category(id: $category) { name }
        }`,
        { charlie: ids.charlie, author: ids.hiddenAuthor, category: ids.hiddenCategory },
      );
      expect(answer.errors).toEqual([]);
      expect(answer.data).toEqual({
        byId: null,
        typed: null,
        byPath: null,
        bySlug: null,
        author: null,
        category: null,
      });
    });

    it('lists only published pages and snippets, and counts only them', async () => {
      const answer = await anonymous(`{
        blogPosts { totalCount items { title } }
        pages { totalCount items { title } }
        drafts: pages(filter: { slug: { eq: "charlie" } }) { totalCount }
        authors { totalCount items { name } }
        categories { totalCount items { name } }
      }`);
      expect(answer.errors).toEqual([]);
      expect(answer.data).toEqual({
        blogPosts: { totalCount: 2, items: [{ title: 'Alpha gardens' }, { title: 'Bravo city' }] },
        pages: {
          totalCount: 4,
          items: [
            { title: 'Home' },
            { title: 'Blog' },
            { title: 'Alpha gardens' },
            { title: 'Bravo city' },
          ],
        },
        drafts: { totalCount: 0 },
        authors: { totalCount: 1, items: [{ name: 'Ann Writer' }] },
        categories: { totalCount: 2, items: [{ name: 'Cities' }, { name: 'Gardens' }] },
      });
      expect(answer.body).not.toMatch(DRAFT_WORDS);
    });

    it('leaves unpublished pages out of children, descendants, siblings and ancestors', async () => {
      const answer = await anonymous(
        `query ($blog: ID!, $alpha: ID!) {
          blog: page(id: $blog) { children { title } descendants { title } }
          home: page(urlPath: "/") { descendants { title } }
          alpha: page(id: $alpha) { siblings { title } ancestors { title } parent { title } }
        }`,
        { blog: site.blogId, alpha: ids.alpha },
      );
      expect(answer.errors).toEqual([]);
      expect(answer.data).toEqual({
        blog: {
          children: [{ title: 'Alpha gardens' }, { title: 'Bravo city' }],
          descendants: [{ title: 'Alpha gardens' }, { title: 'Bravo city' }],
        },
        home: {
          descendants: [{ title: 'Blog' }, { title: 'Alpha gardens' }, { title: 'Bravo city' }],
        },
        alpha: {
          siblings: [{ title: 'Bravo city' }],
          ancestors: [{ title: 'Home' }, { title: 'Blog' }],
          parent: { title: 'Blog' },
        },
      });
    });

    it('resolves links from a published post to unpublished content as missing', async () => {
      const answer = await anonymous(
        `query ($alpha: ID!) {
          blogPost(id: $alpha) {
            title
            author { name }
            categories { name }
            body { ... on BlogPostBodyParagraphBlock { value { html } } }
          }
        }`,
        { alpha: ids.alpha },
      );
      expect(answer.errors).toEqual([]);
      const post = answer.data?.blogPost as {
        title: string;
        author: unknown;
        categories: Array<{ name: string }>;
        body: Array<{ value: { html: string } }>;
      };
      expect(post.title).toBe('Alpha gardens');
      expect(post.author).toBeNull();
      expect(post.categories).toEqual([{ name: 'Gardens' }]);
      expect(post.body[0].value.html).not.toContain('/blog/charlie/');
      expect(answer.body).not.toMatch(DRAFT_WORDS);
    });

    it('finds no unpublished content by search', async () => {
      const answer = await anonymous(`{
        everything: search(query: "zeppelin") { totalCount }
        byTitle: search(query: "Charlie") { totalCount }
        snippets: search(query: "Hidden") { totalCount }
        posts: blogPosts(search: "zeppelin") { totalCount }
        edit: search(query: "unpublished") { totalCount }
        live: search(query: "gardens") { totalCount items { ... on BlogPost { title } } }
      }`);
      expect(answer.errors).toEqual([]);
      expect(answer.data).toMatchObject({
        everything: { totalCount: 0 },
        byTitle: { totalCount: 0 },
        snippets: { totalCount: 0 },
        posts: { totalCount: 0 },
        edit: { totalCount: 0 },
      });
      expect(answer.body).not.toMatch(DRAFT_WORDS);
      expect(answer.body).toContain('Alpha gardens');
    });
  });

  describe('drafts need a valid preview token or a read token with the right', () => {
    const draftQuery = `query ($charlie: ID!, $alpha: ID!) {
      charlie: blogPost(id: $charlie) { title }
      alpha: blogPost(id: $alpha) { title }
      blogPosts { items { title } }
    }`;
    const draftVariables = () => ({ charlie: ids.charlie, alpha: ids.alpha });
    const publishedOnly = () => ({
      charlie: null,
      alpha: { title: 'Alpha gardens' },
      blogPosts: { items: [{ title: 'Alpha gardens' }, { title: 'Bravo city' }] },
    });

    async function previewToken(body: Record<string, string>): Promise<string> {
      const response = await sendJson(`${app.baseUrl}/api/admin/preview-tokens`, body, {
        headers: asAdmin,
      });
      expect(response.status).toBe(201);
      return ((await response.json()) as { token: string }).token;
    }

    async function apiToken(accessToken: string, scopes: string[]): Promise<string> {
      const response = await sendJson(
        `${app.baseUrl}/api/auth/tokens`,
        { name: `GraphQL ${scopes.join(' ')}`, scopes },
        { headers: bearer(accessToken) },
      );
      expect(response.status).toBe(201);
      return ((await response.json()) as { token: string }).token;
    }

    it('shows drafts to a valid site preview token, privately (the control for the rest)', async () => {
      const token = await previewToken({ siteId: site.siteId });
      const answer = await ask(app, draftQuery, draftVariables(), { 'x-preview-token': token });
      expect(answer.errors).toEqual([]);
      expect(answer.data).toEqual({
        charlie: { title: 'Charlie unpublished' },
        alpha: { title: 'Alpha, unpublished edit' },
        blogPosts: {
          items: [
            { title: 'Charlie unpublished' },
            { title: 'Alpha, unpublished edit' },
            { title: 'Bravo city' },
          ],
        },
      });
      expect(answer.headers.get('cache-control')).toBe('private, no-store');
      // Preview tokens are for pages: snippets stay as published.
      const snippet = await ask(
        app,
        'query ($id: ID!) { author(id: $id) { name } }',
        { id: ids.hiddenAuthor },
        { 'x-preview-token': token },
      );
      expect(snippet.data).toEqual({ author: null });
    });

    it('shows nothing but published content without a token, whoever is signed in', async () => {
      const nobody = await createUser(app);
      const session = await signIn(app, nobody.email, TEST_PASSWORD);
      const admin = asAdmin.authorization.slice('Bearer '.length);
      for (const [who, headers] of [
        ['anonymous', {}],
        ['a superuser session (sessions never see drafts)', asAdmin],
        ['an API token without the read scope', bearer(await apiToken(admin, ['write']))],
        ['an unknown bearer token (ignored, as on every public route)', bearer('finch_nonsense')],
        ['a user session', bearer(session.accessToken)],
      ] as Array<[string, Record<string, string>]>) {
        const answer = await ask(app, draftQuery, draftVariables(), headers);
        expect({ who, errors: answer.errors, data: answer.data }).toEqual({
          who,
          errors: [],
          data: publishedOnly(),
        });
        expect(answer.body).not.toMatch(/Charlie unpublished|unpublished edit/);
      }
    });

    it('refuses a malformed, forged or expired preview token with PREVIEW_TOKEN_INVALID and no drafts', async () => {
      const valid = await previewToken({ pageId: ids.charlie });
      const signer = app.finch.app.get(DeliveryService).signer;
      const expired = signer.sign({
        scope: { kind: 'page', id: ids.charlie },
        expiresAt: Math.floor(Date.now() / 1000) - 1,
      });
      for (const [what, token, message] of [
        ['junk', 'junk', /malformed or was not issued by this server/],
        ['forged', `${valid.slice(0, -2)}xx`, /malformed or was not issued by this server/],
        ['expired', expired, /has expired/],
      ] as Array<[string, string, RegExp]>) {
        const answer = await ask(app, draftQuery, draftVariables(), { 'x-preview-token': token });
        expect({ what, data: answer.data ?? null }).toEqual({ what, data: null });
        const error = errorWithCode(answer, 'PREVIEW_TOKEN_INVALID');
        expect(error.extensions).toMatchObject({
          status: 401,
          type: 'urn:finch:problem:preview-token-invalid',
        });
        expect(error.message).toMatch(message);
        expect(error.message).toContain('POST /api/admin/preview-tokens');
        expect(answer.body).not.toMatch(/Charlie unpublished|unpublished edit/);
        expect(answer.headers.get('cache-control')).toBe('private, no-store');
      }
    });

    it('refuses a read token whose user may not edit the site with PERMISSION_DENIED and no drafts', async () => {
      const reader = await createUser(app);
      const session = await signIn(app, reader.email, TEST_PASSWORD);
      const token = await apiToken(session.accessToken, ['read']);
      const answer = await ask(app, draftQuery, draftVariables(), bearer(token));
      expect(answer.data ?? null).toBeNull();
      const error = errorWithCode(answer, 'PERMISSION_DENIED');
      expect(error.extensions).toMatchObject({ status: 403 });
      expect(error.message).toMatch(/change_page/);
      expect(answer.body).not.toMatch(/Charlie unpublished|unpublished edit/);
    });
  });

  describe('limits and switches are configurable', () => {
    let strict: TestApp;

    beforeAll(async () => {
      strict = await startTestApp({
        GRAPHQL_MAX_DEPTH: '3',
        GRAPHQL_MAX_COST: '50',
        GRAPHQL_MAX_ALIASES: '2',
        GRAPHQL_MAX_QUERY_LENGTH: '200',
        GRAPHQL_INTROSPECTION: 'false',
        GRAPHIQL: 'false',
      });
    }, 180_000);
    afterAll(async () => {
      await strict?.close();
    });

    it('GRAPHQL_MAX_DEPTH: refuses a query the default allows', async () => {
      const query = '{ pages { items { parent { id } } } }';
      expect((await ask(app, query)).errors).toEqual([]);
      const answer = await ask(strict, query);
      expectRefusedByLimit(answer, 'QUERY_TOO_DEEP', 3, 4);
      expect(answer.errors[0].message).toMatch(/^Query depth 4 exceeds the maximum of 3/);
    });

    it('GRAPHQL_MAX_COST: refuses a query the default allows, as a literal and as a variable', async () => {
      // 1 + 60 × (1 items + 1 id) = 121.
      const literal = '{ pages(limit: 60) { items { id } } }';
      expect((await ask(app, literal)).errors).toEqual([]);
      expectRefusedByLimit(await ask(strict, literal), 'QUERY_TOO_COSTLY', 50, 121);
      const variable = 'query ($n: Int) { pages(limit: $n) { items { id } } }';
      expect((await ask(strict, variable, { n: 20 })).errors).toEqual([]);
      expectRefusedByLimit(await ask(strict, variable, { n: 60 }), 'QUERY_TOO_COSTLY', 50, 121);
    });

    it('GRAPHQL_MAX_ALIASES: refuses a query the default allows', async () => {
      const query = '{ a: __typename b: __typename c: __typename }';
      expect((await ask(app, query)).errors).toEqual([]);
      expectRefusedByLimit(await ask(strict, query), 'TOO_MANY_ALIASES', 2, 3);
    });

    it('GRAPHQL_MAX_QUERY_LENGTH: refuses a query the default allows', async () => {
      const query = `{ __typename ${' '.repeat(200)}}`;
      expect((await ask(app, query)).errors).toEqual([]);
      expectRefusedByLimit(await ask(strict, query), 'QUERY_TOO_LONG', 200, query.length);
    });

    it('GRAPHQL_INTROSPECTION=false: refuses __schema and __type with INTROSPECTION_DISABLED, keeps __typename', async () => {
      for (const [query, field] of [
        ['{ __schema { queryType { name } } }', '__schema'],
        ['{ __type(name: "Page") { name } }', '__type'],
        [
          '{ pages { items { __typename ... on Page { id } } } __schema { types { name } } }',
          '__schema',
        ],
      ] as const) {
        const answer = await ask(strict, query);
        expect(answer.queries).toEqual([]);
        expect(answer.data ?? null).toBeNull();
        const error = errorWithCode(answer, 'INTROSPECTION_DISABLED');
        expect(error.message).toBe(
          `Introspection is disabled on this server, so "${field}" cannot be queried: remove it from the query.`,
        );
      }
      const typename = await ask(strict, '{ __typename pages { items { __typename } } }');
      expect(typename.errors).toEqual([]);
      expect(typename.data).toEqual({ __typename: 'Query', pages: { items: [] } });
    });

    it('GRAPHIQL=false: /graphiql is not found', async () => {
      for (const path of ['/graphiql', '/graphiql/main.js']) {
        const response = await fetch(`${strict.baseUrl}${path}`);
        expect({ path, status: response.status }).toEqual({ path, status: 404 });
        expect(await response.text()).not.toContain('GraphiQL');
      }
    });
  });
});
