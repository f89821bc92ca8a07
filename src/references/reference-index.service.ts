import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { ReferenceTargetType } from '#src/references/content-reference.entity.js';

/** An object whose content holds references: a page or a snippet. */
export interface ReferenceSource {
  type: 'page' | 'snippet';
  id: string;
}

/** An object content can point at. */
export interface ReferenceTarget {
  type: ReferenceTargetType;
  id: string;
}

/** One link found in content, as `extractReferences()` returns it. */
export interface ExtractedReference {
  targetType: ReferenceTargetType;
  targetId: string;
  /** Where in the content, e.g. `body[2].value.image`. */
  fieldPath: string;
}

/** Where an object is used: one place in one page or snippet. */
export interface ReferenceUsage {
  source: { type: 'page' | 'snippet'; id: string; title: string; contentType: string };
  fieldPath: string;
  /** The live version holds this reference (else only the latest draft does). */
  live: boolean;
}

/** A usage of one of several targets asked about at once. */
export interface TargetedReferenceUsage extends ReferenceUsage {
  target: ReferenceTarget;
}

export interface UsagePage {
  total_count: number;
  items: ReferenceUsage[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const FIELD_PATH_MAX_LENGTH = 512;

/**
 * The source's title and content type come from the `pages` and `snippets` tables, read
 * here directly rather than through PagesService/SnippetsService: those services depend on
 * this one (they record references on save), so asking them would be a cycle, and one
 * join answers a whole page of usages in one query.
 */
const SOURCE_JOINS = `
  LEFT JOIN pages p ON r.source_type = 'page' AND p.id = r.source_id
  LEFT JOIN snippets s ON r.source_type = 'snippet' AND s.id = r.source_id`;
const SOURCE_COLUMNS = `
  r.source_type AS "sourceType", r.source_id AS "sourceId",
  COALESCE(p.title, s.title) AS title,
  COALESCE(p.content_type_key, s.content_type_key) AS "contentType"`;

interface UsageRow {
  sourceType: 'page' | 'snippet';
  sourceId: string;
  title: string;
  contentType: string;
  fieldPath: string;
  live: boolean;
}

/** Each reference once, ids in lower case; ids that are not uuids cannot point at anything. */
function uniqueReferences(refs: readonly ExtractedReference[]): ExtractedReference[] {
  const unique = new Map<string, ExtractedReference>();
  for (const ref of refs) {
    if (!UUID.test(ref.targetId)) continue;
    const fieldPath = ref.fieldPath.slice(0, FIELD_PATH_MAX_LENGTH);
    const targetId = ref.targetId.toLowerCase();
    unique.set(JSON.stringify([ref.targetType, targetId, fieldPath]), {
      targetType: ref.targetType,
      targetId,
      fieldPath,
    });
  }
  return [...unique.values()];
}

function usageOf(row: UsageRow): ReferenceUsage {
  return {
    source: {
      type: row.sourceType,
      id: row.sourceId,
      title: row.title,
      contentType: row.contentType,
    },
    fieldPath: row.fieldPath,
    live: row.live,
  };
}

/**
 * The reference index (`content_references`): which page or snippet points at which
 * object, from where in its content, in the live version and in the latest draft.
 * Every write replaces a whole set with one DELETE and one multi-row INSERT, whatever the
 * number of references.
 */
@Injectable()
export class ReferenceIndexService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Makes the references of `source`'s live version (`live`) or latest draft (`!live`)
   * exactly `refs`, in `manager`'s transaction. Duplicates are stored once; a reference
   * whose id is not a uuid cannot point at anything and is skipped.
   */
  async replace(
    manager: EntityManager,
    source: ReferenceSource,
    live: boolean,
    refs: readonly ExtractedReference[],
  ): Promise<void> {
    await manager.query(
      `DELETE FROM content_references WHERE source_type = $1 AND source_id = $2 AND live = $3`,
      [source.type, source.id, live],
    );
    const rows = uniqueReferences(refs);
    if (rows.length === 0) return;
    await manager.query(
      `INSERT INTO content_references (source_type, source_id, target_type, target_id, field_path, live)
       SELECT $1, $2, t.target_type, t.target_id, t.field_path, $3
         FROM unnest($4::varchar[], $5::uuid[], $6::varchar[]) AS t(target_type, target_id, field_path)`,
      [
        source.type,
        source.id,
        live,
        rows.map((row) => row.targetType),
        rows.map((row) => row.targetId),
        rows.map((row) => row.fieldPath),
      ],
    );
  }

  /**
   * `replace` for many sources of one kind at once (a batch of rewritten content): one
   * DELETE and one INSERT for the whole batch.
   */
  async replaceMany(
    manager: EntityManager,
    type: 'page' | 'snippet',
    live: boolean,
    sets: ReadonlyArray<{ id: string; refs: readonly ExtractedReference[] }>,
  ): Promise<void> {
    if (sets.length === 0) return;
    await manager.query(
      `DELETE FROM content_references
        WHERE source_type = $1 AND source_id = ANY($2::uuid[]) AND live = $3`,
      [type, sets.map((set) => set.id), live],
    );
    const rows = sets.flatMap((set) =>
      uniqueReferences(set.refs).map((ref) => ({ sourceId: set.id, ...ref })),
    );
    if (rows.length === 0) return;
    await manager.query(
      `INSERT INTO content_references (source_type, source_id, target_type, target_id, field_path, live)
       SELECT $1, t.source_id, t.target_type, t.target_id, t.field_path, $2
         FROM unnest($3::uuid[], $4::varchar[], $5::uuid[], $6::varchar[])
           AS t(source_id, target_type, target_id, field_path)`,
      [
        type,
        live,
        rows.map((row) => row.sourceId),
        rows.map((row) => row.targetType),
        rows.map((row) => row.targetId),
        rows.map((row) => row.fieldPath),
      ],
    );
  }

  /** Forgets every reference from `source` (it is being deleted), live and draft. */
  async removeSource(manager: EntityManager, source: ReferenceSource): Promise<void> {
    await manager.query(
      `DELETE FROM content_references WHERE source_type = $1 AND source_id = $2`,
      [source.type, source.id],
    );
  }

  /** Forgets every reference from several sources at once (a deleted subtree). */
  async removeSources(
    manager: EntityManager,
    type: 'page' | 'snippet',
    ids: readonly string[],
  ): Promise<void> {
    if (ids.length === 0) return;
    await manager.query(
      `DELETE FROM content_references WHERE source_type = $1 AND source_id = ANY($2::uuid[])`,
      [type, ids],
    );
  }

  /**
   * Who still uses any of `targets` in live content (sources that are live), in one query
   * however many targets: what a delete guard warns about. Each usage names its target.
   */
  async liveReferencesTo(
    targets: readonly ReferenceTarget[],
    manager?: EntityManager,
  ): Promise<TargetedReferenceUsage[]> {
    const wanted = targets.filter((target) => UUID.test(target.id));
    if (wanted.length === 0) return [];
    const rows: Array<UsageRow & { targetType: ReferenceTargetType; targetId: string }> = await (
      manager ?? this.dataSource.manager
    ).query(
      `SELECT DISTINCT r.target_type AS "targetType", r.target_id AS "targetId",
                ${SOURCE_COLUMNS}, r.field_path AS "fieldPath", true AS live
           FROM content_references r
           JOIN unnest($1::varchar[], $2::uuid[]) AS t(target_type, target_id)
             ON r.target_type = t.target_type AND r.target_id = t.target_id
           ${SOURCE_JOINS}
          WHERE r.live AND (p.live OR s.live)
          ORDER BY 1, 2, title, "sourceId", "fieldPath"`,
      [wanted.map((target) => target.type), wanted.map((target) => target.id)],
    );
    return rows.map((row) => ({
      target: { type: row.targetType, id: row.targetId },
      ...usageOf(row),
    }));
  }

  /**
   * Where `target` is used, one item per place (source and field path) in the live version
   * or the latest draft, ordered by the source's title; `total_count` counts them all.
   */
  async usage(
    target: ReferenceTarget,
    page: { limit: number; offset: number },
    manager?: EntityManager,
  ): Promise<UsagePage> {
    if (!UUID.test(target.id)) return { total_count: 0, items: [] };
    const [result]: Array<{ total: string; items: UsageRow[] }> = await (
      manager ?? this.dataSource.manager
    ).query(
      `WITH used AS (
         SELECT ${SOURCE_COLUMNS}, r.field_path AS "fieldPath", bool_or(r.live) AS live
           FROM content_references r
           ${SOURCE_JOINS}
          WHERE r.target_type = $1 AND r.target_id = $2
            AND (p.id IS NOT NULL OR s.id IS NOT NULL)
          GROUP BY r.source_type, r.source_id, p.title, s.title, p.content_type_key,
                   s.content_type_key, r.field_path
       )
       SELECT (SELECT count(*) FROM used) AS total,
              COALESCE((SELECT json_agg(u) FROM (
                SELECT * FROM used ORDER BY title, "sourceId", "fieldPath" LIMIT $3 OFFSET $4
              ) u), '[]'::json) AS items`,
      [target.type, target.id, page.limit, page.offset],
    );
    return { total_count: Number(result.total), items: result.items.map(usageOf) };
  }
}
