import { createInterface } from 'node:readline/promises';

/** A terminal's input: stdin, or a stand-in in tests. */
export interface TerminalInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

export interface Terminal {
  input: TerminalInput;
  output: NodeJS.WritableStream;
}

/** The person pressed Ctrl-C (or Ctrl-D on an empty line) at a prompt. */
export class PromptCancelledError extends Error {
  constructor() {
    super('Cancelled.');
    this.name = 'PromptCancelledError';
  }
}

/** Asks for one line, shown as typed, with the terminal's usual line editing. */
export async function ask(question: string, terminal: Terminal): Promise<string> {
  const lines = createInterface({ input: terminal.input, output: terminal.output, terminal: true });
  let answered = false;
  const cancelled = new Promise<never>((_resolve, reject) => {
    lines.once('SIGINT', () => reject(new PromptCancelledError()));
    // Ctrl-D, or the input ended, before an answer.
    lines.once('close', () => {
      if (!answered) reject(new PromptCancelledError());
    });
  });
  try {
    const answer = await Promise.race([lines.question(question), cancelled]);
    answered = true;
    return answer;
  } finally {
    lines.close();
  }
}

/**
 * Asks for a secret: nothing is echoed, not even asterisks (they would tell its length).
 * Backspace and Ctrl-U edit; Enter ends; Ctrl-C, or Ctrl-D on an empty line, cancels.
 */
export function askHidden(question: string, terminal: Terminal): Promise<string> {
  const { input, output } = terminal;
  if (!input.isTTY || !input.setRawMode) {
    return Promise.reject(new Error('A hidden prompt needs a terminal.'));
  }
  output.write(question);
  input.setRawMode(true);
  input.setEncoding('utf8');
  input.resume();
  return new Promise<string>((resolve, reject) => {
    let value = '';
    let escape = false;
    const finish = (error?: Error) => {
      input.removeListener('data', onData);
      input.setRawMode?.(false);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string | Buffer) => {
      for (const character of String(chunk)) {
        if (escape) {
          // The rest of an arrow key or function key sequence (ESC [ … final byte).
          if (/[@-~]/.test(character) && character !== '[') escape = false;
          continue;
        }
        switch (character) {
          case '\r':
          case '\n':
            return finish();
          case '\u0003':
            return finish(new PromptCancelledError());
          case '\u0004':
            if (value === '') return finish(new PromptCancelledError());
            break;
          case '\u007f':
          case '\b':
            value = [...value].slice(0, -1).join('');
            break;
          case '\u0015':
            value = '';
            break;
          case '\u001b':
            escape = true;
            break;
          default:
            if (character >= ' ') value += character;
        }
      }
    };
    input.on('data', onData);
  });
}

/** Everything on `input` until it ends, at most `maxBytes`. */
export async function readAll(input: NodeJS.ReadableStream, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > maxBytes) throw new Error(`Standard input is longer than ${maxBytes} bytes.`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
