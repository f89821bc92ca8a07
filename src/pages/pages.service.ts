import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { Page } from '#src/pages/page.entity.js';
import { parentPathOf, pathsFromRoot } from '#src/pages/page-paths.js';
import { PageNotFoundError } from '#src/pages/pages.errors.js';
import { SitesService } from '#src/pages/sites.service.js';

export interface PageListPage {
  total: number;
  items: Page[];
}

/**
 * Reading the page tree, for other modules (delivery, feeds, GraphQL) and the admin API.
 * Changes go through PageTreeService (structure) and PublishingService (content).
 */
@Injectable()
export class PagesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sites: SitesService,
  ) {}

  /** The page, or PageNotFoundError (404). */
  async get(id: string, manager?: EntityManager): Promise<Page> {
    const page = await this.find(id, manager);
    if (!page) throw new PageNotFoundError(id);
    return page;
  }

  async find(id: string, manager?: EntityManager): Promise<Page | null> {
    return (manager ?? this.dataSource.manager).findOneBy(Page, { id });
  }

  /** Children of `parentId` in tree order (root pages when null), a page at a time. */
  async children(
    parentId: string | null,
    page: { limit: number; offset: number } = { limit: 100, offset: 0 },
  ): Promise<PageListPage> {
    let parentPath = '';
    let depth = 1;
    if (parentId) {
      const parent = await this.get(parentId);
      parentPath = parent.path;
      depth = parent.depth + 1;
    }
    const [items, total] = await this.dataSource.manager
      .createQueryBuilder(Page, 'page')
      .where("page.path LIKE :prefix || '%'", { prefix: parentPath })
      .andWhere('page.depth = :depth', { depth })
      .orderBy('page.path', 'ASC')
      .take(page.limit)
      .skip(page.offset)
      .getManyAndCount();
    return { total, items };
  }

  /** The page's ancestors, root first, the page itself not included. */
  async ancestors(page: Pick<Page, 'path'>, manager?: EntityManager): Promise<Page[]> {
    const paths = pathsFromRoot(page.path).slice(0, -1);
    if (paths.length === 0) return [];
    return (manager ?? this.dataSource.manager)
      .createQueryBuilder(Page, 'page')
      .where('page.path IN (:...paths)', { paths })
      .orderBy('page.path', 'ASC')
      .getMany();
  }

  /** The parent's id, or null for a root page. */
  async parentIdOf(page: Pick<Page, 'path'>): Promise<string | null> {
    const parentPath = parentPathOf(page.path);
    if (!parentPath) return null;
    const parent = await this.dataSource.manager.findOne(Page, {
      where: { path: parentPath },
      select: { id: true },
    });
    return parent?.id ?? null;
  }

  /**
   * Where the page is read on its site: its path there (`/blog/hello/`; `/` for the site's
   * root page), or null when no site serves it. Prefix with the site's host for a full URL.
   */
  async urlFor(page: Pick<Page, 'urlPath'>): Promise<string | null> {
    return this.sites.htmlPathOf(page);
  }
}
