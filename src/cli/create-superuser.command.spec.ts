import { describe, expect, it } from '@jest/globals';
import {
  gatherSuperuser,
  InvalidInputError,
  UsageError,
} from '#src/cli/create-superuser.command.js';
import { PromptCancelledError } from '#src/cli/terminal-prompts.js';
import { FakeTerminal } from '#test/helpers/fake-terminal.js';

const PASSWORD = 'correct horse battery staple';

describe('createsuperuser at a terminal', () => {
  it('asks for email, name and the password twice, without showing the password', async () => {
    const terminal = new FakeTerminal();
    terminal.answer('Email: ', 'ada@example.com\r');
    terminal.answer('Name: ', 'Ada Lovelace\r');
    terminal.answer('Password: ', `${PASSWORD}\r`);
    terminal.answer('Password (again): ', `${PASSWORD}\r`);
    await expect(gatherSuperuser({}, terminal)).resolves.toEqual({
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      password: PASSWORD,
    });
    expect(terminal.shown).not.toContain(PASSWORD);
  });

  it('asks again after a bad email, a weak password or two passwords that differ', async () => {
    const terminal = new FakeTerminal();
    terminal.answer('Email: ', 'ada\r');
    terminal.answer('Email: ', 'ada@example.com\r');
    terminal.answer('Name: ', '\r');
    terminal.answer('Password: ', 'short\r');
    terminal.answer('Password: ', `${PASSWORD}\r`);
    terminal.answer('Password (again): ', 'something else\r');
    terminal.answer('Password: ', `${PASSWORD}\r`);
    terminal.answer('Password (again): ', `${PASSWORD}\r`);
    await expect(gatherSuperuser({}, terminal)).resolves.toEqual({
      email: 'ada@example.com',
      name: '',
      password: PASSWORD,
    });
    expect(terminal.shown).toContain(
      'That is not right: expected an email address such as you@example.com.',
    );
    expect(terminal.shown).toContain('The password must be at least 12 characters long.');
    expect(terminal.shown).toContain('The two passwords differ.');
  });

  it('gives up after three unacceptable passwords', async () => {
    const terminal = new FakeTerminal();
    for (let attempt = 1; attempt <= 3; attempt++) {
      terminal.answer('Password: ', 'qwerty123456\r');
    }
    await expect(
      gatherSuperuser({ email: 'ada@example.com', name: 'Ada' }, terminal),
    ).rejects.toThrow(new InvalidInputError('No acceptable password after 3 tries.'));
  });

  it('stops when the person presses Ctrl-C', async () => {
    const terminal = new FakeTerminal();
    terminal.answer('Password: ', '\u0003');
    await expect(
      gatherSuperuser({ email: 'ada@example.com', name: 'Ada' }, terminal),
    ).rejects.toBeInstanceOf(PromptCancelledError);
  });
});

describe('createsuperuser in a script', () => {
  it('reads the password from standard input, without its final line break', async () => {
    const terminal = new FakeTerminal(false);
    terminal.input.end(`${PASSWORD}\r\n`);
    await expect(
      gatherSuperuser({ email: ' ada@example.com ', passwordStdin: true }, terminal),
    ).resolves.toEqual({ email: 'ada@example.com', name: '', password: PASSWORD });
  });

  it('keeps spaces that belong to the password', async () => {
    const terminal = new FakeTerminal(false);
    terminal.input.end(`  ${PASSWORD}  `);
    expect(
      (await gatherSuperuser({ email: 'ada@example.com', passwordStdin: true }, terminal)).password,
    ).toBe(`  ${PASSWORD}  `);
  });

  it('refuses what cannot work, before touching any database', async () => {
    const piped = () => new FakeTerminal(false);
    await expect(gatherSuperuser({ passwordStdin: true }, piped())).rejects.toBeInstanceOf(
      UsageError,
    );
    await expect(gatherSuperuser({ email: 'ada@example.com' }, piped())).rejects.toBeInstanceOf(
      UsageError,
    );
    await expect(
      gatherSuperuser({ email: 'ada@example.com', passwordStdin: true }, new FakeTerminal(true)),
    ).rejects.toThrow(/reads the password from a pipe/);
    const weak = piped();
    weak.input.end('ada@example.com');
    await expect(
      gatherSuperuser({ email: 'Ada@Example.com', passwordStdin: true }, weak),
    ).rejects.toThrow(new InvalidInputError('The password must not be your email address.'));
  });
});
