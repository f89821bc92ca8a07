import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG } from '#src/config/config.module.js';
import type { AppConfig } from '#src/config/app-config.js';
import {
  searchQuerySql,
  searchRankSql,
  type SearchTextPart,
  searchVectorSql,
} from '#src/search/search-vector-sql.js';

export type SearchableKind = 'page' | 'snippet';

/** Fixed table names: the kind selects one of these, nothing else reaches the SQL. */
const TABLES: Record<SearchableKind, string> = { page: 'pages', snippet: 'snippets' };

/** The configured text search language does not exist in the database. */
export class UnknownSearchLanguageError extends Error {
  constructor(language: string, available: string[]) {
    super(
      `SEARCH_LANGUAGE=${JSON.stringify(language)} is not a text search configuration of this database. ` +
        `Set SEARCH_LANGUAGE to one of: ${available.join(', ')}.`,
    );
    this.name = 'UnknownSearchLanguageError';
  }
}

/**
 * Keeps `search_vector` of pages and snippets up to date (publishing calls `index` when a
 * version goes live and `clear` when it goes offline), and gives the delivery API the SQL to
 * query and rank it. The language is a PostgreSQL regconfig from SEARCH_LANGUAGE, checked
 * against `pg_ts_config` at boot.
 */
@Injectable()
export class SearchIndexService implements OnModuleInit {
  readonly language: string;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    this.language = config.search.language;
  }

  async onModuleInit(): Promise<void> {
    const rows: Array<{ cfgname: string }> = await this.dataSource.query(
      'SELECT cfgname FROM pg_ts_config ORDER BY cfgname',
    );
    const available = rows.map((row) => row.cfgname);
    if (!available.includes(this.language)) {
      throw new UnknownSearchLanguageError(this.language, available);
    }
  }

  /** Sets the search vector of one page or snippet from its weighted texts. */
  async index(
    manager: EntityManager,
    kind: SearchableKind,
    id: string,
    parts: readonly SearchTextPart[],
  ): Promise<void> {
    const vector = searchVectorSql(this.language, parts, 2);
    await manager.query(`UPDATE ${TABLES[kind]} SET search_vector = ${vector.sql} WHERE id = $1`, [
      id,
      ...vector.values,
    ]);
  }

  /** Takes one page or snippet out of search results (it went offline). */
  async clear(manager: EntityManager, kind: SearchableKind, id: string): Promise<void> {
    await manager.query(`UPDATE ${TABLES[kind]} SET search_vector = NULL WHERE id = $1`, [id]);
  }

  /**
   * SQL that matches and ranks rows of `alias` against a search box text: `match` for the
   * WHERE clause and `rank` for the select list and ORDER BY. `languageParameter` and
   * `queryParameter` are the numbers of the parameters holding `this.language` and the text.
   */
  querySql(
    alias: string,
    languageParameter: number,
    queryParameter: number,
  ): { match: string; rank: string } {
    const query = searchQuerySql(languageParameter, queryParameter);
    const vector = `${alias}.search_vector`;
    return { match: `${vector} @@ ${query}`, rank: searchRankSql(vector, query) };
  }
}
