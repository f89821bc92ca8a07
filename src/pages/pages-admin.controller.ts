import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Req,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { DataSource } from 'typeorm';
import { InjectDataSource } from '@nestjs/typeorm';
import { PermissionsService } from '#src/accounts/permissions.service.js';
import { Authenticated } from '#src/auth/access.decorators.js';
import { actorOf, type AuthPrincipal, CurrentPrincipal } from '#src/auth/auth-principal.js';
import { CopyPageDto } from '#src/pages/dto/copy-page.dto.js';
import { CreatePageDto } from '#src/pages/dto/create-page.dto.js';
import { DeletePageQuery } from '#src/pages/dto/delete-page.dto.js';
import { ListPagesQuery, PaginationQuery } from '#src/pages/dto/list-pages.dto.js';
import { MovePageDto, ReorderPageDto } from '#src/pages/dto/move-page.dto.js';
import { PageIdParam, PageRevisionParams } from '#src/pages/dto/page-params.dto.js';
import { UnpublishPageDto } from '#src/pages/dto/unpublish-page.dto.js';
import {
  CompareRevisionsQuery,
  PublishRequestDto,
} from '#src/publishing/dto/publication-requests.dto.js';
import { UpdatePageDto } from '#src/pages/dto/update-page.dto.js';
import { PagePermissionResolver } from '#src/pages/page-permission.resolver.js';
import type { PagePermissionType } from '#src/pages/page-permission.entity.js';
import { PageTreeService, type DeletePreview } from '#src/pages/page-tree.service.js';
import type { Page } from '#src/pages/page.entity.js';
import { ReferencedPageMissingError } from '#src/pages/pages.errors.js';
import {
  ADD_PAGE,
  CHANGE_PAGE,
  DELETE_PAGE,
  LOCK_PAGE,
  PAGE_PERMISSION_CODENAMES,
  PUBLISH_PAGE,
  UNLOCK_PAGE,
} from '#src/pages/pages.permissions.js';
import { PagesService } from '#src/pages/pages.service.js';
import { describe, type PublicationState } from '#src/publishing/publication-state.js';
import {
  PublishingService,
  type PublishOutcome,
  type RevisionComparison,
  type RevisionSummary,
  type RevisionView,
} from '#src/publishing/publishing.service.js';
import { ReferenceIndexService, type UsagePage } from '#src/references/reference-index.service.js';

/** A page as the tree listing shows it. */
export interface PageListItem {
  id: string;
  type: string;
  title: string;
  slug: string;
  url_path: string;
  locale: string;
  depth: number;
  children_count: number;
  status: PublicationState['status'];
  live: boolean;
  lock: PublicationState['lock'];
}

export type PageActions = Record<
  'change' | 'publish' | 'delete' | 'lock' | 'unlock' | 'add',
  boolean
>;

export interface PageDetail extends PageListItem {
  parent_id: string | null;
  /** The page's path on its site (`/blog/hello/`), or null when no site serves it. */
  html_path: string | null;
  /** What readers get: the live version's content (the draft's until the first publish). */
  content: Record<string, unknown>;
  /** The latest revision: what an editor is working on. */
  draft: { revisionId: string | null; title: string; slug: string; content: unknown };
  state: PublicationState;
  ancestors: Array<{ id: string; type: string; title: string; slug: string; url_path: string }>;
  /** What the caller may do to this page. */
  permissions: PageActions;
}

function listItemOf(page: Page): PageListItem {
  const state = describe(page);
  return {
    id: page.id,
    type: page.contentTypeKey,
    title: page.title,
    slug: page.slug,
    url_path: page.urlPath,
    locale: page.locale,
    depth: page.depth,
    children_count: page.numchild,
    status: state.status,
    live: page.live,
    lock: state.lock,
  };
}

/**
 * The pages management API (Wagtail's page explorer and editor actions). Routes are open to
 * signed-in users (API tokens need `write`, as on every non-public route); each change
 * checks the page permission it needs on the page it touches, which holds through grants
 * on the page or any ancestor (PagePermissionResolver).
 */
@ApiTags('Pages')
@ApiBearerAuth()
@Controller('api/admin/pages')
export class PagesAdminController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly pages: PagesService,
    private readonly tree: PageTreeService,
    private readonly publishing: PublishingService,
    private readonly permissions: PermissionsService,
    private readonly resolver: PagePermissionResolver,
    private readonly references: ReferenceIndexService,
  ) {}

  /** The children of `parent` (the root pages without it), in tree order. */
  @Get()
  @Authenticated()
  @Header('Cache-Control', 'no-store')
  async list(
    @Query() query: ListPagesQuery,
  ): Promise<{ meta: { total_count: number; parent: string | null }; items: PageListItem[] }> {
    if (query.parent && !(await this.pages.find(query.parent))) {
      throw new ReferencedPageMissingError('parent', query.parent);
    }
    const { total, items } = await this.pages.children(query.parent ?? null, query);
    return {
      meta: { total_count: total, parent: query.parent ?? null },
      items: items.map(listItemOf),
    };
  }

  @Post()
  @Authenticated()
  async create(
    @Body() body: CreatePageDto,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<PageDetail> {
    const actor = actorOf(principal, request);
    if (body.parentId) {
      const parent = await this.pages.find(body.parentId);
      if (!parent) throw new ReferencedPageMissingError('parentId', body.parentId);
      await this.need(principal, ADD_PAGE, parent.id);
      if (body.publish) await this.need(principal, PUBLISH_PAGE, parent.id);
    } else {
      // A root page has no parent to hold a grant: only a model-wide add_page will do.
      await this.permissions.assertCan(principal.user, ADD_PAGE);
      if (body.publish) await this.permissions.assertCan(principal.user, PUBLISH_PAGE);
    }
    const page = await this.tree.create(
      {
        parentId: body.parentId ?? null,
        type: body.type,
        title: body.title,
        slug: body.slug,
        content: body.content,
        locale: body.locale,
      },
      actor,
      body.publish
        ? async (created, manager) => {
            await this.publishing.publish({ type: 'page', id: created.id }, {}, actor, manager);
          }
        : undefined,
    );
    return this.detail(page.id, principal);
  }

  @Get(':id')
  @Authenticated()
  @Header('Cache-Control', 'no-store')
  get(
    @Param() params: PageIdParam,
    @CurrentPrincipal() principal: AuthPrincipal,
  ): Promise<PageDetail> {
    return this.detail(params.id, principal);
  }

  /** Saves a draft (a new revision); a new slug takes effect at once. */
  @Put(':id')
  @Authenticated()
  async update(
    @Param() params: PageIdParam,
    @Body() body: UpdatePageDto,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<PageDetail> {
    await this.needOnExisting(principal, CHANGE_PAGE, params.id);
    await this.tree.saveDraft(params.id, body, actorOf(principal, request));
    return this.detail(params.id, principal);
  }

  /** What deleting the page would take with it; `DELETE` wants `?confirm=<descendants + 1>`. */
  @Get(':id/delete-preview')
  @Authenticated()
  @Header('Cache-Control', 'no-store')
  async deletePreview(
    @Param() params: PageIdParam,
    @CurrentPrincipal() principal: AuthPrincipal,
  ): Promise<DeletePreview> {
    await this.needOnExisting(principal, DELETE_PAGE, params.id);
    return this.tree.deletePreview(params.id);
  }

  @Delete(':id')
  @Authenticated()
  async delete(
    @Param() params: PageIdParam,
    @Query() query: DeletePageQuery,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<{ deleted: number }> {
    await this.needOnExisting(principal, DELETE_PAGE, params.id);
    await this.publishing.assertNotLockedFor(
      { type: 'page', id: params.id },
      principal.user.id,
      undefined,
      'delete',
    );
    // A page below it in review is locked to non-reviewers: the delete takes it too.
    await this.publishing.assertGuardsAllowMany(
      'page',
      await this.tree.subtreeIds(params.id),
      principal.user.id,
      'delete',
    );
    return this.tree.delete(
      params.id,
      { confirm: query.confirm, force: query.force },
      actorOf(principal, request),
    );
  }

  /** Moves the page and its subtree: `change_page` on it, `add_page` on the new parent. */
  @Post(':id/move')
  @Authenticated()
  @HttpCode(200)
  async move(
    @Param() params: PageIdParam,
    @Body() body: MovePageDto,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<PageDetail> {
    await this.needOnExisting(principal, CHANGE_PAGE, params.id);
    await this.needToAddUnder(principal, body.parentId);
    await this.publishing.assertNotLockedFor(
      { type: 'page', id: params.id },
      principal.user.id,
      undefined,
      'move',
    );
    await this.tree.move(
      params.id,
      { parentId: body.parentId, position: body.position },
      actorOf(principal, request),
    );
    return this.detail(params.id, principal);
  }

  /** Copies the page (and its subtree when asked) under `parentId`: `add_page` there. */
  @Post(':id/copy')
  @Authenticated()
  async copy(
    @Param() params: PageIdParam,
    @Body() body: CopyPageDto,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<PageDetail> {
    await this.pages.get(params.id);
    await this.needToAddUnder(principal, body.parentId);
    const copy = await this.tree.copy(
      params.id,
      {
        parentId: body.parentId,
        slug: body.slug,
        title: body.title,
        includeSubtree: body.includeSubtree,
      },
      actorOf(principal, request),
    );
    return this.detail(copy.id, principal);
  }

  @Post(':id/reorder')
  @Authenticated()
  @HttpCode(200)
  async reorder(
    @Param() params: PageIdParam,
    @Body() body: ReorderPageDto,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<PageDetail> {
    await this.needOnExisting(principal, CHANGE_PAGE, params.id);
    await this.tree.reorder(params.id, body.position, actorOf(principal, request));
    return this.detail(params.id, principal);
  }

  /** Publishes the latest revision (or `revisionId`) now, or schedules it (`goLiveAt`). */
  @Post(':id/publish')
  @Authenticated()
  @HttpCode(200)
  async publish(
    @Param() params: PageIdParam,
    @Body() body: PublishRequestDto,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<PublishOutcome> {
    await this.needOnExisting(principal, PUBLISH_PAGE, params.id);
    return this.publishing.publish(
      { type: 'page', id: params.id },
      body.toOptions(),
      actorOf(principal, request),
    );
  }

  /** Takes the page offline (and the live pages below it with `includeDescendants`). */
  @Post(':id/unpublish')
  @Authenticated()
  @HttpCode(200)
  async unpublish(
    @Param() params: PageIdParam,
    @Body() body: UnpublishPageDto,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<{ unpublished: string[]; state: PublicationState }> {
    await this.needOnExisting(principal, PUBLISH_PAGE, params.id);
    const actor = actorOf(principal, request);
    const target = { type: 'page' as const, id: params.id };
    if (!body.includeDescendants) {
      const state = await this.publishing.unpublish(target, actor);
      return { unpublished: [params.id], state };
    }
    const unpublished = await this.dataSource.transaction(async (manager) => {
      await this.publishing.assertNotLockedFor(target, actor.actorId, manager, 'unpublish');
      const ids = await this.tree.subtreeIds(params.id, manager);
      await this.publishing.assertGuardsAllowMany('page', ids, actor.actorId, 'unpublish', manager);
      return this.publishing.unpublishMany('page', ids, actor, manager);
    });
    return { unpublished, state: describe(await this.pages.get(params.id)) };
  }

  @Get(':id/revisions')
  @Authenticated()
  @Header('Cache-Control', 'no-store')
  revisions(
    @Param() params: PageIdParam,
    @Query() query: PaginationQuery,
  ): Promise<{ total_count: number; items: RevisionSummary[] }> {
    return this.publishing.listRevisions({ type: 'page', id: params.id }, query);
  }

  /** Field-by-field differences from revision `a` to revision `b`. */
  @Get(':id/revisions/compare')
  @Authenticated()
  @Header('Cache-Control', 'no-store')
  compare(
    @Param() params: PageIdParam,
    @Query() query: CompareRevisionsQuery,
  ): Promise<RevisionComparison> {
    return this.publishing.compare({ type: 'page', id: params.id }, query.a, query.b);
  }

  @Get(':id/revisions/:revisionId')
  @Authenticated()
  @Header('Cache-Control', 'no-store')
  revision(@Param() params: PageRevisionParams): Promise<RevisionView> {
    return this.publishing.getRevision({ type: 'page', id: params.id }, params.revisionId);
  }

  /** Makes an old revision the new draft. */
  @Post(':id/revisions/:revisionId/revert')
  @Authenticated()
  @HttpCode(200)
  async revert(
    @Param() params: PageRevisionParams,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<RevisionView> {
    await this.needOnExisting(principal, CHANGE_PAGE, params.id);
    const target = { type: 'page' as const, id: params.id };
    await this.publishing.assertNotLockedFor(target, principal.user.id);
    return this.publishing.revert(target, params.revisionId, actorOf(principal, request));
  }

  @Post(':id/lock')
  @Authenticated()
  @HttpCode(200)
  async lock(
    @Param() params: PageIdParam,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<PublicationState> {
    await this.needOnExisting(principal, LOCK_PAGE, params.id);
    return this.publishing.lock({ type: 'page', id: params.id }, actorOf(principal, request));
  }

  /** One's own lock: with `lock_page` or `unlock_page`; someone else's: `unlock_page`. */
  @Post(':id/unlock')
  @Authenticated()
  @HttpCode(200)
  async unlock(
    @Param() params: PageIdParam,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<PublicationState> {
    const page = await this.pages.get(params.id);
    const object = { type: 'page', id: page.id };
    const mayUnlock = await this.permissions.can(principal.user, UNLOCK_PAGE, object);
    const ownLock = !page.locked || page.lockedById === principal.user.id;
    if (
      !mayUnlock &&
      !(ownLock && (await this.permissions.can(principal.user, LOCK_PAGE, object)))
    ) {
      await this.permissions.assertCan(principal.user, UNLOCK_PAGE, object);
    }
    return this.publishing.unlock({ type: 'page', id: page.id }, actorOf(principal, request), {
      mayUnlockOthers: mayUnlock,
    });
  }

  /** Cancels a scheduled publication (and a pending expiry). */
  @Delete(':id/schedule')
  @Authenticated()
  async cancelSchedule(
    @Param() params: PageIdParam,
    @CurrentPrincipal() principal: AuthPrincipal,
    @Req() request: FastifyRequest,
  ): Promise<PublicationState> {
    await this.needOnExisting(principal, PUBLISH_PAGE, params.id);
    return this.publishing.cancelSchedule(
      { type: 'page', id: params.id },
      actorOf(principal, request),
    );
  }

  /** Where the page is linked from (live and draft content). */
  @Get(':id/usage')
  @Authenticated()
  @Header('Cache-Control', 'no-store')
  async usage(@Param() params: PageIdParam, @Query() query: PaginationQuery): Promise<UsagePage> {
    await this.pages.get(params.id);
    return this.references.usage({ type: 'page', id: params.id }, query);
  }

  // --- helpers -------------------------------------------------------------------------

  private async need(principal: AuthPrincipal, codename: string, pageId: string): Promise<void> {
    await this.permissions.assertCan(principal.user, codename, { type: 'page', id: pageId });
  }

  /** 404 for a page that does not exist, then the permission on it. */
  private async needOnExisting(
    principal: AuthPrincipal,
    codename: string,
    pageId: string,
  ): Promise<Page> {
    const page = await this.pages.get(pageId);
    await this.need(principal, codename, pageId);
    return page;
  }

  /** `add_page` on the destination; at the root, model-wide. A missing parent is a 400. */
  private async needToAddUnder(principal: AuthPrincipal, parentId: string | null): Promise<void> {
    if (!parentId) {
      await this.permissions.assertCan(principal.user, ADD_PAGE);
      return;
    }
    if (!(await this.pages.find(parentId)))
      throw new ReferencedPageMissingError('parentId', parentId);
    await this.need(principal, ADD_PAGE, parentId);
  }

  /** Page permission types the caller holds on `page`: model-wide ones plus subtree grants (one query). */
  private async actionsOn(principal: AuthPrincipal, page: Page): Promise<PageActions> {
    const user = principal.user;
    let held: Set<PagePermissionType>;
    if (user.isSuperuser) {
      held = new Set(Object.keys(PAGE_PERMISSION_CODENAMES) as PagePermissionType[]);
    } else {
      const modelWide = new Set(await this.permissions.permissionsOf(user));
      held = await this.resolver.grantedTypesOn(user.id, page.id);
      for (const [type, codename] of Object.entries(PAGE_PERMISSION_CODENAMES)) {
        if (modelWide.has(codename)) held.add(type as PagePermissionType);
      }
    }
    const lockedByOther = page.locked && page.lockedById !== user.id;
    return {
      add: held.has('add'),
      change: held.has('change') && !lockedByOther,
      publish: held.has('publish') && !lockedByOther,
      delete: held.has('delete') && !lockedByOther,
      lock: held.has('lock') && !page.locked,
      unlock: page.locked && (held.has('unlock') || (!lockedByOther && held.has('lock'))),
    };
  }

  private async detail(id: string, principal: AuthPrincipal): Promise<PageDetail> {
    const page = await this.pages.get(id);
    const [ancestors, latest, htmlPath, permissions] = await Promise.all([
      this.pages.ancestors(page),
      page.latestRevisionId
        ? this.publishing.latestRevisionOf({ type: 'page', id })
        : Promise.resolve(null),
      this.pages.urlFor(page),
      this.actionsOn(principal, page),
    ]);
    return {
      ...listItemOf(page),
      parent_id: ancestors.at(-1)?.id ?? null,
      html_path: htmlPath,
      content: page.content,
      draft: {
        revisionId: latest?.id ?? null,
        title: latest?.title ?? page.title,
        slug: page.slug,
        content: latest?.content ?? page.content,
      },
      state: describe(page),
      ancestors: ancestors.map((ancestor) => ({
        id: ancestor.id,
        type: ancestor.contentTypeKey,
        title: ancestor.title,
        slug: ancestor.slug,
        url_path: ancestor.urlPath,
      })),
      permissions,
    };
  }
}
