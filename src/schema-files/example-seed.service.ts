import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CommandFailure } from '#src/cli/command-failure.js';
import type { AuditActor } from '#src/audit/audit.service.js';
import { PROJECT_ROOT } from '#src/config/project-paths.js';
import { validateSchemaFile } from '#src/content-types/content-type-validation.js';
import { PageTreeService } from '#src/pages/page-tree.service.js';
import { SitesService } from '#src/pages/sites.service.js';
import { PublishingService } from '#src/publishing/publishing.service.js';
import {
  EXAMPLE_BLOG_INDEX,
  EXAMPLE_HOME,
  EXAMPLE_POSTS,
  EXAMPLE_SNIPPETS,
  streamBody,
} from '#src/schema-files/example-site-content.js';
import { type ProgressReporter, SILENT_PROGRESS } from '#src/schema-files/progress-reporter.js';
import { SchemaFilesService, type SchemaPlan } from '#src/schema-files/schema-files.service.js';
import { parseSchemaFile } from '#src/schema-files/schema-file.js';
import { SnippetsService } from '#src/snippets/snippets.service.js';

/** The example site's schema file, shipped with Finch. */
export const EXAMPLE_SCHEMA_FILE = path.join(PROJECT_ROOT, 'examples', 'blog.schema.json');
/** The site the example is served as: requests for any host fall back to the default site. */
export const EXAMPLE_HOSTNAME = 'localhost';
const EXAMPLE_TYPES = ['home', 'blog_index', 'blog_post', 'author', 'category'];
const DAY_MS = 24 * 60 * 60 * 1000;

export type SeedResult =
  | { status: 'already-seeded'; siteId: string }
  | {
      status: 'seeded';
      siteId: string;
      plan: SchemaPlan;
      snippets: number;
      published: number;
      drafts: number;
      scheduled: Array<{ title: string; goLiveAt: Date }>;
    };

/** The database holds content the example would collide with. */
export class ExampleSeedConflictError extends CommandFailure {
  constructor(detail: string) {
    super(
      `${detail} The example site is for a new installation: seed an empty database (e.g. another DATA_DIR or database), or leave it out. Nothing was changed.`,
    );
  }
}

/** `YYYY-MM-DD` of `days` days before `now` (negative: after). */
function dateBefore(now: Date, days: number): string {
  return new Date(now.getTime() - days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * `finch seed --example`: the example blog (examples/blog.schema.json) with sample
 * content, made through the same services the management API uses — snippets, the page
 * tree, publishing — so everything is validated, revisioned, indexed and audited as if an
 * editor had written it. Idempotent: the site for `localhost` is made last, so once it
 * exists the seed is complete and a second run changes nothing.
 */
@Injectable()
export class ExampleSeedService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly schemaFiles: SchemaFilesService,
    private readonly snippets: SnippetsService,
    private readonly pageTree: PageTreeService,
    private readonly publishing: PublishingService,
    private readonly sites: SitesService,
  ) {}

  async seed(
    actor: AuditActor,
    options: { progress?: ProgressReporter; now?: Date } = {},
  ): Promise<SeedResult> {
    const progress = options.progress ?? SILENT_PROGRESS;
    const now = options.now ?? new Date();
    const existing = (await this.sites.list()).find((site) => site.hostname === EXAMPLE_HOSTNAME);
    if (existing) return { status: 'already-seeded', siteId: existing.id };
    await this.assertNothingInTheWay();

    const text = await readFile(EXAMPLE_SCHEMA_FILE, 'utf8');
    const { definitions } = parseSchemaFile(text, EXAMPLE_SCHEMA_FILE, validateSchemaFile);
    // Adds the example's types; types of the installation's own are left alone.
    const plan = await this.schemaFiles.apply(definitions, actor, { removeMissing: false });

    const total = EXAMPLE_SNIPPETS.length + 2 + EXAMPLE_POSTS.length + 1;
    progress.start('Creating the example content', total);
    const ids = new Map<string, string>();
    for (const snippet of EXAMPLE_SNIPPETS) {
      const created = await this.snippets.create(
        snippet.type,
        { content: snippet.content, publish: true, message: 'Example content' },
        actor,
      );
      ids.set(snippet.ref, created.id);
      progress.advance(1);
    }

    const publishNow = async (
      pageId: string,
      manager: Parameters<PublishingService['publish']>[3],
    ) => {
      await this.publishing.publish({ type: 'page', id: pageId }, {}, actor, manager);
    };
    const home = await this.pageTree.create(
      { type: 'home', ...EXAMPLE_HOME },
      actor,
      (page, manager) => publishNow(page.id, manager),
    );
    progress.advance(1);
    const blog = await this.pageTree.create(
      { type: 'blog_index', parentId: home.id, ...EXAMPLE_BLOG_INDEX },
      actor,
      (page, manager) => publishNow(page.id, manager),
    );
    progress.advance(1);

    let published = 0;
    let drafts = 0;
    const scheduled: Array<{ title: string; goLiveAt: Date }> = [];
    // Oldest first, so "newest first" listings show the most recent post on top.
    const posts = [...EXAMPLE_POSTS].sort((a, b) => b.daysAgo - a.daysAgo);
    for (const post of posts) {
      const content = {
        intro: post.intro,
        date: dateBefore(now, post.daysAgo),
        body: streamBody(post.body),
        author: { id: ids.get(post.author)! },
        categories: post.categories.map((ref) => ({ id: ids.get(ref)! })),
        tags: post.tags,
      };
      const goLiveAt = new Date(now.getTime() - post.daysAgo * DAY_MS);
      await this.pageTree.create(
        { type: 'blog_post', parentId: blog.id, title: post.title, slug: post.slug, content },
        actor,
        async (page, manager) => {
          if (post.state === 'published') {
            await publishNow(page.id, manager);
            // As if published on its post date: feeds and listings by publication show the
            // sample posts spread over the weeks their dates say, not all at this instant.
            await manager.query(
              'UPDATE pages SET first_published_at = $2, last_published_at = $2 WHERE id = $1',
              [page.id, goLiveAt],
            );
          }
          if (post.state === 'scheduled') {
            await this.publishing.publish(
              { type: 'page', id: page.id },
              { goLiveAt },
              actor,
              manager,
            );
          }
        },
      );
      if (post.state === 'published') published++;
      if (post.state === 'draft') drafts++;
      if (post.state === 'scheduled') scheduled.push({ title: post.title, goLiveAt });
      progress.advance(1);
    }

    const site = await this.sites.create(
      {
        hostname: EXAMPLE_HOSTNAME,
        name: 'Finch example blog',
        rootPageId: home.id,
        isDefault: true,
      },
      actor,
    );
    progress.advance(1);
    progress.finish();
    return {
      status: 'seeded',
      siteId: site.id,
      plan,
      snippets: EXAMPLE_SNIPPETS.length,
      published: published + 2,
      drafts,
      scheduled,
    };
  }

  /**
   * Pages or example snippets without the example's site: an installation of its own, or
   * a seed that stopped half-way. Creating the example there would duplicate or collide.
   * (A count over the two tables; the services have no "is anything there" question.)
   */
  private async assertNothingInTheWay(): Promise<void> {
    const [row] = await this.dataSource.query<Array<{ pages: number; snippets: number }>>(
      `SELECT (SELECT count(*)::int FROM pages) AS pages,
              (SELECT count(*)::int FROM snippets WHERE content_type_key = ANY($1)) AS snippets`,
      [EXAMPLE_TYPES],
    );
    if (row.pages > 0 || row.snippets > 0) {
      throw new ExampleSeedConflictError(
        `The database already has ${row.pages} page${row.pages === 1 ? '' : 's'} and ${row.snippets} author or category snippet${row.snippets === 1 ? '' : 's'}, but no site for ${EXAMPLE_HOSTNAME}.`,
      );
    }
  }
}
