import { PassThrough } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { progressOn } from '#src/schema-files/progress-reporter.js';

function stream(isTTY: boolean): PassThrough & { isTTY: boolean; text: () => string } {
  const output = Object.assign(new PassThrough(), { isTTY, columns: 100 });
  let text = '';
  output.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return Object.assign(output, { text: () => text });
}

describe('progressOn', () => {
  it('writes plain lines when not at a terminal: at the start, at most every interval, at the end', async () => {
    const output = stream(false);
    const progress = progressOn(output, { intervalMs: 60_000 });
    progress.start('Rewriting blog_post: pages', 1200);
    progress.advance(500);
    progress.advance(500);
    progress.advance(200);
    progress.finish();
    await new Promise((resolve) => setImmediate(resolve));
    expect(output.text()).toBe(
      'Rewriting blog_post: pages: 0/1200 (0%)\nRewriting blog_post: pages: 1200/1200 (100%)\n',
    );
  });

  it('draws a bar in place at a terminal', async () => {
    const output = stream(true);
    const progress = progressOn(output);
    progress.start('Rewriting blog_post: revisions', 10);
    progress.advance(10);
    progress.finish();
    await new Promise((resolve) => setImmediate(resolve));
    expect(output.text()).toContain('Rewriting blog_post: revisions [');
    expect(output.text()).toContain('100% | 10/10');
    expect(output.text()).toContain('\u001b[');
  });
});
