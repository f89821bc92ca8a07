import type { INestApplicationContext } from '@nestjs/common';
import { isEmail } from 'class-validator';
import { DataSource } from 'typeorm';
import { PasswordPolicy } from '#src/accounts/password-policy.js';
import { UsersService } from '#src/accounts/users.service.js';
import { AuditService } from '#src/audit/audit.service.js';
import { ask, askHidden, readAll, type Terminal } from '#src/cli/terminal-prompts.js';

export interface CreateSuperuserOptions {
  email?: string;
  name?: string;
  passwordStdin?: boolean;
}

export interface NewSuperuser {
  email: string;
  name: string;
  password: string;
}

/** Wrong use of the command (exit code 2), as opposed to a failure while running it (1). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The input cannot make a superuser: a bad email or a weak password given non-interactively. */
export class InvalidInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidInputError';
  }
}

const NAME_MAX_LENGTH = 150;
const EMAIL_MAX_LENGTH = 254;
const PROMPT_ATTEMPTS = 3;
const STDIN_MAX_BYTES = 64 * 1024;

function emailProblem(email: string): string | undefined {
  if (email.length > EMAIL_MAX_LENGTH) return `at most ${EMAIL_MAX_LENGTH} characters`;
  return isEmail(email) ? undefined : 'expected an email address such as you@example.com';
}

function nameProblem(name: string): string | undefined {
  return [...name].length > NAME_MAX_LENGTH ? `at most ${NAME_MAX_LENGTH} characters` : undefined;
}

function passwordProblem(policy: PasswordPolicy, password: string, email: string) {
  const [problem] = policy.check(password, { email });
  return problem ? `The password ${problem.message}.` : undefined;
}

/**
 * Gathers the new superuser's details: from the options and standard input for scripts
 * (`--email … --password-stdin`), or by asking at a terminal.
 */
export async function gatherSuperuser(
  options: CreateSuperuserOptions,
  terminal: Terminal,
  policy = new PasswordPolicy(),
): Promise<NewSuperuser> {
  const givenEmail = options.email?.trim();
  if (givenEmail !== undefined) {
    const problem = emailProblem(givenEmail);
    if (problem) throw new InvalidInputError(`--email "${givenEmail}" is wrong: ${problem}.`);
  }
  const givenName = options.name?.trim();
  if (givenName !== undefined && nameProblem(givenName)) {
    throw new InvalidInputError(`--name is too long: ${nameProblem(givenName)}.`);
  }

  if (options.passwordStdin) {
    if (givenEmail === undefined) {
      throw new UsageError('--password-stdin needs --email (and usually --name).');
    }
    if (terminal.input.isTTY) {
      throw new UsageError(
        '--password-stdin reads the password from a pipe, e.g. printf %s "$PASSWORD" | npm run finch -- createsuperuser --email … --password-stdin. At a terminal, leave it out to be asked.',
      );
    }
    // One trailing line break is the pipe's, not the password's (echo adds one).
    const password = (await readAll(terminal.input, STDIN_MAX_BYTES)).replace(/\r?\n$/, '');
    if (password === '') throw new InvalidInputError('Standard input held no password.');
    const problem = passwordProblem(policy, password, givenEmail);
    if (problem) throw new InvalidInputError(problem);
    return { email: givenEmail, name: givenName ?? '', password };
  }

  if (!terminal.input.isTTY) {
    throw new UsageError(
      'Not at a terminal, so nothing can be asked: pass --email, --name and --password-stdin with the password on standard input.',
    );
  }
  const write = (line: string) => terminal.output.write(`${line}\n`);
  const email = givenEmail ?? (await askUntil(terminal, 'Email: ', emailProblem, write));
  const name = givenName ?? (await askUntil(terminal, 'Name: ', nameProblem, write));
  for (let attempt = 1; attempt <= PROMPT_ATTEMPTS; attempt++) {
    const password = await askHidden('Password: ', terminal);
    const problem = passwordProblem(policy, password, email);
    if (problem) {
      write(problem);
      continue;
    }
    if ((await askHidden('Password (again): ', terminal)) !== password) {
      write('The two passwords differ.');
      continue;
    }
    return { email, name, password };
  }
  throw new InvalidInputError(`No acceptable password after ${PROMPT_ATTEMPTS} tries.`);
}

async function askUntil(
  terminal: Terminal,
  question: string,
  problemWith: (answer: string) => string | undefined,
  write: (line: string) => void,
): Promise<string> {
  for (let attempt = 1; attempt <= PROMPT_ATTEMPTS; attempt++) {
    const answer = (await ask(question, terminal)).trim();
    const problem = problemWith(answer);
    if (!problem) return answer;
    write(`That is not right: ${problem}.`);
  }
  throw new InvalidInputError(`No acceptable answer to "${question.trim()}" after 3 tries.`);
}

/** Creates the superuser and records it in the audit log, in one transaction. */
export async function createSuperuser(
  context: INestApplicationContext,
  input: NewSuperuser,
): Promise<{ id: string; email: string }> {
  const users = context.get(UsersService, { strict: false });
  const audit = context.get(AuditService, { strict: false });
  return context.get(DataSource).transaction(async (manager) => {
    const user = await users.create({ ...input, isSuperuser: true, isActive: true }, manager);
    await audit.record(
      {
        actorId: null,
        action: 'users.superuser_created',
        objectType: 'user',
        objectId: user.id,
        data: { email: user.email, via: 'cli' },
      },
      manager,
    );
    return { id: user.id, email: user.email };
  });
}
