import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { EmailTakenError, WeakPasswordError } from '#src/accounts/accounts.errors.js';
import {
  createSuperuser,
  type CreateSuperuserOptions,
  gatherSuperuser,
  InvalidInputError,
  UsageError,
} from '#src/cli/create-superuser.command.js';
import { withCliContext } from '#src/cli/cli-context.js';
import { CommandFailure } from '#src/cli/command-failure.js';
import { PromptCancelledError } from '#src/cli/terminal-prompts.js';
import { DataDirectoryInUseError } from '#src/database/embedded-postgres.js';
import { DomainError } from '#src/errors/domain-error.js';
import { loadConfigOrExit } from '#src/process-lifecycle.js';

/** The schema and seed commands, loaded only when one of them runs (they bring the content features). */
const schemaCommands = () => import('#src/schema-files/schema-commands.js');

/** Finch's management commands: `npm run finch -- <command>` (node dist/src/cli/finch.js). */
function program(): Command {
  const finch = new Command('finch')
    .description("Finch's management commands.")
    .usage('<command> [options]')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();

  finch
    .command('createsuperuser')
    .description(
      'Create a superuser: asks for email, name and password at a terminal; scripts pass --email, --name and --password-stdin.',
    )
    .option('--email <email>', 'the email address to sign in with')
    .option('--name <name>', 'the name shown in the admin')
    .option('--password-stdin', 'read the password from standard input (for scripts)')
    .addHelpText(
      'after',
      `
Examples:
  npm run finch -- createsuperuser
  printf '%s' "$ADMIN_PASSWORD" | npm run finch -- createsuperuser --email you@example.com --name "You" --password-stdin`,
    )
    .action(async (options: CreateSuperuserOptions) => {
      const { config } = loadConfigOrExit();
      const terminal = { input: process.stdin, output: process.stdout };
      const input = await gatherSuperuser(options, terminal);
      console.log(
        `Creating the superuser ${input.email} (database: ${config.databaseUrl ? 'DATABASE_URL' : `embedded, in ${config.dataDir}`})…`,
      );
      const user = await withCliContext(config, (context) => createSuperuser(context, input));
      console.log(`Superuser ${user.email} created (id ${user.id}). They can sign in now.`);
    });

  const schema = finch
    .command('schema')
    .description('Content types as a schema file kept in git: export, diff, apply.')
    .usage('<export|diff|apply> [options]');

  schema
    .command('export')
    .description('Write every content type as a schema file (to standard output without a file).')
    .argument('[file]', 'where to write it, e.g. schema.json')
    .action(async (file: string | undefined) => {
      const { exportSchema, withSchemaContext } = await schemaCommands();
      const { config } = loadConfigOrExit();
      const written = await withSchemaContext(config, (context) =>
        exportSchema(context, file, process.stdout),
      );
      if (written) console.error(`Wrote the content types to ${written}.`);
    });

  schema
    .command('diff')
    .description(
      'Show what applying the file would change, and how many stored pages, snippets and revisions each change touches.',
    )
    .argument('<file>', 'the schema file')
    .option(
      '--allow-data-loss <names>',
      'mark these changes as allowed, as apply would (comma-separated)',
      collect,
    )
    .action(async (file: string, options: { allowDataLoss?: string[] }) => {
      const { diffSchema, parseAllowDataLoss, readSchemaFile, withSchemaContext } =
        await schemaCommands();
      const allow = parseAllowDataLoss(options.allowDataLoss);
      const parsed = await readSchemaFile(file);
      const { config } = loadConfigOrExit();
      const report = await withSchemaContext(config, (context) =>
        diffSchema(context, file, parsed, allow),
      );
      process.stdout.write(report);
    });

  schema
    .command('apply')
    .description(
      'Apply the file in one transaction: create and change content types, rewrite stored content for renames; refuse to drop stored data unless --allow-data-loss names it.',
    )
    .argument('<file>', 'the schema file')
    .option(
      '--allow-data-loss <names>',
      'changes allowed to drop stored values, as diff names them: blog_post.tags,blog_post.body.quote',
      collect,
    )
    .option('--yes', 'apply without asking (for scripts)')
    .addHelpText(
      'after',
      `
Examples:
  npm run finch -- schema diff schema.json
  npm run finch -- schema apply schema.json
  npm run finch -- schema apply schema.json --yes --allow-data-loss blog_post.tags`,
    )
    .action(async (file: string, options: { allowDataLoss?: string[]; yes?: boolean }) => {
      const { applySchema, parseAllowDataLoss, readSchemaFile, withSchemaContext } =
        await schemaCommands();
      const allowDataLoss = parseAllowDataLoss(options.allowDataLoss);
      const parsed = await readSchemaFile(file);
      const { config } = loadConfigOrExit();
      await withSchemaContext(config, (context) =>
        applySchema(
          context,
          file,
          parsed,
          { allowDataLoss, yes: Boolean(options.yes) },
          { input: process.stdin, output: process.stdout },
          process.stderr,
        ),
      );
    });

  finch
    .command('seed')
    .description(
      'Load sample content. --example: the example blog (examples/blog.schema.json) with authors, categories and posts.',
    )
    .option('--example', 'the example blog')
    .action(async (options: { example?: boolean }) => {
      if (!options.example) {
        throw new UsageError('Say what to seed: npm run finch -- seed --example');
      }
      const { seedExample, withSchemaContext } = await schemaCommands();
      const { config } = loadConfigOrExit();
      console.log(
        `Seeding the example blog (database: ${config.databaseUrl ? 'DATABASE_URL' : `embedded, in ${config.dataDir}`})…`,
      );
      await withSchemaContext(config, (context) =>
        seedExample(context, process.stdout, process.stderr, config.publicUrl),
      );
    });

  return finch;
}

/** Commander option parser for an option that may be repeated. */
function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** What to tell the person, and the exit code, for what went wrong. */
function failure(error: unknown): { message?: string; code: number } {
  if (error instanceof CommanderError) {
    // Commander has printed the message or the help already.
    return { code: error.exitCode === 0 ? 0 : 2 };
  }
  if (error instanceof UsageError) return { message: error.message, code: 2 };
  if (error instanceof PromptCancelledError) return { code: 130 };
  if (error instanceof InvalidInputError || error instanceof DataDirectoryInUseError) {
    return { message: error.message, code: 1 };
  }
  if (error instanceof EmailTakenError) {
    return { message: `${error.detail} Nothing was created.`, code: 1 };
  }
  if (error instanceof WeakPasswordError) return { message: error.detail, code: 1 };
  if (error instanceof CommandFailure) return { message: error.message, code: error.exitCode };
  if (error instanceof DomainError) {
    const details = (error.errors ?? []).map((each) => `\n  ${each.path}: ${each.message}`);
    return { message: `${error.detail}${details.join('')}`, code: 1 };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { message: `The command failed: ${message}`, code: 1 };
}

void program()
  .parseAsync(process.argv)
  .then(
    () => 0,
    (error: unknown) => {
      const { message, code } = failure(error);
      if (error instanceof PromptCancelledError) console.error('\nCancelled: nothing was created.');
      else if (message) console.error(`Error: ${message}`);
      return code;
    },
  )
  .then((code) => {
    process.exitCode = code;
    // Nothing should be left running; if a stray handle is, do not hang a script.
    setTimeout(() => process.exit(code), 1_000).unref();
  });
