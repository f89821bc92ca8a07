import { CommandFailure } from '#src/cli/command-failure.js';
import type {
  ContentTypeDefinition,
  SchemaFile,
} from '#src/content-types/content-type-definition.js';
import type { FieldError } from '#src/errors/domain-error.js';

/** A schema file larger than this is refused before parsing: nobody writes 10 MB of types. */
export const SCHEMA_FILE_MAX_BYTES = 10 * 1024 * 1024;

/** Checks a whole schema file: the content-types feature's `validateSchemaFile`. */
export type SchemaFileValidator = (input: unknown) => { file?: SchemaFile; errors: FieldError[] };

export interface ParsedSchemaFile {
  definitions: ContentTypeDefinition[];
}

/** What is wrong with a schema file, each problem with its path in the file. */
export class InvalidSchemaFileError extends CommandFailure {
  constructor(
    readonly file: string,
    readonly errors: FieldError[],
  ) {
    super(
      `${file} is not a valid schema file (${errors.length} problem${errors.length === 1 ? '' : 's'}):\n` +
        errors.map((error) => `  ${error.path || '(file)'}: ${error.message}`).join('\n'),
    );
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Where JSON.parse stopped, from its message (whose wording differs between Node versions). */
function jsonErrorOffset(text: string, message: string): number | undefined {
  const position = /position (\d+)/.exec(message);
  if (position) return Number(position[1]);
  if (/Unexpected end of JSON input/.test(message)) return text.length;
  // Node 20: `Unexpected token ',', ..."tTypes": [,\n]}" is not valid JSON`.
  const snippet =
    /Unexpected token '([\s\S])', (?:\.\.\.)?"([\s\S]*?)"(?:\.\.\.)? is not valid JSON/.exec(
      message,
    );
  if (!snippet) return undefined;
  const at = text.indexOf(snippet[2]);
  return at < 0 ? undefined : at + snippet[2].indexOf(snippet[1]);
}

/** " at line 3, column 7" for a JSON.parse error, when the place can be told. */
function jsonErrorLocation(text: string, message: string): string {
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  if (lineColumn) return ` at line ${lineColumn[1]}, column ${lineColumn[2]}`;
  const offset = jsonErrorOffset(text, message);
  if (offset === undefined) return '';
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return ` at line ${line}, column ${column}`;
}

/**
 * Reads a schema file's text: JSON, then `validateSchemaFile` — an object with a
 * `contentTypes` array, each entry a valid definition, keys unique, and every type a
 * definition names defined in the same file (a schema file describes all content types;
 * a type left out is one to remove). Throws InvalidSchemaFileError with every problem found.
 */
export function parseSchemaFile(
  text: string,
  file: string,
  validateSchemaFile: SchemaFileValidator,
): ParsedSchemaFile {
  if (Buffer.byteLength(text) > SCHEMA_FILE_MAX_BYTES) {
    throw new InvalidSchemaFileError(file, [
      { path: '', message: `larger than ${SCHEMA_FILE_MAX_BYTES / 1024 / 1024} MB` },
    ]);
  }
  let document: unknown;
  try {
    document = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new InvalidSchemaFileError(file, [
      { path: '', message: `not JSON${jsonErrorLocation(text, message)}: ${message}` },
    ]);
  }
  const { file: valid, errors } = validateSchemaFile(document);
  if (!valid || errors.length > 0) throw new InvalidSchemaFileError(file, errors);
  return { definitions: valid.contentTypes };
}

/** Properties first in this order when exported; the rest follow alphabetically. */
const PROPERTY_ORDER = [
  '$schema',
  'key',
  'label',
  'pluralLabel',
  'description',
  'kind',
  'type',
  'required',
  'helpText',
  'titleField',
  'parentTypes',
  'childTypes',
];
/** Properties that hold the nested structure, last so the options read before them. */
const PROPERTY_LAST = [
  'fields',
  'blocks',
  'item',
  'choices',
  'searchFields',
  'feed',
  'preview',
  'contentTypes',
];

function rank(property: string): number {
  const first = PROPERTY_ORDER.indexOf(property);
  if (first >= 0) return first;
  const last = PROPERTY_LAST.indexOf(property);
  return last >= 0 ? 1000 + last : 500;
}

/**
 * A copy with object properties in a stable, readable order (key, label, kind, type, …,
 * nested fields last); arrays keep their order, which means something. Stored definitions
 * come back from JSONB with their keys reordered, so an export sorts them.
 */
export function orderProperties(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(orderProperties);
  if (!isPlainObject(value)) return value;
  const properties = Object.keys(value).sort(
    (a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0),
  );
  return Object.fromEntries(
    properties.map((property) => [property, orderProperties(value[property])]),
  );
}

/** `renamedFrom` is an instruction to one apply, not part of the type: an export leaves it out. */
function withoutRenames(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutRenames);
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([property]) => property !== 'renamedFrom')
      .map(([property, inner]) => [property, withoutRenames(inner)]),
  );
}

/**
 * The text of a schema file holding `definitions`: types in key order, properties in a
 * stable order, two-space indentation and a final newline, so exports diff cleanly in git.
 */
export function formatSchemaFile(
  definitions: readonly ContentTypeDefinition[],
  schemaUrl: string,
): string {
  const contentTypes = [...definitions]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((definition) => orderProperties(withoutRenames(definition)));
  return `${JSON.stringify({ $schema: schemaUrl, contentTypes }, null, 2)}\n`;
}
