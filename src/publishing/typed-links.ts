import type {
  BlockDefinition,
  ContentTypeDefinition,
  ContentValues,
  FieldDefinition,
} from '#src/content-types/content-type-definition.js';

/** A page link or snippet link field's value, with the types the field allows. */
export interface TypedLink {
  /** Where in the content, as validation errors name it: `content.body[2].value.author`. */
  path: string;
  kind: 'page' | 'snippet';
  id: string;
  /** Content type keys the target may have; any when undefined. */
  allowedTypes?: readonly string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function referencedId(value: unknown): string | undefined {
  return isObject(value) && typeof value.id === 'string' && UUID.test(value.id)
    ? value.id.toLowerCase()
    : undefined;
}

/**
 * Every page link and snippet link in `content`, wherever the definition puts them (in
 * streams, structs and lists too), with the target types each allows: what publishing
 * checks against the database. Values of the wrong shape are skipped (validation names them).
 */
export function typedLinks(definition: ContentTypeDefinition, content: ContentValues): TypedLink[] {
  const found: TypedLink[] = [];
  visitFields(definition.fields, content, 'content', found);
  return found;
}

function visitFields(
  fields: readonly FieldDefinition[],
  values: unknown,
  path: string,
  found: TypedLink[],
): void {
  if (!isObject(values)) return;
  for (const field of fields) visitValue(field, values[field.key], `${path}.${field.key}`, found);
}

function visitValue(
  block: BlockDefinition,
  value: unknown,
  path: string,
  found: TypedLink[],
): void {
  switch (block.type) {
    case 'page_link': {
      const id = referencedId(value);
      if (id) found.push({ path, kind: 'page', id, allowedTypes: block.pageTypes });
      return;
    }
    case 'snippet_link': {
      const items = Array.isArray(value)
        ? value.map((item, index) => [item, `${path}[${index}]`] as const)
        : [[value, path] as const];
      for (const [item, itemPath] of items) {
        const id = referencedId(item);
        if (id)
          found.push({ path: itemPath, kind: 'snippet', id, allowedTypes: [block.snippetType] });
      }
      return;
    }
    case 'stream':
      if (!Array.isArray(value)) return;
      value.forEach((item: unknown, index) => {
        if (!isObject(item) || typeof item.type !== 'string') return;
        const inner = block.blocks.find((candidate) => candidate.key === item.type);
        if (inner) visitValue(inner, item.value, `${path}[${index}].value`, found);
      });
      return;
    case 'struct':
      visitFields(block.fields, value, path, found);
      return;
    case 'list':
      if (!Array.isArray(value)) return;
      value.forEach((item: unknown, index) =>
        visitValue(block.item, item, `${path}[${index}]`, found),
      );
      return;
    default:
      return;
  }
}
