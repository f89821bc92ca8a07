import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MigrationInterface } from 'typeorm';
import { COMPILED_MIGRATIONS_DIR } from '#src/config/project-paths.js';

/** `<timestamp>-<what-it-does>.ts`, e.g. `1795240000000-create-outbox.ts`. */
export const MIGRATION_FILE_NAME = /^(\d{13})-([a-z0-9]+(?:-[a-z0-9]+)*)\.ts$/;

export function kebabCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase();
}

export function pascalCase(name: string): string {
  return kebabCase(name)
    .split('-')
    .filter(Boolean)
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join('');
}

/** Problems with the names of the files in `directory`: wrong pattern, reused timestamp. */
export function migrationFileNameProblems(directory: string): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const file of readdirSync(directory)
    .filter((name) => name.endsWith('.ts'))
    .sort()) {
    const match = MIGRATION_FILE_NAME.exec(file);
    if (!match) {
      problems.push(`${file}: migration files are named <13-digit timestamp>-<what-it-does>.ts`);
      continue;
    }
    const other = seen.get(match[1]);
    if (other) problems.push(`${file}: its timestamp is already used by ${other}`);
    seen.set(match[1], file);
  }
  return problems;
}

export function migrationSource(className: string, up: string[], down: string[]): string {
  const statements = (queries: string[]) =>
    queries.map((query) => `    await queryRunner.query(${JSON.stringify(query)});`).join('\n');
  return `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  public async up(queryRunner: QueryRunner): Promise<void> {
${statements(up)}
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
${statements(down)}
  }
}
`;
}

/** A migration class, as TypeORM takes it. */
export type MigrationClass = new () => MigrationInterface;

/**
 * The compiled migration classes, imported by us rather than by TypeORM's glob loader
 * (which imports through eval, something test runners and bundlers cannot follow).
 */
export async function loadCompiledMigrations(
  directory = COMPILED_MIGRATIONS_DIR,
): Promise<MigrationClass[]> {
  if (!existsSync(directory)) return [];
  const files = readdirSync(directory)
    .filter((file) => MIGRATION_FILE_NAME.test(file.replace(/\.js$/, '.ts')))
    .sort();
  const classes: MigrationClass[] = [];
  for (const file of files) {
    const exported = (await import(pathToFileURL(path.join(directory, file)).href)) as Record<
      string,
      unknown
    >;
    for (const value of Object.values(exported)) {
      if (typeof value === 'function') classes.push(value as MigrationClass);
    }
  }
  return classes;
}
