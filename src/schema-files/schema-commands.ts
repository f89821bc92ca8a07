import { readFile, rename, writeFile } from 'node:fs/promises';
import type { INestApplicationContext } from '@nestjs/common';
import { withCliContext } from '#src/cli/cli-context.js';
import { CommandFailure } from '#src/cli/command-failure.js';
import type { AppConfig } from '#src/config/app-config.js';
import { UsageError } from '#src/cli/create-superuser.command.js';
import { ask, type Terminal } from '#src/cli/terminal-prompts.js';
import type { AuditActor } from '#src/audit/audit.service.js';
import { validateSchemaFile } from '#src/content-types/content-type-validation.js';
import { ExampleSeedService, type SeedResult } from '#src/schema-files/example-seed.service.js';
import { progressOn } from '#src/schema-files/progress-reporter.js';
import { SchemaFilesService, type SchemaPlan } from '#src/schema-files/schema-files.service.js';
import { SCHEMA_COMMAND_MODULES } from '#src/schema-files/schema-files.module.js';
import { type ParsedSchemaFile, parseSchemaFile } from '#src/schema-files/schema-file.js';
import { formatPlan, nextStep, planIsEmpty } from '#src/schema-files/schema-plan-report.js';

/** Runs `work` with the services the schema and seed commands use. */
export function withSchemaContext<T>(
  config: AppConfig,
  work: (context: INestApplicationContext) => Promise<T>,
): Promise<T> {
  return withCliContext(config, work, SCHEMA_COMMAND_MODULES);
}

/** Management commands act as nobody in particular: the audit log shows a null actor. */
const CLI_ACTOR: AuditActor = { actorId: null, ip: null };

/** The person said no to applying: nothing was changed. */
export class ApplyDeclinedError extends CommandFailure {
  constructor() {
    super('Not applied: nothing was changed.');
  }
}

/** A file that cannot be read: missing, a directory, unreadable. */
export class SchemaFileUnreadableError extends CommandFailure {
  constructor(file: string, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'there is no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : (cause as Error).message;
    super(`Cannot read ${file}: ${why}.`);
  }
}

/** Reads and checks a schema file before any database is opened. */
export async function readSchemaFile(file: string): Promise<ParsedSchemaFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new SchemaFileUnreadableError(file, error);
  }
  return parseSchemaFile(text, file, validateSchemaFile);
}

/** Parses `--allow-data-loss a.b,c.d` (repeatable) into a set of names. */
export function parseAllowDataLoss(values: readonly string[] | undefined): Set<string> {
  const names = (values ?? [])
    .flatMap((value) => value.split(','))
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of names) {
    if (!/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*(\[\])?)+$/.test(name)) {
      throw new UsageError(
        `--allow-data-loss takes names such as blog_post.tags or blog_post.body.quote, as diff prints them; "${name}" is not one.`,
      );
    }
  }
  return new Set(names);
}

/** `schema export [file]`: every content type as a schema file, to `file` or standard output. */
export async function exportSchema(
  context: INestApplicationContext,
  file: string | undefined,
  output: NodeJS.WritableStream,
): Promise<string | undefined> {
  const text = context.get(SchemaFilesService, { strict: false }).export();
  if (!file || file === '-') {
    output.write(text);
    return undefined;
  }
  // Written beside the target and renamed: an interrupted export never leaves half a file.
  const partial = `${file}.partial-${process.pid}`;
  await writeFile(partial, text, 'utf8');
  await rename(partial, file);
  return file;
}

/** `schema diff <file>`: what apply would change, with the stored content each change touches. */
export async function diffSchema(
  context: INestApplicationContext,
  file: string,
  parsed: ParsedSchemaFile,
  allowDataLoss: ReadonlySet<string>,
): Promise<string> {
  const plan = await context
    .get(SchemaFilesService, { strict: false })
    .plan(parsed.definitions, { allowDataLoss });
  return `${formatPlan(plan, allowDataLoss)}${nextStep(plan, file)}`;
}

export interface ApplyOptions {
  allowDataLoss: ReadonlySet<string>;
  yes: boolean;
}

/**
 * `schema apply <file>`: prints the plan, asks for confirmation at a terminal (unless
 * `--yes`), then applies it in one transaction with progress on standard error.
 */
export async function applySchema(
  context: INestApplicationContext,
  file: string,
  parsed: ParsedSchemaFile,
  options: ApplyOptions,
  terminal: Terminal,
  errors: NodeJS.WritableStream & { isTTY?: boolean },
): Promise<{ plan: SchemaPlan; applied: boolean }> {
  const service = context.get(SchemaFilesService, { strict: false });
  const write = (text: string) => terminal.output.write(text);
  const preview = await service.plan(parsed.definitions, { allowDataLoss: options.allowDataLoss });
  write(formatPlan(preview, options.allowDataLoss));
  if (planIsEmpty(preview)) {
    write('The database already matches the file: nothing to apply.\n');
    return { plan: preview, applied: false };
  }
  if (!options.yes) {
    // Refusals (data loss, blocked) are reported by apply itself, before any question.
    const refused = preview.blocked.length > 0 || preview.dataLoss.some((loss) => !loss.allowed);
    if (!refused) {
      if (!terminal.input.isTTY) {
        throw new UsageError(
          'schema apply changes the database: at a terminal it asks first; in a script pass --yes.',
        );
      }
      const answer = (await ask('Apply these changes? [y/N] ', terminal)).trim().toLowerCase();
      if (answer !== 'y' && answer !== 'yes') throw new ApplyDeclinedError();
    }
  }
  const plan = await service.apply(parsed.definitions, CLI_ACTOR, {
    allowDataLoss: options.allowDataLoss,
    progress: progressOn(errors),
  });
  const count = (action: string) => plan.types.filter((type) => type.action === action).length;
  const rewritten = plan.types
    .flatMap((type) => type.changes)
    .filter(
      (change) => change.rewrites || (change.dropsData && options.allowDataLoss.has(change.name)),
    );
  write(
    `Applied ${file}: ${count('create')} created, ${count('update')} changed, ${count('remove')} removed.` +
      (rewritten.length > 0
        ? ` Stored content rewritten for ${rewritten.map((change) => change.name).join(', ')}.`
        : '') +
      '\n',
  );
  return { plan, applied: true };
}

/** `seed --example`: the example blog with sample content. */
export async function seedExample(
  context: INestApplicationContext,
  output: NodeJS.WritableStream,
  errors: NodeJS.WritableStream & { isTTY?: boolean },
  publicUrl: string,
): Promise<SeedResult> {
  const result = await context
    .get(ExampleSeedService, { strict: false })
    .seed(CLI_ACTOR, { progress: progressOn(errors) });
  if (result.status === 'already-seeded') {
    output.write(
      'The example site is already seeded (a site for localhost exists): nothing was changed.\n',
    );
    return result;
  }
  const types = result.plan.types.filter((type) => type.action === 'create').length;
  output.write(
    [
      `Seeded the example blog: ${types} content type${types === 1 ? '' : 's'} created, ${result.snippets} authors and categories, ` +
        `${result.published} published pages, ${result.drafts} draft, ${result.scheduled.length} scheduled ` +
        `(${result.scheduled.map((post) => `"${post.title}" at ${post.goLiveAt.toISOString()}`).join(', ')}).`,
      `Read it once the server runs: curl '${publicUrl}/api/v2/pages?type=blog_post'`,
      '',
    ].join('\n'),
  );
  return result;
}
