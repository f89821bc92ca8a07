import { Injectable } from '@nestjs/common';
import { PermissionsService } from '#src/accounts/permissions.service.js';
import type { AuthPrincipal } from '#src/auth/auth-principal.js';
import type { Page } from '#src/pages/page.entity.js';
import { CHANGE_PAGE, PUBLISH_PAGE } from '#src/pages/pages.permissions.js';
import { PagesService } from '#src/pages/pages.service.js';
import { ModerationService, reviewerOf } from '#src/workflows/moderation.service.js';
import { NotAPageCollaboratorError } from '#src/workflows/workflows.errors.js';

/**
 * Who takes part in a page's review, and so may read its comments and review history:
 * those who may change or publish it, and the reviewers of its current task (or of the
 * task that sent it back).
 */
@Injectable()
export class PageCollaborators {
  constructor(
    private readonly pages: PagesService,
    private readonly permissions: PermissionsService,
    private readonly moderation: ModerationService,
  ) {}

  /** The page (404 when it does not exist), or 403 for someone outside its review. */
  async assert(principal: AuthPrincipal, pageId: string): Promise<Page> {
    const page = await this.pages.get(pageId);
    const object = { type: 'page', id: page.id };
    if (
      (await this.permissions.can(principal.user, CHANGE_PAGE, object)) ||
      (await this.permissions.can(principal.user, PUBLISH_PAGE, object)) ||
      (await this.moderation.reviewsPage(page.id, reviewerOf(principal)))
    ) {
      return page;
    }
    throw new NotAPageCollaboratorError();
  }
}
