import { describe, expect, it } from '@jest/globals';
import type { ContentTypeDefinition } from '#src/content-types/content-type-definition.js';
import {
  changedTypeSettings,
  fieldChanges,
  rewriteContent,
} from '#src/schema-files/schema-changes.js';

const before: ContentTypeDefinition = {
  key: 'post',
  label: 'Post',
  kind: 'page',
  fields: [
    { key: 'intro', type: 'long_text', maxLength: 500 },
    { key: 'date', type: 'date' },
    { key: 'tags', type: 'choice', multiple: true, choices: [{ value: 'a' }] },
    { key: 'subtitle', type: 'text' },
    {
      key: 'body',
      type: 'stream',
      blocks: [
        { key: 'heading', type: 'text' },
        {
          key: 'quote',
          type: 'struct',
          fields: [
            { key: 'text', type: 'long_text' },
            { key: 'attribution', type: 'text' },
          ],
        },
        { key: 'video', type: 'url' },
      ],
    },
  ],
};

const after: ContentTypeDefinition = {
  key: 'post',
  label: 'Blog post',
  kind: 'page',
  fields: [
    { key: 'summary', renamedFrom: 'intro', type: 'long_text', maxLength: 300, label: 'Summary' },
    { key: 'date', type: 'datetime' },
    { key: 'tags', type: 'choice', multiple: false, choices: [{ value: 'a' }] },
    { key: 'subtitle', type: 'long_text' },
    {
      key: 'content',
      renamedFrom: 'body',
      type: 'stream',
      blocks: [
        { key: 'heading', type: 'text' },
        {
          key: 'pull_quote',
          renamedFrom: 'quote',
          type: 'struct',
          fields: [
            { key: 'text', type: 'long_text' },
            { key: 'source', renamedFrom: 'attribution', type: 'text' },
          ],
        },
      ],
    },
    { key: 'author', type: 'text', required: true },
  ],
};

describe('fieldChanges', () => {
  const changes = fieldChanges(before, after);
  const byName = (name: string) => changes.filter((change) => change.name === name);

  it('names renames by their new key and knows where the values are stored today', () => {
    expect(byName('post.summary')).toEqual([
      expect.objectContaining({
        kind: 'renamed',
        rewrites: true,
        dropsData: false,
        stored: [{ field: 'intro' }],
      }),
      expect.objectContaining({ kind: 'options_changed', mayNotFit: true, dropsData: false }),
    ]);
    expect(byName('post.content.pull_quote.source')).toEqual([
      expect.objectContaining({
        kind: 'renamed',
        stored: [{ field: 'body' }, { block: 'quote' }, { field: 'attribution' }],
        location: [{ field: 'content' }, { block: 'pull_quote' }, { field: 'source' }],
      }),
    ]);
  });

  it('marks what would drop stored data: removals and lossy type changes only', () => {
    expect(
      changes.filter((change) => change.dropsData).map((change) => [change.kind, change.name]),
    ).toEqual([
      ['type_changed', 'post.date'],
      ['removed', 'post.content.video'],
    ]);
    expect(byName('post.content.video')[0].stored).toEqual([{ field: 'body' }, { block: 'video' }]);
    expect(byName('post.subtitle')).toEqual([
      expect.objectContaining({ kind: 'type_changed', dropsData: false }),
    ]);
    expect(byName('post.tags')).toEqual([
      expect.objectContaining({ kind: 'options_changed', mayNotFit: true, dropsData: false }),
    ]);
    expect(byName('post.author')).toEqual([expect.objectContaining({ kind: 'added' })]);
  });

  it('does not count a newly required or unique field as losing stored values', () => {
    const stricter = structuredClone(before);
    Object.assign(stricter.fields[3], { required: true, unique: true });
    expect(fieldChanges(before, stricter)).toEqual([
      expect.objectContaining({ kind: 'options_changed', name: 'post.subtitle', mayNotFit: false }),
    ]);
  });

  it('sees nothing between a definition and itself, nor when its renames were applied already', () => {
    expect(fieldChanges(before, structuredClone(before))).toEqual([]);
    expect(fieldChanges(after, after)).toEqual([]);
    expect(changedTypeSettings(before, after)).toEqual(['label']);
  });
});

describe('rewriteContent', () => {
  const changes = fieldChanges(before, after);
  const content = {
    intro: 'Hello',
    date: '2026-01-01',
    tags: ['a'],
    body: [
      { type: 'quote', id: '1', value: { text: 't', attribution: 'Ada' } },
      { type: 'video', id: '2', value: 'https://example.com/v' },
    ],
  };

  it('renames outer then inner keys and drops only the losses it is given', () => {
    const allowed = new Set(changes.filter((change) => change.name === 'post.content.video'));
    expect(rewriteContent(content, changes, allowed)).toEqual({
      summary: 'Hello',
      date: '2026-01-01',
      tags: ['a'],
      content: [{ type: 'pull_quote', id: '1', value: { text: 't', source: 'Ada' } }],
    });
    expect(content.intro).toBe('Hello');
  });

  it('returns the same object when nothing applies to it', () => {
    const untouched = { title: 'x' };
    expect(rewriteContent(untouched, changes, new Set())).toBe(untouched);
  });
});
