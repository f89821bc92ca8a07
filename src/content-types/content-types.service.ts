import { isDeepStrictEqual } from 'node:util';
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager, QueryFailedError } from 'typeorm';
import { type AuditActor, AuditService } from '#src/audit/audit.service.js';
import {
  type ContentKind,
  type ContentTypeDefinition,
  KEY_PATTERN,
} from '#src/content-types/content-type-definition.js';
import { validateDefinition } from '#src/content-types/content-type-validation.js';
import {
  ContentTypeDefinitionError,
  ContentTypeInUseError,
  ContentTypeKeyTakenError,
  ContentTypeNotFoundError,
  ContentTypeVersionConflictError,
} from '#src/content-types/content-types.errors.js';
import type { FieldError } from '#src/errors/domain-error.js';
import { graphqlNameErrors } from '#src/graphql/graphql-names.js';
import { ContentChanges } from '#src/publishing/content-changes.js';

export interface ContentTypeRecord {
  id: string;
  key: string;
  kind: ContentKind;
  label: string;
  /** Goes up by one with each change. */
  version: number;
  definition: ContentTypeDefinition;
  createdAt: string;
  updatedAt: string;
}

/** A definition's JSON larger than this is refused: no sensible type comes close. */
export const DEFINITION_MAX_BYTES = 256 * 1024;
const UNIQUE_VIOLATION = '23505';

interface ContentTypeRow {
  id: string;
  key: string;
  kind: ContentKind;
  label: string;
  version: number;
  definition: ContentTypeDefinition;
  created_at: Date;
  updated_at: Date;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function toRecord(row: ContentTypeRow): ContentTypeRecord {
  return deepFreeze({
    id: row.id,
    key: row.key,
    kind: row.kind,
    label: row.label,
    version: Number(row.version),
    definition: row.definition,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  });
}

const SELECT_SQL =
  'SELECT id, key, kind, label, version, definition, created_at, updated_at FROM content_types';

export interface ApplyResult {
  created: ContentTypeRecord[];
  updated: ContentTypeRecord[];
  unchanged: ContentTypeRecord[];
}

/**
 * Content types: stored in `content_types`, served from an in-memory registry.
 *
 * Reads (`list`, `get`, `find`) are synchronous and never touch the database: every process
 * holds all definitions (there are tens, not thousands). The registry is loaded at start,
 * updated right after this process's own changes commit, and reloaded when ContentChanges
 * reports a `content_type` change (other processes hear it through PostgreSQL NOTIFY, and a
 * lost LISTEN connection reports a change of everything). ContentChanges belongs to the
 * publishing module, which imports this one; it is looked up at run time rather than
 * imported, so the two modules do not import each other. Where it is absent (a command-line
 * context without publishing), changes are still stored and this process's registry stays
 * right; servers would then pick the change up at their next restart or content change.
 */
@Injectable()
export class ContentTypesService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('ContentTypes');
  private registry = new Map<string, ContentTypeRecord>();
  /** Bumped by every local change, so a reload that began earlier does not undo it. */
  private generation = 0;
  private reloading?: Promise<void>;
  private reloadAgain = false;
  private changes?: ContentChanges;
  private unsubscribe?: () => void;
  private readonly registryListeners = new Set<() => void>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly moduleRef: ModuleRef,
  ) {}

  async onModuleInit(): Promise<void> {
    try {
      this.changes = this.moduleRef.get(ContentChanges, { strict: false });
    } catch {
      this.changes = undefined;
    }
    this.unsubscribe = this.changes?.onChange((change) => {
      if (change.objectType === 'content_type' || change.action === 'reconnected') {
        void this.reload();
      }
    });
    await this.reload();
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /**
   * Calls `listener` whenever the registry changed: after this process's own changes and
   * after a reload for another process's. Returns the unsubscribe.
   */
  onRegistryChange(listener: () => void): () => void {
    this.registryListeners.add(listener);
    return () => this.registryListeners.delete(listener);
  }

  /** Every content type (of `kind`, when given), by key. */
  list(kind?: ContentKind): ContentTypeRecord[] {
    return [...this.registry.values()]
      .filter((record) => kind === undefined || record.kind === kind)
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  find(key: string): ContentTypeRecord | undefined {
    return this.registry.get(key);
  }

  /** Throws ContentTypeNotFoundError (404) when there is no such type. */
  get(key: string): ContentTypeRecord {
    const record = this.registry.get(key);
    if (!record) throw new ContentTypeNotFoundError(key);
    return record;
  }

  /** Reads every type from the database again (after changes made behind this service's back). */
  async reload(): Promise<void> {
    if (this.reloading) {
      this.reloadAgain = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      do {
        this.reloadAgain = false;
        const generation = this.generation;
        try {
          const rows = await this.dataSource.query<ContentTypeRow[]>(`${SELECT_SQL} ORDER BY key`);
          if (generation === this.generation) {
            this.registry = new Map(rows.map((row) => [row.key, toRecord(row)]));
            this.registryChanged();
          } else {
            this.reloadAgain = true;
          }
        } catch (error) {
          this.logger.error(`Could not load content types: ${(error as Error).message}`);
        }
      } while (this.reloadAgain);
    })().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  async create(
    input: unknown,
    actor: AuditActor,
    options: { manager?: EntityManager } = {},
  ): Promise<ContentTypeRecord> {
    const definition = this.validate(input, this.knownTypes());
    if (this.registry.has(definition.key)) throw new ContentTypeKeyTakenError(definition.key);
    this.assertApiNames([definition], () => '');
    const record = await this.inTransaction(options.manager, (manager) =>
      this.insert(definition, actor, manager),
    );
    if (!options.manager) this.remember(record);
    return record;
  }

  async update(
    key: string,
    input: unknown,
    actor: AuditActor,
    options: { expectedVersion?: number; manager?: EntityManager } = {},
  ): Promise<ContentTypeRecord> {
    this.get(key);
    const definition = this.validate(input, this.knownTypes());
    this.assertApiNames([definition], () => '');
    const record = await this.inTransaction(options.manager, (manager) =>
      this.change(key, definition, actor, manager, options.expectedVersion),
    );
    if (!options.manager) this.remember(record);
    return record;
  }

  /**
   * Creates or updates each definition in one transaction. References between them are
   * resolved within the batch, so types that name each other (home ↔ blog_index) go in
   * together. Types not named are left alone. Errors name `contentTypes[i]…`.
   */
  async apply(
    inputs: unknown[],
    actor: AuditActor,
    options: { manager?: EntityManager } = {},
  ): Promise<ApplyResult> {
    const known = this.knownTypes();
    for (const input of inputs) {
      const candidate = input as Partial<ContentTypeDefinition> | null;
      if (
        typeof candidate?.key === 'string' &&
        (candidate.kind === 'page' || candidate.kind === 'snippet')
      ) {
        known.set(candidate.key, candidate.kind);
      }
    }
    const errors: FieldError[] = [];
    const definitions: ContentTypeDefinition[] = [];
    const keys = new Set<string>();
    inputs.forEach((input, index) => {
      const result = validateDefinition(input, { knownTypes: known });
      for (const error of result.errors) {
        errors.push({
          path: `contentTypes[${index}]${error.path ? `.${error.path}` : ''}`,
          message: error.message,
        });
      }
      if (result.definition) {
        if (keys.has(result.definition.key)) {
          errors.push({ path: `contentTypes[${index}].key`, message: 'appears twice' });
        }
        keys.add(result.definition.key);
        this.checkSize(result.definition, `contentTypes[${index}]`, errors);
        const existing = this.registry.get(result.definition.key);
        if (existing && existing.kind !== result.definition.kind) {
          errors.push({
            path: `contentTypes[${index}].kind`,
            message: `cannot change from ${existing.kind} to ${result.definition.kind}`,
          });
        }
        definitions.push(result.definition);
      }
    });
    if (errors.length > 0) throw new ContentTypeDefinitionError(errors.slice(0, 100));
    this.assertApiNames(definitions, (index) => `contentTypes[${index}]`);
    const result = await this.inTransaction(options.manager, async (manager) => {
      const outcome: ApplyResult = { created: [], updated: [], unchanged: [] };
      for (const definition of definitions) {
        const existing = await this.lockRow(definition.key, manager);
        if (!existing) {
          outcome.created.push(await this.insert(definition, actor, manager));
        } else if (isDeepStrictEqual(existing.definition, definition)) {
          outcome.unchanged.push(toRecord(existing));
        } else {
          outcome.updated.push(await this.change(definition.key, definition, actor, manager));
        }
      }
      return outcome;
    });
    if (!options.manager) {
      for (const record of [...result.created, ...result.updated]) this.remember(record);
    }
    return result;
  }

  /**
   * Deletes a type no page or snippet uses and no other type names (as a parent, child,
   * linked page type or snippet type); otherwise ContentTypeInUseError (409) says what.
   */
  async delete(
    key: string,
    actor: AuditActor,
    options: { manager?: EntityManager } = {},
  ): Promise<void> {
    await this.inTransaction(options.manager, async (manager) => {
      const existing = await this.lockRow(key, manager);
      if (!existing) throw new ContentTypeNotFoundError(key);
      // Read in the transaction: a schema apply may have changed the others just before.
      const others = await manager.query<Array<{ key: string; definition: ContentTypeDefinition }>>(
        'SELECT key, definition FROM content_types WHERE key <> $1 ORDER BY key',
        [key],
      );
      const namedBy = others
        .filter((other) => definitionNames(other.definition, key))
        .map((other) => other.key);
      if (namedBy.length > 0) {
        throw new ContentTypeInUseError(
          `Content type "${key}" is named by ${namedBy.join(', ')}: remove it from their definitions first.`,
        );
      }
      const table = existing.kind === 'page' ? 'pages' : 'snippets';
      const [{ count }] = await manager.query<Array<{ count: number }>>(
        `SELECT count(*)::int AS count FROM ${table} WHERE content_type_key = $1`,
        [key],
      );
      if (count > 0) {
        throw new ContentTypeInUseError(
          `${count} ${existing.kind === 'page' ? 'page' : 'snippet'}${count === 1 ? '' : 's'} of type "${key}" exist: delete them first.`,
        );
      }
      await manager.query('DELETE FROM content_types WHERE key = $1', [key]);
      await this.audit.record(
        {
          actorId: actor.actorId,
          action: 'content_types.deleted',
          objectType: 'content_type',
          objectId: existing.id,
          data: { key, version: Number(existing.version) },
          ip: actor.ip,
        },
        manager,
      );
      await this.notify(manager, existing.id, 'deleted');
    });
    if (!options.manager) {
      this.generation++;
      this.registry.delete(key);
      this.registryChanged();
    }
  }

  private validate(
    input: unknown,
    knownTypes: ReadonlyMap<string, ContentKind>,
  ): ContentTypeDefinition {
    const result = validateDefinition(input, { knownTypes });
    if (!result.definition) throw new ContentTypeDefinitionError(result.errors);
    const errors: FieldError[] = [];
    this.checkSize(result.definition, '', errors);
    if (errors.length > 0) throw new ContentTypeDefinitionError(errors);
    return result.definition;
  }

  private checkSize(definition: ContentTypeDefinition, path: string, errors: FieldError[]): void {
    const bytes = Buffer.byteLength(JSON.stringify(definition));
    if (bytes > DEFINITION_MAX_BYTES) {
      errors.push({
        path,
        message: `the definition is ${bytes} bytes; at most ${DEFINITION_MAX_BYTES} are allowed`,
      });
    }
  }

  private knownTypes(): Map<string, ContentKind> {
    return new Map([...this.registry.values()].map((record) => [record.key, record.kind]));
  }

  private remember(record: ContentTypeRecord): void {
    this.generation++;
    this.registry.set(record.key, record);
    this.registryChanged();
  }

  private registryChanged(): void {
    for (const listener of this.registryListeners) {
      try {
        listener();
      } catch (error) {
        this.logger.error(`A content type registry listener failed: ${(error as Error).message}`);
      }
    }
  }

  /**
   * Refuses definitions whose GraphQL names would clash with Finch's own or with another
   * type's (see graphql-names.ts): checked against every stored type, as they would be
   * after the change. `prefixOf(i)` is the path of the i-th definition in the request.
   */
  private assertApiNames(
    definitions: readonly ContentTypeDefinition[],
    prefixOf: (index: number) => string,
  ): void {
    const changed = new Map(definitions.map((definition, index) => [definition.key, index]));
    const all = [
      ...[...this.registry.values()]
        .filter((record) => !changed.has(record.key))
        .map((record) => record.definition),
      ...definitions,
    ];
    const errors: FieldError[] = [];
    for (const error of graphqlNameErrors(all)) {
      const index = changed.get(error.typeKey);
      if (index === undefined) continue;
      const prefix = prefixOf(index);
      errors.push({
        path: prefix && error.path ? `${prefix}.${error.path}` : prefix || error.path,
        message: error.message,
      });
    }
    if (errors.length > 0) throw new ContentTypeDefinitionError(errors.slice(0, 100));
  }

  private async insert(
    definition: ContentTypeDefinition,
    actor: AuditActor,
    manager: EntityManager,
  ): Promise<ContentTypeRecord> {
    let rows: ContentTypeRow[];
    try {
      rows = await manager.query<ContentTypeRow[]>(
        `INSERT INTO content_types (key, kind, label, definition, version)
         VALUES ($1, $2, $3, $4, 1)
         RETURNING id, key, kind, label, version, definition, created_at, updated_at`,
        [definition.key, definition.kind, definition.label, JSON.stringify(definition)],
      );
    } catch (error) {
      if (
        error instanceof QueryFailedError &&
        (error.driverError as { code?: string }).code === UNIQUE_VIOLATION
      ) {
        throw new ContentTypeKeyTakenError(definition.key);
      }
      throw error;
    }
    const record = toRecord(rows[0]);
    await this.audit.record(
      {
        actorId: actor.actorId,
        action: 'content_types.created',
        objectType: 'content_type',
        objectId: record.id,
        data: { key: record.key, kind: record.kind, version: 1 },
        ip: actor.ip,
      },
      manager,
    );
    await this.notify(manager, record.id, 'created');
    return record;
  }

  private async change(
    key: string,
    definition: ContentTypeDefinition,
    actor: AuditActor,
    manager: EntityManager,
    expectedVersion?: number,
  ): Promise<ContentTypeRecord> {
    const existing = await this.lockRow(key, manager);
    if (!existing) throw new ContentTypeNotFoundError(key);
    const version = Number(existing.version);
    if (expectedVersion !== undefined && expectedVersion !== version) {
      throw new ContentTypeVersionConflictError(key, expectedVersion, version);
    }
    const errors: FieldError[] = [];
    if (definition.key !== key) {
      errors.push({
        path: 'key',
        message: `must stay "${key}": a content type's key cannot change`,
      });
    }
    if (definition.kind !== existing.kind) {
      errors.push({
        path: 'kind',
        message: `cannot change from ${existing.kind} to ${definition.kind}`,
      });
    }
    if (errors.length > 0) throw new ContentTypeDefinitionError(errors);
    if (isDeepStrictEqual(existing.definition, definition)) return toRecord(existing);
    // TypeORM answers an UPDATE … RETURNING with [rows, affected count].
    const [rows] = await manager.query<[ContentTypeRow[], number]>(
      `UPDATE content_types
          SET definition = $2, label = $3, version = version + 1, updated_at = now()
        WHERE key = $1
        RETURNING id, key, kind, label, version, definition, created_at, updated_at`,
      [key, JSON.stringify(definition), definition.label],
    );
    const record = toRecord(rows[0]);
    await this.audit.record(
      {
        actorId: actor.actorId,
        action: 'content_types.changed',
        objectType: 'content_type',
        objectId: record.id,
        data: { key, from: version, version: record.version },
        ip: actor.ip,
      },
      manager,
    );
    await this.notify(manager, record.id, 'changed');
    return record;
  }

  private async lockRow(key: string, manager: EntityManager): Promise<ContentTypeRow | undefined> {
    if (!KEY_PATTERN.test(key)) return undefined;
    const rows = await manager.query<ContentTypeRow[]>(`${SELECT_SQL} WHERE key = $1 FOR UPDATE`, [
      key,
    ]);
    return rows[0];
  }

  private async notify(manager: EntityManager, id: string, action: string): Promise<void> {
    await this.changes?.record(manager, { objectType: 'content_type', objectId: id, action });
  }

  private inTransaction<T>(
    manager: EntityManager | undefined,
    work: (manager: EntityManager) => Promise<T>,
  ): Promise<T> {
    if (manager?.queryRunner?.isTransactionActive) return work(manager);
    return this.dataSource.transaction(work);
  }
}

/** Whether `definition` names the type `key` anywhere (parent, child, linked type). */
function definitionNames(definition: ContentTypeDefinition, key: string): boolean {
  if (definition.parentTypes?.includes(key) || definition.childTypes?.includes(key)) return true;
  const visit = (field: unknown): boolean => {
    if (typeof field !== 'object' || field === null) return false;
    const candidate = field as Record<string, unknown>;
    if (candidate.type === 'snippet_link' && candidate.snippetType === key) return true;
    if (candidate.type === 'page_link' && Array.isArray(candidate.pageTypes)) {
      if (candidate.pageTypes.includes(key)) return true;
    }
    const children: unknown[] = [
      ...(Array.isArray(candidate.blocks) ? (candidate.blocks as unknown[]) : []),
      ...(Array.isArray(candidate.fields) ? (candidate.fields as unknown[]) : []),
      ...(candidate.item ? [candidate.item] : []),
    ];
    return children.some(visit);
  };
  return definition.fields.some(visit);
}
