import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService, type AuditActor } from '#src/audit/audit.service.js';
import { RequestValidationError } from '#src/errors/domain-error.js';
import type { CreateCommentDto, ListCommentsQuery } from '#src/workflows/dto/comment.dto.js';
import type { UserRef } from '#src/workflows/moderation.service.js';
import { auditPageEvent } from '#src/workflows/page-audit.js';
import { CommentNotFoundError, NotCommentAuthorError } from '#src/workflows/workflows.errors.js';

export interface CommentView {
  id: string;
  revisionId: string | null;
  fieldPath: string | null;
  text: string;
  author: UserRef | null;
  parentId: string | null;
  resolvedAt: string | null;
  resolvedBy: UserRef | null;
  createdAt: string;
  updatedAt: string;
  /** Top-level comments: their replies, oldest first. */
  replies?: CommentView[];
}

interface CommentRow {
  id: string;
  revision_id: string | null;
  field_path: string | null;
  text: string;
  author_id: string | null;
  author_name: string | null;
  author_email: string | null;
  parent_id: string | null;
  resolved_at: Date | null;
  resolved_by: string | null;
  resolver_name: string | null;
  resolver_email: string | null;
  created_at: Date;
  updated_at: Date;
}

const COMMENT_COLUMNS = `
  c.id, c.revision_id::text AS revision_id, c.field_path, c.text, c.author_id,
  a.name AS author_name, a.email AS author_email, c.parent_id, c.resolved_at, c.resolved_by,
  r.name AS resolver_name, r.email AS resolver_email, c.created_at, c.updated_at`;
const COMMENT_JOINS = `
  LEFT JOIN users a ON a.id = c.author_id
  LEFT JOIN users r ON r.id = c.resolved_by`;

function userRef(id: string | null, name: string | null, email: string | null): UserRef | null {
  return id ? { id, name: name ?? '', email: email ?? '' } : null;
}

/**
 * Comments on a page's revisions, optionally on one field, with one level of replies
 * (Wagtail's commenting). Who may read and write them is the controller's check; the
 * author alone edits a comment, the author or a superuser deletes it.
 */
@Injectable()
export class CommentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** Threads, oldest first: top-level comments with their replies. Two queries at most. */
  async list(pageId: string, query: ListCommentsQuery): Promise<CommentView[]> {
    const rows = await this.dataSource.query<CommentRow[]>(
      `SELECT ${COMMENT_COLUMNS} FROM page_comments c ${COMMENT_JOINS}
        WHERE c.object_type = 'page' AND c.object_id = $1
          AND ($2::bigint IS NULL OR c.revision_id = $2 OR c.parent_id IS NOT NULL)
        ORDER BY c.created_at, c.id`,
      [pageId, query.revisionId ?? null],
    );
    const threads = rows
      .filter((row) => row.parent_id === null)
      .filter(
        (row) => query.resolved === undefined || (row.resolved_at !== null) === query.resolved,
      )
      .map((row) => ({ ...this.viewOf(row), replies: [] as CommentView[] }));
    const byId = new Map(threads.map((thread) => [thread.id, thread]));
    for (const row of rows) {
      if (row.parent_id) byId.get(row.parent_id)?.replies.push(this.viewOf(row));
    }
    return threads;
  }

  /** In `manager`'s transaction when given (a submission's note is a comment too). */
  async add(
    pageId: string,
    input: CreateCommentDto,
    latestRevisionId: string | null,
    actor: AuditActor,
    manager?: EntityManager,
  ): Promise<CommentView> {
    const work = async (tx: EntityManager): Promise<CommentView> => {
      let revisionId = input.revisionId ?? latestRevisionId;
      let fieldPath = input.fieldPath ?? null;
      if (input.parentId && input.revisionId) {
        throw new RequestValidationError([
          { path: 'revisionId', message: 'a reply belongs to its thread’s revision: leave it out' },
        ]);
      }
      if (input.parentId) {
        const parent = await this.row(tx, pageId, input.parentId).catch(() => undefined);
        if (!parent) {
          throw new RequestValidationError([
            { path: 'parentId', message: 'there is no comment with this id on the page' },
          ]);
        }
        if (parent.parent_id) {
          throw new RequestValidationError([
            {
              path: 'parentId',
              message: 'replies go to the first comment of a thread, not to a reply',
            },
          ]);
        }
        revisionId = parent.revision_id;
        fieldPath = input.fieldPath ?? parent.field_path;
      } else if (input.revisionId) {
        const [found] = await tx.query<unknown[]>(
          `SELECT 1 FROM revisions WHERE id = $1 AND object_type = 'page' AND object_id = $2`,
          [input.revisionId, pageId],
        );
        if (!found) {
          throw new RequestValidationError([
            { path: 'revisionId', message: 'the page has no revision with this id' },
          ]);
        }
      }
      const [{ id }] = await tx.query<Array<{ id: string }>>(
        `INSERT INTO page_comments (object_type, object_id, revision_id, field_path, parent_id,
                                    author_id, text)
         VALUES ('page', $1, $2, $3, $4, $5, $6) RETURNING id`,
        [pageId, revisionId, fieldPath, input.parentId ?? null, actor.actorId, input.text],
      );
      await this.record(tx, actor, 'comments.added', pageId, {
        commentId: id,
        revisionId,
        fieldPath,
        ...(input.parentId ? { replyTo: input.parentId } : {}),
      });
      return this.viewOf(await this.row(tx, pageId, id));
    };
    return manager ? work(manager) : this.dataSource.transaction(work);
  }

  async edit(
    pageId: string,
    commentId: string,
    text: string,
    actor: AuditActor,
  ): Promise<CommentView> {
    return this.dataSource.transaction(async (tx) => {
      const comment = await this.row(tx, pageId, commentId, true);
      if (comment.author_id !== actor.actorId) throw new NotCommentAuthorError('edit');
      await tx.query('UPDATE page_comments SET text = $2, updated_at = now() WHERE id = $1', [
        commentId,
        text,
      ]);
      await this.record(tx, actor, 'comments.edited', pageId, { commentId });
      return this.viewOf(await this.row(tx, pageId, commentId));
    });
  }

  async setResolved(
    pageId: string,
    commentId: string,
    resolved: boolean,
    actor: AuditActor,
  ): Promise<CommentView> {
    return this.dataSource.transaction(async (tx) => {
      const comment = await this.row(tx, pageId, commentId, true);
      if (comment.parent_id) {
        throw new RequestValidationError([
          { path: 'commentId', message: 'resolve the thread (its first comment), not a reply' },
        ]);
      }
      if ((comment.resolved_at !== null) !== resolved) {
        await tx.query(
          `UPDATE page_comments SET resolved_at = $2, resolved_by = $3, updated_at = now()
            WHERE id = $1`,
          [commentId, resolved ? new Date() : null, resolved ? actor.actorId : null],
        );
        await this.record(tx, actor, resolved ? 'comments.resolved' : 'comments.reopened', pageId, {
          commentId,
        });
      }
      return this.viewOf(await this.row(tx, pageId, commentId));
    });
  }

  /** Deletes the comment (a thread with its replies). */
  async delete(
    pageId: string,
    commentId: string,
    user: { id: string; isSuperuser: boolean },
    actor: AuditActor,
  ): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      const comment = await this.row(tx, pageId, commentId, true);
      if (comment.author_id !== user.id && !user.isSuperuser) {
        throw new NotCommentAuthorError('delete');
      }
      await tx.query('DELETE FROM page_comments WHERE id = $1', [commentId]);
      await this.record(tx, actor, 'comments.deleted', pageId, {
        commentId,
        text: comment.text.slice(0, 200),
      });
    });
  }

  private async row(
    tx: EntityManager,
    pageId: string,
    commentId: string,
    lock = false,
  ): Promise<CommentRow> {
    const [row] = await tx.query<CommentRow[]>(
      `SELECT ${COMMENT_COLUMNS} FROM page_comments c ${COMMENT_JOINS}
        WHERE c.id = $1 AND c.object_type = 'page' AND c.object_id = $2
        ${lock ? 'FOR UPDATE OF c' : ''}`,
      [commentId, pageId],
    );
    if (!row) throw new CommentNotFoundError(commentId);
    return row;
  }

  private viewOf(row: CommentRow): CommentView {
    return {
      id: row.id,
      revisionId: row.revision_id,
      fieldPath: row.field_path,
      text: row.text,
      author: userRef(row.author_id, row.author_name, row.author_email),
      parentId: row.parent_id,
      resolvedAt: row.resolved_at ? new Date(row.resolved_at).toISOString() : null,
      resolvedBy: userRef(row.resolved_by, row.resolver_name, row.resolver_email),
      createdAt: new Date(row.created_at).toISOString(),
      updatedAt: new Date(row.updated_at).toISOString(),
    };
  }

  private record(
    tx: EntityManager,
    actor: AuditActor,
    action: string,
    pageId: string,
    data: Record<string, unknown>,
  ): Promise<void> {
    return auditPageEvent(this.audit, tx, actor, action, pageId, data);
  }
}
