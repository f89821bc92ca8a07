import { randomUUID } from 'node:crypto';

/**
 * Realistic, reproducible content for the bench's blog: titles, slugs, intros and stream
 * bodies of a few KB, made from a small vocabulary by a seeded pseudo-random generator, so a
 * reseed gives pages of the same sizes and shapes (ids differ, text does not).
 */

const WORDS = (
  'the of and to in is for on with as by at from that this it be are was an or we you our ' +
  'their more new how why what when after before about into over under between through ' +
  'content editor page pages publish draft revision review team site blog story stories ' +
  'reader readers garden river city morning evening winter summer spring autumn light ' +
  'coffee kitchen recipe bread travel train station mountain lake forest island harbour ' +
  'design system systems code server database query index cache latency release version ' +
  'feature features migration schema field fields stream block blocks rich text image ' +
  'photo camera music record album concert library book books chapter author writer ' +
  'notes note letter letters field guide small large quiet bright careful simple honest ' +
  'patient steady early late long short first last every other better faster slower ' +
  'building learning writing reading running cooking walking planning measuring shipping ' +
  'community people neighbours friends family school work office home street market ' +
  'weather rain wind snow sun cloud harvest season week month year years decade history ' +
  'future present past change growth practice craft habit habits tool tools method'
).split(' ');

/** mulberry32: a tiny, fast, seedable generator; quality is ample for filler text. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;

const pick = <T>(random: Random, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)];
const between = (random: Random, min: number, max: number) =>
  min + Math.floor(random() * (max - min + 1));
const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function words(random: Random, count: number): string[] {
  return Array.from({ length: count }, () => pick(random, WORDS));
}

function sentence(random: Random): string {
  return `${capitalised(words(random, between(random, 8, 18)).join(' '))}.`;
}

export function sentences(random: Random, count: number): string {
  return Array.from({ length: count }, () => sentence(random)).join(' ');
}

export function titleOf(random: Random): string {
  return capitalised(words(random, between(random, 3, 7)).join(' '));
}

/** Lowercase words joined by hyphens, then the page's number, so siblings never collide. */
export function slugOf(title: string, number: number): string {
  return `${title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60)}-${number}`;
}

interface RichTextNode {
  type: string;
  text?: string;
  attrs?: Record<string, unknown>;
  marks?: Array<{ type: string; attrs?: Record<string, unknown> }>;
  content?: RichTextNode[];
}

/** A ProseMirror paragraph: plain text with the odd bold word and an external link. */
function richParagraph(random: Random): RichTextNode {
  const content: RichTextNode[] = [{ type: 'text', text: `${sentences(random, 2)} ` }];
  if (random() < 0.5) {
    content.push({ type: 'text', text: words(random, 2).join(' '), marks: [{ type: 'bold' }] });
    content.push({ type: 'text', text: ` ${sentences(random, 1)} ` });
  }
  if (random() < 0.4) {
    content.push({
      type: 'text',
      text: words(random, 3).join(' '),
      marks: [{ type: 'link', attrs: { href: `https://example.com/${pick(random, WORDS)}` } }],
    });
    content.push({ type: 'text', text: '. ' });
  }
  content.push({ type: 'text', text: sentences(random, between(random, 1, 3)) });
  return { type: 'paragraph', content };
}

export function richTextDocument(random: Random, paragraphs: number): RichTextNode {
  return { type: 'doc', content: Array.from({ length: paragraphs }, () => richParagraph(random)) };
}

/** Block keys of the example blog's `body` stream. */
export interface BodyBlockKeys {
  heading: string;
  paragraph: string;
  quote?: string;
}

export interface StreamBlock {
  type: string;
  id: string;
  value: unknown;
}

/**
 * A post body: sections of a heading and two to four paragraphs, a quote now and then —
 * about 3–5 KB of JSON, like a real blog post's stream.
 */
export function streamBody(
  random: Random,
  keys: BodyBlockKeys,
  quoteValue: (random: Random) => unknown,
): StreamBlock[] {
  const blocks: StreamBlock[] = [];
  const sections = between(random, 2, 3);
  for (let section = 0; section < sections; section += 1) {
    blocks.push({ type: keys.heading, id: randomUUID(), value: titleOf(random) });
    const paragraphs = between(random, 1, 2);
    for (let index = 0; index < paragraphs; index += 1) {
      blocks.push({ type: keys.paragraph, id: randomUUID(), value: richTextDocument(random, 1) });
    }
    if (keys.quote && random() < 0.5) {
      blocks.push({ type: keys.quote, id: randomUUID(), value: quoteValue(random) });
    }
  }
  return blocks;
}

/** One to three distinct values out of `choices`. */
export function someOf<T>(random: Random, choices: readonly T[], most = 3): T[] {
  const count = between(random, 1, Math.min(most, choices.length));
  return [...new Set(Array.from({ length: count }, () => pick(random, choices)))];
}

export { between, pick, words };
