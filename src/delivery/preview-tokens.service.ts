import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { PermissionsService } from '#src/accounts/permissions.service.js';
import type { User } from '#src/accounts/user.entity.js';
import { ContentTypesService } from '#src/content-types/content-types.service.js';
import { APP_CONFIG } from '#src/config/config.module.js';
import type { AppConfig } from '#src/config/app-config.js';
import { DeliveryNotFoundError } from '#src/delivery/delivery.errors.js';
import { htmlPathOf, DeliveryService } from '#src/delivery/delivery.service.js';
import type { PreviewScope } from '#src/delivery/preview-tokens.js';
import { RequestValidationError } from '#src/errors/domain-error.js';
import { SitesService } from '#src/pages/sites.service.js';

export interface PreviewTokenView {
  token: string;
  expiresAt: string;
  /** The content type's `preview.url` with `{url_path}`, `{id}` and `{token}` filled in. */
  previewUrl?: string;
}

interface PageRow {
  id: string;
  content_type_key: string;
  url_path: string;
}

/** Issues preview tokens to editors: the page's (or whole site's) drafts, for a short while. */
@Injectable()
export class PreviewTokensService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly delivery: DeliveryService,
    private readonly permissions: PermissionsService,
    private readonly sites: SitesService,
    private readonly contentTypes: ContentTypesService,
  ) {}

  /**
   * A page token needs `change_page` on that page; a site token shows every draft of the
   * site, so it needs `change_page` on the site's root page (that is, on the whole site).
   */
  async issue(input: { pageId?: string; siteId?: string }, user: User): Promise<PreviewTokenView> {
    if ((input.pageId === undefined) === (input.siteId === undefined)) {
      const message = 'give exactly one of pageId and siteId';
      throw new RequestValidationError([
        { path: input.pageId === undefined ? 'pageId' : 'siteId', message },
      ]);
    }
    let scope: PreviewScope;
    let page: PageRow | undefined;
    if (input.pageId !== undefined) {
      page = await this.page(input.pageId);
      if (!page) throw new DeliveryNotFoundError(`There is no page with id ${input.pageId}.`);
      await this.permissions.assertCan(user, 'change_page', { type: 'page', id: page.id });
      scope = { kind: 'page', id: page.id };
    } else {
      const site = await this.sites.get(input.siteId as string);
      await this.permissions.assertCan(user, 'change_page', { type: 'page', id: site.rootPageId });
      page = await this.page(site.rootPageId);
      scope = { kind: 'site', id: site.id };
    }
    const expiresAt = Math.floor(Date.now() / 1000) + this.config.delivery.previewTokenTtlSeconds;
    const token = this.delivery.signer.sign({ scope, expiresAt });
    const previewUrl = page ? await this.previewUrlOf(page, token) : undefined;
    return {
      token,
      expiresAt: new Date(expiresAt * 1000).toISOString(),
      ...(previewUrl ? { previewUrl } : {}),
    };
  }

  private async page(id: string): Promise<PageRow | undefined> {
    const rows: PageRow[] = await this.dataSource.query(
      'SELECT id, content_type_key, url_path FROM pages WHERE id = $1',
      [id],
    );
    return rows[0];
  }

  private async previewUrlOf(page: PageRow, token: string): Promise<string | undefined> {
    const template = this.contentTypes.find(page.content_type_key)?.definition.preview?.url;
    if (!template) return undefined;
    const sites = await this.sites.list();
    const path = htmlPathOf(page.url_path, null, sites) ?? page.url_path;
    return template
      .replaceAll('{url_path}', encodeURIComponent(path))
      .replaceAll('{id}', encodeURIComponent(page.id))
      .replaceAll('{token}', encodeURIComponent(token));
  }
}
