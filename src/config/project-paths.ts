import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding Finch's package.json, whether code runs from dist/ or from src/. */
function findProjectRoot(start: string): string {
  let directory = start;
  for (;;) {
    const manifest = path.join(directory, 'package.json');
    if (existsSync(manifest)) {
      const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string };
      if (name === 'finch') return directory;
    }
    const parent = path.dirname(directory);
    if (parent === directory) throw new Error(`Finch's package.json was not found above ${start}.`);
    directory = parent;
  }
}

export const PROJECT_ROOT = findProjectRoot(path.dirname(fileURLToPath(import.meta.url)));

/** Compiled migrations: the app, the CLI and the tests all run the same files. */
export const COMPILED_MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'dist', 'migrations');
export const COMPILED_MIGRATIONS_GLOB = path.join(COMPILED_MIGRATIONS_DIR, '*.js');
export const MIGRATIONS_SOURCE_DIR = path.join(PROJECT_ROOT, 'migrations');
export const COMPILED_ENTITIES_GLOB = path.join(PROJECT_ROOT, 'dist', 'src', '**', '*.entity.js');
