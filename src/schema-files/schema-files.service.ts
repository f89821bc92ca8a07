import { isDeepStrictEqual } from 'node:util';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CommandFailure } from '#src/cli/command-failure.js';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuditActor } from '#src/audit/audit.service.js';
import { APP_CONFIG } from '#src/config/config.module.js';
import type { AppConfig } from '#src/config/app-config.js';
import { CONTENT_TYPE_SCHEMA_PATH } from '#src/content-types/content-type-json-schema.js';
import type {
  ContentKind,
  ContentTypeDefinition,
  ContentValues,
} from '#src/content-types/content-type-definition.js';
import { ContentTypesService } from '#src/content-types/content-types.service.js';
import { extractReferences } from '#src/content-types/content-references.js';
import { ReferenceIndexService } from '#src/references/reference-index.service.js';
import { jsonPathOf } from '#src/schema-files/content-paths.js';
import { type ProgressReporter, SILENT_PROGRESS } from '#src/schema-files/progress-reporter.js';
import {
  changedTypeSettings,
  type FieldChange,
  fieldChanges,
  rewriteContent,
} from '#src/schema-files/schema-changes.js';
import { formatSchemaFile } from '#src/schema-files/schema-file.js';

/** A field change with how much stored content it touches. */
export interface CountedChange extends FieldChange {
  /** Pages (or snippets) whose live row holds a value there. */
  objects: number;
  /** Revisions that hold a value there. */
  revisions: number;
}

export interface TypePlan {
  key: string;
  kind: ContentKind;
  action: 'create' | 'update' | 'remove' | 'unchanged';
  /** The stored version (update, remove, unchanged). */
  version?: number;
  /** The definition from the file (create, update, unchanged). */
  definition?: ContentTypeDefinition;
  /** Type settings that differ (label, parentTypes, …). */
  settings: string[];
  changes: CountedChange[];
  /** Remove: the pages or snippets and revisions of this type. */
  objects: number;
  revisions: number;
}

export interface PlanOptions {
  /** Names (`blog_post.tags`) of the changes allowed to drop stored values. */
  allowDataLoss?: ReadonlySet<string>;
  /**
   * Types stored but not in the file are removed (the default: a schema file describes
   * every type). False leaves them alone, for files that add to what exists (the example).
   */
  removeMissing?: boolean;
}

/**
 * A change that would drop stored values, or leave them not fitting the type, and whether
 * `--allow-data-loss` names it.
 */
export interface DataLoss {
  name: string;
  detail: string;
  objects: number;
  revisions: number;
  allowed: boolean;
}

export interface SchemaPlan {
  types: TypePlan[];
  /** Changes that drop stored data (allowed or not). */
  dataLoss: DataLoss[];
  /** Reasons the file cannot be applied at all (a removed type still has content). */
  blocked: string[];
}

/** The plan drops data nobody allowed, or cannot be applied: nothing was changed. */
export class SchemaApplyRefusedError extends CommandFailure {
  constructor(readonly plan: SchemaPlan) {
    const refused = plan.dataLoss.filter((loss) => !loss.allowed);
    const lines = [
      ...plan.blocked.map((reason) => `  ${reason}`),
      ...refused.map(
        (loss) =>
          `  ${loss.name}: ${loss.detail} — ${describeCounts(loss.objects, loss.revisions, kindOfName(plan, loss.name))}`,
      ),
    ];
    const hint =
      refused.length > 0
        ? `\nTo drop that data, run apply again with --allow-data-loss ${refused.map((loss) => loss.name).join(',')}`
        : '';
    super(`Nothing was changed. The file cannot be applied as it is:\n${lines.join('\n')}${hint}`);
  }
}

/** `--allow-data-loss` names something that drops no data: most likely a typo. */
export class UnknownDataLossNameError extends CommandFailure {
  constructor(names: string[], plan: SchemaPlan) {
    const known = plan.dataLoss.map((loss) => loss.name);
    super(
      `--allow-data-loss names ${names.join(', ')}, which drop${names.length === 1 ? 's' : ''} no stored data in this apply. ` +
        (known.length > 0
          ? `The changes that do: ${known.join(', ')}.`
          : 'No change in this file drops stored data.'),
      2,
    );
  }
}

/** The content types changed between reading them and writing: start again. */
export class SchemaChangedMeanwhileError extends CommandFailure {
  constructor(key: string) {
    super(
      `Content type "${key}" was changed by someone else while apply ran. Nothing was changed: run diff and apply again.`,
    );
  }
}

function kindOfName(plan: SchemaPlan, name: string): ContentKind {
  const key = name.split('.')[0];
  return plan.types.find((type) => type.key === key)?.kind ?? 'page';
}

/** "3 pages and 7 revisions" */
export function describeCounts(objects: number, revisions: number, kind: ContentKind): string {
  const noun = kind === 'page' ? 'page' : 'snippet';
  return `${objects} ${noun}${objects === 1 ? '' : 's'} and ${revisions} revision${revisions === 1 ? '' : 's'}`;
}

/** The table of live rows of a kind: a constant per kind, never text from a file. */
function tableOf(kind: ContentKind): 'pages' | 'snippets' {
  return kind === 'page' ? 'pages' : 'snippets';
}

/** Changes whose stored values are worth counting (an addition has none yet). */
function touchesStoredValues(change: FieldChange): boolean {
  return change.kind !== 'added';
}

/** `renamedFrom` is an instruction to one apply; the stored type does not keep it. */
function withoutRenames<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutRenames) as T;
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([property]) => property !== 'renamedFrom')
      .map(([property, inner]) => [property, withoutRenames(inner)]),
  ) as T;
}

const REWRITE_BATCH_SIZE = 500;

/**
 * Schema files (`finch schema export|diff|apply`): the content types as one JSON file kept
 * in git, compared with the database and applied to it in one transaction, with stored
 * content rewritten for renames and never dropped unless asked.
 *
 * It reads `pages`, `snippets` and `revisions` directly to count and rewrite stored content
 * in bulk (set-based SQL and batches): no per-object service call could do that in one
 * transaction at this scale, and the content's shape is the content type's business,
 * which this feature changes.
 */
@Injectable()
export class SchemaFilesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly contentTypes: ContentTypesService,
    private readonly references: ReferenceIndexService,
  ) {}

  /** The URL a schema file's `$schema` points at, on this server. */
  schemaUrl(): string {
    return `${this.config.publicUrl}${CONTENT_TYPE_SCHEMA_PATH}`;
  }

  /** Every content type as a schema file's text. */
  export(): string {
    return formatSchemaFile(
      this.contentTypes.list().map((record) => record.definition),
      this.schemaUrl(),
    );
  }

  /**
   * What applying `definitions` (a whole schema file) would change, with the pages,
   * snippets and revisions each change touches.
   */
  async plan(
    definitions: readonly ContentTypeDefinition[],
    options: PlanOptions = {},
    manager: EntityManager = this.dataSource.manager,
  ): Promise<SchemaPlan> {
    const allowDataLoss = options.allowDataLoss ?? new Set<string>();
    const stored = new Map(this.contentTypes.list().map((record) => [record.key, record]));
    const types: TypePlan[] = [];
    const blocked: string[] = [];
    for (const definition of definitions) {
      const record = stored.get(definition.key);
      if (!record) {
        types.push({
          key: definition.key,
          kind: definition.kind,
          action: 'create',
          definition,
          settings: [],
          changes: [],
          objects: 0,
          revisions: 0,
        });
        continue;
      }
      if (record.kind !== definition.kind) {
        blocked.push(
          `${definition.key}: cannot change from a ${record.kind} type to a ${definition.kind} type; create a new type instead.`,
        );
      }
      const before = withoutRenames(record.definition);
      const after = withoutRenames(definition);
      const changes = fieldChanges(record.definition, definition);
      const settings = changedTypeSettings(before, after);
      if (changes.length === 0 && !isDeepStrictEqual(before.fields, after.fields)) {
        // diffDefinitions leaves out what changes no stored value.
        settings.push('fields: labels, help text, defaults or API options');
      }
      const counted = await this.countChanges(manager, record.kind, record.key, changes);
      types.push({
        key: definition.key,
        kind: record.kind,
        action: changes.length > 0 || settings.length > 0 ? 'update' : 'unchanged',
        version: record.version,
        definition,
        settings,
        changes: counted,
        objects: 0,
        revisions: 0,
      });
    }
    const inFile = new Set(definitions.map((definition) => definition.key));
    for (const record of stored.values()) {
      if (inFile.has(record.key) || options.removeMissing === false) continue;
      const counts = await this.countRows(manager, record.kind, record.key);
      types.push({
        key: record.key,
        kind: record.kind,
        action: 'remove',
        version: record.version,
        settings: [],
        changes: [],
        objects: counts.objects,
        revisions: counts.revisions,
      });
      if (counts.objects > 0) {
        blocked.push(
          `${record.key}: the file leaves this type out, but ${describeCounts(counts.objects, counts.revisions, record.kind)} of it exist. Delete them first, or keep the type in the file.`,
        );
      }
    }
    types.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const dataLoss = types.flatMap((type) =>
      type.changes
        .filter(
          (change) =>
            (change.dropsData || change.mayNotFit) && change.objects + change.revisions > 0,
        )
        .map((change) => ({
          name: change.name,
          detail: change.detail,
          objects: change.objects,
          revisions: change.revisions,
          allowed: allowDataLoss.has(change.name),
        })),
    );
    return { types, dataLoss, blocked };
  }

  /**
   * Applies a schema file in one transaction: creates and updates the types (through
   * ContentTypesService), rewrites stored content of rows and revisions for renames and
   * allowed losses (in batches, reporting progress), and removes types the file leaves out
   * that nothing uses. Refuses, changing nothing, when the plan drops data that
   * `allowDataLoss` does not name.
   */
  async apply(
    definitions: readonly ContentTypeDefinition[],
    actor: AuditActor,
    options: PlanOptions & { progress?: ProgressReporter } = {},
  ): Promise<SchemaPlan> {
    const allow = options.allowDataLoss ?? new Set<string>();
    const progress = options.progress ?? SILENT_PROGRESS;
    try {
      return await this.dataSource.transaction(async (manager) => {
        const plan = await this.plan(definitions, options, manager);
        this.assertApplicable(plan, allow);
        const changing = plan.types.filter(
          (type) => type.action === 'create' || type.action === 'update',
        );
        if (changing.length > 0) {
          const result = await this.contentTypes.apply(
            changing.map((type) => withoutRenames(type.definition!)),
            actor,
            { manager },
          );
          for (const record of result.updated) {
            const planned = changing.find((type) => type.key === record.key);
            if (planned?.version !== undefined && record.version !== planned.version + 1) {
              throw new SchemaChangedMeanwhileError(record.key);
            }
          }
          for (const record of result.created) {
            if (changing.find((type) => type.key === record.key)?.action !== 'create') {
              throw new SchemaChangedMeanwhileError(record.key);
            }
          }
        }
        for (const type of plan.types) {
          if (type.action !== 'update') continue;
          const dropping = new Set<FieldChange>(
            type.changes.filter((change) => change.dropsData && allow.has(change.name)),
          );
          const rewriting = type.changes.filter(
            (change) =>
              (change.rewrites || dropping.has(change)) && change.objects + change.revisions > 0,
          );
          if (rewriting.length === 0) continue;
          await this.rewriteStoredContent(manager, type, rewriting, dropping, progress);
        }
        for (const type of plan.types) {
          if (type.action === 'remove')
            await this.contentTypes.delete(type.key, actor, { manager });
        }
        return plan;
      });
    } finally {
      // Changes made inside a caller's transaction are not in the registry until reloaded.
      await this.contentTypes.reload();
    }
  }

  private assertApplicable(plan: SchemaPlan, allow: ReadonlySet<string>): void {
    const losses = new Set(plan.dataLoss.map((loss) => loss.name));
    const unknown = [...allow].filter((name) => !losses.has(name));
    if (unknown.length > 0) throw new UnknownDataLossNameError(unknown, plan);
    if (plan.blocked.length > 0 || plan.dataLoss.some((loss) => !loss.allowed)) {
      throw new SchemaApplyRefusedError(plan);
    }
  }

  /** How many rows and revisions hold a value at each change's place: one query per table. */
  private async countChanges(
    manager: EntityManager,
    kind: ContentKind,
    key: string,
    changes: FieldChange[],
  ): Promise<CountedChange[]> {
    const counted = changes.map((change) => ({ ...change, objects: 0, revisions: 0 }));
    const measured = counted.filter(touchesStoredValues);
    if (measured.length === 0) return counted;
    const paths = measured.map((change) => jsonPathOf(change.stored));
    const filters = (first: number) =>
      paths
        .map(
          (_path, index) =>
            `count(*) FILTER (WHERE jsonb_path_exists(content, $${first + index}::jsonpath))::int AS c${index}`,
        )
        .join(', ');
    const [objects] = await manager.query<Array<Record<string, number>>>(
      `SELECT ${filters(2)} FROM ${tableOf(kind)} WHERE content_type_key = $1`,
      [key, ...paths],
    );
    const [revisions] = await manager.query<Array<Record<string, number>>>(
      `SELECT ${filters(3)} FROM revisions WHERE content_type_key = $1 AND object_type = $2`,
      [key, kind, ...paths],
    );
    measured.forEach((change, index) => {
      change.objects = objects[`c${index}`] ?? 0;
      change.revisions = revisions[`c${index}`] ?? 0;
    });
    return counted;
  }

  private async countRows(
    manager: EntityManager,
    kind: ContentKind,
    key: string,
  ): Promise<{ objects: number; revisions: number }> {
    const [row] = await manager.query<Array<{ objects: number; revisions: number }>>(
      `SELECT (SELECT count(*)::int FROM ${tableOf(kind)} WHERE content_type_key = $1) AS objects,
              (SELECT count(*)::int FROM revisions WHERE content_type_key = $1 AND object_type = $2) AS revisions`,
      [key, kind],
    );
    return row;
  }

  /**
   * Rewrites the live rows and the revisions of one type that hold values the changes
   * touch, REWRITE_BATCH_SIZE at a time by id (keyset pagination), each batch written back
   * with one UPDATE.
   */
  private async rewriteStoredContent(
    manager: EntityManager,
    type: TypePlan,
    changes: CountedChange[],
    dropping: ReadonlySet<FieldChange>,
    progress: ProgressReporter,
  ): Promise<void> {
    const paths = [...new Set(changes.map((change) => jsonPathOf(change.stored)))];
    const matches = `EXISTS (SELECT 1 FROM unnest($2::jsonpath[]) AS p(path) WHERE jsonb_path_exists(content, p.path))`;
    const objects = tableOf(type.kind);
    const tables = [
      {
        label: `${type.key}: ${objects}`,
        columns: 'id, content, live, id AS "sourceId", live AS "refreshes"',
        from: `${objects} WHERE content_type_key = $1 AND ${matches}`,
        table: objects,
        idType: 'uuid',
        first: '00000000-0000-0000-0000-000000000000',
        params: [type.key, paths],
        // The live row's references are the live ones.
        liveReferences: true,
      },
      {
        label: `${type.key}: revisions`,
        columns: `id, content, object_id AS "sourceId",
          EXISTS (SELECT 1 FROM ${objects} o WHERE o.id = revisions.object_id
                     AND o.latest_revision_id = revisions.id) AS "refreshes"`,
        from: `revisions WHERE content_type_key = $1 AND ${matches} AND object_type = $3`,
        table: 'revisions',
        idType: 'bigint',
        first: '0',
        params: [type.key, paths, type.kind],
        // The latest revision's references are the draft ones.
        liveReferences: false,
      },
    ] as const;
    const definition = withoutRenames(type.definition!);
    for (const target of tables) {
      const [{ total }] = await manager.query<Array<{ total: number }>>(
        `SELECT count(*)::int AS total FROM ${target.from}`,
        [...target.params],
      );
      if (total === 0) continue;
      progress.start(`Rewriting ${target.label}`, total);
      let after: string = target.first;
      for (;;) {
        const rows = await manager.query<
          Array<{ id: string; content: ContentValues; sourceId: string; refreshes: boolean }>
        >(
          `SELECT ${target.columns} FROM ${target.from}
              AND id > $${target.params.length + 1}::${target.idType}
            ORDER BY id LIMIT ${REWRITE_BATCH_SIZE}`,
          [...target.params, after],
        );
        if (rows.length === 0) break;
        const rewritten = rows
          .map((row) => ({ ...row, content: rewriteContent(row.content, changes, dropping) }))
          .filter((row, index) => row.content !== rows[index].content);
        if (rewritten.length > 0) {
          await manager.query(
            `UPDATE ${target.table} AS t SET content = v.content
               FROM jsonb_to_recordset($1::jsonb) AS v(id ${target.idType}, content jsonb)
              WHERE t.id = v.id`,
            [JSON.stringify(rewritten.map((row) => ({ id: row.id, content: row.content })))],
          );
          // Renames move field paths: the index must name the new ones.
          await this.references.replaceMany(
            manager,
            type.kind,
            target.liveReferences,
            rewritten
              .filter((row) => row.refreshes)
              .map((row) => ({
                id: row.sourceId,
                refs: extractReferences(definition, row.content),
              })),
          );
        }
        progress.advance(rows.length);
        after = rows[rows.length - 1].id;
      }
      progress.finish();
    }
  }
}
