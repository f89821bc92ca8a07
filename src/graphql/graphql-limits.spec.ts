import { describe, expect, it } from '@jest/globals';
import {
  GraphQLID,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  GraphQLUnionType,
  Kind,
  OperationTypeNode,
  getIntrospectionQuery,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type FieldNode,
  type SelectionSetNode,
} from 'graphql';
import { costOf, limitRules, nestingOf, type GraphqlLimits } from '#src/graphql/graphql-limits.js';

const Author = new GraphQLObjectType({
  name: 'Author',
  fields: { id: { type: new GraphQLNonNull(GraphQLID) }, name: { type: GraphQLString } },
});

const Comment = new GraphQLObjectType({
  name: 'Comment',
  fields: { body: { type: GraphQLString } },
});

const Post: GraphQLObjectType = new GraphQLObjectType({
  name: 'Post',
  fields: () => ({
    id: { type: new GraphQLNonNull(GraphQLID) },
    title: { type: GraphQLString },
    author: { type: Author, extensions: { cost: 2 } },
    related: {
      type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(Post))),
      args: { limit: { type: GraphQLInt } },
    },
    comments: {
      type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(Comment))),
      extensions: { defaultLimit: 5 },
    },
  }),
});

const PostList = new GraphQLObjectType({
  name: 'PostList',
  fields: {
    items: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(Post))) },
    totalCount: { type: new GraphQLNonNull(GraphQLInt) },
  },
});

const Entry = new GraphQLUnionType({ name: 'Entry', types: [Post, Author] });

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      posts: { type: new GraphQLNonNull(PostList), args: { limit: { type: GraphQLInt } } },
      post: { type: Post, args: { id: { type: new GraphQLNonNull(GraphQLID) } } },
      feed: {
        type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(Entry))),
        args: { limit: { type: GraphQLInt } },
      },
    },
  }),
});

/** Limits no test query reaches, so each test sets only the one it is about. */
const roomy: GraphqlLimits = {
  maxDepth: 100,
  maxCost: 100_000,
  maxAliases: 10_000,
  introspection: true,
};

function errorsOf(query: string | DocumentNode, limits: Partial<GraphqlLimits>) {
  const document = typeof query === 'string' ? parse(query) : query;
  return validate(schema, document, [
    ...specifiedRules,
    ...limitRules({ ...roomy, ...limits }),
  ]).map((error) => ({ message: error.message, extensions: error.extensions }));
}

function costOfQuery(query: string, variables?: Record<string, unknown>, operationName?: string) {
  return costOf(schema, parse(query), variables, operationName);
}

describe('limitRules: depth', () => {
  const fourLevels = '{ post(id: "1") { related { related { id } } } }';

  it('accepts a query exactly at maxDepth and refuses it one level over, saying both figures', () => {
    expect(errorsOf(fourLevels, { maxDepth: 4 })).toEqual([]);
    expect(errorsOf(fourLevels, { maxDepth: 3 })).toEqual([
      {
        message:
          'Query depth 4 exceeds the maximum of 3: request fewer nested levels, or split the query.',
        extensions: { code: 'QUERY_TOO_DEEP', limit: 3, actual: 4 },
      },
    ]);
  });

  it('counts the levels inside fragment spreads and inline fragments', () => {
    const query = `{ post(id: "1") { ...WithRelated } }
      fragment WithRelated on Post { ... on Post { related { id } } }`;
    expect(errorsOf(query, { maxDepth: 3 })).toEqual([]);
    expect(errorsOf(query, { maxDepth: 2 })).toMatchObject([
      { extensions: { code: 'QUERY_TOO_DEEP', limit: 2, actual: 3 } },
    ]);
  });

  it('measures each operation on its own and reports the deepest', () => {
    const query = `query Shallow { post(id: "1") { id } }
      query Deep { post(id: "1") { related { related { id } } } }`;
    expect(errorsOf(query, { maxDepth: 3 })).toMatchObject([
      { extensions: { code: 'QUERY_TOO_DEEP', limit: 3, actual: 4 } },
    ]);
  });

  it('adds no depth for introspection fields', () => {
    expect(errorsOf('{ post(id: "1") { related { __typename } } }', { maxDepth: 2 })).toEqual([]);
  });

  it('refuses a 2,000-level query for depth and for cost without overflowing the stack', () => {
    // graphql's parser recurses per level and overflows near 2,000, but Mercurius also accepts a
    // query sent as a JSON AST, which skips the parser: build the document the same way.
    const field = (name: string, selectionSet?: SelectionSetNode): FieldNode => ({
      kind: Kind.FIELD,
      name: { kind: Kind.NAME, value: name },
      selectionSet,
    });
    let selectionSet: SelectionSetNode = { kind: Kind.SELECTION_SET, selections: [field('id')] };
    for (let level = 0; level < 2000; level++) {
      selectionSet = { kind: Kind.SELECTION_SET, selections: [field('related', selectionSet)] };
    }
    const post: FieldNode = {
      ...field('post', selectionSet),
      arguments: [
        {
          kind: Kind.ARGUMENT,
          name: { kind: Kind.NAME, value: 'id' },
          value: { kind: Kind.STRING, value: '1' },
        },
      ],
    };
    const document: DocumentNode = {
      kind: Kind.DOCUMENT,
      definitions: [
        {
          kind: Kind.OPERATION_DEFINITION,
          operation: OperationTypeNode.QUERY,
          selectionSet: { kind: Kind.SELECTION_SET, selections: [post] },
        },
      ],
    };

    // post, 2,000 × related, id; each related multiplies by 10, so the cost saturates.
    expect(errorsOf(document, { maxDepth: 10, maxCost: 1000 })).toMatchObject([
      { extensions: { code: 'QUERY_TOO_DEEP', limit: 10, actual: 2002 } },
      { extensions: { code: 'QUERY_TOO_COSTLY', limit: 1000, actual: Number.MAX_SAFE_INTEGER } },
    ]);
  });
});

describe('limitRules and costOf: cost', () => {
  it('accepts a query exactly at maxCost and refuses it one over, saying both figures', () => {
    // post 1 + title 1 + author 2 (extensions.cost) + name 1
    const query = '{ post(id: "1") { title author { name } } }';
    expect(costOfQuery(query)).toBe(5);
    expect(errorsOf(query, { maxCost: 5 })).toEqual([]);
    expect(errorsOf(query, { maxCost: 4 })).toEqual([
      {
        message:
          'Query cost 5 exceeds the maximum of 4: ask for fewer items (a smaller limit) or fewer fields, or split the query.',
        extensions: { code: 'QUERY_TOO_COSTLY', limit: 4, actual: 5 },
      },
    ]);
  });

  it('multiplies the children of a list wrapper by its literal limit, not again at items', () => {
    // posts 1 + 5 × (totalCount 1 + items (1 + id 1 + title 1))
    expect(costOfQuery('{ posts(limit: 5) { totalCount items { id title } } }')).toBe(21);
  });

  it('multiplies by 10 when a list field is given no limit and declares no defaultLimit', () => {
    // posts 1 + 10 × items (1 + id 1 + title 1)
    const query = '{ posts { items { id title } } }';
    expect(costOfQuery(query)).toBe(31);
    expect(errorsOf(query, { maxCost: 30 })).toMatchObject([
      { extensions: { code: 'QUERY_TOO_COSTLY', limit: 30, actual: 31 } },
    ]);
  });

  it("multiplies by the field's extensions.defaultLimit when given no limit", () => {
    // post 1 + comments (1 + 5 × body 1)
    expect(costOfQuery('{ post(id: "1") { comments { body } } }')).toBe(7);
  });

  it('takes limit from the variables when known, else from the variable default, else 10', () => {
    const query = 'query Feed($n: Int) { posts(limit: $n) { items { id } } }';
    // posts 1 + n × items (1 + id 1)
    expect(costOfQuery(query, { n: 3 })).toBe(7);
    expect(costOfQuery(query)).toBe(21);

    const withDefault = 'query Feed($n: Int = 4) { posts(limit: $n) { items { id } } }';
    expect(costOfQuery(withDefault)).toBe(9);
    expect(costOfQuery(withDefault, { n: 2 })).toBe(5);
    // The rule sees no variables (Mercurius validates a query text once), so it uses the default.
    expect(errorsOf(withDefault, { maxCost: 8 })).toMatchObject([
      { extensions: { code: 'QUERY_TOO_COSTLY', limit: 8, actual: 9 } },
    ]);
  });

  it('multiplies nested lists', () => {
    // posts 1 + 2 × items (1 + related (1 + 3 × id 1))
    expect(costOfQuery('{ posts(limit: 2) { items { related(limit: 3) { id } } } }')).toBe(11);
    // post 1 + related (1 + 2 × related (1 + 3 × title 1))
    expect(
      costOfQuery('{ post(id: "1") { related(limit: 2) { related(limit: 3) { title } } } }'),
    ).toBe(10);
  });

  it('counts fields inside fragment spreads and inline fragments', () => {
    const query = `{ posts(limit: 2) { items { ...Card } } }
      fragment Card on Post { title ... on Post { author { name } } }`;
    // Card: title 1 + author (2 + name 1) = 4; posts 1 + 2 × items (1 + 4)
    expect(costOfQuery(query)).toBe(11);
    expect(errorsOf(query, { maxCost: 10 })).toMatchObject([
      { extensions: { code: 'QUERY_TOO_COSTLY', limit: 10, actual: 11 } },
    ]);
  });

  it('costs a union selection at its costliest member, not the sum of all members', () => {
    const query = `{ feed(limit: 3) {
      __typename ... on Post { title author { name } } ... on Author { name } } }`;
    // Post: title 1 + author (2 + 1) = 4; Author: name 1; feed 1 + 3 × 4
    expect(costOfQuery(query)).toBe(13);
  });

  it('leaves out what @skip and @include exclude, when their condition is known', () => {
    const query = `query Post($withAuthor: Boolean = false) { post(id: "1") {
      title author @include(if: $withAuthor) { name } related @skip(if: true) { id } } }`;
    expect(costOfQuery(query)).toBe(2);
    expect(costOfQuery(query, { withAuthor: true })).toBe(5);
  });

  it('costs introspection fields nothing', () => {
    expect(costOfQuery('{ __typename post(id: "1") { __typename id } }')).toBe(2);
    expect(costOfQuery(getIntrospectionQuery())).toBe(0);
  });

  it('costs the named operation, or without a name the costliest one', () => {
    const query = `query Cheap { post(id: "1") { id } }
      query Dear { posts(limit: 4) { items { id } } }`;
    expect(costOfQuery(query, undefined, 'Cheap')).toBe(2);
    expect(costOfQuery(query, undefined, 'Dear')).toBe(9);
    expect(costOfQuery(query)).toBe(9);
    expect(costOfQuery(query, undefined, 'Missing')).toBe(0);
  });

  it('accepts a query whose required variables the rule cannot see', () => {
    // graphql-query-complexity's own rule refuses this ("Variable "$id" … was not provided").
    expect(errorsOf('query Post($id: ID!) { post(id: $id) { title } }', { maxCost: 2 })).toEqual(
      [],
    );
  });
});

describe('limitRules: aliases', () => {
  it('counts aliases in the whole document, a fragment once per spread, refusing one over', () => {
    const query = `{
      first: post(id: "1") { ...Titles }
      second: post(id: "2") { ...Titles }
    }
    fragment Titles on Post { heading: title ... on Post { name: title } }`;
    // first, second, and heading + name twice
    expect(errorsOf(query, { maxAliases: 6 })).toEqual([]);
    expect(errorsOf(query, { maxAliases: 5 })).toEqual([
      {
        message:
          'Query uses 6 aliases, more than the maximum of 5: ask for each field once, or split the query.',
        extensions: { code: 'TOO_MANY_ALIASES', limit: 5, actual: 6 },
      },
    ]);
  });

  it('refuses 1,000 aliases of one field', () => {
    const aliases = Array.from({ length: 1000 }, (_, index) => `t${index}: title`).join(' ');
    expect(errorsOf(`{ post(id: "1") { ${aliases} } }`, { maxAliases: 100 })).toMatchObject([
      { extensions: { code: 'TOO_MANY_ALIASES', limit: 100, actual: 1000 } },
    ]);
  });

  it('measures fragments spread twice at every level without walking each copy', () => {
    // F30 holds 2^30 copies of F0: counting them one by one would not finish.
    const fragments = Array.from(
      { length: 30 },
      (_, index) => `fragment F${index + 1} on Post { ...F${index} ...F${index} }`,
    ).join('\n');
    const query = `{ post(id: "1") { ...F30 } }
      fragment F0 on Post { heading: title }
      ${fragments}`;
    expect(errorsOf(query, { maxAliases: 1000, maxCost: 1000 })).toMatchObject([
      { extensions: { code: 'QUERY_TOO_COSTLY', limit: 1000, actual: 2 ** 30 + 1 } },
      { extensions: { code: 'TOO_MANY_ALIASES', limit: 1000, actual: 2 ** 30 } },
    ]);
  });
});

describe('limitRules: fragment cycles', () => {
  it("leaves a fragment cycle to graphql's own rule, and ends", () => {
    const query = `{ post(id: "1") { ...A } }
      fragment A on Post { related { ...B } }
      fragment B on Post { related { ...A } }`;
    expect(errorsOf(query, { maxDepth: 3, maxCost: 100, maxAliases: 0 })).toEqual([
      {
        message: 'Cannot spread fragment "A" within itself via "B".',
        extensions: {},
      },
    ]);
    expect(costOfQuery(query)).toEqual(expect.any(Number));
  });
});

describe('limitRules: introspection', () => {
  it('refuses __schema and __type when introspection is off, once per query field', () => {
    expect(errorsOf('{ __schema { queryType { name } } }', { introspection: false })).toEqual([
      {
        message:
          'Introspection is disabled on this server, so "__schema" cannot be queried: remove it from the query.',
        extensions: { code: 'INTROSPECTION_DISABLED' },
      },
    ]);
    expect(
      errorsOf('{ __type(name: "Post") { fields { name } } }', { introspection: false }),
    ).toMatchObject([{ extensions: { code: 'INTROSPECTION_DISABLED' } }]);
  });

  it('allows __typename when introspection is off', () => {
    expect(errorsOf('{ post(id: "1") { __typename id } }', { introspection: false })).toEqual([]);
  });

  it('accepts the full introspection query with maxDepth 10 when introspection is on', () => {
    expect(
      errorsOf(getIntrospectionQuery(), { introspection: true, maxDepth: 10, maxCost: 0 }),
    ).toEqual([]);
  });
});

describe('nestingOf', () => {
  it('counts brackets of every kind, but not inside strings, block strings or comments', () => {
    expect(nestingOf('{ a { b(x: [1, { y: 2 }]) } }')).toBe(5);
    expect(nestingOf('{ a(s: "{{{{ \\" {{") }')).toBe(2);
    expect(nestingOf('{ a(s: """ {{{{ """) } # {{{{{{')).toBe(2);
    expect(nestingOf(`{${'a{'.repeat(2000)}b${'}'.repeat(2000)}}`)).toBe(2001);
  });
});
