import { describe, expect, it } from '@jest/globals';
import type { ContentTypeDefinition } from '#src/content-types/content-type-definition.js';
import { diffDefinitions, rewriteContentForRenames } from '#src/content-types/definition-diff.js';

const before: ContentTypeDefinition = {
  key: 'post',
  label: 'Post',
  kind: 'page',
  fields: [
    { key: 'summary', type: 'text', maxLength: 100 },
    { key: 'count', type: 'number' },
    { key: 'legacy', type: 'text' },
    { key: 'colour', type: 'choice', choices: [{ value: 'red' }, { value: 'blue' }] },
    {
      key: 'body',
      type: 'stream',
      blocks: [
        { key: 'heading', type: 'text' },
        {
          key: 'citation',
          type: 'struct',
          fields: [
            { key: 'words', type: 'long_text' },
            { key: 'by', type: 'text' },
          ],
        },
      ],
    },
  ],
};

const after: ContentTypeDefinition = {
  key: 'post',
  label: 'Blog post',
  kind: 'page',
  fields: [
    { key: 'intro', type: 'long_text', renamedFrom: 'summary', maxLength: 200, label: 'Intro' },
    { key: 'count', type: 'text' },
    { key: 'colour', type: 'choice', choices: [{ value: 'red' }] },
    { key: 'date', type: 'date', required: true },
    {
      key: 'body',
      type: 'stream',
      blocks: [
        { key: 'heading', type: 'text' },
        {
          key: 'quote',
          type: 'struct',
          renamedFrom: 'citation',
          fields: [
            { key: 'text', type: 'long_text', renamedFrom: 'words' },
            { key: 'by', type: 'text' },
          ],
        },
      ],
    },
  ],
};

describe('diffDefinitions', () => {
  it('lists added, removed, renamed, retyped and changed fields, recursively, with their risk', () => {
    const changes = diffDefinitions(before, after).map(({ kind, path, from, canLoseData }) => ({
      kind,
      path,
      ...(from ? { from } : {}),
      canLoseData,
    }));
    expect(changes).toEqual([
      { kind: 'renamed', path: 'intro', from: 'summary', canLoseData: false },
      { kind: 'type_changed', path: 'intro', canLoseData: false },
      { kind: 'type_changed', path: 'count', canLoseData: true },
      { kind: 'options_changed', path: 'colour', canLoseData: true },
      { kind: 'added', path: 'date', canLoseData: false },
      { kind: 'renamed', path: 'body.quote', from: 'body.citation', canLoseData: false },
      { kind: 'renamed', path: 'body.quote.text', from: 'body.quote.words', canLoseData: false },
      { kind: 'removed', path: 'legacy', canLoseData: true },
    ]);
  });

  it('finds nothing between a definition and itself, and only harmless changes for labels', () => {
    expect(diffDefinitions(before, before)).toEqual([]);
    expect(
      diffDefinitions(before, {
        ...before,
        fields: before.fields.map((f) => ({ ...f, label: 'x' })),
      }),
    ).toEqual([]);
  });

  it('widening limits cannot lose data, narrowing them can', () => {
    const widen = diffDefinitions(before, {
      ...before,
      fields: [{ key: 'summary', type: 'text', maxLength: 500 }, ...before.fields.slice(1)],
    });
    expect(widen).toMatchObject([{ kind: 'options_changed', canLoseData: false }]);
    const narrow = diffDefinitions(before, {
      ...before,
      fields: [{ key: 'summary', type: 'text', maxLength: 50 }, ...before.fields.slice(1)],
    });
    expect(narrow).toMatchObject([{ kind: 'options_changed', canLoseData: true }]);
  });
});

describe('rewriteContentForRenames', () => {
  it('moves values of renamed fields and blocks, however deep, without touching the input', () => {
    const content = {
      summary: 'Hi',
      legacy: 'kept for the caller to decide',
      body: [
        { type: 'heading', id: '1', value: 'H' },
        { type: 'citation', id: '2', value: { words: 'To be', by: 'W.S.' } },
      ],
    };
    const copy = structuredClone(content);
    const rewritten = rewriteContentForRenames(diffDefinitions(before, after), content);
    expect(rewritten).toEqual({
      intro: 'Hi',
      legacy: 'kept for the caller to decide',
      body: [
        { type: 'heading', id: '1', value: 'H' },
        { type: 'quote', id: '2', value: { text: 'To be', by: 'W.S.' } },
      ],
    });
    expect(content).toEqual(copy);
  });
});
