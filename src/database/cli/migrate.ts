import 'reflect-metadata';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import type { AppConfig } from '#src/config/app-config.js';
import { COMPILED_ENTITIES_GLOB, MIGRATIONS_SOURCE_DIR } from '#src/config/project-paths.js';
import { buildDataSourceOptions } from '#src/database/data-source-options.js';
import { DataDirectoryInUseError, startEmbeddedPostgres } from '#src/database/embedded-postgres.js';
import {
  kebabCase,
  loadCompiledMigrations,
  migrationFileNameProblems,
  migrationSource,
  pascalCase,
} from '#src/database/migration-files.js';
import {
  pendingMigrationNames,
  runPendingMigrations,
  schemaDrift,
} from '#src/database/migration-runner.js';
import { withScratchDatabase } from '#src/database/scratch-database.js';
import type { LogSink } from '#src/database/typeorm-log.js';
import { loadConfigOrExit } from '#src/process-lifecycle.js';

const USAGE = `Usage: npm run migration:<command>
  migration:run                 apply every pending migration
  migration:revert              undo the most recently applied migration
  migration:show                list migrations, applied [X] or pending [ ]
  migration:generate -- <Name>  write migrations/<timestamp>-<name>.ts from entity changes
  migration:check               fail if the entities and the migrations disagree`;

/** Migration progress for a person at a terminal; queries stay quiet. */
const consoleSink: LogSink = {
  trace: () => undefined,
  debug: () => undefined,
  info: (message) => console.log(message),
  warn: (message) => console.warn(message),
  error: (message) => console.error(message),
};

async function dataSourceFor(url: string, config: AppConfig): Promise<DataSource> {
  return new DataSource(
    buildDataSourceOptions({
      url,
      poolSize: Math.min(config.databasePoolSize, 4),
      log: consoleSink,
      entities: [COMPILED_ENTITIES_GLOB],
      // The same classes the server runs, loaded the same way.
      migrations: await loadCompiledMigrations(),
      applicationName: 'finch-migrate',
    }),
  );
}

/** Opens the database the server uses: DATABASE_URL, or the embedded one in DATA_DIR. */
async function withAppDatabase<T>(
  config: AppConfig,
  work: (dataSource: DataSource) => Promise<T>,
): Promise<T> {
  const embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres(config.dataDir);
  if (embedded) console.log(`Using the embedded database in ${embedded.directory}.`);
  const dataSource = await dataSourceFor(config.databaseUrl ?? embedded!.url, config);
  try {
    await dataSource.initialize();
    return await work(dataSource);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.stop();
  }
}

/** Applies all migrations to a throwaway database and returns what the entities still need. */
async function driftAgainstMigrations(
  config: AppConfig,
): Promise<{ up: string[]; down: string[] }> {
  return withScratchDatabase(config.databaseUrl, async (url) => {
    const dataSource = await dataSourceFor(url, config);
    await dataSource.initialize();
    try {
      const applied = await runPendingMigrations(dataSource);
      console.log(`Applied ${applied.length} migration(s) to a scratch database.`);
      return await schemaDrift(dataSource);
    } finally {
      await dataSource.destroy();
    }
  });
}

async function run(command: string | undefined, args: string[]): Promise<number> {
  const { config } = loadConfigOrExit();
  switch (command) {
    case 'run':
      return withAppDatabase(config, async (dataSource) => {
        const pending = await pendingMigrationNames(dataSource);
        if (pending.length === 0) {
          console.log('Nothing to do: every migration is applied.');
          return 0;
        }
        console.log(`Applying ${pending.length} migration(s)…`);
        const applied = await runPendingMigrations(dataSource);
        console.log(`Done: applied ${applied.length} migration(s).`);
        return 0;
      });
    case 'revert':
      return withAppDatabase(config, async (dataSource) => {
        await dataSource.undoLastMigration({ transaction: 'each' });
        return 0;
      });
    case 'show':
      return withAppDatabase(config, async (dataSource) => {
        const pending = new Set(await pendingMigrationNames(dataSource));
        for (const migration of dataSource.migrations) {
          const name = migration.name ?? migration.constructor.name;
          console.log(`${pending.has(name) ? '[ ]' : '[X]'} ${name}`);
        }
        console.log(
          pending.size === 0
            ? `All ${dataSource.migrations.length} migrations are applied.`
            : `${pending.size} of ${dataSource.migrations.length} pending: npm run migration:run applies them.`,
        );
        return pending.size > 0 ? 1 : 0;
      });
    case 'generate': {
      const name = args[0];
      if (!name || !/^[A-Za-z][A-Za-z0-9-_ ]*$/.test(name)) {
        console.error(
          'Name the migration after what it does: npm run migration:generate -- CreateOutbox',
        );
        return 2;
      }
      const drift = await driftAgainstMigrations(config);
      if (drift.up.length === 0) {
        console.log(
          'No changes: the entities and the migrations agree, so there is nothing to generate.',
        );
        return 1;
      }
      const timestamp = Date.now();
      const file = path.join(MIGRATIONS_SOURCE_DIR, `${timestamp}-${kebabCase(name)}.ts`);
      const className = `${pascalCase(name)}${timestamp}`;
      mkdirSync(MIGRATIONS_SOURCE_DIR, { recursive: true });
      writeFileSync(file, await formatted(migrationSource(className, drift.up, drift.down), file));
      console.log(
        `Wrote ${path.relative(process.cwd(), file)} (${drift.up.length} statement(s)). Review it, then commit it.`,
      );
      return 0;
    }
    case 'check': {
      const nameProblems = existsSync(MIGRATIONS_SOURCE_DIR)
        ? migrationFileNameProblems(MIGRATIONS_SOURCE_DIR)
        : [];
      for (const problem of nameProblems) console.error(problem);
      const drift = await driftAgainstMigrations(config);
      if (drift.up.length > 0) {
        console.error(
          [
            'The entities and the migrations disagree. After all migrations, the database would still need:',
            ...drift.up.map((query) => `  ${query};`),
            'Write a migration for it: npm run migration:generate -- <WhatItDoes>',
          ].join('\n'),
        );
        return 1;
      }
      if (nameProblems.length > 0) return 1;
      console.log('OK: the entities and the migrations agree.');
      return 0;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

/** Generated files follow the project's Prettier style when Prettier is installed. */
async function formatted(source: string, file: string): Promise<string> {
  try {
    const prettier = await import('prettier');
    const options = (await prettier.resolveConfig(file)) ?? {};
    return await prettier.format(source, { ...options, filepath: file });
  } catch {
    return source;
  }
}

run(process.argv[2], process.argv.slice(3))
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    if (error instanceof DataDirectoryInUseError) console.error(error.message);
    else
      console.error(
        `Migration command failed: ${error instanceof Error ? error.stack : String(error)}`,
      );
    process.exit(1);
  });
