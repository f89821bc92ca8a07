import { randomUUID } from 'node:crypto';
import type {
  ContentValues,
  StreamBlockValue,
} from '#src/content-types/content-type-definition.js';

/**
 * The sample content `finch seed --example` loads into the example blog
 * (`examples/blog.schema.json`): people and categories (snippets), a home page, a blog
 * index and its posts. Written as data so the seed command only has to feed it to the
 * services; references between items are by `ref` names resolved to ids while seeding.
 */

interface RichTextNode {
  type: string;
  text?: string;
  attrs?: Record<string, unknown>;
  marks?: Array<{ type: string; attrs?: Record<string, unknown> }>;
  content?: RichTextNode[];
}

const text = (value: string, marks?: RichTextNode['marks']): RichTextNode =>
  marks ? { type: 'text', text: value, marks } : { type: 'text', text: value };

/** A rich text document of paragraphs; `*word*` is bold, `[label](https://…)` a link. */
export function richText(...paragraphs: string[]): RichTextNode {
  return {
    type: 'doc',
    content: paragraphs.map((paragraph) => ({
      type: 'paragraph',
      content: inline(paragraph),
    })),
  };
}

function inline(paragraph: string): RichTextNode[] {
  const nodes: RichTextNode[] = [];
  const pattern = /\*([^*]+)\*|\[([^\]]+)\]\(([^)]+)\)/g;
  let last = 0;
  for (const match of paragraph.matchAll(pattern)) {
    if (match.index > last) nodes.push(text(paragraph.slice(last, match.index)));
    if (match[1]) nodes.push(text(match[1], [{ type: 'bold' }]));
    else nodes.push(text(match[2], [{ type: 'link', attrs: { href: match[3] } }]));
    last = match.index + match[0].length;
  }
  if (last < paragraph.length) nodes.push(text(paragraph.slice(last)));
  return nodes;
}

type BodyBlock =
  { heading: string } | { paragraph: string[] } | { quote: string; attribution?: string };

/** A stream value of heading, paragraph and quote blocks, each with a fresh block id. */
export function streamBody(blocks: BodyBlock[]): StreamBlockValue[] {
  return blocks.map((block) => {
    if ('heading' in block) return { type: 'heading', id: randomUUID(), value: block.heading };
    if ('paragraph' in block) {
      return { type: 'paragraph', id: randomUUID(), value: richText(...block.paragraph) };
    }
    return {
      type: 'quote',
      id: randomUUID(),
      value: block.attribution
        ? { text: block.quote, attribution: block.attribution }
        : { text: block.quote },
    };
  });
}

export interface ExampleSnippet {
  ref: string;
  type: 'author' | 'category';
  title: string;
  content: ContentValues;
}

export interface ExamplePost {
  slug: string;
  title: string;
  intro: string;
  /** Days before the seed ran (published posts); the scheduled one is in the future. */
  daysAgo: number;
  author: string;
  categories: string[];
  tags: string[];
  body: BodyBlock[];
  state: 'published' | 'draft' | 'scheduled';
}

export const EXAMPLE_SNIPPETS: ExampleSnippet[] = [
  {
    ref: 'ada',
    type: 'author',
    title: 'Ada Byron',
    content: {
      name: 'Ada Byron',
      bio: richText('Ada edits the blog and writes about *content modelling* and publishing.'),
    },
  },
  {
    ref: 'grace',
    type: 'author',
    title: 'Grace Hopper',
    content: {
      name: 'Grace Hopper',
      bio: richText(
        'Grace writes about the server side: APIs, caching and [PostgreSQL](https://www.postgresql.org/).',
      ),
    },
  },
  {
    ref: 'alan',
    type: 'author',
    title: 'Alan Kay',
    content: { name: 'Alan Kay', bio: richText('Alan writes about editors and their tools.') },
  },
  {
    ref: 'news',
    type: 'category',
    title: 'News',
    content: { name: 'News', slug: 'news' },
  },
  {
    ref: 'guides',
    type: 'category',
    title: 'Guides',
    content: { name: 'Guides', slug: 'guides' },
  },
  {
    ref: 'engineering',
    type: 'category',
    title: 'Engineering',
    content: { name: 'Engineering', slug: 'engineering' },
  },
];

export const EXAMPLE_HOME = {
  title: 'Welcome to Finch',
  slug: 'home',
  content: {
    intro: 'This is the example site that comes with Finch: a home page, a blog and its posts.',
    body: streamBody([
      { heading: 'What is here' },
      {
        paragraph: [
          'Every page you see was written through Finch’s management API and is read back through the *delivery API* at /api/v2/pages.',
          'Open the [documentation](https://github.com/) to model your own content.',
        ],
      },
    ]),
  } as ContentValues,
};

export const EXAMPLE_BLOG_INDEX = {
  title: 'Blog',
  slug: 'blog',
  content: {
    intro: 'News, guides and notes from the people who build Finch.',
    posts_per_page: 10,
  } as ContentValues,
};

export const EXAMPLE_POSTS: ExamplePost[] = [
  {
    slug: 'hello-finch',
    title: 'Hello, Finch',
    intro: 'Why we built a headless CMS with the batteries included.',
    daysAgo: 30,
    author: 'ada',
    categories: ['news'],
    tags: ['news', 'release'],
    state: 'published',
    body: [
      {
        paragraph: [
          'Finch is a content management system for teams who want their content in *one place* and their websites free to be built with anything.',
        ],
      },
      { heading: 'Batteries included' },
      {
        paragraph: [
          'Users, groups and permissions, revisions, scheduled publishing and an audit log come with it, so nobody has to assemble them.',
        ],
      },
      { quote: 'Content types are data, not code.', attribution: 'The Finch design notes' },
    ],
  },
  {
    slug: 'modelling-a-blog',
    title: 'Modelling a blog with content types',
    intro: 'A walk through the example schema: pages, snippets and stream fields.',
    daysAgo: 24,
    author: 'ada',
    categories: ['guides'],
    tags: ['howto'],
    state: 'published',
    body: [
      { heading: 'Pages and snippets' },
      {
        paragraph: [
          'Pages form a tree: the home page holds the blog index, which holds the posts. Snippets such as authors and categories live in flat collections and are linked from pages.',
        ],
      },
      { heading: 'Stream fields' },
      {
        paragraph: [
          'A post’s body is a *stream*: an ordered list of headings, paragraphs, images and quotes that editors arrange freely.',
        ],
      },
    ],
  },
  {
    slug: 'schema-files-in-git',
    title: 'Keeping content types in git',
    intro: 'Export, diff and apply schema files so every environment stays in step.',
    daysAgo: 18,
    author: 'grace',
    categories: ['guides', 'engineering'],
    tags: ['howto'],
    state: 'published',
    body: [
      {
        paragraph: [
          'Run *npm run finch -- schema export* to write every content type to a file, commit it, and apply it elsewhere with *schema apply*.',
        ],
      },
      { heading: 'Renames keep their data' },
      {
        paragraph: [
          'Give a field a new key with renamedFrom and apply rewrites the stored pages and revisions for you.',
        ],
      },
    ],
  },
  {
    slug: 'fast-reads',
    title: 'Fast reads from the delivery API',
    intro: 'ETags, caching and one query per listing, whatever its size.',
    daysAgo: 12,
    author: 'grace',
    categories: ['engineering'],
    tags: ['opinion'],
    state: 'published',
    body: [
      {
        paragraph: [
          'Published reads carry an ETag and are cached until something is published, unpublished, moved or deleted.',
        ],
      },
      { quote: 'The fastest query is the one you do not send.', attribution: 'Grace' },
    ],
  },
  {
    slug: 'scheduling-posts',
    title: 'Scheduling posts',
    intro: 'Publish at nine on Monday without being at your desk.',
    daysAgo: 6,
    author: 'alan',
    categories: ['guides'],
    tags: ['howto'],
    state: 'published',
    body: [
      {
        paragraph: [
          'Pick a go-live time when you publish: Finch publishes the revision on time, exactly once, even across restarts.',
        ],
      },
    ],
  },
  {
    slug: 'revisions-and-reverts',
    title: 'Every save is a revision',
    intro: 'Compare any two versions of a page and bring back an old one.',
    daysAgo: 2,
    author: 'alan',
    categories: ['news', 'guides'],
    tags: ['news'],
    state: 'published',
    body: [
      { heading: 'Nothing is lost' },
      {
        paragraph: [
          'Each save keeps the full content. Compare two revisions field by field, block by block, and revert to any of them.',
        ],
      },
    ],
  },
  {
    slug: 'draft-notes-on-workflows',
    title: 'Notes on moderation workflows',
    intro: 'A draft: how reviews will work.',
    daysAgo: 0,
    author: 'ada',
    categories: ['engineering'],
    tags: ['opinion'],
    state: 'draft',
    body: [{ paragraph: ['Still a draft: only editors and preview links can see it.'] }],
  },
  {
    slug: 'coming-soon',
    title: 'Coming soon: feeds',
    intro: 'RSS, Atom and JSON Feed for every blog.',
    daysAgo: -7,
    author: 'grace',
    categories: ['news'],
    tags: ['release'],
    state: 'scheduled',
    body: [{ paragraph: ['This post is scheduled: it goes live a week after the seed ran.'] }],
  },
];
