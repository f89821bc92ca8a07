import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService, type AuditActor } from '#src/audit/audit.service.js';
import { Page } from '#src/pages/page.entity.js';
import {
  DefaultSiteRequiredError,
  SiteConflictError,
  SiteNotFoundError,
  SiteRootInvalidError,
} from '#src/pages/pages.errors.js';
import { ContentChanges } from '#src/publishing/content-changes.js';
import { KeptUntilChange } from '#src/publishing/kept-until-change.js';

export interface SiteView {
  id: string;
  hostname: string;
  name: string;
  rootPageId: string;
  isDefault: boolean;
  /** Where readers reach the site (`https://www.example.com`), for absolute links; see `siteBaseUrl`. */
  baseUrl: string | null;
  /** The root page's `url_path`: what `htmlPathOf` strips. */
  rootUrlPath: string;
  createdAt: string;
}

export interface SiteInput {
  hostname: string;
  name: string;
  rootPageId: string;
  isDefault?: boolean;
  baseUrl?: string | null;
}

interface SiteRow {
  id: string;
  hostname: string;
  name: string;
  root_page_id: string;
  is_default: boolean;
  base_url: string | null;
  root_url_path: string;
  created_at: Date;
}

/**
 * Sites: a host name served from a root page. The delivery API asks `forHost` on every
 * request, so the few sites are kept in memory and reloaded after any committed change to
 * a site or to the tree's URLs (ContentChanges reaches every process).
 */
@Injectable()
export class SitesService implements OnModuleInit {
  private readonly sites = new KeptUntilChange(() => this.load());

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly contentChanges: ContentChanges,
    private readonly audit: AuditService,
  ) {}

  onModuleInit(): void {
    this.sites.listen(
      this.contentChanges,
      (change) =>
        change.objectType === 'site' ||
        (change.objectType === 'page' &&
          (change.action === 'moved' || change.action === 'deleted')),
    );
  }

  /** Every site, default first, then by host name. */
  list(): Promise<SiteView[]> {
    return this.sites.get();
  }

  async get(id: string): Promise<SiteView> {
    const site = (await this.load(this.dataSource.manager, id))[0];
    if (!site) throw new SiteNotFoundError(id);
    return site;
  }

  /** The site for a request's `Host` (port ignored, case-insensitive), else the default site, else null. */
  async forHost(host: string | undefined): Promise<SiteView | null> {
    const sites = await this.list();
    const hostname = (host ?? '')
      .trim()
      .toLowerCase()
      .replace(/:\d+$/, '')
      .replace(/^\[|\]$/g, '');
    return (
      sites.find((site) => site.hostname === hostname) ??
      sites.find((site) => site.isDefault) ??
      null
    );
  }

  /** The site whose tree holds the page (the one whose root `url_path` prefixes the page's). */
  async siteOf(page: Pick<Page, 'urlPath'>): Promise<SiteView | null> {
    const sites = await this.list();
    return sites.find((site) => page.urlPath.startsWith(site.rootUrlPath)) ?? null;
  }

  /**
   * The page's path as readers of its site see it: `url_path` without the site root's part
   * (`/home/blog/hello/` → `/blog/hello/`; the root page itself is `/`). Null when no site
   * serves the page.
   */
  async htmlPathOf(page: Pick<Page, 'urlPath'>): Promise<string | null> {
    const site = await this.siteOf(page);
    if (!site) return null;
    return `/${page.urlPath.slice(site.rootUrlPath.length)}`;
  }

  async create(input: SiteInput, actor: AuditActor): Promise<SiteView> {
    return this.change(async (manager) => {
      const hostname = input.hostname.toLowerCase();
      await this.assertRootPage(manager, input.rootPageId);
      await this.assertFree(manager, hostname, input.rootPageId);
      const [{ count }] = await manager.query<Array<{ count: number }>>(
        'SELECT count(*)::int AS count FROM sites',
      );
      const isDefault = count === 0 ? true : (input.isDefault ?? false);
      if (isDefault) await manager.query('UPDATE sites SET is_default = false WHERE is_default');
      const [row] = await manager.query<Array<{ id: string }>>(
        `INSERT INTO sites (hostname, name, root_page_id, is_default, base_url)
         VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [hostname, input.name, input.rootPageId, isDefault, normalizeBaseUrl(input.baseUrl)],
      );
      const site = (await this.load(manager, row.id))[0];
      await this.recordChange(manager, actor, 'sites.created', site);
      return site;
    });
  }

  async update(id: string, input: Partial<SiteInput>, actor: AuditActor): Promise<SiteView> {
    return this.change(async (manager) => {
      const [current] = await this.load(manager, id, true);
      if (!current) throw new SiteNotFoundError(id);
      const hostname = input.hostname?.toLowerCase() ?? current.hostname;
      const rootPageId = input.rootPageId ?? current.rootPageId;
      if (input.rootPageId !== undefined) await this.assertRootPage(manager, rootPageId);
      await this.assertFree(manager, hostname, rootPageId, id);
      if (input.isDefault === false && current.isDefault) {
        throw new DefaultSiteRequiredError(
          'One site must be the default: make another site the default instead of unsetting this one.',
        );
      }
      if (input.isDefault === true && !current.isDefault) {
        await manager.query('UPDATE sites SET is_default = false WHERE is_default');
      }
      await manager.query(
        `UPDATE sites SET hostname = $2, name = $3, root_page_id = $4, is_default = $5, base_url = $6
          WHERE id = $1`,
        [
          id,
          hostname,
          input.name ?? current.name,
          rootPageId,
          input.isDefault ?? current.isDefault,
          input.baseUrl === undefined ? current.baseUrl : normalizeBaseUrl(input.baseUrl),
        ],
      );
      const site = (await this.load(manager, id))[0];
      await this.recordChange(manager, actor, 'sites.changed', site, { before: current });
      return site;
    });
  }

  async delete(id: string, actor: AuditActor): Promise<void> {
    await this.change(async (manager) => {
      const [current] = await this.load(manager, id, true);
      if (!current) throw new SiteNotFoundError(id);
      const [{ count }] = await manager.query<Array<{ count: number }>>(
        'SELECT count(*)::int AS count FROM sites',
      );
      if (current.isDefault && count > 1) {
        throw new DefaultSiteRequiredError(
          'This is the default site: make another site the default before deleting it.',
        );
      }
      await manager.query('DELETE FROM sites WHERE id = $1', [id]);
      await this.recordChange(manager, actor, 'sites.deleted', current);
    });
  }

  /**
   * Sites are few and rarely change: a table lock serializes changes, so the one-default rule
   * and the host name checks never race.
   */
  private change<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('LOCK TABLE sites IN SHARE ROW EXCLUSIVE MODE');
      return work(manager);
    });
  }

  private async recordChange(
    manager: EntityManager,
    actor: AuditActor,
    action: string,
    site: SiteView,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    await this.audit.record(
      {
        actorId: actor.actorId,
        action,
        objectType: 'site',
        objectId: site.id,
        data: {
          hostname: site.hostname,
          name: site.name,
          rootPageId: site.rootPageId,
          isDefault: site.isDefault,
          ...extra,
        },
        ip: actor.ip,
      },
      manager,
    );
    await this.contentChanges.record(manager, {
      objectType: 'site',
      objectId: site.id,
      action: action.split('.')[1],
    });
  }

  private async assertRootPage(manager: EntityManager, pageId: string): Promise<void> {
    const [page] = await manager.query<Array<{ depth: number }>>(
      'SELECT depth FROM pages WHERE id = $1',
      [pageId],
    );
    if (!page) throw new SiteRootInvalidError(`There is no page with id ${pageId}.`);
    if (page.depth !== 1) {
      throw new SiteRootInvalidError(
        'A site is served from a root page (one with no parent); this page has a parent.',
      );
    }
  }

  private async assertFree(
    manager: EntityManager,
    hostname: string,
    rootPageId: string,
    exceptId?: string,
  ): Promise<void> {
    const clashes = await manager.query<Array<{ hostname: string; root_page_id: string }>>(
      `SELECT hostname, root_page_id FROM sites
        WHERE (hostname = $1 OR root_page_id = $2) AND ($3::uuid IS NULL OR id <> $3::uuid)`,
      [hostname, rootPageId, exceptId ?? null],
    );
    if (clashes.some((clash) => clash.hostname === hostname)) {
      throw new SiteConflictError(
        `Another site already has the host name ${hostname}.`,
        'hostname',
      );
    }
    if (clashes.length > 0) {
      throw new SiteConflictError(
        'Another site is already served from this root page.',
        'rootPageId',
      );
    }
  }

  private async load(manager?: EntityManager, id?: string, forUpdate = false): Promise<SiteView[]> {
    const rows = await (manager ?? this.dataSource.manager).query<SiteRow[]>(
      `SELECT s.id, s.hostname, s.name, s.root_page_id, s.is_default, s.base_url, s.created_at,
              p.url_path AS root_url_path
         FROM sites s JOIN pages p ON p.id = s.root_page_id
        WHERE ($1::uuid IS NULL OR s.id = $1::uuid)
        ORDER BY s.is_default DESC, s.hostname
        ${forUpdate ? 'FOR UPDATE OF s' : ''}`,
      [id ?? null],
    );
    return rows.map((row) => ({
      id: row.id,
      hostname: row.hostname,
      name: row.name,
      rootPageId: row.root_page_id,
      isDefault: row.is_default,
      baseUrl: row.base_url,
      rootUrlPath: row.root_url_path,
      createdAt: new Date(row.created_at).toISOString(),
    }));
  }
}

/** A base URL as stored: no trailing slash (a path is appended to it). */
function normalizeBaseUrl(url: string | null | undefined): string | null {
  return url ? url.replace(/\/+$/, '') : null;
}

/**
 * Where readers reach a site, for absolute links (feeds): its `baseUrl`; else `publicUrl`
 * (Finch's `PUBLIC_URL`) when the site's host name is Finch's own (a single-host setup,
 * `localhost` in development); else `https://<hostname>`.
 */
export function siteBaseUrl(
  site: Pick<SiteView, 'baseUrl' | 'hostname'>,
  publicUrl: string,
): string {
  if (site.baseUrl) return site.baseUrl;
  const finch = new URL(publicUrl);
  if (finch.hostname.toLowerCase() === site.hostname) return finch.origin;
  return `https://${site.hostname}`;
}
