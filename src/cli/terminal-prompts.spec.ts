import { Readable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { ask, askHidden, PromptCancelledError, readAll } from '#src/cli/terminal-prompts.js';
import { FakeTerminal } from '#test/helpers/fake-terminal.js';

describe('askHidden', () => {
  it('reads a line without echoing it, in raw mode, and restores the terminal', async () => {
    const terminal = new FakeTerminal();
    terminal.answer('Password: ', 'sesame open\r');
    await expect(askHidden('Password: ', terminal)).resolves.toBe('sesame open');
    expect(terminal.shown).toBe('Password: \n');
    expect(terminal.rawMode).toBe(false);
  });

  it('edits with backspace and Ctrl-U, and ignores arrow keys', async () => {
    const terminal = new FakeTerminal();
    terminal.answer('? ', 'wrong\u0015righx\u007ft\u001b[D\u001b[C!\n');
    await expect(askHidden('? ', terminal)).resolves.toBe('right!');
  });

  it('cancels on Ctrl-C, and on Ctrl-D at an empty line', async () => {
    const interrupted = new FakeTerminal();
    interrupted.answer('? ', 'abc\u0003');
    await expect(askHidden('? ', interrupted)).rejects.toBeInstanceOf(PromptCancelledError);
    expect(interrupted.rawMode).toBe(false);
    const ended = new FakeTerminal();
    ended.answer('? ', '\u0004');
    await expect(askHidden('? ', ended)).rejects.toBeInstanceOf(PromptCancelledError);
  });

  it('refuses to run without a terminal', async () => {
    await expect(askHidden('? ', new FakeTerminal(false))).rejects.toThrow(/needs a terminal/);
  });
});

describe('ask', () => {
  it('reads one line, shown as typed', async () => {
    const terminal = new FakeTerminal();
    terminal.answer('Email: ', 'ada@example.com\r');
    await expect(ask('Email: ', terminal)).resolves.toBe('ada@example.com');
    expect(terminal.shown).toContain('ada@example.com');
  });

  it('cancels on Ctrl-C', async () => {
    const terminal = new FakeTerminal();
    terminal.answer('Email: ', 'ad\u0003');
    await expect(ask('Email: ', terminal)).rejects.toBeInstanceOf(PromptCancelledError);
  });
});

describe('readAll', () => {
  it('reads a stream to its end', async () => {
    await expect(readAll(Readable.from(['pass', 'word\n']), 100)).resolves.toBe('password\n');
  });

  it('refuses more than the limit', async () => {
    await expect(readAll(Readable.from(['x'.repeat(64), 'x'.repeat(64)]), 100)).rejects.toThrow(
      /longer than 100 bytes/,
    );
  });
});
