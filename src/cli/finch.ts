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
import { PromptCancelledError } from '#src/cli/terminal-prompts.js';
import { DataDirectoryInUseError } from '#src/database/embedded-postgres.js';
import { loadConfigOrExit } from '#src/process-lifecycle.js';

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

  return finch;
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
