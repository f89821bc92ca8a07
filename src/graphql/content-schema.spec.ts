import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { GraphQLObjectType, GraphQLUnionType, validateSchema } from 'graphql';
import type {
  ContentTypeDefinition,
  SchemaFile,
} from '#src/content-types/content-type-definition.js';
import { PROJECT_ROOT } from '#src/config/project-paths.js';
import { buildContentSchema } from '#src/graphql/content-schema.js';
import {
  fieldNameOf,
  graphqlNameErrors,
  pluralOf,
  queryNamesOf,
  typeNameOf,
} from '#src/graphql/graphql-names.js';

const example = (
  JSON.parse(
    readFileSync(path.join(PROJECT_ROOT, 'examples', 'blog.schema.json'), 'utf8'),
  ) as SchemaFile
).contentTypes;

const snippet = (
  key: string,
  fields: ContentTypeDefinition['fields'] = [],
): ContentTypeDefinition => ({
  key,
  label: key,
  kind: 'snippet',
  fields: [{ key: 'name', type: 'text' }, ...fields],
});

describe('GraphQL names of content types', () => {
  it('maps keys to type, field and query names predictably', () => {
    expect(typeNameOf('blog_post')).toBe('BlogPost');
    expect(typeNameOf('faq_2')).toBe('Faq2');
    expect(fieldNameOf('hero_image')).toBe('heroImage');
    expect(queryNamesOf('blog_post')).toEqual({ single: 'blogPost', list: 'blogPosts' });
    expect(queryNamesOf('category')).toEqual({ single: 'category', list: 'categories' });
    expect(queryNamesOf('blog_index')).toEqual({ single: 'blogIndex', list: 'blogIndexes' });
    expect(pluralOf('day')).toBe('days');
    expect(pluralOf('branch')).toBe('branches');
  });

  it('finds no clash in the example blog', () => {
    expect(graphqlNameErrors(example)).toEqual([]);
  });

  it('reports clashes against the later type, with the path of the key to change', () => {
    const errors = graphqlNameErrors([
      snippet('blog_post'),
      snippet('blog__post'),
      snippet('image'),
      snippet('me'),
      snippet('news', [
        { key: 'hero_2', type: 'text' },
        { key: 'hero2', type: 'text' },
        { key: 'title', type: 'text' },
      ]),
    ]);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ typeKey: 'blog__post', path: 'key' }),
        expect.objectContaining({
          typeKey: 'image',
          path: 'key',
          message: expect.stringContaining("GraphQL type Image, which Finch's own schema uses"),
        }),
        expect.objectContaining({
          typeKey: 'me',
          message: expect.stringContaining("GraphQL query me, which Finch's own schema uses"),
        }),
        expect.objectContaining({ typeKey: 'news', path: 'fields[2].key' }),
        expect.objectContaining({ typeKey: 'news', path: 'fields[3].key' }),
      ]),
    );
    expect(errors.some((error) => error.typeKey === 'blog_post')).toBe(false);
  });

  it('reports block names that clash across types (blog.post_body vs blog_post.body)', () => {
    const stream = (key: string): ContentTypeDefinition['fields'][number] => ({
      key,
      type: 'stream',
      blocks: [{ key: 'heading', type: 'text' }],
    });
    const errors = graphqlNameErrors([
      { ...snippet('blog_post', [stream('body')]) },
      { ...snippet('blog', [stream('post_body')]) },
    ]);
    expect(errors).toEqual([
      expect.objectContaining({
        typeKey: 'blog',
        path: 'fields[1]',
        message: expect.stringContaining('BlogPostBodyBlock'),
      }),
      expect.objectContaining({ typeKey: 'blog', path: 'fields[1].blocks[0].key' }),
    ]);
  });
});

describe('the generated content schema', () => {
  it('builds a valid schema for the example blog, with the documented names', () => {
    const { schema, skipped } = buildContentSchema(example, { defaultLimit: 20 });
    expect(skipped).toEqual([]);
    expect(validateSchema(schema)).toEqual([]);
    const query = schema.getQueryType()?.getFields() ?? {};
    expect(Object.keys(query).sort()).toEqual(
      [
        'author',
        'authors',
        'blogIndex',
        'blogIndexes',
        'blogPost',
        'blogPosts',
        'categories',
        'category',
        'home',
        'homes',
        'page',
        'pages',
        'search',
      ].sort(),
    );
    const post = schema.getType('BlogPost') as GraphQLObjectType;
    expect(post.getInterfaces().map((type) => type.name)).toEqual(['Page']);
    expect(String(post.getFields().author.type)).toBe('Author');
    expect(String(post.getFields().categories.type)).toBe('[Category!]!');
    expect(String(post.getFields().body.type)).toBe('[BlogPostBodyBlock!]!');
    const blocks = schema.getType('BlogPostBodyBlock') as GraphQLUnionType;
    expect(
      blocks
        .getTypes()
        .map((type) => type.name)
        .sort(),
    ).toEqual([
      'BlogPostBodyHeadingBlock',
      'BlogPostBodyImageBlock',
      'BlogPostBodyParagraphBlock',
      'BlogPostBodyQuoteBlock',
    ]);
    const image = schema.getType('BlogPostBodyImageValue') as GraphQLObjectType;
    expect(Object.keys(image.getFields())).toEqual(['image', 'caption']);
    expect(
      String((schema.getType('BlogIndex') as GraphQLObjectType).getFields().postsPerPage.type),
    ).toBe('Int');
    expect(
      Object.keys((schema.getType('BlogPostFilter') as GraphQLObjectType).getFields()).sort(),
    ).toEqual(['author', 'categories', 'date', 'tags']);
  });

  it('nests structs, lists and streams as deep as the definition goes', () => {
    const deep: ContentTypeDefinition = {
      key: 'landing',
      label: 'Landing',
      kind: 'page',
      fields: [
        {
          key: 'sections',
          type: 'stream',
          blocks: [
            {
              key: 'gallery',
              type: 'list',
              item: {
                key: 'item',
                type: 'struct',
                fields: [
                  { key: 'photo', type: 'image' },
                  {
                    key: 'notes',
                    type: 'stream',
                    blocks: [{ key: 'note', type: 'long_text' }],
                  },
                ],
              },
            },
            { key: 'amount', type: 'number', numberType: 'integer' },
          ],
        },
      ],
    };
    const { schema } = buildContentSchema([deep], { defaultLimit: 20 });
    expect(validateSchema(schema)).toEqual([]);
    const gallery = schema.getType('LandingSectionsGalleryBlock') as GraphQLObjectType;
    expect(String(gallery.getFields().value.type)).toBe('[LandingSectionsGalleryItemValue]!');
    const item = schema.getType('LandingSectionsGalleryItemValue') as GraphQLObjectType;
    expect(String(item.getFields().notes.type)).toBe('[LandingSectionsGalleryItemNotesBlock!]!');
    // An integer without bounds may not fit GraphQL's 32-bit Int.
    const amount = schema.getType('LandingSectionsAmountBlock') as GraphQLObjectType;
    expect(String(amount.getFields().value.type)).toBe('Float');
  });

  it('leaves out types whose names clash, and serves the rest', () => {
    const { schema, skipped } = buildContentSchema(
      [snippet('faq'), snippet('image'), snippet('blog_post'), snippet('blog__post')],
      { defaultLimit: 20 },
    );
    expect([...new Set(skipped.map((error) => error.typeKey))].sort()).toEqual([
      'blog__post',
      'image',
    ]);
    expect(validateSchema(schema)).toEqual([]);
    expect(schema.getType('Faq')).toBeDefined();
    expect(schema.getType('BlogPost')).toBeDefined();
  });

  it('builds with no content types at all', () => {
    const { schema } = buildContentSchema([], { defaultLimit: 20 });
    expect(validateSchema(schema)).toEqual([]);
  });
});
