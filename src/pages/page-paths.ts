/**
 * The materialized path of the page tree, as django-treebeard's MP_Node keeps it (and so
 * Wagtail): each level is a four-character step in base 36 (`0001`, `0002`, … `ZZZZ`), so
 * a page's path is its parent's path plus its own step, a subtree is every path that
 * starts with the page's, and siblings sort by path.
 */
export const STEP_LENGTH = 4;
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const BASE = ALPHABET.length;
/** 36^4 - 1: the last step a level can hold. */
export const MAX_STEP = BASE ** STEP_LENGTH - 1;
/** `path` is varchar(255): 63 levels of four characters. */
export const MAX_DEPTH = Math.floor(255 / STEP_LENGTH);
/** `url_path` is varchar(1024). */
export const MAX_URL_PATH_LENGTH = 1024;
export const SLUG_MAX_LENGTH = 255;
export const TITLE_MAX_LENGTH = 255;

/** A step as four base-36 characters: 1 → `0001`, 36 → `0010`. */
export function encodeStep(value: number): string {
  if (!Number.isInteger(value) || value < 1 || value > MAX_STEP) {
    throw new RangeError(`A path step must be between 1 and ${MAX_STEP}, not ${value}.`);
  }
  let text = '';
  let rest = value;
  while (rest > 0) {
    text = ALPHABET[rest % BASE] + text;
    rest = Math.floor(rest / BASE);
  }
  return text.padStart(STEP_LENGTH, '0');
}

/** The number a four-character step stands for. */
export function decodeStep(step: string): number {
  let value = 0;
  for (const char of step) {
    const digit = ALPHABET.indexOf(char);
    if (digit < 0) throw new RangeError(`"${step}" is not a base-36 path step.`);
    value = value * BASE + digit;
  }
  return value;
}

/** The path of the child that follows `lastChildPath` (or the first child of `parentPath`). */
export function nextChildPath(parentPath: string, lastChildPath: string | null): string {
  if (!lastChildPath) return parentPath + encodeStep(1);
  return parentPath + encodeStep(decodeStep(lastChildPath.slice(-STEP_LENGTH)) + 1);
}

/** Every ancestor's path, root first, the page's own path last. */
export function pathsFromRoot(path: string): string[] {
  const paths: string[] = [];
  for (let end = STEP_LENGTH; end <= path.length; end += STEP_LENGTH) {
    paths.push(path.slice(0, end));
  }
  return paths;
}

export function parentPathOf(path: string): string {
  return path.slice(0, -STEP_LENGTH);
}

/**
 * What a slug may hold: letters (any script, as Wagtail allows unicode slugs), digits, `-`
 * and `_`. No `/`, `.` or spaces, so a slug is always exactly one segment of a URL.
 */
export const SLUG_PATTERN = /^[\p{L}\p{N}_-]+$/u;

export function isValidSlug(slug: string): boolean {
  return slug.length > 0 && slug.length <= SLUG_MAX_LENGTH && SLUG_PATTERN.test(slug);
}

/** A slug from a title, as Wagtail's admin suggests one: "Hello, World!" → `hello-world`. */
export function slugify(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/g, '');
  return slug || 'page';
}

/** `url_path` of a page under `parentUrlPath` (`/` for a root page). */
export function childUrlPath(parentUrlPath: string, slug: string): string {
  return `${parentUrlPath}${slug}/`;
}
